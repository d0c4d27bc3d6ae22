// Service exposure and legacy tokens, attacked as a tenant on a real API server. The level-1
// agency of samples/ (Pod Security baseline) is rendered into the member cluster of its data
// centre as the operator renders it, under a fresh name; then one of its admins (impersonated:
// its admin group) tries to open its workspace beyond the cluster (NodePort, LoadBalancer,
// ExternalName, externalIPs), to mint a non-expiring service-account token, and to create
// objects past its quota. Each is refused, and by what: the admission policies
// govcloud-workspace-services and govcloud-workspace-secrets, the DenyServiceExternalIPs
// plugin, the ResourceQuota; and `govcloud validate` refuses the same documents offline, at the
// same field. What a tenant needs (a ClusterIP Service, an Opaque Secret, a pod that baseline
// admits and restricted would not) still works, on line and off.
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import type { KubernetesObject, V1Pod, V1ResourceQuota } from '@kubernetes/client-node';
import { workspaceNamespace, type Agency } from '../operator/src/api/index.ts';
import { stringify } from 'yaml';
import { loadPaths } from '../operator/src/load/documents.ts';
import type { Problem } from '../operator/src/load/problem.ts';
import { validateLoaded, validateSources } from '../operator/src/validate/index.ts';
import { platformClusterRoles, platformObjects, renderAgency } from '../operator/src/render/index.ts';
import { ApiError, ROOT, e2eSuite, uniqueName, waitFor } from './harness/index.ts';
import type { Cluster } from './harness/index.ts';

const test = e2eSuite('service exposure and legacy tokens in workspaces');

const SERVICE_POLICY = "ValidatingAdmissionPolicy 'govcloud-workspace-services'";
const SECRET_POLICY = "ValidatingAdmissionPolicy 'govcloud-workspace-secrets'";
const TENANT_USER = 'can-bo@svhttdl.danang.gov.vn';

interface Workspaces {
  cluster: Cluster;
  /** The cluster as one of the agency's admins. */
  tenant: Cluster;
  /** Workspace namespaces by workspace name. */
  namespaces: Record<string, string>;
  objects: KubernetesObject[];
  /** The errors `govcloud validate` finds in the object, in that namespace, beside the agency and its data centre. */
  offline(body: Body, namespace: string): Problem[];
  remove(): Promise<void>;
}

/** The level-1 agency of samples/, renamed, rendered and applied to its data centre's cluster. */
async function levelOneWorkspaces(clusters: Cluster[]): Promise<Workspaces> {
  const result = validateLoaded(await loadPaths([path.join(ROOT, 'samples')], ROOT));
  assert.equal(result.errors, [], 'samples/ validate clean');
  const sample = result.platform.agencies.find((a) => a.spec.securityLevel === 1);
  assert.ok(sample, 'samples/ hold an agency at security level 1');
  const agency: Agency = structuredClone(sample);
  agency.metadata.name = uniqueName('svhttdl');
  const dcName = agency.spec.placement.dataCentres[0]!;
  const cluster = clusters.find((c) => c.name === dcName);
  if (!cluster) throw new Error(`the sample ${sample.metadata.name} is placed in ${dcName}: the kubeconfig has no context of that name`);
  const dc = result.platform.dataCentres.find((d) => d.metadata.name === dcName)!;
  const render = renderAgency({ ...result.platform, agencies: [agency] }, agency);
  assert.equal(render.issues, [], 'the sample renders without issues');
  const objects = [...platformClusterRoles(), ...platformObjects(dc), ...(render.perDataCentre.find((r) => r.dataCentre === dcName)?.objects ?? [])];
  for (const o of objects) await cluster.apply(o);
  const namespaces = Object.fromEntries(agency.spec.workspaces.map((w) => [w.name, workspaceNamespace(agency.metadata.name, w.name)]));
  return {
    cluster,
    tenant: cluster.as(TENANT_USER, [agency.spec.groups.admins![0]!, 'system:authenticated']),
    namespaces,
    objects,
    offline: (body, namespace) => {
      const documents = [dc, agency, { ...body, metadata: { ...body.metadata, namespace } }];
      const file = 'pull-request.yaml';
      const { errors } = validateSources([{ file, bytes: new TextEncoder().encode(documents.map((d) => stringify(d)).join('---\n')) }]);
      // The agency's own references (its parent, the hub) are not in this subset: not the question here.
      return errors.filter((e) => e.object === `${body.kind}/${body.metadata.name}`);
    },
    remove: async () => {
      for (const ns of Object.values(namespaces)) await cluster.request('DELETE', `/api/v1/namespaces/${ns}`);
    },
  };
}

/** The quota admission refuses everything it counts until the quota controller has filled the status. */
async function quotaCounted(cluster: Cluster, namespace: string): Promise<V1ResourceQuota> {
  return waitFor(`the quota of ${namespace} counted`, async () => {
    const q = (await cluster.call('GET', `/api/v1/namespaces/${namespace}/resourcequotas/govcloud-quota`)) as V1ResourceQuota;
    return q.status?.used && Object.keys(q.status.used).length > 0 ? q : undefined;
  });
}

