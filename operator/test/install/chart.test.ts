// The Helm chart charts/govcloud-operator: lint, what `helm template` renders, least-privilege
// RBAC equal to rbac-requirements.yaml, the restricted security context, and the values schema.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadRbacRequirements, type PolicyRule } from '../../src/install/rbac.ts';
import { platformClusterRoles, platformObjects } from '../../../operator/src/render/index.ts';
import { threeDataCentres } from '../render/fixtures.ts';
import { CHART, ROOT, find, helm, template, type K8sObject } from './helm.ts';
import { permissions, requiredPermissions, wildcards } from './rbac.ts';

const NS = 'govcloud-system';
type Any = Record<string, any>;

const defaults = template();
const deployment = find(defaults, 'Deployment', 'govcloud-operator') as Any;
const pod = deployment.spec.template.spec;
const container = pod.containers[0];

function envOf(objects: K8sObject[]): Record<string, unknown> {
  const c = (find(objects, 'Deployment') as Any).spec.template.spec.containers[0];
  return Object.fromEntries(c.env.map((e: Any) => [e.name, e.value ?? e.valueFrom]));
}

test('helm lint --strict passes with the defaults and with every optional part on', () => {
  for (const set of [[], ['serviceMonitor.enabled=true', 'prometheusRule.enabled=true'], ['replicaCount=1', 'namespace.create=false'], ['mode=member']]) {
    const r = helm(['lint', '--strict', CHART, ...set.flatMap((s) => ['--set', s])]);
    assert.is(r.status, 0, `helm lint ${set.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
});

test("the chart's crds/ is the repository's crds/, byte for byte (make chart-crds copies them)", () => {
  const repo = readdirSync(path.join(ROOT, 'crds'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  const chart = readdirSync(path.join(CHART, 'crds')).sort();
  assert.equal(chart, repo, 'the chart holds other CRD files than crds/: run `make chart-crds`');
  for (const f of repo) {
    const same = readFileSync(path.join(ROOT, 'crds', f)).equals(readFileSync(path.join(CHART, 'crds', f)));
    assert.ok(same, `charts/govcloud-operator/crds/${f} differs from crds/${f}: run \`make chart-crds\``);
  }
  const withCrds = template([], ['--include-crds']).filter((o) => o.kind === 'CustomResourceDefinition');
  assert.equal(withCrds.map((c) => c.metadata.name).sort(), repo.map((f) => f.replace(/^govcloud\.dev_(.*)\.yaml$/, '$1.govcloud.dev')).sort());
});

test('the defaults render exactly the operator install, everything namespaced in govcloud-system', () => {
  const kinds = defaults.map((o) => `${o.kind}/${o.metadata.name}`).sort();
  assert.equal(kinds, [
    'ClusterRole/govcloud-operator',
    'ClusterRole/govcloud-tenant-requests',
    'ClusterRole/govcloud-tenant-viewer',
    'ClusterRole/govcloud-workspace-admin',
    'ClusterRoleBinding/govcloud-operator',
    'Deployment/govcloud-operator',
    `Namespace/${NS}`,
    'PodDisruptionBudget/govcloud-operator',
    'Role/govcloud-operator',
    'Role/govcloud-operator-gateway',
    'RoleBinding/govcloud-operator',
    'RoleBinding/govcloud-operator-gateway',
    'Service/govcloud-operator-metrics',
    'ServiceAccount/govcloud-operator',
    'ValidatingAdmissionPolicy/govcloud-operator-limits',
    'ValidatingAdmissionPolicyBinding/govcloud-operator-limits',
  ]);
  for (const o of defaults) {
    if (['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'].includes(o.kind))
      assert.is(o.metadata.namespace, undefined, `${o.kind} is cluster-scoped`);
    else assert.is(o.metadata.namespace, NS, `${o.kind}/${o.metadata.name} in ${NS}`);
  }
});

