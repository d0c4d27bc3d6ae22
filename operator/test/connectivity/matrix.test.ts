/** The matrix over a small plain-manifest fixture, its JSON shape, and --explain text. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fileURLToPath } from 'node:url';
import { loadPaths } from '../../src/load/documents.ts';
import { explain, formatExplanation, resolveEnd } from '../../src/connectivity/explain.ts';
import { plainView, type View } from '../../src/connectivity/view.ts';
import { buildMatrix, destinationLabel, destinationPort, sourceKey, type Cell } from '../../src/connectivity/matrix.ts';
import { compactCells, decidedBy, expandCells, matrixJson, matrixRows, matrixSummary } from '../../src/connectivity/report.ts';
import { host } from './fixtures.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/plain/', import.meta.url));

async function fixtureView(hosts = [host('partner', '198.51.100.0/24')]): Promise<View> {
  const load = await loadPaths([FIXTURE]);
  assert.equal(load.problems, []);
  const view = plainView(
    load.documents.map((d) => ({ value: d.value, source: d })),
    hosts,
  );
  assert.equal(view.inventory.problems, []);
  return view;
}

function cell(cells: Cell[], source: string, destination: string, port?: string): Cell {
  const found = cells.filter(
    (c) => sourceKey(c.source) === source && destinationLabel(c.destination) === destination && (port === undefined || destinationPort(c.destination) === port),
  );
  assert.is(found.length, 1, `one cell ${source} → ${destination} ${port ?? ''}, found ${found.length}`);
  return found[0] as Cell;
}

test('the inventory: workloads become pods, undeclared nothing, Services kept', async () => {
  const view = await fixtureView();
  assert.equal(
    view.inventory.namespaces.map((n) => n.name),
    ['monitoring', 'payments', 'shop'],
  );
  assert.equal(
    view.inventory.endpoints.map((e) => `${e.kind} ${e.namespace}/${e.name}`),
    ['Deployment payments/api', 'StatefulSet payments/worker', 'Deployment shop/frontend'],
  );
  assert.equal(
    view.inventory.services.map((s) => `${s.namespace}/${s.name}`),
    ['payments/api', 'shop/frontend'],
  );
  assert.is(view.inventory.policies.length, 3);
});

test('matrix: sources are namespaces (and hosts), destinations Service ports, unserved pods and hosts', async () => {
  const { matrix } = { matrix: buildMatrix((await fixtureView()).input) };
  assert.equal(matrix.sources.map(sourceKey), ['monitoring', 'payments', 'shop', 'host:partner']);
  assert.equal(
    matrix.destinations.map((d) => `${destinationLabel(d)} ${destinationPort(d)}`),
    ['payments/api (Service) 443/TCP → https', 'shop/frontend (Service) 80/TCP → http', 'payments/worker (StatefulSet) 9000/TCP (metrics)', 'partner *'],
  );
  // 3 namespaces × 4 destinations + the host × 3 in-cluster destinations.
  assert.is(matrix.cells.length, 15);
});

test('matrix verdicts follow the policies, with the deciding ones named', async () => {
  const { cells } = buildMatrix((await fixtureView()).input);
  const shopToApi = cell(cells, 'shop', 'payments/api (Service)');
  assert.is(shopToApi.verdict, 'allowed');
  assert.equal(shopToApi.destination.kind === 'Service' && shopToApi.destination.pods, ['api']);
  assert.equal(shopToApi.ingress.isolatedBy, ['payments/allow-api', 'payments/default-deny']);
  assert.equal(shopToApi.ingress.allowedBy, [{ policy: 'payments/allow-api', direction: 'ingress', rule: 0, peer: 0, port: 0 }]);
  assert.is(decidedBy(shopToApi), 'ingress payments/allow-api[0]');

  const monToApi = cell(cells, 'monitoring', 'payments/api (Service)');
  assert.is(monToApi.verdict, 'denied');
  assert.is(monToApi.pairs.total, 1, 'monitoring has no pods: one unlabelled pod stands for it');
  assert.equal(monToApi.source, { kind: 'Namespace', namespace: 'monitoring', pods: [], unlabelledPod: true });
  assert.is(decidedBy(monToApi), 'ingress isolated by payments/allow-api, payments/default-deny, no rule allows');

  assert.is(cell(cells, 'monitoring', 'payments/worker (StatefulSet)').verdict, 'allowed');
  assert.is(cell(cells, 'shop', 'payments/worker (StatefulSet)').verdict, 'denied');
  assert.is(cell(cells, 'payments', 'payments/api (Service)').verdict, 'denied', 'same namespace, but not the frontend');
  assert.equal(cell(cells, 'payments', 'shop/frontend (Service)').pairs, { total: 2, allowed: 2 }, 'api and worker both reach it');
  assert.is(cell(cells, 'host:partner', 'shop/frontend (Service)').verdict, 'allowed');
  assert.is(cell(cells, 'host:partner', 'payments/api (Service)').verdict, 'denied');
  const toPartner = cell(cells, 'shop', 'partner');
  assert.is(toPartner.verdict, 'allowed');
  assert.equal(toPartner.openPorts, ['all/TCP', 'all/UDP', 'all/SCTP']);
});

test('a partial cell: some source pods allowed, others not', async () => {
  const view = await fixtureView();
  // shop gets a second workload that is not the frontend.
  const load = await loadPaths([FIXTURE]);
  const extra = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'batch', namespace: 'shop' },
    spec: { template: { metadata: { labels: { app: 'batch' } }, spec: { containers: [{ name: 'b', image: 'x' }] } } },
  };
  const v2 = plainView([...load.documents.map((d) => ({ value: d.value, source: d })), { value: extra }], view.input.hosts);
  const c = cell(buildMatrix(v2.input).cells, 'shop', 'payments/api (Service)');
  assert.is(c.verdict, 'partial');
  assert.equal(c.pairs, { total: 2, allowed: 1 });
});

test('table rows are grouped by source namespace; denied cells counted unless asked for', async () => {
  const matrix = buildMatrix((await fixtureView()).input);
  const groups = matrixRows(matrix);
  assert.equal(
    groups.map((g) => g.source),
    ['monitoring', 'payments', 'shop', 'host:partner'],
  );
  const mon = groups[0]!;
  assert.equal(
    mon.rows.map((r) => r.slice(0, 4)),
    [
      ['monitoring', 'shop/frontend (Service)', '80/TCP → http', 'allowed'],
      ['', 'payments/worker (StatefulSet)', '9000/TCP (metrics)', 'allowed'],
      ['', 'partner', 'all ports', 'allowed'],
    ],
  );
  assert.is(mon.denied, 1);
  const all = matrixRows(matrix, { all: true });
  assert.is(all[0]!.rows.length, 4);
  assert.is(all[0]!.denied, 0);
});

test('JSON: every source, destination, port, verdict and deciding policies', async () => {
  const json = JSON.parse(JSON.stringify(matrixJson(buildMatrix((await fixtureView()).input))));
  assert.equal(Object.keys(json), ['sources', 'destinations', 'cells']);
  const cells = expandCells(json) as { source: { namespace?: string }; destination: { name: string } }[];
  assert.is(cells.length, 15);
  const c = cells.find((x: { source: { namespace?: string }; destination: { name: string } }) => x.source.namespace === 'shop' && x.destination.name === 'api');
  assert.equal(c, {
    source: { kind: 'Namespace', namespace: 'shop', pods: ['frontend'] },
    destination: { kind: 'Service', namespace: 'payments', name: 'api', port: 443, protocol: 'TCP', targetPort: 'https', pods: ['api'] },
    verdict: 'allowed',
    pairs: { total: 1, allowed: 1 },
    policies: {
      egress: { isolatedBy: [], allowedBy: [] },
      ingress: {
        isolatedBy: ['payments/allow-api', 'payments/default-deny'],
        allowedBy: [{ policy: 'payments/allow-api', direction: 'ingress', rule: 0, peer: 0, port: 0 }],
      },
    },
  });
});

test('--explain: verdict per port, isolating policies, the matching rule or its absence', async () => {
  const view = await fixtureView();
  const src = resolveEnd('shop/frontend', view.input);
  const dst = resolveEnd('payments/api', view.input);
  assert.ok(src.ok && dst.ok);
  if (!src.ok || !dst.ok) return;
  const text = formatExplanation(explain(view.input, src.end, dst.end), view.inventory.policies);
  assert.is(
    text,
    [
      'shop/frontend (Deployment) → payments/api (Deployment)',
      '  8443/TCP (https; Service payments/api port 443): ALLOWED',
      '    egress of shop/frontend: not isolated (no policy in shop selects it with Egress in its policyTypes): allowed',
      '    ingress of payments/api: isolated by payments/allow-api, payments/default-deny; allowed by payments/allow-api ingress[0] (from[0] namespaceSelector team=shop + podSelector app=frontend; ports[0] https/TCP)',
      '',
    ].join('\n'),
  );
  const mon = resolveEnd('monitoring', view.input);
  assert.ok(mon.ok);
  if (!mon.ok) return;
  const denied = formatExplanation(explain(view.input, mon.end, dst.end), view.inventory.policies);
  assert.match(denied, 'monitoring/* (any unlabelled pod of namespace monitoring, which has no pods) → payments/api (Deployment)');
  assert.match(denied, '8443/TCP (https; Service payments/api port 443): DENIED');
  assert.match(denied, 'ingress of payments/api: isolated by payments/allow-api, payments/default-deny; no ingress rule of these policies matches: denied');
});

test('--explain to a Service uses its ports; to an IP, every port is summarised', async () => {
  const view = await fixtureView();
  const src = resolveEnd('shop', view.input);
  const svc = resolveEnd('shop/frontend', view.input);
  const ip = resolveEnd('198.51.100.7', view.input);
  assert.ok(src.ok && svc.ok && ip.ok);
  if (!src.ok || !svc.ok || !ip.ok) return;
  assert.is(ip.end.parties[0]?.kind === 'host' && ip.end.parties[0].host.name, '198.51.100.7/32 in partner');
  const toIp = explain(view.input, src.end, ip.end);
  assert.equal(
    toIp.pairs[0]?.spans?.map((s) => s.verdict),
    ['allowed', 'allowed', 'allowed'],
  );
  const api = resolveEnd('payments/api', view.input);
  assert.ok(api.ok);
  if (!api.ok) return;
  const fromIp = formatExplanation(explain(view.input, ip.end, api.end), view.inventory.policies);
  assert.match(fromIp, 'egress: 198.51.100.7/32 in partner is outside the cluster; no NetworkPolicy governs it');
  assert.match(fromIp, '8443/TCP (https; Service payments/api port 443): DENIED');
  const unknown = resolveEnd('nowhere/x', view.input);
  assert.equal(unknown, { ok: false, message: 'no pod, workload or Service nowhere/x' });
});

test('--explain to a Service name evaluates the target port of each of its ports', async () => {
  const load = await loadPaths([FIXTURE]);
  const www = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'www', namespace: 'shop' },
    spec: { selector: { app: 'frontend' }, ports: [{ port: 443, targetPort: 8080 }] },
  };
  const view = plainView([...load.documents.map((d) => ({ value: d.value, source: d })), { value: www }]);
  const src = resolveEnd('payments', view.input);
  const dst = resolveEnd('shop/www', view.input);
  assert.ok(src.ok && dst.ok);
  if (!src.ok || !dst.ok) return;
  const x = explain(view.input, src.end, dst.end);
  assert.equal(
    x.pairs.map((p) => p.ports.map((r) => `${r.label}: ${r.verdict}`)),
    [['8080/TCP (Service www port 443): allowed'], ['8080/TCP (Service www port 443): allowed']],
  );
});

test('JSON cells aggregated: identical cells once, with their sources and destinations; expanded, the same matrix', async () => {
  const matrix = buildMatrix((await fixtureView()).input);
  const compact = compactCells(matrix);
  assert.ok(compact.length < matrix.cells.length, `${compact.length} entries for ${matrix.cells.length} cells`);
  // No two entries hold the same cell for the same destinations: those would have been merged.
  const keys = compact.map((c) => JSON.stringify({ ...c, sources: [] }));
  assert.is(new Set(keys).size, keys.length);
  // Expanded, the entries give back every cell exactly once, in the matrix's order.
  const plain = matrix.cells.map((c) => ({
    source: c.source,
    destination: c.destination,
    verdict: c.verdict,
    pairs: c.pairs,
    policies: { egress: c.egress, ingress: c.ingress },
    ...(c.openPorts ? { openPorts: c.openPorts } : {}),
  }));
  assert.equal(
    JSON.parse(JSON.stringify(expandCells({ sources: matrix.sources, destinations: matrix.destinations, cells: compact }))),
    JSON.parse(JSON.stringify(plain)),
  );
  // A denied cell repeated for several destinations of one source is one entry.
  const merged = compact.find((c) => c.destinations.length > 1 || c.sources.length > 1);
  assert.ok(merged, 'some entry stands for several cells');
});

test("summary: counts by verdict are the full matrix's; every open cell is in exactly one group", async () => {
  const matrix = buildMatrix((await fixtureView()).input);
  const s = matrixSummary(matrix, 1);
  const count = (v: string) => matrix.cells.filter((c) => c.verdict === v).length;
  assert.equal(s.verdicts, { allowed: count('allowed'), partial: count('partial'), denied: count('denied'), 'no-endpoints': count('no-endpoints') });
  assert.is(s.cells, matrix.cells.length);
  assert.is(s.sources, matrix.sources.length);
  assert.is(s.destinations, matrix.destinations.length);
  assert.is(
    s.open.reduce((n, g) => n + g.sources, 0),
    count('allowed') + count('partial'),
  );
  for (const g of s.open) assert.ok(g.first.length === Math.min(1, g.sources), 'at most the number asked for is named');
  const rows = matrixRows(matrix).flatMap((g) => g.rows);
  assert.is(rows.length, count('allowed') + count('partial'), 'the detail lists as many open paths');
});

test('matrix against a previous one: only cells touching a changed namespace are evaluated again, the result the same as in full', async () => {
  const load = await loadPaths([FIXTURE]);
  const all = load.documents.map((d) => ({ value: d.value, source: d }));
  const previous = buildMatrix(plainView(all, [host('partner', '198.51.100.0/24')]).input);
  // payments loses its policies: every cell from or to payments opens.
  const withoutPolicies = all.filter((o) => (o.value as { kind?: string }).kind !== 'NetworkPolicy');
  const input = plainView(withoutPolicies, [host('partner', '198.51.100.0/24')]).input;
  const full = buildMatrix(input);
  const incremental = buildMatrix(input, undefined, { cells: previous.cells, changed: new Set(['payments']) });
  assert.equal(incremental, full);
  assert.not.equal(full.cells, previous.cells);
  // A cell between namespaces that did not change is the previous one, not evaluated again.
  const kept = cell(incremental.cells, 'monitoring', 'shop/frontend (Service)');
  assert.ok(kept === cell(previous.cells, 'monitoring', 'shop/frontend (Service)'));
  // Naming the wrong namespaces keeps stale cells: the set decides what is evaluated.
  const stale = buildMatrix(input, undefined, { cells: previous.cells, changed: new Set(['shop']) });
  assert.not.equal(stale, full);
});

test.run();