async function refused(what: string, run: () => Promise<unknown>): Promise<ApiError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  assert.unreachable(`${what}: the API server admitted it`);
  throw new Error('unreachable');
}

/**
 * An admission policy takes effect a moment after it is created (the API server loads it
 * asynchronously): until `refuser` refuses the object, what was admitted is deleted and the
 * attempt repeated, within a bound.
 */
async function refusedOnceEffective(tenant: Cluster, collection: string, body: Body, refuser: string): Promise<ApiError> {
  let last = 'admitted';
  return waitFor(
    `${body.kind} ${body.metadata.name} refused by ${refuser}`,
    async () => {
      try {
        await tenant.call('POST', collection, body);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        last = err.message;
        return err.message.includes(refuser) ? err : undefined;
      }
      await tenant.call('DELETE', `${collection}/${body.metadata.name}`);
      return undefined;
    },
    { timeoutMs: 30_000, intervalMs: 1_000, describe: () => last },
  );
}

interface Body extends KubernetesObject {
  metadata: { name: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** `govcloud validate` refuses what the API server refused, at the field, with file and line. */
function assertRefusedOffline(ws: Workspaces, body: Body, namespace: string, field: string): void {
  const errors = ws.offline(body, namespace);
  assert.equal(
    errors.map((e) => `${e.object} ${e.field}`),
    [`${body.kind}/${body.metadata.name} ${field}`],
    `govcloud validate refuses ${body.metadata.name}`,
  );
  assert.ok(errors[0]!.line > 0);
}

function service(name: string, spec: Record<string, unknown>): Body {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: 'cong-du-lich' }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  };
}

test(
  'a tenant admin cannot expose its workspace beyond the cluster; a ClusterIP Service is admitted',
  async ({ clusters }) => {
    const ws = await levelOneWorkspaces(clusters);
    try {
      const ns = ws.namespaces['du-lich']!;
      const services = `/api/v1/namespaces/${ns}/services`;
      await quotaCounted(ws.cluster, ns);

      // Each type that opens the workspace beyond the cluster's network is refused by the policy.
      for (const body of [
        service('node-port', { type: 'NodePort' }),
        service('load-balancer', { type: 'LoadBalancer' }),
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'external-name' }, spec: { type: 'ExternalName', externalName: 'dulich.danang.gov.vn' } },
      ]) {
        const err = await refusedOnceEffective(ws.tenant, services, body, SERVICE_POLICY);
        assert.is(err.status, 403, body.metadata.name);
        assert.match(err.message, /type must be ClusterIP/);
        assertRefusedOffline(ws, body, ns, 'spec.type');
      }

      // externalIPs (CVE-2020-8554: intercepting traffic to any address) are refused by the API server's own plugin.
      const external = await refused('a Service with externalIPs', () =>
        ws.tenant.call('POST', services, service('external-ips', { externalIPs: ['10.30.0.10'] })),
      );
      assert.is(external.status, 403);
      assert.match(external.message, /Use of external IPs is denied by admission control/);
      assertRefusedOffline(ws, service('external-ips', { externalIPs: ['10.30.0.10'] }), ns, 'spec.externalIPs');

      // A ClusterIP Service is what a workspace needs; turning it into a NodePort later is refused too.
      const web = (await ws.tenant.call('POST', services, service('cong-du-lich', {}))) as { spec: { type: string } };
      assert.is(web.spec.type, 'ClusterIP');
      assert.equal(ws.offline(service('cong-du-lich', {}), ns), [], 'govcloud validate admits the ClusterIP Service');
      const patched = await refused('a ClusterIP Service patched to NodePort', () =>
        ws.tenant.call('PATCH', `${services}/cong-du-lich`, { spec: { type: 'NodePort' } }, 'application/merge-patch+json'),
      );
      assert.is(patched.status, 403);
      assert.ok(patched.message.includes(SERVICE_POLICY), patched.message);
    } finally {
      await ws.remove();
    }
  },
  { timeoutMs: 180_000 },
);

test(
  'a tenant admin cannot mint a legacy service-account token; an Opaque Secret is admitted',
  async ({ clusters }) => {
    const ws = await levelOneWorkspaces(clusters);
    try {
      const ns = ws.namespaces['du-lich']!;
      const secrets = `/api/v1/namespaces/${ns}/secrets`;
      await quotaCounted(ws.cluster, ns);
      const legacy: Body = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'default-token', annotations: { 'kubernetes.io/service-account.name': 'default' } },
        type: 'kubernetes.io/service-account-token',
      };
      const token = await refusedOnceEffective(ws.tenant, secrets, legacy, SECRET_POLICY);
      assert.is(token.status, 403);
      assert.match(token.message, /bound tokens only/);
      assertRefusedOffline(ws, legacy, ns, 'type');
      const config: Body = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'cau-hinh' },
        type: 'Opaque',
        stringData: { 'ket-noi': 'postgres://du-lich' },
      };
      const opaque = (await ws.tenant.call('POST', secrets, config)) as { type: string };
      assert.is(opaque.type, 'Opaque');
      assert.equal(ws.offline(config, ns), [], 'govcloud validate admits the Opaque Secret');
    } finally {
      await ws.remove();
    }
  },
  { timeoutMs: 120_000 },
);

