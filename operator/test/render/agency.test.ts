import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agencyNamespaces, renderAgency } from '../../src/render/agency.ts';
import { placementOf } from '../../src/render/placement.ts';
import { platformClusterRoles, platformObjects } from '../../src/render/platform-objects.ts';
import type { DesiredObject } from '../../src/render/types.ts';
import { agency, at, dataCentre, find, get, objectsIn, platform, threeDataCentres } from './fixtures.ts';

const reasons = (r: { issues: { reason: string; dataCentre?: string }[] }) => r.issues.map((i) => `${i.reason}${i.dataCentre ? '@' + i.dataCentre : ''}`);
const policyNames = (objects: DesiredObject[], ns: string) =>
  objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === ns).map((o) => o.metadata.name);

test('renders only in the data centres named in placement', () => {
  const a = agency('bo-tai-chinh', { code: 'G12', dcs: ['dc-hcm'], workspaces: ['thue', 'kho-bac'] });
  const r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [a] }), a);
  assert.equal(r.placed, ['dc-hcm']);
  assert.equal(r.issues, []);
  // dc-hanoi holds only the hub namespace; dc-danang nothing.
  assert.equal(
    r.perDataCentre.map((p) => p.dataCentre),
    ['dc-hanoi', 'dc-hcm'],
  );
  assert.equal(
    objectsIn(r.perDataCentre, 'dc-hanoi')
      .filter((o) => o.kind === 'Namespace')
      .map((o) => o.metadata.name),
    ['govcloud-bo-tai-chinh'],
  );
  assert.equal(
    objectsIn(r.perDataCentre, 'dc-hcm')
      .filter((o) => o.kind === 'Namespace')
      .map((o) => o.metadata.name),
    ['bo-tai-chinh-kho-bac', 'bo-tai-chinh-thue'],
  );
});

test('refuses placement where the data centre is missing, not accredited or dedicated elsewhere', () => {
  const dcs = [...threeDataCentres(), dataCentre('dc-bqp', { level: 5, dedicatedTo: 'bo-quoc-phong' })];
  const a = agency('bo-cong-an', { code: 'G04', level: 3, dcs: ['dc-hanoi', 'dc-danang', 'dc-bqp', 'dc-nowhere'] });
  const r = renderAgency(platform({ dataCentres: dcs, agencies: [a] }), a);
  assert.equal(r.placed, ['dc-hanoi']);
  assert.equal(reasons(r).sort(), ['DataCentreNotFound@dc-nowhere', 'DedicatedToAnotherAgency@dc-bqp', 'NotAccredited@dc-danang']);
  assert.equal(objectsIn(r.perDataCentre, 'dc-danang'), []);
  for (const issue of r.issues) assert.is(issue.field, 'spec.placement.dataCentres');
});

test('level 5 needs a data centre dedicated to the agency', () => {
  const dcs = [...threeDataCentres(), dataCentre('dc-bqp', { level: 5, dedicatedTo: 'bo-quoc-phong' })];
  dcs[0]!.spec.accreditedLevel = 5; // accredited, but not dedicated
  const a = agency('bo-quoc-phong', { code: 'G03', level: 5, dcs: ['dc-hanoi', 'dc-bqp'] });
  const r = renderAgency(platform({ dataCentres: dcs, agencies: [a] }), a);
  assert.equal(r.placed, ['dc-bqp']);
  assert.equal(reasons(r), ['DedicatedDataCentreRequired@dc-hanoi']);
  assert.ok(find(objectsIn(r.perDataCentre, 'dc-bqp'), 'Namespace', undefined, 'bo-quoc-phong-app'));
});

