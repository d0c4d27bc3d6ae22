// What `govcloud join` creates: the member's rights are rbac-requirements.yaml's, nothing
// more; the hub's Role names the one Secret; everything carries the label unjoin deletes by.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hubJoinObjects, JOINED_LABEL, memberJoinObjects } from '../../src/join/objects.ts';
import { loadRbacRequirements } from '../../src/install/rbac.ts';

const req = loadRbacRequirements();
type Any = {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  rules?: unknown;
  subjects?: unknown;
  roleRef?: { name: string };
  spec?: any;
  data?: Record<string, string>;
};

test("the member gets the chart's cluster rules and a Role to request its own token, bound to the operator's ServiceAccount only", () => {
  const objs = memberJoinObjects('dc-x', req) as Any[];
  assert.equal(objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'govcloud-operator')?.rules, req.clusterRules);
  const token = objs.find((o) => o.kind === 'Role' && o.metadata.name === 'govcloud-operator-token')!;
  const gateway = objs.find((o) => o.kind === 'Role' && o.metadata.name === 'govcloud-operator-gateway')!;
  assert.equal(gateway.rules, req.systemNamespaceRules, "the exchange gateway's objects in govcloud-system, as the chart's mode=member grants");
  assert.equal(token.rules, [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['govcloud-operator'], verbs: ['create'] }]);
  for (const b of objs.filter((o) => o.kind.endsWith('Binding') && o.kind !== 'ValidatingAdmissionPolicyBinding'))
    assert.equal(b.subjects, [{ kind: 'ServiceAccount', name: 'govcloud-operator', namespace: 'govcloud-system' }], `${b.kind} ${b.metadata.name}`);
  assert.not.ok(
    objs.some((o) => o.kind === 'Secret'),
    'no legacy token Secret',
  );
  assert.is(objs[0]!.kind, 'Namespace', 'the namespace first');
  for (const o of objs) assert.is(o.metadata.labels?.[JOINED_LABEL], 'dc-x', `${o.kind} ${o.metadata.name} labelled`);
});

test('the hub gets the Secret, a Role on that Secret alone, and the DataCentre naming it; a dry run has no Secret', () => {
  const spec = { displayName: 'X', region: 'Y', accreditedLevel: 2, capacity: { cpu: '1', memory: '1Gi', storage: '1Gi' }, networkRanges: ['10.77.0.0/16'] };
  const objs = hubJoinObjects('dc-x', req, { spec, kubeconfig: 'apiVersion: v1' }) as Any[];
  assert.equal(
    objs.map((o) => `${o.kind} ${o.metadata.name}`),
    ['Secret dc-x-kubeconfig', 'Role govcloud-credentials-dc-x', 'RoleBinding govcloud-credentials-dc-x', 'DataCentre dc-x'],
  );
  assert.equal(objs[1]!.rules, [{ apiGroups: [''], resources: ['secrets'], verbs: ['patch'], resourceNames: ['dc-x-kubeconfig'] }]);
  assert.is(Buffer.from(objs[0]!.data!.kubeconfig!, 'base64').toString(), 'apiVersion: v1');
  assert.equal(objs[3]!.spec.connection, { kubeconfigSecretRef: { namespace: 'govcloud-system', name: 'dc-x-kubeconfig', key: 'kubeconfig' } });
  assert.not.ok(hubJoinObjects('dc-x', req, { spec }).some((o) => o.kind === 'Secret'));
});

test.run();