const COUNTED: { resource: string; body: (name: string) => Body }[] = [
  { resource: 'services', body: (name) => service(name, {}) },
  { resource: 'secrets', body: (name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'Opaque' }) },
  { resource: 'configmaps', body: (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { 'ghi-chu': 'Đà Nẵng' } }) },
  {
    resource: 'persistentvolumeclaims',
    body: (name) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Mi' } } },
    }),
  },
];

test(
  'the workspace quota counts Services, Secrets, ConfigMaps and claims: the one past it is refused',
  async ({ clusters }) => {
    const ws = await levelOneWorkspaces(clusters);
    try {
      const ns = ws.namespaces['di-san']!;
      const quota = await quotaCounted(ws.cluster, ns);
      const hard = quota.spec?.hard ?? {};
      assert.is(hard['services.nodeports'], '0');
      assert.is(hard['services.loadbalancers'], '0');
      assert.ok(hard['requests.ephemeral-storage'] && hard['limits.ephemeral-storage'], 'ephemeral storage is in the quota');
      for (const { resource, body } of COUNTED) {
        const limit = Number(hard[resource]);
        assert.ok(Number.isInteger(limit) && limit > 0, `the quota limits ${resource} (hard: ${hard[resource]})`);
        const collection = `/api/v1/namespaces/${ns}/${resource}`;
        let made = 0;
        let refusal: ApiError | undefined;
        // At most limit + 1 attempts: the objects already there (kube-root-ca.crt) count too.
        while (made <= limit && !refusal) {
          try {
            await ws.tenant.call('POST', collection, body(`${resource}-${made}`));
            made++;
          } catch (err) {
            if (!(err instanceof ApiError)) throw err;
            refusal = err;
          }
        }
        assert.ok(refusal, `${resource}: ${made} created, none refused`);
        assert.is(refusal.status, 403, refusal.message);
        assert.match(refusal.message, new RegExp(`exceeded quota: govcloud-quota, requested: ${resource}=1`));
        const used = await waitFor(`${resource} used up in ${ns}`, async () => {
          const q = (await ws.cluster.call('GET', `/api/v1/namespaces/${ns}/resourcequotas/govcloud-quota`)) as V1ResourceQuota;
          const now = q.status?.used?.[resource];
          return now === hard[resource] ? now : undefined;
        });
        assert.is(used, hard[resource], `${resource}: the refusal came at the limit`);
      }
    } finally {
      await ws.remove();
    }
  },
  { timeoutMs: 240_000 },
);

function pod(name: string, securityContext?: Record<string, unknown>): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'web', image: 'registry.danang.gov.vn/cong-du-lich:2.1', ...(securityContext ? { securityContext } : {}) }] },
  };
}

test(
  'level 1: Pod Security baseline admits a pod restricted would refuse, not a privileged one; defaults include ephemeral storage',
  async ({ clusters }) => {
    const ws = await levelOneWorkspaces(clusters);
    try {
      const ns = ws.namespaces['du-lich']!;
      const pods = `/api/v1/namespaces/${ns}/pods`;
      await quotaCounted(ws.cluster, ns);
      const limitRange = ws.objects.find((o) => o.kind === 'LimitRange' && o.metadata?.namespace === ns) as {
        spec: { limits: { default: Record<string, string>; defaultRequest: Record<string, string> }[] };
      };
      // No securityContext at all: root, privilege escalation, no seccomp profile. Baseline allows it.
      assert.ok(limitRange.spec.limits[0]!.defaultRequest['ephemeral-storage'], 'the LimitRange defaults ephemeral storage');
      const plain = (await ws.tenant.call('POST', pods, pod('cong-du-lich'))) as V1Pod;
      const resources = plain.spec!.containers[0]!.resources!;
      assert.is(resources.requests?.['ephemeral-storage'], limitRange.spec.limits[0]!.defaultRequest['ephemeral-storage']);
      assert.is(resources.limits?.['ephemeral-storage'], limitRange.spec.limits[0]!.default['ephemeral-storage']);
      await waitFor(
        'the level-1 pod is scheduled',
        async () => {
          const p = (await ws.cluster.call('GET', `${pods}/cong-du-lich`)) as V1Pod;
          return p.spec?.nodeName;
        },
        { timeoutMs: 60_000 },
      );
      const privileged = await refused('a privileged pod', () => ws.tenant.call('POST', pods, pod('dac-quyen', { privileged: true })));
      assert.is(privileged.status, 403);
      assert.match(privileged.message, /violates PodSecurity "baseline:latest"/);
    } finally {
      await ws.remove();
    }
  },
  { timeoutMs: 180_000 },
);

test.run();
