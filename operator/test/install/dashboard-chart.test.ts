// The chart's optional dashboard: off by default; when on, least privilege (list and watch
// of the govcloud kinds, TokenReview and SubjectAccessReview, never a Secret), the restricted
// security context, its own selector (the operator's Service never selects it), and the
// leadership role bound only to the groups given.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CHART, find, helm, template } from './helm.ts';

type Any = Record<string, any>;
const isDashboard = (o: { metadata: { name: string } }) => o.metadata.name.includes('dashboard');

test('off by default: nothing of the dashboard is rendered', () => {
  assert.equal(template().filter(isDashboard), []);
  assert.equal(template(['dashboard.enabled=true', 'mode=member']).filter(isDashboard), [], 'the hub only');
});

test('on: lint passes; its ServiceAccount lists and watches govcloud objects and asks reviews, nothing else', () => {
  const r = helm(['lint', '--strict', CHART, '--set', 'dashboard.enabled=true', '--set', 'dashboard.leadershipGroups={lanh-dao}']);
  assert.is(r.status, 0, r.stdout + r.stderr);
  const objects = template(['dashboard.enabled=true']);
  const role = find(objects, 'ClusterRole', 'govcloud-operator-dashboard') as Any;
  const verbs = role.rules.flatMap((rule: Any) => rule.resources.map((res: string) => `${rule.apiGroups[0]}/${res}:${rule.verbs.join(',')}`));
  assert.equal(verbs, [
    'govcloud.dev/datacentres:list,watch',
    'govcloud.dev/agencies:list,watch',
    'govcloud.dev/networklinks:list,watch',
    'govcloud.dev/shareddataservices:list,watch',
    'govcloud.dev/accessrequests:list,watch',
    'govcloud.dev/accessgrants:list,watch',
    'govcloud.dev/migrationplans:list,watch',
    'govcloud.dev/consolidationtargets:list,watch',
    'authentication.k8s.io/tokenreviews:create',
    'authorization.k8s.io/subjectaccessreviews:create',
  ]);
  // The capacity in use: get on the ConfigMaps the operator publishes it in (the index and its numbered shards), by name.
  const usage = find(objects, 'Role', 'govcloud-operator-dashboard-usage') as Any;
  assert.is(usage.metadata.namespace, 'govcloud-system');
  const shards = Array.from({ length: 128 }, (_, n) => `govcloud-showback-usage-${n}`);
  assert.equal(usage.rules, [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['govcloud-showback-usage', ...shards], verbs: ['get'] }]);
  const fewer = find(template(['dashboard.enabled=true', 'dashboard.usageShards=2']), 'Role', 'govcloud-operator-dashboard-usage') as Any;
  assert.equal(fewer.rules[0].resourceNames, ['govcloud-showback-usage', 'govcloud-showback-usage-0', 'govcloud-showback-usage-1']);
  const usageBinding = find(objects, 'RoleBinding', 'govcloud-operator-dashboard-usage') as Any;
  assert.equal(usageBinding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'govcloud-operator-dashboard-usage' });
  assert.equal(usageBinding.subjects, [{ kind: 'ServiceAccount', name: 'govcloud-operator-dashboard', namespace: 'govcloud-system' }]);
  const kinds = objects.filter(isDashboard).map((o: Any) => `${o.kind}/${o.metadata.name}`);
  assert.not.ok(
    kinds.some(
      (k: string) =>
        /^(Role|ClusterRole)\//.test(k) &&
        !['ClusterRole/govcloud-operator-dashboard', 'Role/govcloud-operator-dashboard-usage', 'ClusterRole/govcloud-dashboard-leadership'].includes(k),
    ),
    kinds.join(', '),
  );
  const binding = find(objects, 'ClusterRoleBinding', 'govcloud-operator-dashboard') as Any;
  assert.equal(binding.subjects, [{ kind: 'ServiceAccount', name: 'govcloud-operator-dashboard', namespace: 'govcloud-system' }]);
  assert.not.ok(
    objects.some((o: Any) => o.kind === 'ClusterRoleBinding' && o.metadata.name === 'govcloud-dashboard-leadership'),
    'no leadership group given: no one is bound',
  );
  const leaders = find(
    template(['dashboard.enabled=true', 'dashboard.leadershipGroups={lanh-dao,kiem-toan}']),
    'ClusterRoleBinding',
    'govcloud-dashboard-leadership',
  ) as Any;
  assert.equal(
    leaders.subjects.map((s: Any) => s.name),
    ['lanh-dao', 'kiem-toan'],
  );
});

test('on: restricted Pod Security, its own selector, authentication on', () => {
  const objects = template(['dashboard.enabled=true']);
  const deployment = find(objects, 'Deployment', 'govcloud-operator-dashboard') as Any;
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0];
  assert.equal(c.args, ['dashboard', '--listen', '0.0.0.0:8080', '--auth', 'kubernetes', '--namespace', 'govcloud-system']);
  assert.is(pod.securityContext.runAsNonRoot, true);
  assert.is(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.equal(c.securityContext.capabilities.drop, ['ALL']);
  assert.is(c.securityContext.allowPrivilegeEscalation, false);
  assert.is(c.securityContext.readOnlyRootFilesystem, true);
  assert.is(pod.serviceAccountName, 'govcloud-operator-dashboard');
  const operatorService = find(objects, 'Service', 'govcloud-operator-metrics') as Any;
  const labels = deployment.spec.template.metadata.labels as Record<string, string>;
  assert.not.ok(
    Object.entries(operatorService.spec.selector as Record<string, string>).every(([k, v]) => labels[k] === v),
    "the operator's Service does not select the dashboard's pods",
  );
  const service = find(objects, 'Service', 'govcloud-operator-dashboard') as Any;
  assert.ok(Object.entries(service.spec.selector as Record<string, string>).every(([k, v]) => labels[k] === v));
  const operatorPods = (find(objects, 'Deployment', 'govcloud-operator') as Any).spec.template.metadata.labels as Record<string, string>;
  assert.not.ok(Object.entries(service.spec.selector as Record<string, string>).every(([k, v]) => operatorPods[k] === v));
});

test.run();