test('the rendered RBAC is exactly rbac-requirements.yaml: nothing missing, nothing extra, no wildcard', () => {
  const req = loadRbacRequirements();
  assert.equal(wildcards([...req.clusterRules, ...req.namespaceRules, ...req.systemNamespaceRules]), [], 'the requirements list itself has no wildcards');
  const bound = new Set(
    (defaults.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') as Any[]).map((b) => `${b.roleRef.kind}/${b.roleRef.name}`),
  );
  assert.equal(
    [...bound].sort(),
    ['ClusterRole/govcloud-operator', 'Role/govcloud-operator', 'Role/govcloud-operator-gateway'],
    'the operator is given its own roles, and no other',
  );
  const clusterRole = find(defaults, 'ClusterRole', 'govcloud-operator') as Any;
  const roles = defaults.filter((o) => o.kind === 'Role') as Any[];
  assert.not.ok(clusterRole.aggregationRule, 'no aggregation: nothing can be added to the ClusterRole later');
  assert.equal(wildcards([...clusterRole.rules, ...roles.flatMap((r) => r.rules)]), []);
  const rendered = [
    ...new Set([
      ...permissions('cluster', clusterRole.rules as PolicyRule[]),
      ...roles.flatMap((role) => permissions(`namespace:${role.metadata.namespace}`, role.rules as PolicyRule[])),
    ]),
  ].sort();
  const required = requiredPermissions(req, NS);
  assert.equal(
    rendered.filter((p) => !required.includes(p)),
    [],
    'rendered but not required',
  );
  assert.equal(
    required.filter((p) => !rendered.includes(p)),
    [],
    'required but not rendered',
  );
  // Secrets only through the Role, i.e. only in govcloud-system.
  assert.ok(
    permissions('cluster', clusterRole.rules).every((p) => !/ core secrets /.test(p)),
    'no cluster-wide secrets',
  );
  assert.ok(
    permissions('cluster', clusterRole.rules).every((p) => !/ leases /.test(p)),
    'no cluster-wide leases',
  );
  // No ClusterRole written, none escalated: the govcloud ClusterRoles come with the chart.
  assert.equal(
    permissions('cluster', clusterRole.rules).filter((p) => / clusterroles /.test(p) && !/ (get|bind)$/.test(p)),
    [],
  );
});

test('the govcloud ClusterRoles are installed by the chart, equal to their one definition (platformClusterRoles)', () => {
  for (const want of platformClusterRoles()) {
    const role = find(defaults, 'ClusterRole', want.metadata.name) as Any;
    assert.not.ok(role.aggregationRule, `${want.metadata.name}: no aggregation`);
    assert.equal(role.rules, want.rules, `${want.metadata.name}: the chart's rules are platformClusterRoles()'s`);
  }
});

test('the operator writes only the admission policies it renders, by name: never govcloud-operator-limits', () => {
  const req = loadRbacRequirements();
  const writable = permissions('cluster', req.clusterRules).filter(
    (p) => / admissionregistration.k8s.io validatingadmissionpolic/.test(p) && / (create|update|patch|delete)$/.test(p),
  );
  assert.ok(writable.length > 0);
  assert.ok(
    writable.every((p) => !p.includes('(any)')),
    `every write is limited by name: ${writable.join('; ')}`,
  );
  const rendered = new Set(
    threeDataCentres()
      .flatMap((dc) => platformObjects(dc))
      .filter((o) => o.kind.startsWith('ValidatingAdmissionPolicy'))
      .map((o) => `${o.kind === 'ValidatingAdmissionPolicy' ? 'validatingadmissionpolicies' : 'validatingadmissionpolicybindings'} ${o.metadata.name}`),
  );
  assert.ok(rendered.size > 0);
  for (const r of rendered) {
    for (const verb of ['create', 'patch'])
      assert.ok(
        writable.includes(`cluster admissionregistration.k8s.io ${r} ${verb}`),
        `rbac-requirements.yaml lets the operator ${verb} ${r} (it renders it)`,
      );
  }
  assert.not.ok(writable.some((p) => p.includes('govcloud-operator-limits')));
});

test("govcloud-operator-limits judges the operator's own requests only, and keeps it out of the system namespaces", () => {
  const vap = find(defaults, 'ValidatingAdmissionPolicy', 'govcloud-operator-limits') as Any;
  assert.is(vap.spec.failurePolicy, 'Fail');
  assert.equal(vap.spec.matchConditions, [
    { name: 'the-govcloud-operator', expression: `request.userInfo.username == 'system:serviceaccount:${NS}:govcloud-operator'` },
  ]);
  const resources = (vap.spec.matchConstraints.resourceRules as Any[]).flatMap((r) => r.resources).sort();
  assert.equal(resources, [
    'certificates',
    'configmaps',
    'deployments',
    'limitranges',
    'namespaces',
    'networkpolicies',
    'poddisruptionbudgets',
    'resourcequotas',
    'rolebindings',
    'secrets',
    'serviceaccounts',
    'services',
  ]);
  const text = JSON.stringify(vap.spec.validations);
  for (const off of ["startsWith('kube-')", "'default'", `'${NS}'`, "'system:'"]) assert.ok(text.includes(off), off);
  assert.equal((find(defaults, 'ValidatingAdmissionPolicyBinding', 'govcloud-operator-limits') as Any).spec, {
    policyName: 'govcloud-operator-limits',
    validationActions: ['Deny'],
  });
  // Renamed with the namespace it runs in.
  const elsewhere = find(template(['namespace.name=ops']), 'ValidatingAdmissionPolicy', 'govcloud-operator-limits') as Any;
  assert.match(elsewhere.spec.matchConditions[0].expression, /system:serviceaccount:ops:govcloud-operator/);
});

test('mode=member: only the RBAC, the govcloud ClusterRoles and the admission policy; no operator, no Secrets access', () => {
  const member = template(['mode=member', 'serviceMonitor.enabled=true', 'prometheusRule.enabled=true']);
  assert.equal(member.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
    'ClusterRole/govcloud-operator',
    'ClusterRole/govcloud-tenant-requests',
    'ClusterRole/govcloud-tenant-viewer',
    'ClusterRole/govcloud-workspace-admin',
    'ClusterRoleBinding/govcloud-operator',
    `Namespace/${NS}`,
    'Role/govcloud-operator-gateway',
    'RoleBinding/govcloud-operator-gateway',
    'ServiceAccount/govcloud-operator',
    'ValidatingAdmissionPolicy/govcloud-operator-limits',
    'ValidatingAdmissionPolicyBinding/govcloud-operator-limits',
  ]);
  // The same objects as on the hub, where both have them.
  for (const o of member) assert.equal(o, find(defaults, o.kind, o.metadata.name), `${o.kind}/${o.metadata.name}`);
});

