// The Pulumi program (pulumi/) under Pulumi's own mocks: no CLI, no provider plugin, no
// cluster. What it creates, under which names, with which RBAC, and that kubeconfigs stay secret.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { Value } from '@sinclair/typebox/value';
import { test } from 'uvu';
import { parse } from 'yaml';
import { AgencyKind, DataCentreKind } from '../../../operator/src/api/index.ts';
import { dataCentre, loadAgencies } from '../../../pulumi/objects.ts';
import * as assert from 'uvu/assert';
import { loadRbacRequirements, type PolicyRule } from '../../src/install/rbac.ts';
import { permissions, requiredPermissions, wildcards } from './rbac.ts';

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}
const registered: Registered[] = [];
await pulumi.runtime.setMocks(
  {
    newResource(args) {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
      return args.inputs;
    },
  },
  'govcloud',
  'test',
  false,
);
// The program is imported only now: resources must not be made before the mocks are set.
const { bootstrap, main } = await import('../../../pulumi/program.ts');
const { resolveSettings } = await import('../../../pulumi/settings.ts');

const SIG = '4dabf18193072939515e22adb298388d';
const SECRET = '1b47061264138c4ac30d75fd1eb44270';
const isSecret = (v: unknown) => typeof v === 'object' && v !== null && (v as Record<string, unknown>)[SIG] === SECRET;
const unwrap = (v: any) => (isSecret(v) ? v.value : v);

const KUBECONFIG_HCM = 'apiVersion: v1\nkind: Config\nclusters: [{name: dc-hcm, cluster: {server: "https://10.20.0.1:6443"}}]\n';
const dc = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  displayName: `Trung tâm dữ liệu ${name}`,
  region: 'Miền Nam',
  accreditedLevel: 3,
  capacity: { cpu: '64', memory: '256Gi', storage: '10Ti' },
  networkRanges: ['10.20.0.0/16'],
  ...extra,
});

function whenSettled(resources: Iterable<pulumi.CustomResource>): Promise<unknown> {
  return Promise.all([...resources].map((r) => new Promise((resolve) => r.urn.apply(resolve))));
}

async function run(fn: () => { resources: Map<string, pulumi.CustomResource> }): Promise<Registered[]> {
  registered.length = 0;
  const result = fn();
  await whenSettled(result.resources.values());
  await new Promise((r) => setTimeout(r, 20));
  return [...registered];
}

