/** planDiff: what a change to the samples does, per data centre, and the access it opens and closes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { accessPairs, pairKey, type AccessPair } from '../../src/gitops/access.ts';
import { planDiff, isEmpty } from '../../src/gitops/plan-diff.ts';
import { renderPlatform } from '../../src/render/index.ts';
import { GRANT_FOR_THUE, NOW, POPULATION_FOR_THUE, sampleText, samplesWith } from './fixtures.ts';

const base = samplesWith({});

test('no change: nothing added, changed, removed, opened or closed', () => {
  const d = planDiff(base.platform, samplesWith({}).platform, NOW);
  assert.ok(isEmpty(d));
  assert.equal(d.access, { opened: [], closed: [], changed: [] });
});

test('a grant renewed: the same path open before and after, changed in its window only', () => {
  const grants = sampleText('samples/tenants/bca/grants.yaml');
  const renewed = grants.replace('validUntil: "2030-12-31T00:00:00Z"', 'validUntil: "2032-12-31T00:00:00Z"');
  assert.is.not(renewed, grants);
  const d = planDiff(base.platform, samplesWith({ 'samples/tenants/bca/grants.yaml': renewed }).platform, NOW);
  assert.equal(d.access.opened, []);
  assert.equal(d.access.closed, []);
  assert.equal(
    d.access.changed.map((c) => `${c.after.source} → ${c.after.destination}: ${c.before.window.validUntil} → ${c.after.window.validUntil}`),
    ['hanoi-dvc → bca-dancu/svc-population (Service): 2030-12-31T00:00:00Z → 2032-12-31T00:00:00Z'],
  );
  assert.equal(
    d.records.changed.map((c) => c.fields),
    [[{ path: 'spec.validUntil', before: '2030-12-31T00:00:00Z', after: '2032-12-31T00:00:00Z' }]],
  );
  assert.ok(!isEmpty(d));
});

test('a request and its grant: two records added, exactly one access pair opened, justified by both, with the window where both hold', () => {
  const head = samplesWith({ 'samples/tenants/btc/thue.yaml': POPULATION_FOR_THUE + '---\n' + GRANT_FOR_THUE });
  const d = planDiff(base.platform, head.platform, NOW);
  assert.equal(
    d.records.added.map((o) => `${o.kind}/${o.metadata.name}`),
    ['AccessGrant/btc-thue', 'AccessRequest/population-for-thue'],
  );
  assert.is(d.records.changed.length + d.records.removed.length, 0);
  assert.is(d.access.closed.length, 0);
  assert.is(d.access.opened.length, 1);
  const [pair] = d.access.opened;
  assert.equal(
    {
      dataCentre: pair!.dataCentre,
      source: pair!.source,
      sourceWorkspace: pair!.sourceWorkspace,
      destination: pair!.destination,
      port: pair!.port,
      verdict: pair!.verdict,
    },
    {
      dataCentre: 'dc-hanoi',
      source: 'btc-thue',
      sourceWorkspace: 'btc/thue',
      destination: 'bca-dancu/svc-population (Service)',
      port: '8443/TCP',
      verdict: 'allowed',
    },
  );
  assert.equal(pair!.justifications, [
    {
      basis: 'request and grant',
      records: [
        { kind: 'SharedDataService', namespace: 'govcloud-bca', name: 'population' },
        { kind: 'AccessRequest', namespace: 'govcloud-btc', name: 'population-for-thue', validUntil: '2029-01-01T00:00:00Z' },
        { kind: 'AccessGrant', namespace: 'govcloud-bca', name: 'btc-thue', validFrom: '2026-01-01T00:00:00Z', validUntil: '2028-01-01T00:00:00Z' },
      ],
    },
  ]);
  assert.equal(pair!.window, { validFrom: '2026-01-01T00:00:00Z', validUntil: '2028-01-01T00:00:00Z' });
  // The objects: the consumer's egress policy added, the provider's ingress policy changed field by field.
  const hanoi = d.dataCentres.find((x) => x.dataCentre === 'dc-hanoi')!;
  assert.equal(
    hanoi.objects.added.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`),
    ['NetworkPolicy btc-thue/govcloud-use-bca.population'],
  );
  assert.equal(
    hanoi.objects.changed.map((c) => `${c.after.kind} ${c.after.metadata.namespace}/${c.after.metadata.name}`),
    ['NetworkPolicy bca-dancu/govcloud-svc-population'],
  );
  assert.ok(hanoi.objects.changed[0]!.fields.every((f) => f.path.startsWith('spec.ingress[0].from[0].namespaceSelector')));
  assert.equal(hanoi.objects.removed, []);
  for (const other of d.dataCentres.filter((x) => x.dataCentre !== 'dc-hanoi'))
    assert.is(other.objects.added.length + other.objects.changed.length + other.objects.removed.length, 0, other.dataCentre);
});

test('a grant that expires before now opens nothing; revoking one closes the access it justified', () => {
  const expired = GRANT_FOR_THUE.replace('validUntil: "2028-01-01T00:00:00Z"', 'validUntil: "2026-02-01T00:00:00Z"');
  const head = samplesWith({ 'samples/tenants/btc/thue.yaml': POPULATION_FOR_THUE + '---\n' + expired });
  assert.equal(planDiff(base.platform, head.platform, NOW).access.opened, []);

  const revoked = samplesWith({ 'samples/tenants/bca/grants.yaml': null });
  const d = planDiff(base.platform, revoked.platform, NOW);
  assert.equal(
    d.records.removed.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`),
    ['AccessGrant/govcloud-bca/hanoi-dvc'],
  );
  assert.equal(d.access.opened, []);
  assert.equal(
    d.access.closed.map((p) => `${p.dataCentre} ${p.source} → ${p.destination} ${p.port}`),
    ['dc-hanoi hanoi-dvc → bca-dancu/svc-population (Service) 8443/TCP'],
  );
  assert.equal(
    d.access.closed[0]!.justifications.map((j) => [j.basis, j.records.map((r) => r.name)]),
    [['request and grant', ['population', 'population-for-dvc', 'hanoi-dvc']]],
  );
  assert.equal(d.access.closed[0]!.window, { validFrom: '2025-01-01T00:00:00Z', validUntil: '2030-12-31T00:00:00Z' });
});

test('removing one half of a link pair closes the path, justified by the pair', () => {
  const d = planDiff(base.platform, samplesWith({ 'samples/tenants/hanoi/links.yaml': null }).platform, NOW);
  const closed = d.access.closed.find((p) => p.source === 'hanoi-lgsp' && p.destination === 'bkhcn-ndxp/svc-ndxp (Service)');
  assert.ok(closed, JSON.stringify(d.access.closed.map((p) => `${p.source} ${p.destination}`)));
  assert.equal(
    closed!.justifications.map((j) => [j.basis, j.records.map((r) => `${r.kind}/${r.namespace}/${r.name}`)]),
    [['link pair', ['NetworkLink/govcloud-bkhcn/from-hanoi-lgsp', 'NetworkLink/govcloud-hanoi/lgsp-to-ndxp']]],
  );
  assert.equal(d.access.opened, []);
});

test('a quota raised: the record changes field by field, the quota delta per data centre against the capacity', () => {
  const bca = sampleText('samples/agencies/bca.yaml');
  const raised = bca.replace('      cpu: 96\n', '      cpu: 128\n');
  assert.is.not(raised, bca);
  const d = planDiff(base.platform, samplesWith({ 'samples/agencies/bca.yaml': raised }).platform, NOW);
  assert.equal(
    d.records.changed.map((c) => [c.after.kind, c.after.metadata.name, c.fields]),
    [['Agency', 'bca', [{ path: 'spec.quotas[0].cpu', before: 96, after: 128 }]]],
  );
  const hanoi = d.dataCentres.find((x) => x.dataCentre === 'dc-hanoi')!;
  assert.is(hanoi.quota.cpu.delta, '+32');
  assert.is(Number(hanoi.quota.cpu.after) - Number(hanoi.quota.cpu.before), 32);
  assert.is(hanoi.quota.memory.delta, '0');
  assert.is(hanoi.capacity.cpu.delta, '0');
  assert.ok(hanoi.objects.changed.length > 0 && hanoi.objects.changed.every((c) => c.after.kind === 'ResourceQuota'));
  assert.is(d.dataCentres.find((x) => x.dataCentre === 'dc-hcm')!.quota.cpu.delta, '0');
  assert.equal(d.access, { opened: [], closed: [], changed: [] });
});

test('default sharing: a new workspace of a level-2 agency reaches the default services, no window; a level-3 declaration withdrawn closes its path', () => {
  const quangninh = sampleText('samples/agencies/quangninh.yaml');
  const grown = quangninh.replace('  workspaces:\n', '  workspaces:\n    - name: y-te\n      dataClass: shared\n');
  assert.is.not(grown, quangninh);
  const d = planDiff(base.platform, samplesWith({ 'samples/agencies/quangninh.yaml': grown }).platform, NOW);
  const opened = d.access.opened.filter((p) => p.source === 'quangninh-y-te');
  assert.equal(
    opened.map((p) => `${p.dataCentre} ${p.destination} ${p.port}`),
    ['dc-hanoi bkhcn-ndxp/svc-ndxp (Service) 8443/TCP', 'dc-hanoi vpcp-lienthong/svc-document-exchange (Service) 8443/TCP'],
  );
  for (const p of opened) {
    assert.equal(
      p.justifications.map((j) => [j.basis, j.records.map((r) => r.kind)]),
      [['default sharing', ['SharedDataService']]],
    );
    assert.equal(p.window, {});
  }
  assert.equal(d.access.closed, []);

  const requests = sampleText('samples/tenants/hanoi/requests.yaml');
  const withdrawn = requests.slice(0, requests.indexOf('\n---\n') + 1);
  const w = planDiff(base.platform, samplesWith({ 'samples/tenants/hanoi/requests.yaml': withdrawn }).platform, NOW);
  assert.equal(w.access.opened, []);
  assert.equal(
    w.access.closed.map((p) => `${p.source} → ${p.destination}`),
    ['hanoi-dvc → vpcp-lienthong/svc-document-exchange (Service)'],
  );
  assert.equal(
    w.access.closed[0]!.justifications.map((j) => [j.basis, j.records.map((r) => `${r.kind}/${r.name}`)]),
    [['default sharing, declared by request', ['SharedDataService/document-exchange', 'AccessRequest/document-exchange-for-dvc']]],
  );
});

test('a data centre the change leaves alone keeps its matrix: the access found is what evaluating both sides in full finds', () => {
  const grants = sampleText('samples/tenants/bca/grants.yaml');
  const cases = [
    samplesWith({ 'samples/tenants/btc/thue.yaml': POPULATION_FOR_THUE + '---\n' + GRANT_FOR_THUE }),
    samplesWith({ 'samples/tenants/bca/grants.yaml': grants.replace('validUntil: "2030-12-31T00:00:00Z"', 'validUntil: "2026-01-01T00:00:00Z"') }),
  ];
  for (const head of cases) {
    const d = planDiff(base.platform, head.platform, NOW);
    const full = (p: typeof base.platform) => accessPairs(p, renderPlatform(p, NOW), NOW);
    const before = full(base.platform);
    const after = full(head.platform);
    const keys = (list: AccessPair[]) => list.map(pairKey);
    assert.equal(keys(d.access.opened), keys(after.filter((p) => !before.some((b) => pairKey(b) === pairKey(p)))));
    assert.equal(keys(d.access.closed), keys(before.filter((p) => !after.some((a) => pairKey(a) === pairKey(p)))));
    assert.ok(d.access.opened.length + d.access.closed.length > 0, 'the change opens or closes something');
  }
});

test.run();