test('the bindings give the roles to the operator ServiceAccount and to nothing else', () => {
  const sa = { kind: 'ServiceAccount', name: 'govcloud-operator', namespace: NS };
  const crb = find(defaults, 'ClusterRoleBinding') as Any;
  assert.equal(crb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'govcloud-operator' });
  assert.equal(crb.subjects, [sa]);
  for (const name of ['govcloud-operator', 'govcloud-operator-gateway']) {
    const rb = find(defaults, 'RoleBinding', name) as Any;
    assert.equal(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name });
    assert.equal(rb.subjects, [sa]);
    assert.is(rb.metadata.namespace, NS);
  }
  const text = JSON.stringify(defaults);
  for (const builtin of ['cluster-admin', '"admin"', '"edit"', 'system:masters']) assert.not.ok(text.includes(builtin), `nothing names ${builtin}`);
  assert.is(pod.serviceAccountName, 'govcloud-operator');
});

test('Deployment: 2 replicas with leader election, rolling one at a time', () => {
  assert.is(deployment.spec.replicas, 2);
  assert.equal(deployment.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  assert.is(envOf(defaults).GOVCLOUD_LEADER_ELECTION, 'true');
  const timings = (objects: K8sObject[]) => ['LEASE_DURATION', 'RENEW_DEADLINE', 'RETRY_PERIOD'].map((t) => envOf(objects)[`GOVCLOUD_LEADER_ELECT_${t}`]);
  assert.equal(timings(defaults), ['15', '10', '2'], "controller-runtime's timings");
  assert.equal(timings(template(['leaderElection.leaseDurationSeconds=60', 'leaderElection.renewDeadlineSeconds=40', 'leaderElection.retryPeriodSeconds=5'])), [
    '60',
    '40',
    '5',
  ]);
  for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) assert.is(deployment.spec.template.metadata.labels[k], v, `pod label ${k}`);
  assert.is(container.image, 'registry.govcloud.local/govcloud/operator:0.1.0');
  assert.equal(container.args, ['operator']);
});

