// What the renderers' isolation means on a real API server: the objects rendered for agencies
// at security levels 2 and 4 are applied to a member cluster as the operator applies them, then
// pods and permissions are tried against them. Level 4 pins every pod to the dedicated nodes
// (PodNodeSelector, PodTolerationRestriction), other levels cannot reach those nodes (the
// govcloud-workspace-pods admission policy), Pod Security refuses privileged pods, and a
// workspace admin runs workloads but cannot open its own network policy or raise its quota.
import * as assert from 'uvu/assert';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Agency, DataCentre } from '../operator/src/api/index.ts';
import { DEDICATED_NODE_KEY, DEDICATED_NODE_VALUE } from '../operator/src/api/index.ts';
import { emptyPlatform } from '../operator/src/model/platform.ts';
import { platformClusterRoles, platformObjects, renderAgency, WORKSPACE_ADMIN_ROLE } from '../operator/src/render/index.ts';
import { ApiError, e2eSuite, uniqueName, waitFor } from './harness/index.ts';
import type { Cluster } from './harness/index.ts';

const test = e2eSuite('isolation by security level');
const API = 'govcloud.dev/v1alpha1';

function dataCentre(name: string): DataCentre {
  return {
    apiVersion: API,
    kind: 'DataCentre',
    metadata: { name },
    spec: {
      displayName: `Trung tâm dữ liệu ${name}`,
      region: 'Miền Nam',
      connection: { thisCluster: true },
      accreditedLevel: 4,
      capacity: { cpu: '100', memory: '400Gi', storage: '10Ti' },
      networkRanges: ['10.231.0.0/16'],
    },
  };
}

function agency(name: string, code: string, level: number, dc: string): Agency {
  return {
    apiVersion: API,
    kind: 'Agency',
    metadata: { name },
    spec: {
      code,
      displayName: 'Bộ Công an (kiểm thử)',
      type: 'ministry',
      groups: { admins: [`${name}-admins`], viewers: [`${name}-viewers`] },
      securityLevel: level,
      placement: { dataCentres: [dc] },
      quotas: [{ dataCentre: dc, cpu: '4', memory: '8Gi', storage: '20Gi' }],
      workspaces: [{ name: 'app', dataClass: 'shared' }],
      deletionPolicy: 'Delete',
    },
  };
}

/** Applies the govcloud ClusterRoles (as the chart installs them) and what the renderers want for these agencies, as the operator does. */
async function applyRendered(cluster: Cluster, dc: DataCentre, agencies: Agency[]): Promise<string[]> {
  const platform = { ...emptyPlatform(), dataCentres: [dc], agencies };
  const objects: KubernetesObject[] = [...platformClusterRoles(), ...platformObjects(dc)];
  for (const a of agencies) {
    const render = renderAgency(platform, a);
    assert.equal(render.issues, [], `${a.metadata.name}: render issues`);
    objects.push(...render.perDataCentre.flatMap((r) => r.objects));
  }
  for (const o of objects) await cluster.apply(o);
  return objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata!.name!);
}

function pod(name: string, extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.gov.vn/app:1.0',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
      ...extra,
    },
  };
}

async function refused(what: string, run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ApiError) return err.message;
    throw err;
  }
  assert.unreachable(`${what}: expected the API server to refuse it`);
  return '';
}

/**
 * An admission policy takes effect a moment after it is created (the API server loads it
 * asynchronously), so a pod that slips through before that is deleted and the attempt
 * repeated, within a bound.
 */
async function refusedOnceEffective(cluster: Cluster, namespace: string, what: string, body: V1Pod): Promise<string> {
  return waitFor(
    what,
    async () => {
      try {
        await createPod(cluster, namespace, body);
      } catch (err) {
        if (err instanceof ApiError) return err.message;
        throw err;
      }
      await cluster.request('DELETE', `/api/v1/namespaces/${namespace}/pods/${body.metadata!.name}?gracePeriodSeconds=0`);
      return undefined;
    },
    { timeoutMs: 30_000, intervalMs: 1_000 },
  );
}

async function createPod(cluster: Cluster, namespace: string, body: V1Pod): Promise<V1Pod> {
  return (await cluster.call('POST', `/api/v1/namespaces/${namespace}/pods`, body)) as V1Pod;
}