test('namespace labels, display name in UTF-8 and Pod Security per level', () => {
  const dcs = threeDataCentres();
  for (const [level, enforce] of [
    [1, 'baseline'],
    [2, 'restricted'],
    [3, 'restricted'],
    [4, 'restricted'],
  ] as const) {
    const a = agency('ubnd-ha-noi', {
      code: '000.00.00.H26',
      level,
      displayName: 'Ủy ban nhân dân Thành phố Hà Nội',
      workspaces: [{ name: 'dvc', dataClass: 'private' }],
    });
    const r = renderAgency(platform({ dataCentres: dcs, agencies: [a] }), a);
    const ns = get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'Namespace', undefined, 'ubnd-ha-noi-dvc');
    const labels = ns.metadata.labels;
    assert.is(labels['govcloud.dev/agency'], 'H26', 'normalised code');
    assert.is(labels['govcloud.dev/agency-name'], 'ubnd-ha-noi');
    assert.is(labels['govcloud.dev/workspace'], 'dvc');
    assert.is(labels['govcloud.dev/security-level'], String(level));
    assert.is(labels['govcloud.dev/data-class'], 'private');
    assert.is(labels['govcloud.dev/owner'], 'Agency..ubnd-ha-noi');
    assert.is(labels['app.kubernetes.io/managed-by'], 'govcloud');
    assert.is(labels['pod-security.kubernetes.io/enforce'], enforce);
    assert.is(labels['pod-security.kubernetes.io/enforce-version'], 'latest');
    assert.is(labels['pod-security.kubernetes.io/warn'], 'restricted');
    assert.is(labels['pod-security.kubernetes.io/audit'], 'restricted');
    assert.is(ns.metadata.annotations?.['govcloud.dev/display-name'], 'Ủy ban nhân dân Thành phố Hà Nội');
    const pinned = ns.metadata.annotations?.['scheduler.alpha.kubernetes.io/node-selector'];
    if (level === 4) {
      assert.is(pinned, 'govcloud.dev/dedicated=level4');
      assert.equal(JSON.parse(ns.metadata.annotations?.['scheduler.alpha.kubernetes.io/defaultTolerations'] ?? '[]'), [
        { key: 'govcloud.dev/dedicated', operator: 'Equal', value: 'level4', effect: 'NoSchedule' },
      ]);
    } else {
      assert.is(pinned, undefined);
    }
  }
});

test('quota divided exactly among workspaces: 10 CPU and 64Gi over 3', () => {
  const a = agency('bo-y-te', { code: 'G17', workspaces: ['a', 'b', 'c'], quota: { cpu: '10', memory: '64Gi', storage: '1Ti', pods: 31 } });
  const r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [a] }), a);
  const objects = objectsIn(r.perDataCentre, 'dc-hanoi');
  for (const ws of ['a', 'b', 'c']) {
    const q = get(objects, 'ResourceQuota', `bo-y-te-${ws}`, 'govcloud-quota');
    assert.equal(at(q, 'spec', 'hard'), {
      'requests.cpu': '3333m',
      'limits.cpu': '3333m',
      'requests.memory': '22906492245',
      'limits.memory': '22906492245',
      'requests.storage': '366503875925',
      'requests.ephemeral-storage': '20Gi',
      'limits.ephemeral-storage': '20Gi',
      pods: '10',
      persistentvolumeclaims: '10',
      services: '10',
      'services.nodeports': '0',
      'services.loadbalancers': '0',
      secrets: '40',
      configmaps: '41',
    });
  }
});

test('quota shares keep canonical forms where they divide; default pods are 10 per workspace', () => {
  const a = agency('bo-y-te', { code: 'G17', workspaces: ['a', 'b'], quota: { cpu: 8, memory: '32Gi', storage: '200G' } });
  const r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [a] }), a);
  const q = get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'ResourceQuota', 'bo-y-te-a', 'govcloud-quota');
  assert.equal(at(q, 'spec', 'hard'), {
    'requests.cpu': '4',
    'limits.cpu': '4',
    'requests.memory': '16Gi',
    'limits.memory': '16Gi',
    'requests.storage': '100G',
    'requests.ephemeral-storage': '20Gi',
    'limits.ephemeral-storage': '20Gi',
    pods: '10',
    persistentvolumeclaims: '10',
    services: '10',
    'services.nodeports': '0',
    'services.loadbalancers': '0',
    secrets: '40',
    configmaps: '41',
  });
});

test('LimitRange defaults fit the workspace share', () => {
  const big = agency('bo-y-te', { code: 'G17', quota: { cpu: '8', memory: '32Gi' } });
  let r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [big] }), big);
  let lr = get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'LimitRange', 'bo-y-te-app', 'govcloud-defaults');
  assert.equal(at(lr, 'spec', 'limits', 0), {
    type: 'Container',
    defaultRequest: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '256Mi' },
    default: { cpu: '500m', memory: '512Mi', 'ephemeral-storage': '1Gi' },
  });
  const small = agency('bo-y-te', { code: 'G17', workspaces: ['a', 'b'], quota: { cpu: '600m', memory: '512Mi' } });
  r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [small] }), small);
  lr = get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'LimitRange', 'bo-y-te-a', 'govcloud-defaults');
  assert.equal(at(lr, 'spec', 'limits', 0, 'default'), { cpu: '300m', memory: '256Mi', 'ephemeral-storage': '1Gi' });
});

