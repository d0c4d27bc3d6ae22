// The security-relevant kinds are compared exactly: a field someone added is a difference, a
// field the API server defaults is not, and the repair is an update carrying exactly the
// desired content on the cached resourceVersion.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Applier, applyBody, type Drift, type ObjectWriter } from '../../src/runtime/apply.ts';
import { contentDifferences, foreignDifferences, isExactKind } from '../../src/runtime/exact.ts';
import { ownsField } from '../../src/runtime/managed-fields.ts';
import { withServerDefaults } from '../../src/runtime/server-defaults.ts';
import { cacheTrimmer } from '../../src/runtime/trim.ts';
import { dataCentres, agency } from '../controllers/fakes.ts';
import { platformObjects, renderAgency } from '../../src/render/index.ts';
import { emptyPlatform } from '../../src/model/platform.ts';

type Obj = KubernetesObject & Record<string, any>;
const OWNER = { 'govcloud.dev/owner': 'Agency..vpcp' };
const MANAGER = 'govcloud-agency';

/** What every object of these tests carries: our labels, a resourceVersion, our field set. */
function stored(
  content: Record<string, unknown>,
  kind: string,
  apiVersion: string,
  name: string,
  namespace?: string,
  fields: Record<string, unknown> = {},
  extraManagers: object[] = [],
): Obj {
  return {
    apiVersion,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': 'govcloud', ...OWNER },
      uid: 'u1',
      resourceVersion: '42',
      managedFields: [
        { manager: MANAGER, operation: 'Apply', apiVersion, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': {} }, ...fields } },
        ...extraManagers,
      ],
    },
    ...content,
  } as Obj;
}

const DEFAULT_DENY_SPEC = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };
const denyAll = (spec: object = DEFAULT_DENY_SPEC, extra: object[] = []) =>
  stored(
    { spec },
    'NetworkPolicy',
    'networking.k8s.io/v1',
    'govcloud-default-deny',
    'vpcp-app',
    { 'f:spec': { 'f:podSelector': {}, 'f:policyTypes': {} } },
    extra,
  );
const desiredDenyAll: Obj = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'govcloud-default-deny', namespace: 'vpcp-app', labels: { 'app.kubernetes.io/managed-by': 'govcloud' } },
  spec: DEFAULT_DENY_SPEC,
};

class RecordingWriter implements ObjectWriter {
  applied: KubernetesObject[] = [];
  replaced: KubernetesObject[] = [];
  async apply(obj: KubernetesObject) {
    this.applied.push(obj);
  }
  async replace(obj: KubernetesObject) {
    this.replaced.push(obj);
  }
  async delete() {
    assert.unreachable('no delete expected');
  }
}

/** Every exact-kind object the renderers make for one agency in one data centre, and the platform objects. */
function renderedExactObjects(): Obj[] {
  const dcs = dataCentres();
  const vpcp = agency('vpcp', { code: 'G22', dcs: ['dc-hcm'], workspaces: ['app'] });
  const platform = { ...emptyPlatform(), dataCentres: dcs as never, agencies: [vpcp as never] };
  const objects = [...renderAgency(platform, vpcp as never).perDataCentre.flatMap((r) => r.objects), ...platformObjects(dcs[1] as never)];
  return objects.filter((o) => isExactKind(o)) as Obj[];
}

/**
 * The rendered object as a real API server (v1.37) returned it after our apply: the defaults
 * it fills in written out here as it sent them, status where the kind has one.
 */
function asTheServerStoresIt(o: Obj): Obj {
  const live = structuredClone(o);
  if (o.kind === 'ValidatingAdmissionPolicy') {
    const m = live.spec.matchConstraints;
    live.spec.matchConstraints = {
      matchPolicy: 'Equivalent',
      namespaceSelector: m.namespaceSelector,
      objectSelector: {},
      resourceRules: m.resourceRules.map((r: object) => ({ ...r, scope: '*' })),
    };
    live.status = { observedGeneration: 1, typeChecking: {} };
  }
  if (o.kind === 'ResourceQuota') live.status = { hard: o.spec.hard, used: { pods: '0' } };
  live.metadata = { ...live.metadata, uid: 'u1', resourceVersion: '42', managedFields: [{ manager: MANAGER, operation: 'Apply', fieldsV1: {} }] };
  return live;
}

test('every exact kind as the API server stores it (defaults filled in, status) needs no write', async () => {
  const desired = renderedExactObjects();
  assert.equal([...new Set(desired.map((o) => o.kind))].sort(), [
    'LimitRange',
    'NetworkPolicy',
    'ResourceQuota',
    'RoleBinding',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ]);
  const writer = new RecordingWriter();
  const applier = new Applier({ writer, fieldManager: MANAGER });
  const trim = cacheTrimmer<KubernetesObject>({ keepManager: (m) => m.startsWith('govcloud-') });
  for (const o of desired) {
    const live = asTheServerStoresIt(applyBody(o) as Obj);
    assert.equal(contentDifferences(applyBody(o), live), [], `${o.kind} ${o.metadata?.name}`);
    assert.is(await applier.apply(o, trim(live)), 'unchanged', `${o.kind} ${o.metadata?.name} from the trimmed cache`);
  }
  assert.equal(writer.applied, []);
  assert.equal(writer.replaced, []);
});

