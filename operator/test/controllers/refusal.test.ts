// What the rules reject, no controller renders (controllers/refusal.ts): a rejected link,
// agency, service or grant applies nothing, what it had opened is withdrawn, what confines
// stays; the object is Degraded naming the rule and field, with a Warning Event naming the rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linkPair, link } from '../render/fixtures.ts';
import { agency, condition, dataCentres, harness, ownedNames, populationService, type Harness, type Obj } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';
const get = (h: Harness, kind: string, namespace: string | undefined, name: string) =>
  h.hub.get({ apiVersion: API, kind, metadata: namespace ? { namespace, name } : { name } });
const warnings = (h: Harness, name: string) => h.events.filter((e) => e.type === 'Warning' && e.regarding.name === name);

test('a link to an external range that addresses a data centre renders nothing: Degraded and a Warning naming rule and field', async () => {
  const specialised = dataCentres().map((dc) =>
    dc.metadata?.name === 'dc-hanoi' ? { ...dc, spec: { ...dc.spec, externalNetworks: { specialisedLevelI: ['10.0.0.0/8'] } } } : dc,
  );
  const h = await harness({ objects: specialised });
  h.apply(agency('hanoi', { code: 'H01', dcs: ['dc-hanoi'], workspaces: ['lgsp'] }));
  await h.run(1000);
  h.apply(
    link('hanoi', 'to-everything', { workspace: 'lgsp', peer: { external: { network: 'specialisedLevelI', cidrs: ['10.20.0.0/16'] } } }) as unknown as Obj,
  );
  await h.run(1000);
  assert.equal(ownedNames(h, 'dc-hanoi', 'NetworkLink.govcloud-hanoi.to-everything'), [], 'no policy rendered');
  const live = get(h, 'NetworkLink', 'govcloud-hanoi', 'to-everything');
  assert.is(live?.status?.active, false);
  const degraded = condition(live, 'Degraded');
  assert.is(degraded?.status, 'True');
  assert.is(degraded?.reason, 'RuleViolation');
  assert.match(
    degraded!.message,
    /rule links at spec\.peer\.external\.cidrs\[0\]: 10\.20\.0\.0\/16 lies in 10\.20\.0\.0\/16, networkRanges of DataCentre\/dc-hcm/,
  );
  assert.ok(
    warnings(h, 'to-everything').some((e) => e.reason === 'RuleViolation' && /rule links/.test(e.note ?? '')),
    'a Warning Event names the rule',
  );
  await h.stop();
});

test('an open link whose spec another object turns bad is withdrawn: a new data centre range covers its external network', async () => {
  const declared = dataCentres().map((dc) =>
    dc.metadata?.name === 'dc-hanoi' ? { ...dc, spec: { ...dc.spec, externalNetworks: { agencyWANs: [{ agency: 'hanoi', cidrs: ['10.99.1.0/24'] }] } } } : dc,
  );
  const h = await harness({ objects: declared });
  h.apply(agency('hanoi', { code: 'H01', dcs: ['dc-hanoi'], workspaces: ['lgsp'] }));
  h.apply(link('hanoi', 'to-partner', { workspace: 'lgsp', peer: { external: { network: 'agencyWAN', cidrs: ['10.99.1.0/24'] } } }) as unknown as Obj);
  await h.run(1000);
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-partner'), 'valid: open');
  assert.is(get(h, 'NetworkLink', 'govcloud-hanoi', 'to-partner')?.status?.active, true);

  const hcm = get(h, 'DataCentre', undefined, 'dc-hcm')!;
  h.apply({ ...hcm, spec: { ...hcm.spec, networkRanges: [...hcm.spec.networkRanges, '10.99.0.0/16'] } });
  await h.run(2000);
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-partner'), 'the path is closed');
  const live = get(h, 'NetworkLink', 'govcloud-hanoi', 'to-partner');
  assert.is(live?.status?.active, false);
  assert.match(
    condition(live, 'Degraded')!.message,
    /rule links at spec\.peer\.external\.cidrs\[0\]: 10\.99\.1\.0\/24 lies in 10\.99\.0\.0\/16, networkRanges of DataCentre\/dc-hcm/,
  );
  assert.ok(h.events.some((e) => e.reason === 'Withdrawn' && e.regarding.name === 'to-partner'));
  assert.ok(h.events.some((e) => e.reason === 'Deactivated' && e.regarding.name === 'to-partner'));
  await h.stop();
});