test('object counts and ephemeral storage follow the pods of the share: one pod, one Service; no node ports or load balancers', () => {
  const tiny = agency('bo-y-te', { code: 'G17', workspaces: ['a', 'b'], quota: { cpu: '2', memory: '4Gi', storage: '10Gi', pods: 3 } });
  const r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [tiny] }), tiny);
  const objects = objectsIn(r.perDataCentre, 'dc-hanoi');
  const hard = at(get(objects, 'ResourceQuota', 'bo-y-te-a', 'govcloud-quota'), 'spec', 'hard') as Record<string, string>;
  assert.equal(
    [hard.pods, hard.services, hard.secrets, hard.configmaps, hard.persistentvolumeclaims, hard['services.nodeports'], hard['services.loadbalancers']],
    ['1', '1', '4', '5', '1', '0', '0'],
  );
  assert.is(hard['requests.ephemeral-storage'], '2Gi');
  // The container defaults (256Mi requested, 1Gi limit) fit in one pod's share of 2Gi.
  const lr = at(get(objects, 'LimitRange', 'bo-y-te-a', 'govcloud-defaults'), 'spec', 'limits', 0) as {
    default: Record<string, string>;
    defaultRequest: Record<string, string>;
  };
  assert.is(lr.default['ephemeral-storage'], '1Gi');
  assert.is(lr.defaultRequest['ephemeral-storage'], '256Mi');
});

test('default-deny, DNS and same-workspace policies in every workspace, in every data centre', () => {
  const a = agency('bo-tai-chinh', { code: 'G12', dcs: ['dc-hanoi', 'dc-hcm'], workspaces: ['thue', 'kho-bac', 'hai-quan'] });
  const r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [a] }), a);
  for (const dc of ['dc-hanoi', 'dc-hcm']) {
    const objects = objectsIn(r.perDataCentre, dc);
    for (const ws of ['thue', 'kho-bac', 'hai-quan']) {
      const ns = `bo-tai-chinh-${ws}`;
      assert.equal(policyNames(objects, ns), ['govcloud-allow-dns', 'govcloud-allow-same-workspace', 'govcloud-default-deny']);
      assert.equal(at(get(objects, 'NetworkPolicy', ns, 'govcloud-default-deny'), 'spec'), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const dns = get(objects, 'NetworkPolicy', ns, 'govcloud-allow-dns');
      assert.equal(at(dns, 'spec', 'egress', 0, 'to', 0, 'namespaceSelector'), { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } });
      assert.equal(at(dns, 'spec', 'egress', 0, 'ports'), [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ]);
      const same = get(objects, 'NetworkPolicy', ns, 'govcloud-allow-same-workspace');
      assert.equal(at(same, 'spec', 'ingress'), [{ from: [{ podSelector: {} }] }]);
      assert.equal(at(same, 'spec', 'egress'), [{ to: [{ podSelector: {} }] }]);
    }
  }
});

test('internet egress: exactly the allow-list at levels 1-2, never at level 3', () => {
  const ws = { name: 'cong', dataClass: 'open' as const, internetEgress: ['203.0.113.0/24', '198.51.100.7/32'] };
  const low = agency('bo-tt', { code: 'G13', level: 2, workspaces: [ws, 'noi-bo'] });
  let r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [low] }), low);
  let objects = objectsIn(r.perDataCentre, 'dc-hanoi');
  const egress = get(objects, 'NetworkPolicy', 'bo-tt-cong', 'govcloud-allow-internet-egress');
  assert.equal(at(egress, 'spec'), {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '198.51.100.7/32' } }, { ipBlock: { cidr: '203.0.113.0/24' } }] }],
  });
  assert.not.ok(find(objects, 'NetworkPolicy', 'bo-tt-noi-bo', 'govcloud-allow-internet-egress'));

  const high = agency('bo-tt', { code: 'G13', level: 3, workspaces: [ws] });
  r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [high] }), high);
  objects = objectsIn(r.perDataCentre, 'dc-hanoi');
  assert.not.ok(objects.some((o) => o.metadata.name === 'govcloud-allow-internet-egress'));
  assert.equal(reasons(r), ['InternetEgressForbidden']);
  assert.is(r.issues[0]?.field, 'spec.workspaces[0].internetEgress');
});