test('server defaults: as a v1.37 API server filled them in (dry-run creates, its answers copied here)', () => {
  const cases: [Obj, Record<string, unknown>][] = [
    [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'a' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } },
      { spec: { egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }], podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    ],
    [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'b' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } },
      { spec: { ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }], podSelector: {}, policyTypes: ['Ingress'] } },
    ],
    [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'rb' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [
          { kind: 'Group', name: 'g' },
          { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
          { kind: 'User', name: 'u' },
        ],
      },
      {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [
          { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'g' },
          { kind: 'ServiceAccount', name: 'sa', namespace: 'default' },
          { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'u' },
        ],
      },
    ],
    [
      { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } },
      {
        spec: {
          limits: [{ default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' }, max: { cpu: '2' }, min: { memory: '64Mi' }, type: 'Container' }],
        },
      },
    ],
    [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'b' },
        spec: {
          policyName: 'p',
          validationActions: ['Deny'],
          matchResources: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
        },
      },
      {
        spec: {
          matchResources: {
            matchPolicy: 'Equivalent',
            namespaceSelector: {},
            objectSelector: {},
            resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: '*' }],
          },
          policyName: 'p',
          validationActions: ['Deny'],
        },
      },
    ],
  ];
  for (const [sent, stored] of cases) {
    const { apiVersion: _a, kind: _k, metadata: _m, ...defaulted } = withServerDefaults(sent);
    assert.equal(defaulted, stored, `${sent.kind} ${sent.metadata?.name}`);
    assert.equal(contentDifferences(sent, { ...sent, ...stored } as Obj), [], `${sent.kind} ${sent.metadata?.name}: no difference`);
  }
});

test('differences: added fields, changed values and missing items are named by path; defaults and status are not', () => {
  const at = (live: Obj, desired: Obj = desiredDenyAll) => contentDifferences(desired, live).map((d) => `${d.path.join('.')} ${d.change}`);
  assert.equal(at(denyAll({ ...DEFAULT_DENY_SPEC, ingress: [{}] })), ['spec.ingress added'], 'an allow-all rule');
  assert.equal(at(denyAll({ podSelector: {}, policyTypes: ['Ingress'] })), ['spec.policyTypes.1 removed']);
  assert.equal(at(denyAll({ ...DEFAULT_DENY_SPEC, ingress: [] })), [], 'an empty list is no list');

  const sameWorkspace = { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] };
  const desiredSame = { ...desiredDenyAll, spec: sameWorkspace };
  const widened = denyAll({ ...sameWorkspace, ingress: [{ from: [{ podSelector: {}, namespaceSelector: {} }] }] });
  assert.equal(at(widened, desiredSame), ['spec.ingress.0.from.0.namespaceSelector added'], 'an empty selector is not an absent one: every namespace');

  const binding: Obj = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: 'p' },
    spec: { policyName: 'p', validationActions: ['Deny'] },
  };
  assert.equal(at(stored({ spec: { policyName: 'p', validationActions: ['Deny', 'Audit'] } }, binding.kind!, binding.apiVersion!, 'p'), binding), [
    'spec.validationActions.1 added',
  ]);

  const role: Obj = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'r' },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  };
  const aggregated = stored(
    { rules: role.rules, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } },
    'ClusterRole',
    role.apiVersion!,
    'r',
  );
  assert.equal(at(aggregated, role), ['aggregationRule added']);

  const quota: Obj = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'n' }, spec: { hard: { pods: '10' } } };
  assert.equal(at(stored({ spec: { hard: { pods: '100' } }, status: { used: { pods: '3' } } }, 'ResourceQuota', 'v1', 'q', 'n'), quota), [
    'spec.hard.pods changed',
  ]);
});

test('a difference in an exact kind is repaired by an update with exactly the desired content, on the cached resourceVersion', async () => {
  const writer = new RecordingWriter();
  const drifts: Drift[] = [];
  const applier = new Applier({ writer, fieldManager: MANAGER });
  const attacker = { manager: 'kubectl-patch', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:ingress': {} } } };
  const live = denyAll({ ...DEFAULT_DENY_SPEC, ingress: [{}] }, [attacker]);
  const counts = await applier.sync({ desired: [desiredDenyAll], live: [live], ownerLabels: OWNER, onDrift: (d) => drifts.push(d) });
  assert.is(counts.updated, 1);
  assert.equal(writer.applied, [], 'server-side apply cannot remove a field another manager owns');
  assert.equal(writer.replaced, [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'govcloud-default-deny',
        namespace: 'vpcp-app',
        resourceVersion: '42',
        labels: { 'app.kubernetes.io/managed-by': 'govcloud', ...OWNER },
      },
      spec: DEFAULT_DENY_SPEC,
    },
  ]);
  assert.equal(
    drifts.map((d) => [d.live.metadata?.name, d.fields.map((f) => f.path.join('.'))]),
    [['govcloud-default-deny', ['spec.ingress']]],
  );
});