test('a link pair between two workspaces of one agency opens nothing; a rejected link answers no peer', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('hanoi', { code: 'H01', dcs: ['dc-hanoi'], workspaces: ['lgsp', 'portal'] }));
  await h.run(1000);
  const [egress, ingress] = linkPair({ agency: 'hanoi', workspace: 'lgsp' }, { agency: 'hanoi', workspace: 'portal' });
  ingress.metadata.name = 'from-lgsp';
  h.apply(egress as unknown as Obj);
  h.apply(ingress as unknown as Obj);
  await h.run(1000);
  for (const name of ['to-hanoi', 'from-lgsp']) {
    assert.equal(ownedNames(h, 'dc-hanoi', `NetworkLink.govcloud-hanoi.${name}`), [], `${name}: nothing rendered`);
    assert.match(
      condition(get(h, 'NetworkLink', 'govcloud-hanoi', name), 'Degraded')!.message,
      /rule self-links at spec\.peer\.agency: a link cannot connect workspace/,
    );
    assert.ok(warnings(h, name).some((e) => /rule self-links/.test(e.note ?? '')));
  }

  // Between two agencies, a peer link the rules reject (unencrypted at level 3) does not open the valid side either.
  h.apply(agency('bkhcn', { code: 'G09', level: 3, dcs: ['dc-hanoi'], workspaces: ['ndxp'] }));
  const [out, back] = linkPair({ agency: 'hanoi', workspace: 'lgsp' }, { agency: 'bkhcn', workspace: 'ndxp' }, { encrypted: true });
  h.apply(out as unknown as Obj);
  h.apply({ ...(back as unknown as Obj), spec: { ...back.spec, encrypted: false, peer: back.spec.peer } });
  await h.run(2000);
  assert.is(condition(get(h, 'NetworkLink', 'govcloud-bkhcn', 'from-hanoi'), 'Degraded')?.reason, 'RuleViolation');
  const valid = get(h, 'NetworkLink', 'govcloud-hanoi', 'to-bkhcn');
  assert.is(valid?.status?.active, false);
  assert.is(condition(valid, 'Progressing')?.reason, 'WaitingForPeer', JSON.stringify(valid?.status));
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-bkhcn'));
  await h.stop();
});

test("an agency rejected through another object's change closes its links and its peers' links", async () => {
  const h = await harness({ objects: dataCentres() });
  const parent = h.apply(agency('bkhcn', { code: 'G09', dcs: ['dc-hanoi'], workspaces: ['ndxp'] }));
  h.apply(agency('hanoi', { code: 'H01', dcs: ['dc-hanoi'], workspaces: ['lgsp'] }));
  const child = agency('sokhcn', { code: 'H01.10', dcs: ['dc-hanoi'], workspaces: ['api'] });
  h.apply({ ...child, spec: { ...child.spec, parent: 'bkhcn' } });
  await h.run(1000);
  const [out, back] = linkPair({ agency: 'hanoi', workspace: 'lgsp' }, { agency: 'sokhcn', workspace: 'api' });
  h.apply(out as unknown as Obj);
  h.apply(back as unknown as Obj);
  await h.run(1000);
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-sokhcn'), 'open while sokhcn is valid');
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'sokhcn-api', 'govcloud-link-from-hanoi'));

  // Only the parent changes (it names its child as its own parent): sokhcn's spec and
  // namespaces stay as they are, its verdict does not.
  h.apply({ ...parent, spec: { ...parent.spec, parent: 'sokhcn' } });
  await h.run(3000);
  assert.match(condition(h.agency('sokhcn'), 'Degraded')!.message, /rule agencies at spec\.parent: parents go round in a circle/);
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'sokhcn-api', 'govcloud-link-from-hanoi'), "the rejected agency's link is withdrawn");
  assert.match(
    condition(get(h, 'NetworkLink', 'govcloud-sokhcn', 'from-hanoi'), 'Degraded')!.message,
    /its agency sokhcn is rejected by rule agencies at spec\.parent/,
  );
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-lgsp', 'govcloud-link-to-sokhcn'), 'the peer of a rejected agency closes too');
  assert.is(get(h, 'NetworkLink', 'govcloud-hanoi', 'to-sokhcn')?.status?.active, false);
  await h.stop();
});

test("an agency whose namespaces would be the platform's own gets nothing: govcloud-system stays untouched", async () => {
  const h = await harness({ objects: dataCentres() });
  h.cluster('dc-hanoi').server.put({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'govcloud-system', labels: { 'app.kubernetes.io/managed-by': 'govcloud' } },
  });
  h.apply(agency('system', { code: 'G98', dcs: ['dc-hanoi'], workspaces: ['app'] }));
  await h.run(1000);
  for (const dc of ['dc-hanoi', 'dc-hcm', 'dc-danang']) assert.equal(ownedNames(h, dc, 'Agency..system'), [], `${dc}: nothing rendered`);
  assert.equal(h.cluster('dc-hanoi').server.list('RoleBinding', 'govcloud-system'), []);
  assert.equal(h.cluster('dc-hanoi').server.list('ResourceQuota', 'govcloud-system'), []);
  const degraded = condition(h.agency('system'), 'Degraded');
  assert.is(degraded?.reason, 'RuleViolation');
  assert.match(degraded!.message, /rule platform-namespaces at metadata\.name: the agency's hub namespace would be govcloud-system/);
  assert.ok(warnings(h, 'system').some((e) => e.reason === 'RuleViolation' && /rule platform-namespaces/.test(e.note ?? '')));
  await h.stop();
});