test('internet egress 0.0.0.0/0 is rendered with every data centre, declared network and private range as except; a reserved range is refused', () => {
  const ws = { name: 'cong', dataClass: 'open' as const, internetEgress: ['0.0.0.0/0', '10.20.0.0/16', '198.51.100.0/24'] };
  const a = agency('bo-tt', { code: 'G13', level: 2, workspaces: [ws] });
  const dcs = threeDataCentres();
  dcs[1]!.spec.networkRanges = ['203.0.113.0/24'];
  const r = renderAgency(platform({ dataCentres: dcs, agencies: [a] }), a);
  const egress = get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tt-cong', 'govcloud-allow-internet-egress');
  assert.equal(at(egress, 'spec', 'egress'), [
    {
      to: [
        {
          ipBlock: {
            cidr: '0.0.0.0/0',
            except: ['10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '203.0.113.0/24'],
          },
        },
        { ipBlock: { cidr: '198.51.100.0/24' } },
      ],
    },
  ]);
  assert.equal(
    r.issues.map((i) => [i.field, i.reason, i.message]),
    [
      [
        'spec.workspaces[0].internetEgress[1]',
        'ReservedAddresses',
        '10.20.0.0/16 lies in 10.0.0.0/8, a private or local range, never internet: internet egress reaches the internet only',
      ],
    ],
  );
});

test('RBAC: admins to govcloud-workspace-admin, viewers to view; skipped when there are no groups', () => {
  const a = agency('bo-tai-chinh', { code: 'G12', admins: ['mof:ops', 'mof:dev', 'mof:ops'], viewers: [] });
  const r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [a] }), a);
  const objects = objectsIn(r.perDataCentre, 'dc-hanoi');
  const admins = get(objects, 'RoleBinding', 'bo-tai-chinh-app', 'govcloud-admins');
  assert.equal(at(admins, 'roleRef'), { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'govcloud-workspace-admin' });
  assert.equal(at(admins, 'subjects'), [
    { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'mof:dev' },
    { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'mof:ops' },
  ]);
  assert.not.ok(find(objects, 'RoleBinding', 'bo-tai-chinh-app', 'govcloud-viewers'));
  const b = agency('bo-tai-chinh', { code: 'G12', viewers: ['mof:audit'] });
  const viewers = get(
    objectsIn(renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [b] }), b).perDataCentre, 'dc-hanoi'),
    'RoleBinding',
    'bo-tai-chinh-app',
    'govcloud-viewers',
  );
  assert.is(at(viewers, 'roleRef', 'name'), 'view');
});

test('hub namespace only on the hub, with the tenant roles bound', () => {
  const a = agency('bo-tai-chinh', { code: 'G12', dcs: ['dc-hcm'] });
  const r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [a] }), a);
  const hub = objectsIn(r.perDataCentre, 'dc-hanoi');
  assert.equal(
    hub.map((o) => `${o.kind}/${o.metadata.name}`),
    [
      'Namespace/govcloud-bo-tai-chinh',
      'ResourceQuota/govcloud-quota',
      'RoleBinding/govcloud-admins',
      'RoleBinding/govcloud-viewers',
      'NetworkPolicy/govcloud-default-deny',
    ],
  );
  assert.is(at(get(hub, 'RoleBinding', 'govcloud-bo-tai-chinh', 'govcloud-admins'), 'roleRef', 'name'), 'govcloud-tenant-requests');
  assert.is(at(get(hub, 'RoleBinding', 'govcloud-bo-tai-chinh', 'govcloud-viewers'), 'roleRef', 'name'), 'govcloud-tenant-viewer');
  assert.not.ok(
    objectsIn(r.perDataCentre, 'dc-hcm').some((o) => o.metadata.name === 'govcloud-bo-tai-chinh' || o.metadata.namespace === 'govcloud-bo-tai-chinh'),
  );
});