async function allowed(cluster: Cluster, group: string, namespace: string, verb: string, resource: string, apiGroup = ''): Promise<boolean> {
  const review = (await cluster.call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: { user: 'can-bo@agency.gov.vn', groups: [group, 'system:authenticated'], resourceAttributes: { namespace, verb, resource, group: apiGroup } },
  })) as { status?: { allowed?: boolean } };
  return review.status?.allowed === true;
}

test(
  'level 4 pins pods to dedicated nodes; level 2 cannot reach them; restricted Pod Security; tenant admins cannot open policies',
  async ({ clusters }) => {
    const cluster = clusters[1] ?? clusters[0]!;
    const dc = dataCentre(cluster.name);
    const secret = agency(uniqueName('bca'), 'G04', 4, dc.metadata.name);
    const plain = agency(uniqueName('bxd'), 'G05', 2, dc.metadata.name);
    const namespaces = await applyRendered(cluster, dc, [secret, plain]);
    const l4 = `${secret.metadata.name}-app`;
    const l2 = `${plain.metadata.name}-app`;
    try {
      // Level 4: a pod that asks for nothing is given the dedicated node selector and toleration.
      const pinned = await createPod(cluster, l4, pod('pinned'));
      assert.is(pinned.spec?.nodeSelector?.[DEDICATED_NODE_KEY], DEDICATED_NODE_VALUE);
      assert.ok(
        pinned.spec?.tolerations?.some((t) => t.key === DEDICATED_NODE_KEY && t.effect === 'NoSchedule'),
        'dedicated toleration added',
      );
      const scheduled = await waitFor(
        'the level-4 pod is scheduled',
        async () => {
          const p = (await cluster.call('GET', `/api/v1/namespaces/${l4}/pods/pinned`)) as V1Pod;
          return p.spec?.nodeName ? p : false;
        },
        { timeoutMs: 60_000 },
      );
      const node = await cluster.core.readNode({ name: scheduled.spec!.nodeName! });
      assert.is(node.metadata?.labels?.[DEDICATED_NODE_KEY], DEDICATED_NODE_VALUE, `scheduled on ${node.metadata?.name}, a dedicated node`);
      await refused('a level-4 pod asking for non-dedicated nodes', () =>
        createPod(cluster, l4, pod('elsewhere', { nodeSelector: { [DEDICATED_NODE_KEY]: 'none' } })),
      );

      // Level 2: tolerating the dedicated taint, or naming a node, is refused.
      const toleration = await refusedOnceEffective(
        cluster,
        l2,
        'a level-2 pod tolerating the dedicated taint is refused',
        pod('sneaky', { tolerations: [{ key: DEDICATED_NODE_KEY, operator: 'Equal', value: DEDICATED_NODE_VALUE, effect: 'NoSchedule' }] }),
      );
      assert.match(toleration, /govcloud-workspace-pods|dedicated/);
      await refused('a level-2 pod naming a node', () => createPod(cluster, l2, pod('direct', { nodeName: node.metadata!.name! })));

      // Pod Security restricted at level 2 and above.
      const privileged = pod('privileged');
      privileged.spec!.containers[0]!.securityContext = { privileged: true };
      assert.match(await refused('a privileged pod', () => createPod(cluster, l2, privileged)), /PodSecurity|restricted/);

      // A workspace admin runs workloads but cannot change isolation, quota or RBAC.
      const admins = `${plain.metadata.name}-admins`;
      assert.ok(await allowed(cluster, admins, l2, 'create', 'deployments', 'apps'), 'admins create Deployments');
      assert.not.ok(await allowed(cluster, admins, l2, 'create', 'networkpolicies', 'networking.k8s.io'), 'admins cannot add NetworkPolicies');
      assert.not.ok(await allowed(cluster, admins, l2, 'delete', 'networkpolicies', 'networking.k8s.io'), 'admins cannot remove default-deny');
      assert.not.ok(await allowed(cluster, admins, l2, 'update', 'resourcequotas'), 'admins cannot raise their quota');
      assert.not.ok(await allowed(cluster, admins, l2, 'create', 'rolebindings', 'rbac.authorization.k8s.io'), 'admins cannot grant access');
      assert.not.ok(await allowed(cluster, admins, l4, 'create', 'deployments', 'apps'), "no access to another agency's workspace");
      const role = (await cluster.call('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${WORKSPACE_ADMIN_ROLE}`)) as { rules?: unknown[] };
      assert.ok((role.rules ?? []).length > 0);
    } finally {
      for (const ns of namespaces) await cluster.request('DELETE', `/api/v1/namespaces/${ns}`);
    }
  },
  { timeoutMs: 180_000 },
);

test.run();