test('Deployment: the restricted security context, for the pod and the container', () => {
  assert.equal(pod.securityContext, { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
  assert.equal(container.securityContext, {
    runAsNonRoot: true,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.not.ok(pod.hostNetwork || pod.hostPID || pod.hostIPC, 'no host namespaces');
  assert.ok(
    pod.volumes.every((v: Any) => !v.hostPath),
    'no hostPath volumes',
  );
  assert.equal(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
});

test('Deployment: probes on /healthz and /readyz, resources, log level and port from values', () => {
  assert.equal(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  assert.equal(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
  assert.equal(container.startupProbe.httpGet, { path: '/healthz', port: 'http' });
  assert.equal(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
  assert.equal(container.resources, { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } });
  assert.is(envOf(defaults).GOVCLOUD_LOG_LEVEL, 'info');
  assert.is(envOf(defaults).GOVCLOUD_HTTP_PORT, '8080');
  assert.equal(envOf(defaults).GOVCLOUD_NAMESPACE, { fieldRef: { fieldPath: 'metadata.namespace' } });

  const custom = template(['httpPort=9090', 'logLevel=debug', 'image.digest=sha256:' + 'a'.repeat(64)]);
  const c = (find(custom, 'Deployment') as Any).spec.template.spec.containers[0];
  assert.is(c.ports[0].containerPort, 9090);
  assert.is(envOf(custom).GOVCLOUD_HTTP_PORT, '9090');
  assert.is(envOf(custom).GOVCLOUD_LOG_LEVEL, 'debug');
  assert.is(c.image, `registry.govcloud.local/govcloud/operator@sha256:${'a'.repeat(64)}`);
  const svc = find(custom, 'Service') as Any;
  assert.equal(svc.spec.ports, [{ name: 'http-metrics', port: 9090, targetPort: 'http', protocol: 'TCP' }]);
});

test('Namespace: restricted Pod Security enforced, kept on uninstall; optional and renamable', () => {
  const ns = find(defaults, 'Namespace') as Any;
  assert.is(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
  assert.is(ns.metadata.annotations['helm.sh/resource-policy'], 'keep');
  assert.is(template(['namespace.create=false']).filter((o) => o.kind === 'Namespace').length, 0);
  const other = template(['namespace.name=ops-govcloud']);
  for (const o of other) if (o.metadata.namespace) assert.is(o.metadata.namespace, 'ops-govcloud');
  assert.is((find(other, 'ClusterRoleBinding') as Any).subjects[0].namespace, 'ops-govcloud');
});

test('metrics Service and PodDisruptionBudget select the operator pods; no PDB with one replica', () => {
  const labels = deployment.spec.template.metadata.labels;
  const svc = find(defaults, 'Service') as Any;
  assert.is(svc.spec.type, 'ClusterIP');
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.is(labels[k], v);
  const pdb = find(defaults, 'PodDisruptionBudget') as Any;
  assert.is(pdb.spec.minAvailable, 1);
  for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) assert.is(labels[k], v);
  assert.is(template(['replicaCount=1']).filter((o) => o.kind === 'PodDisruptionBudget').length, 0);
  assert.is(template(['podDisruptionBudget.enabled=false']).filter((o) => o.kind === 'PodDisruptionBudget').length, 0);
});

test('ServiceMonitor and PrometheusRule: off by default; when on, the three alerts', () => {
  assert.not.ok(defaults.some((o) => o.apiVersion.startsWith('monitoring.coreos.com')));
  const on = template(['serviceMonitor.enabled=true', 'prometheusRule.enabled=true']);
  const sm = find(on, 'ServiceMonitor') as Any;
  assert.equal(
    sm.spec.endpoints.map((e: Any) => [e.port, e.path, e.interval]),
    [
      ['http-metrics', '/metrics', '30s'],
      ['http-metrics', '/metrics/agencies', '2m'],
    ],
  );
  for (const [k, v] of Object.entries(sm.spec.selector.matchLabels)) assert.is((find(on, 'Service') as Any).metadata.labels[k], v);
  const rules = (find(on, 'PrometheusRule') as Any).spec.groups.flatMap((g: Any) => g.rules) as Any[];
  const byName = Object.fromEntries(rules.map((r) => [r.alert, r]));
  assert.equal(Object.keys(byName).sort(), ['GovcloudAccessGrantExpiringSoon', 'GovcloudDataCentreUnreachable', 'GovcloudReconcileErrors']);
  assert.match(byName.GovcloudReconcileErrors.expr, /rate\(controller_runtime_reconcile_errors_total\{namespace="govcloud-system"\}\[5m\]\)/);
  assert.match(byName.GovcloudDataCentreUnreachable.expr, /max by \(datacentre\) \(govcloud_datacentre_connected\{namespace="govcloud-system"\}\) == 0/);
  assert.match(
    byName.GovcloudAccessGrantExpiringSoon.expr,
    /govcloud_access_grant_expiry_timestamp_seconds\{namespace="govcloud-system"\}\) - time\(\)\) < 604800 > 0/,
  );
  assert.match(byName.GovcloudDataCentreUnreachable.annotations.summary, /\{\{ \$labels\.datacentre \}\}/, 'Prometheus templates survive Helm');
  for (const r of rules) assert.ok(['warning', 'critical'].includes(r.labels.severity));
});

test('values.schema.json rejects bad values, naming the field', () => {
  const bad: Array<[string, RegExp]> = [
    ['replicaCount=0', /replicaCount/],
    ['replicaCount=two', /replicaCount/],
    ['logLevel=loud', /logLevel/],
    ['httpPort=80', /httpPort/],
    ['securityContext.runAsUser=0', /runAsUser/],
    ['leaderElection.enabled=false', /leaderElection/],
    ['image.pullPolicy=Sometimes', /pullPolicy/],
    ['image.digest=latest', /digest/],
    ['namespace.name=Not_A_Label', /namespace/],
    ['replicas=3', /additional propert/],
    ['leaderElection.leaseDurationSeconds=0', /leaseDurationSeconds/],
    ['leaderElection.renewDeadlineSeconds=601', /renewDeadlineSeconds/],
    ['leaderElection.retryPeriodSeconds=1.5', /retryPeriodSeconds/],
    ['leaderElection.retryPeriodSeconds=2s', /retryPeriodSeconds/],
  ];
  for (const [set, field] of bad) {
    const r = helm(['template', 'govcloud', CHART, '--set', set]);
    assert.is.not(r.status, 0, `--set ${set} must be rejected`);
    assert.match(r.stderr, /values don't meet the specifications of the schema/, `--set ${set}: ${r.stderr}`);
    assert.match(r.stderr, field, `--set ${set}: ${r.stderr}`);
  }
  // One replica without leader election is allowed.
  assert.is(helm(['template', 'govcloud', CHART, '--set', 'replicaCount=1', '--set', 'leaderElection.enabled=false']).status, 0);
});

test('the leader-election timings must be ordered: retry period < renew deadline < lease duration', () => {
  const unordered: Array<[string[], string]> = [
    [['leaderElection.renewDeadlineSeconds=15'], 'leaderElection.renewDeadlineSeconds (15) must be shorter than leaderElection.leaseDurationSeconds (15)'],
    [['leaderElection.leaseDurationSeconds=8'], 'leaderElection.renewDeadlineSeconds (10) must be shorter than leaderElection.leaseDurationSeconds (8)'],
    [['leaderElection.retryPeriodSeconds=10'], 'leaderElection.retryPeriodSeconds (10) must be shorter than leaderElection.renewDeadlineSeconds (10)'],
  ];
  for (const [set, message] of unordered) {
    const r = helm(['template', 'govcloud', CHART, ...set.flatMap((s) => ['--set', s])]);
    assert.is.not(r.status, 0, `--set ${set.join(' ')} must be refused`);
    assert.ok(r.stderr.includes(message), `--set ${set.join(' ')}: ${r.stderr}`);
  }
  assert.is(
    template(['leaderElection.leaseDurationSeconds=3', 'leaderElection.renewDeadlineSeconds=2', 'leaderElection.retryPeriodSeconds=1']).length,
    defaults.length,
  );
});

test.run();