test('hub namespace: default-deny both ways, a quota of no pods, services or volumes, Pod Security restricted', () => {
  for (const level of [1, 2, 3, 4]) {
    const a = agency('bo-tai-chinh', { code: 'G12', level, dcs: ['dc-hanoi', 'dc-hcm'] });
    const hub = objectsIn(renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [a] }), a).perDataCentre, 'dc-hanoi');
    const ns = 'govcloud-bo-tai-chinh';
    const deny = get(hub, 'NetworkPolicy', ns, 'govcloud-default-deny');
    assert.equal(deny.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'selects every pod, allows nothing');
    assert.equal(policyNames(hub, ns), ['govcloud-default-deny'], 'nothing opens it');
    const quota = get(hub, 'ResourceQuota', ns, 'govcloud-quota');
    assert.equal(at(quota, 'spec', 'hard'), { pods: '0', services: '0', persistentvolumeclaims: '0' });
    const labels = get(hub, 'Namespace', undefined, ns).metadata.labels;
    for (const mode of ['enforce', 'warn', 'audit']) {
      assert.is(labels[`pod-security.kubernetes.io/${mode}`], 'restricted', `level ${level}: ${mode}`);
      assert.is(labels[`pod-security.kubernetes.io/${mode}-version`], 'latest');
    }
    assert.is(labels['govcloud.dev/workspace'], undefined, 'not a workspace: the workspace pod policy and RBAC do not apply');
    for (const o of [deny, quota]) {
      assert.is(o.metadata.labels['govcloud.dev/owner'], 'Agency..bo-tai-chinh');
      assert.is(o.metadata.labels['govcloud.dev/agency'], 'G12');
      assert.is(o.metadata.labels['app.kubernetes.io/managed-by'], 'govcloud');
    }
  }
});

test('no hub data centre: an issue, and no hub namespace anywhere', () => {
  const dcs = threeDataCentres().filter((d) => d.metadata.name !== 'dc-hanoi');
  const a = agency('bo-tai-chinh', { code: 'G12', dcs: ['dc-hcm'] });
  const r = renderAgency(platform({ dataCentres: dcs, agencies: [a] }), a);
  assert.equal(reasons(r), ['NoHubDataCentre']);
  assert.not.ok(r.perDataCentre.some((p) => p.objects.some((o) => o.metadata.name === 'govcloud-bo-tai-chinh')));
  assert.ok(find(objectsIn(r.perDataCentre, 'dc-hcm'), 'Namespace', undefined, 'bo-tai-chinh-app'));
});

test('an invalid agency code renders nothing', () => {
  const a = agency('bo-x', { code: 'not-a-code' });
  const r = renderAgency(platform({ dataCentres: threeDataCentres(), agencies: [a] }), a);
  assert.equal(r.perDataCentre, []);
  assert.equal(reasons(r), ['InvalidCode']);
});

test('govcloud-workspace-admin cannot touch network policies, quotas, limit ranges, RBAC or namespaces', () => {
  const roles = platformClusterRoles() as unknown as DesiredObject[];
  const role = get(roles, 'ClusterRole', undefined, 'govcloud-workspace-admin');
  const rules = at(role, 'rules') as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
  const granted = rules.flatMap((r) => r.resources.map((res) => `${r.apiGroups[0]}/${res}`));
  for (const forbidden of [
    'networking.k8s.io/networkpolicies',
    '/resourcequotas',
    '/limitranges',
    'rbac.authorization.k8s.io/roles',
    'rbac.authorization.k8s.io/rolebindings',
    '/namespaces',
  ]) {
    assert.not.ok(granted.includes(forbidden), forbidden);
  }
  assert.not.ok(
    rules.some(
      (r) =>
        r.apiGroups.includes('*') ||
        r.resources.includes('*') ||
        r.verbs.includes('*') ||
        r.apiGroups.includes('networking.k8s.io') ||
        r.apiGroups.includes('rbac.authorization.k8s.io'),
    ),
  );
  for (const wanted of [
    '/pods',
    '/pods/exec',
    '/secrets',
    'apps/deployments',
    'batch/cronjobs',
    'policy/poddisruptionbudgets',
    'autoscaling/horizontalpodautoscalers',
  ]) {
    assert.ok(granted.includes(wanted), wanted);
  }
  const requests = get(roles, 'ClusterRole', undefined, 'govcloud-tenant-requests');
  assert.equal(at(requests, 'rules', 0, 'resources'), ['networklinks', 'shareddataservices', 'accessrequests', 'accessgrants', 'migrationplans']);
  assert.ok((at(requests, 'rules', 0, 'verbs') as string[]).includes('create'));
  assert.equal(at(requests, 'rules', 1, 'verbs'), ['get', 'list', 'watch']); // status: read only
  const viewer = get(roles, 'ClusterRole', undefined, 'govcloud-tenant-viewer');
  for (const rule of at(viewer, 'rules') as { verbs: string[] }[]) assert.equal(rule.verbs, ['get', 'list', 'watch']);
  // The operator renders none of them: the chart installs them.
  for (const dc of threeDataCentres())
    assert.not.ok(
      platformObjects(dc).some((o) => o.kind === 'ClusterRole'),
      dc.metadata.name,
    );
});