test('an agency turned bad loses what opens access (bindings, allow policies) and keeps what confines (namespace, quota, default-deny)', async () => {
  const h = await harness({ objects: dataCentres() });
  const a = h.apply(agency('later', { code: 'G71', dcs: ['dc-hcm'] }));
  await h.run(1000);
  const before = ownedNames(h, 'dc-hcm', 'Agency..later');
  assert.ok(before.includes('RoleBinding later-app/govcloud-admins'), before.join(', '));
  assert.ok(
    before.some((o) => o.startsWith('NetworkPolicy later-app/govcloud-allow-')),
    before.join(', '),
  );

  h.apply({ ...a, spec: { ...a.spec, parent: 'khong-ton-tai' } });
  await h.run(2000);
  const after = ownedNames(h, 'dc-hcm', 'Agency..later');
  assert.equal(
    after,
    before.filter((o) => !o.startsWith('RoleBinding ') && !o.startsWith('NetworkPolicy later-app/govcloud-allow-')),
    'only what opened access was removed',
  );
  assert.ok(
    after.includes('Namespace later-app') &&
      after.includes('ResourceQuota later-app/govcloud-quota') &&
      after.includes('NetworkPolicy later-app/govcloud-default-deny'),
  );
  assert.match(condition(h.agency('later'), 'Degraded')!.message, /rule agencies at spec\.parent: no Agency named "khong-ton-tai"/);
  assert.ok(h.events.some((e) => e.reason === 'Withdrawn' && e.regarding.name === 'later'));

  h.apply({ ...a, spec: { ...a.spec } });
  await h.run(2000);
  assert.equal(ownedNames(h, 'dc-hcm', 'Agency..later'), before, 'fixed: everything is back');
  assert.is(condition(h.agency('later'), 'Ready')?.status, 'True');
  await h.stop();
});

test('a service whose identifier another service holds renders nothing: no workload, no policy', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('bca', { code: 'G04', dcs: ['dc-hanoi'], workspaces: ['dancu'] }));
  h.apply(populationService({ sharing: 'default' }));
  await h.run(1000);
  h.apply(populationService({ name: 'impostor', sharing: 'default' }));
  await h.run(1000);
  assert.ok(h.cluster('dc-hanoi').has('Deployment', 'bca-dancu', 'svc-population'), 'the first holder runs');
  assert.equal(ownedNames(h, 'dc-hanoi', 'SharedDataService.govcloud-bca.impostor'), [], 'the second renders nothing');
  const degraded = condition(get(h, 'SharedDataService', 'govcloud-bca', 'impostor'), 'Degraded');
  assert.is(degraded?.reason, 'RuleViolation');
  assert.match(
    degraded!.message,
    /rule services at spec\.serviceCode: identifier VN\/GOV\/G04\/csdldc\/population\/v1 is already SharedDataService\/population's/,
  );
  await h.stop();
});

test('a grant the rules reject opens no path, even for the workspaces that were requested', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('bca', { code: 'G04', dcs: ['dc-hanoi'], workspaces: ['dancu'] }));
  h.apply(agency('hanoi', { code: 'H01', dcs: ['dc-hanoi'], workspaces: ['dvc', 'web'] }));
  h.apply(populationService());
  const legal = { purpose: 'Xác thực công dân', legalBasis: 'Nghị định 47/2024' };
  h.apply({
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'population-for-dvc', namespace: 'govcloud-hanoi' },
    spec: { provider: 'bca', service: 'population', workspaces: ['dvc'], ...legal },
  });
  h.apply({
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: 'hanoi-all', namespace: 'govcloud-bca' },
    spec: { service: 'population', consumer: 'hanoi', workspaces: ['dvc', 'web'], validUntil: '2030-01-01T00:00:00Z', ...legal },
  });
  await h.run(2000);
  assert.not.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'hanoi-dvc', 'govcloud-use-bca.population'), 'no path');
  const g = get(h, 'AccessGrant', 'govcloud-bca', 'hanoi-all');
  assert.is(g?.status?.active, false);
  assert.is(condition(g, 'Degraded')?.reason, 'RuleViolation');
  assert.match(condition(g, 'Degraded')!.message, /rule access-grants at spec\.workspaces\[1\]: workspace "web" was not requested/);
  assert.ok(warnings(h, 'hanoi-all').some((e) => /rule access-grants/.test(e.note ?? '')));
  await h.stop();
});

test.run();