const byName = (rs: Registered[], name: string) => {
  const r = rs.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}; made: ${rs.map((x) => x.name).join(', ')}`);
  return r;
};

const settings = () =>
  resolveSettings(
    {
      dataCentres: [dc('dc-hanoi', { thisCluster: true, region: 'Miền Bắc' }), dc('dc-hcm'), dc('dc-danang', { kubeconfigFile: 'dn.yaml' })],
      kubeconfigs: { 'dc-hcm': pulumi.secret(KUBECONFIG_HCM) },
    },
    '/base',
    (p) => {
      if (p !== '/base/dn.yaml') throw Object.assign(new Error('nope'), { code: 'ENOENT' });
      return 'kind: Config # danang\n';
    },
  );

test('bootstrap makes the CRDs, the namespace, RBAC, the operator and the data centres, by name', async () => {
  const rs = await run(() => bootstrap(settings()));
  assert.equal(
    rs.map((r) => `${r.type} ${r.name}`).sort(),
    [
      'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition crd-accessgrants.govcloud.dev',
      'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition crd-accessrequests.govcloud.dev',
      'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition crd-agencies.govcloud.dev',
      'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition crd-consolidationtargets.govcloud.dev',
      'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition crd-datacentres.govcloud.dev',
      'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition crd-migrationplans.govcloud.dev',
      'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition crd-networklinks.govcloud.dev',
      'kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition crd-shareddataservices.govcloud.dev',
      'kubernetes:apps/v1:Deployment deployment-govcloud-system-govcloud-operator',
      'kubernetes:core/v1:Namespace namespace-govcloud-system',
      'kubernetes:core/v1:Secret secret-govcloud-system-dc-danang-kubeconfig',
      'kubernetes:core/v1:Secret secret-govcloud-system-dc-hcm-kubeconfig',
      'kubernetes:core/v1:Service service-govcloud-system-govcloud-operator-metrics',
      'kubernetes:core/v1:ServiceAccount serviceaccount-govcloud-system-govcloud-operator',
      'kubernetes:govcloud.dev/v1alpha1:DataCentre datacentre-dc-danang',
      'kubernetes:govcloud.dev/v1alpha1:DataCentre datacentre-dc-hanoi',
      'kubernetes:govcloud.dev/v1alpha1:DataCentre datacentre-dc-hcm',
      'kubernetes:policy/v1:PodDisruptionBudget poddisruptionbudget-govcloud-system-govcloud-operator',
      'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole clusterrole-govcloud-operator',
      'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole clusterrole-govcloud-tenant-requests',
      'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole clusterrole-govcloud-tenant-viewer',
      'kubernetes:rbac.authorization.k8s.io/v1:ClusterRole clusterrole-govcloud-workspace-admin',
      'kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding clusterrolebinding-govcloud-operator',
      'kubernetes:rbac.authorization.k8s.io/v1:Role role-govcloud-system-govcloud-operator',
      'kubernetes:rbac.authorization.k8s.io/v1:Role role-govcloud-system-govcloud-operator-gateway',
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding rolebinding-govcloud-system-govcloud-operator',
      'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding rolebinding-govcloud-system-govcloud-operator-gateway',
      'kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy validatingadmissionpolicy-govcloud-operator-limits',
      'kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding validatingadmissionpolicybinding-govcloud-operator-limits',
    ].sort(),
  );
  // Kubernetes names are given, never left to Pulumi's auto-naming (random suffixes).
  for (const r of rs) assert.ok(r.inputs.metadata?.name, `${r.name} has metadata.name`);
  const ns = byName(rs, 'namespace-govcloud-system').inputs;
  assert.is(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
});

test('RBAC is exactly rbac-requirements.yaml, bound to the operator ServiceAccount only', async () => {
  const rs = await run(() => bootstrap(settings()));
  const cr = byName(rs, 'clusterrole-govcloud-operator').inputs;
  const roles = ['role-govcloud-system-govcloud-operator', 'role-govcloud-system-govcloud-operator-gateway'].map((n) => byName(rs, n).inputs);
  assert.equal(wildcards([...cr.rules, ...roles.flatMap((r) => r.rules)]), []);
  const made = [
    ...new Set([
      ...permissions('cluster', cr.rules as PolicyRule[]),
      ...roles.flatMap((role) => permissions(`namespace:${role.metadata.namespace}`, role.rules as PolicyRule[])),
    ]),
  ].sort();
  assert.equal(made, requiredPermissions(loadRbacRequirements(), 'govcloud-system'));
  const sa = [{ kind: 'ServiceAccount', name: 'govcloud-operator', namespace: 'govcloud-system' }];
  assert.equal(byName(rs, 'clusterrolebinding-govcloud-operator').inputs.subjects, sa);
  assert.equal(byName(rs, 'clusterrolebinding-govcloud-operator').inputs.roleRef.name, 'govcloud-operator');
  assert.equal(byName(rs, 'rolebinding-govcloud-system-govcloud-operator').inputs.subjects, sa);
  const bound = rs.filter((r) => /:(Cluster)?RoleBinding$/.test(r.type)).map((r) => r.inputs.roleRef.name);
  assert.equal(bound, ['govcloud-operator', 'govcloud-operator', 'govcloud-operator-gateway']);
});

test("mode member: only what the hub's operator needs in a member cluster, the same objects as the chart's mode=member", async () => {
  const s = resolveSettings({ mode: 'member' }, '/base');
  const rs = await run(() => bootstrap(s));
  assert.equal(rs.map((r) => r.name).sort(), [
    'clusterrole-govcloud-operator',
    'clusterrole-govcloud-tenant-requests',
    'clusterrole-govcloud-tenant-viewer',
    'clusterrole-govcloud-workspace-admin',
    'clusterrolebinding-govcloud-operator',
    'namespace-govcloud-system',
    'role-govcloud-system-govcloud-operator-gateway',
    'rolebinding-govcloud-system-govcloud-operator-gateway',
    'serviceaccount-govcloud-system-govcloud-operator',
    'validatingadmissionpolicy-govcloud-operator-limits',
    'validatingadmissionpolicybinding-govcloud-operator-limits',
  ]);
  assert.throws(
    () => resolveSettings({ mode: 'member', dataCentres: [dc('dc-hanoi', { thisCluster: true })] }, '/base'),
    /govcloud:mode: a member stack installs only/,
  );
  assert.throws(() => resolveSettings({ mode: 'spoke' }, '/base'), /govcloud:mode: "spoke" is neither hub nor member/);
});

test('the operator Deployment: replicas, restricted security context, probes, settings', async () => {
  const s = settings();
  s.operator = { ...s.operator, replicas: 3, logLevel: 'debug', httpPort: 9443, image: 'registry.example/govcloud:1.2.3' };
  const rs = await run(() => bootstrap(s));
  const d = byName(rs, 'deployment-govcloud-system-govcloud-operator').inputs;
  assert.is(d.spec.replicas, 3);
  const c = d.spec.template.spec.containers[0];
  assert.is(c.image, 'registry.example/govcloud:1.2.3');
  assert.is(c.securityContext.readOnlyRootFilesystem, true);
  assert.is(c.securityContext.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext.capabilities, { drop: ['ALL'] });
  assert.is(d.spec.template.spec.securityContext.runAsNonRoot, true);
  assert.equal(d.spec.template.spec.securityContext.seccompProfile, { type: 'RuntimeDefault' });
  assert.is(c.readinessProbe.httpGet.path, '/readyz');
  assert.is(c.livenessProbe.httpGet.path, '/healthz');
  assert.is(c.ports[0].containerPort, 9443);
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
  assert.is(env.GOVCLOUD_LOG_LEVEL, 'debug');
  assert.is(env.GOVCLOUD_HTTP_PORT, '9443');
  assert.is(byName(rs, 'service-govcloud-system-govcloud-operator-metrics').inputs.spec.ports[0].port, 9443);
});

test('member data centres get a secret kubeconfig Secret and a DataCentre naming it; the hub gets thisCluster', async () => {
  const rs = await run(() => bootstrap(settings()));
  const hcm = byName(rs, 'secret-govcloud-system-dc-hcm-kubeconfig').inputs;
  assert.is(hcm.metadata.namespace, 'govcloud-system');
  assert.ok(isSecret(hcm.stringData), 'stringData of the kubeconfig Secret is a Pulumi secret');
  assert.is(unwrap(hcm.stringData).kubeconfig, KUBECONFIG_HCM);
  const dn = byName(rs, 'secret-govcloud-system-dc-danang-kubeconfig').inputs;
  assert.ok(isSecret(dn.stringData), 'a kubeconfig read from a file is secret too');
  assert.is(unwrap(dn.stringData).kubeconfig, 'kind: Config # danang\n');
  assert.not.ok(JSON.stringify(rs.filter((r) => !r.type.endsWith(':Secret'))).includes('10.20.0.1:6443'), 'the kubeconfig appears nowhere else');

  const dcHcm = byName(rs, 'datacentre-dc-hcm').inputs;
  assert.is(dcHcm.apiVersion, 'govcloud.dev/v1alpha1');
  assert.equal(dcHcm.spec.connection, { kubeconfigSecretRef: { namespace: 'govcloud-system', name: 'dc-hcm-kubeconfig', key: 'kubeconfig' } });
  assert.equal(dcHcm.spec.capacity, { cpu: '64', memory: '256Gi', storage: '10Ti' });
  assert.not.ok('kubeconfigFile' in byName(rs, 'datacentre-dc-danang').inputs.spec);
  const hub = byName(rs, 'datacentre-dc-hanoi').inputs;
  assert.equal(hub.spec.connection, { thisCluster: true });
  assert.not.ok(
    rs.some((r) => r.name === 'secret-govcloud-system-dc-hanoi-kubeconfig'),
    'no Secret for the hub',
  );
});

test('settings: every mistake reported together, by config key', () => {
  try {
    resolveSettings(
      {
        operator: { replicas: 2, leaderElection: false, colour: 'blue', renewDeadlineSeconds: 15, retryPeriodSeconds: 0 } as any,
        dataCentres: [dc('dc-hcm'), dc('dc-hcm', { kubeconfigFile: 'x' }), dc('dc-hanoi', { thisCluster: true, kubeconfigFile: 'y' }), dc('Bad_Name')],
        kubeconfigs: { 'dc-nowhere': 'k' },
      },
      '/base',
      () => 'kubeconfig',
    );
    assert.unreachable('bad settings must throw');
  } catch (err) {
    const msg = (err as Error).message;
    assert.is((err as Error).name, 'SettingsError');
    for (const part of [
      'govcloud:operator.colour: unknown setting',
      'govcloud:operator.leaderElection: must be true with more than one replica',
      'govcloud:operator.retryPeriodSeconds: an integer from 1 to 600',
      'govcloud:dataCentres[0]: a member data centre needs a kubeconfig',
      'govcloud:dataCentres[1].name: "dc-hcm" is listed twice',
      'govcloud:dataCentres[2]: the hub (thisCluster: true) takes no kubeconfig',
      'govcloud:dataCentres[3].name: a DNS label',
      'govcloud:kubeconfigs.dc-nowhere: no data centre of that name',
    ])
      assert.ok(msg.includes(part), `expected "${part}" in:\n${msg}`);
  }
});

test('settings: leader-election timings in order, retry period < renew deadline < lease duration', () => {
  const problems = (operator: Record<string, unknown>) => {
    try {
      resolveSettings({ operator }, '/base');
      return [];
    } catch (err) {
      return (err as { problems: string[] }).problems;
    }
  };
  assert.equal(problems({ leaseDurationSeconds: 60, renewDeadlineSeconds: 40, retryPeriodSeconds: 5 }), []);
  assert.equal(problems({ renewDeadlineSeconds: 15 }), ['govcloud:operator.renewDeadlineSeconds: must be shorter than leaseDurationSeconds']);
  assert.equal(problems({ retryPeriodSeconds: 10 }), ['govcloud:operator.retryPeriodSeconds: must be shorter than renewDeadlineSeconds']);
  assert.equal(problems({ leaseDurationSeconds: '60' }), ['govcloud:operator.leaseDurationSeconds: an integer from 1 to 600']);
});

function tempProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-pulumi-'));
  writeFileSync(path.join(dir, 'hcm.kubeconfig'), KUBECONFIG_HCM);
  mkdirSync(path.join(dir, 'gitops'));
  writeFileSync(
    path.join(dir, 'gitops', 'mof.yaml'),
    [
      'apiVersion: govcloud.dev/v1alpha1',
      'kind: Agency',
      'metadata:',
      '  name: mof',
      'spec:',
      '  code: G01',
      '  displayName: Bộ Tài chính',
      '---',
      'apiVersion: govcloud.dev/v1alpha1',
      'kind: NetworkLink',
      'metadata: {name: ignored, namespace: govcloud-mof}',
      'spec: {}',
      '',
    ].join('\n'),
  );
  return dir;
}

function setConfig(values: Record<string, unknown>, secret: string[] = []) {
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])), secret);
}

test('main: stack config in, agencies from a GitOps folder, stack outputs out', async () => {
  const dir = tempProject();
  setConfig({
    'govcloud:dataCentres': [dc('dc-hanoi', { thisCluster: true }), dc('dc-hcm', { kubeconfigFile: 'hcm.kubeconfig' })],
    'govcloud:agenciesPath': 'gitops',
    'govcloud:operator': { replicas: 1, leaderElection: false, leaseDurationSeconds: 60, renewDeadlineSeconds: 40, retryPeriodSeconds: 5 },
  });
  registered.length = 0;
  const outputs = await main(dir);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(outputs.dataCentres, ['dc-hanoi', 'dc-hcm']);
  assert.equal(outputs.agencies, ['mof']);
  assert.is(outputs.namespace, 'govcloud-system');
  const agency = byName(registered, 'agency-mof');
  assert.is(agency.type, 'kubernetes:govcloud.dev/v1alpha1:Agency');
  assert.is(agency.inputs.spec.displayName, 'Bộ Tài chính');
  assert.not.ok(
    registered.some((r) => r.name.includes('ignored')),
    'only Agencies are taken from the folder',
  );
  assert.ok(isSecret(byName(registered, 'secret-govcloud-system-dc-hcm-kubeconfig').inputs.stringData));
  assert.not.ok(
    registered.some((r) => r.type.endsWith(':PodDisruptionBudget')),
    'no PDB with one replica',
  );
  const c = byName(registered, 'deployment-govcloud-system-govcloud-operator').inputs.spec.template.spec.containers[0];
  const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
  assert.equal(
    [env.GOVCLOUD_LEADER_ELECTION, env.GOVCLOUD_LEADER_ELECT_LEASE_DURATION, env.GOVCLOUD_LEADER_ELECT_RENEW_DEADLINE, env.GOVCLOUD_LEADER_ELECT_RETRY_PERIOD],
    ['false', '60', '40', '5'],
    'leader-election settings from stack config reach the operator',
  );
});

test('main: a secret kubeconfig from stack config stays secret', async () => {
  setConfig({ 'govcloud:dataCentres': [dc('dc-hcm')], 'govcloud:kubeconfigs': { 'dc-hcm': KUBECONFIG_HCM } }, ['govcloud:kubeconfigs']);
  registered.length = 0;
  await main('/nowhere');
  await new Promise((r) => setTimeout(r, 100));
  const secret = byName(registered, 'secret-govcloud-system-dc-hcm-kubeconfig').inputs;
  assert.ok(isSecret(secret.stringData));
  assert.is(unwrap(secret.stringData).kubeconfig, KUBECONFIG_HCM);
});

test('main: bad config or bad agency YAML fails the run with the problem, not a stack trace', async () => {
  setConfig({ 'govcloud:dataCentres': [dc('dc-hcm')] });
  try {
    await main('/nowhere');
    assert.unreachable();
  } catch (err) {
    assert.instance(err, pulumi.RunError);
    assert.match((err as Error).message, /dataCentres\[0\]: a member data centre needs a kubeconfig/);
  }
  const dir = tempProject();
  writeFileSync(path.join(dir, 'gitops', 'broken.yaml'), 'apiVersion: govcloud.dev/v1alpha1\nkind: Agency\nmetadata:\n  name: a\n  name: b\n');
  setConfig({ 'govcloud:dataCentres': [dc('dc-hanoi', { thisCluster: true })], 'govcloud:agenciesPath': path.join(dir, 'gitops') });
  try {
    await main(dir);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, pulumi.RunError);
    assert.match((err as Error).message, /broken\.yaml:5: duplicate key/);
  }
});

test('Pulumi.dev.yaml is a valid stack: its DataCentres and the sample Agencies pass the API schemas', async () => {
  const dir = path.resolve(import.meta.dirname, '..', '..', '..', 'pulumi');
  const config = (parse(readFileSync(path.join(dir, 'Pulumi.dev.yaml'), 'utf8')) as { config: Record<string, any> }).config;
  const read: string[] = [];
  const s = resolveSettings(
    { operator: config['govcloud:operator'], dataCentres: config['govcloud:dataCentres'], agenciesPath: config['govcloud:agenciesPath'] },
    dir,
    (p) => (read.push(p), 'kind: Config\n'),
  );
  assert.equal(
    s.dataCentres.map((d) => d.name),
    ['dc-hanoi', 'dc-hcm', 'dc-danang'],
  );
  assert.equal(
    read.map((p) => path.relative(dir, p)),
    ['../.local/kubeconfigs/dc-hcm.yaml', '../.local/kubeconfigs/dc-danang.yaml'],
  );
  for (const d of s.dataCentres) {
    const spec = dataCentre(d, 'govcloud-system').spec;
    assert.ok(
      Value.Check(DataCentreKind.spec, spec),
      `${d.name}: ${[...Value.Errors(DataCentreKind.spec, spec)].map((e) => `${e.path} ${e.message}`).join('; ')}`,
    );
  }
  const agencies = await loadAgencies(s.agenciesPath!);
  assert.ok(agencies.length > 0, 'the sample agencies');
  for (const a of agencies) {
    assert.ok(
      Value.Check(AgencyKind.spec, a.spec),
      `${a.metadata.name}: ${[...Value.Errors(AgencyKind.spec, a.spec)].map((e) => `${e.path} ${e.message}`).join('; ')}`,
    );
  }
});

test.run();