test('the workspace pod policy keeps other levels off the dedicated nodes', () => {
  const objects = platformObjects(threeDataCentres()[0]!);
  const vap = get(objects, 'ValidatingAdmissionPolicy', undefined, 'govcloud-workspace-pods');
  const expressions = (at(vap, 'spec', 'validations') as { expression: string }[]).map((v) => v.expression).join('\n');
  assert.match(expressions, /govcloud\.dev\/dedicated/);
  assert.match(expressions, /nodeName/);
  assert.equal(at(vap, 'spec', 'matchConstraints', 'namespaceSelector'), { matchExpressions: [{ key: 'govcloud.dev/workspace', operator: 'Exists' }] });
  assert.equal(at(get(objects, 'ValidatingAdmissionPolicyBinding', undefined, 'govcloud-workspace-pods'), 'spec'), {
    policyName: 'govcloud-workspace-pods',
    validationActions: ['Deny'],
  });
});

test('every data centre refuses exposing Services and legacy token Secrets in workspaces, by policies bound to deny', () => {
  for (const dc of threeDataCentres()) {
    const objects = platformObjects(dc);
    for (const [name, resource, pattern] of [
      ['govcloud-workspace-services', 'services', /object\.spec\.type == 'ClusterIP'[^]*externalIPs/],
      ['govcloud-workspace-secrets', 'secrets', /kubernetes\.io\/service-account-token/],
    ] as const) {
      const vap = get(objects, 'ValidatingAdmissionPolicy', undefined, name);
      assert.is(at(vap, 'spec', 'failurePolicy'), 'Fail');
      assert.equal(at(vap, 'spec', 'matchConstraints'), {
        namespaceSelector: { matchExpressions: [{ key: 'govcloud.dev/workspace', operator: 'Exists' }] },
        resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: [resource] }],
      });
      const validations = at(vap, 'spec', 'validations') as { expression: string; reason: string }[];
      assert.match(validations.map((v) => v.expression).join('\n'), pattern);
      assert.ok(validations.every((v) => v.reason === 'Forbidden'));
      assert.equal(at(get(objects, 'ValidatingAdmissionPolicyBinding', undefined, name), 'spec'), { policyName: name, validationActions: ['Deny'] });
      assert.is(vap.metadata.labels['govcloud.dev/owner'], `DataCentre..${dc.metadata.name}`);
    }
  }
});

test('agencyNamespaces: every object an agency renders is one of those namespaces or lies in one (plan --base leaves out an unchanged agency by them)', () => {
  const dcs = threeDataCentres();
  const agencies = [
    agency('bo-tai-chinh', {
      code: 'G12',
      level: 2,
      dcs: ['dc-hanoi', 'dc-hcm', 'dc-danang'],
      workspaces: ['thue', 'kho-bac', { name: 'web', dataClass: 'open', internetEgress: ['203.0.113.0/24'] }],
    }),
    agency('bo-cong-an', { code: 'G01', level: 4, dcs: ['dc-hanoi'], workspaces: ['dancu'] }),
    agency('nowhere', { code: 'G99', dcs: ['dc-missing'], workspaces: ['a'] }),
  ];
  const p = platform({ dataCentres: dcs, agencies });
  let objects = 0;
  for (const a of agencies) {
    const spaces = new Set(agencyNamespaces(a, placementOf(p, a), dcs));
    for (const r of renderAgency(p, a).perDataCentre) {
      for (const o of r.objects) {
        objects++;
        const place = `${r.dataCentre}/${o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? '')}`;
        assert.ok(spaces.has(place), `${a.metadata.name}: ${o.kind} ${place}/${o.metadata.name} outside ${[...spaces].join(', ')}`);
      }
    }
  }
  assert.ok(objects > 30, 'the agencies render objects');
});

test.run();