test('an update refused for a stale resourceVersion (409) is left to the newer version’s event, not failed', async () => {
  const writer = new RecordingWriter();
  writer.replace = async () => {
    throw Object.assign(new Error('Operation cannot be fulfilled: the object has been modified'), { code: 409 });
  };
  const drifts: Drift[] = [];
  const applier = new Applier({ writer, fieldManager: MANAGER });
  const counts = await applier.sync({
    desired: [desiredDenyAll],
    live: [denyAll({ ...DEFAULT_DENY_SPEC, ingress: [{}] })],
    ownerLabels: OWNER,
    onDrift: (d) => drifts.push(d),
  });
  assert.equal([counts.updated, counts.unchanged], [0, 1]);
  assert.equal(drifts, [], 'nothing was repaired yet');
  writer.replace = async () => {
    throw Object.assign(new Error('forbidden'), { code: 403 });
  };
  const failed = await applier.sync({ desired: [desiredDenyAll], live: [denyAll({ ...DEFAULT_DENY_SPEC, ingress: [{}] })], ownerLabels: OWNER }).then(
    () => undefined,
    (err: Error) => err.message,
  );
  assert.match(failed ?? '', /forbidden/, 'any other refusal fails the sync');
});

test('a desired change to a field we own is written the same way but is no drift', async () => {
  const writer = new RecordingWriter();
  const drifts: Drift[] = [];
  const applier = new Applier({ writer, fieldManager: MANAGER, ours: (m) => m.startsWith('govcloud-') });
  const live = stored({ spec: { hard: { pods: '10' } } }, 'ResourceQuota', 'v1', 'q', 'n', { 'f:spec': { 'f:hard': { 'f:pods': {} } } });
  const desired: Obj = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'n' }, spec: { hard: { pods: '20' } } };
  await applier.apply(desired, live, (d) => drifts.push(d));
  assert.equal(
    writer.replaced.map((o) => (o as Obj).spec),
    [{ hard: { pods: '20' } }],
  );
  assert.equal(drifts, []);
});

test('kinds that are not security-relevant keep the subset comparison', async () => {
  const writer = new RecordingWriter();
  const applier = new Applier({ writer, fieldManager: MANAGER });
  const desired: Obj = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'n', labels: { 'app.kubernetes.io/managed-by': 'govcloud', ...OWNER } },
    spec: { ports: [{ port: 80 }] },
  };
  const live = stored({ spec: { ports: [{ port: 80, protocol: 'TCP' }], clusterIP: '10.0.0.1' } }, 'Service', 'v1', 's', 'n', { 'f:spec': { 'f:ports': {} } });
  assert.is(await applier.apply(desired, live), 'unchanged');
  assert.equal(writer.replaced, []);
});

test('field ownership: map keys, list items by key, value or index, atomic lists as a whole', () => {
  const ours = (m: string) => m.startsWith('govcloud-');
  const entry = (manager: string, fieldsV1: object) => ({ manager, operation: 'Apply', fieldsV1: JSON.stringify(fieldsV1) });
  const live: Obj = {
    apiVersion: 'v1',
    kind: 'X',
    metadata: {
      name: 'x',
      managedFields: [
        entry('govcloud-agency', {
          'f:spec': {
            'f:validationActions': { 'v:"Deny"': {} },
            'f:ports': { 'k:{"port":53,"protocol":"UDP"}': { 'f:port': {} } },
            'f:subjects': {},
            'f:items': { 'i:0': {} },
          },
        }),
        entry('kubectl', { 'f:spec': { 'f:validationActions': { 'v:"Audit"': {} }, 'f:extra': {} } }),
      ],
    },
    spec: {
      validationActions: ['Deny', 'Audit'],
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 1, protocol: 'TCP' },
      ],
      subjects: [{ name: 'a' }, { name: 'b' }],
      items: ['a', 'b'],
      extra: 1,
    },
  } as unknown as Obj;
  const owned = (path: (string | number)[]) => ownsField(live, path, ours);
  assert.ok(owned(['spec', 'validationActions', 0]));
  assert.not.ok(owned(['spec', 'validationActions', 1]), 'the added Audit is kubectl’s');
  assert.ok(owned(['spec', 'ports', 0, 'port']));
  assert.not.ok(owned(['spec', 'ports', 1]));
  assert.ok(owned(['spec', 'subjects', 1]), 'an atomic list is owned whole');
  assert.ok(owned(['spec', 'items', 0]));
  assert.not.ok(owned(['spec', 'items', 1]));
  assert.not.ok(owned(['spec', 'extra']));
  const diffs = contentDifferences(
    {
      apiVersion: 'v1',
      kind: 'X',
      metadata: { name: 'x' },
      spec: { validationActions: ['Deny'], ports: live.spec.ports, subjects: live.spec.subjects, items: ['a', 'b'] },
    } as never,
    live,
  );
  assert.equal(
    foreignDifferences(diffs, live, ours).map((d) => d.path.join('.')),
    ['spec.extra', 'spec.validationActions.1'],
  );
});

test.run();
