/** govcloud plan: validates first, then the renderers' objects per data centre. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { issueProblem } from '../../src/cli/commands/plan.ts';
import { displayWidth } from '../../src/cli/table.ts';
import { validateSamples, cli } from '../validate/helpers.ts';

const NOW = '2026-01-01T00:00:00Z';

test('invalid input: the problems, exit 1, no plan', async () => {
  const { code, out } = await cli(['plan', 'operator/test/validate/bad/self-link.yaml', '--now', NOW]);
  assert.is(code, 1);
  assert.match(out, /self-link\.yaml:\d+: NetworkLink\/loop: spec\.peer\.agency: a link cannot connect workspace "apps" to itself/);
  assert.not.match(out, /^Plan for/m);
  const json = await cli(['plan', 'operator/test/validate/bad/self-link.yaml', '-o', 'json']);
  assert.is(json.code, 1);
  assert.is(JSON.parse(json.out).valid, false);
});

test('table: objects per kind and data centre, aligned, with totals', async () => {
  const { code, out, err } = await cli(['plan', 'samples/', '--now', NOW]);
  assert.is(code, 0, err);
  const lines = out.split('\n');
  assert.match(lines[0]!, /^Plan for samples\/ at 2026-01-01T00:00:00\.000Z: \d+ objects in 3 data centres$/);
  const header = lines[2]!;
  assert.match(header, /^KIND +dc-danang +dc-hanoi +dc-hcm +TOTAL$/);
  const rows = lines.slice(3, lines.indexOf('', 3));
  assert.ok(rows.some((r) => r.startsWith('Namespace ')));
  for (const r of rows) assert.is(displayWidth(r), displayWidth(header), `aligned: ${r}`);
  const total = rows
    .find((r) => r.startsWith('all objects'))!
    .trim()
    .split(/\s+/)
    .map(Number)
    .filter((n) => !Number.isNaN(n));
  assert.is(total[0]! + total[1]! + total[2]!, total[3]);
  assert.match(lines[0]!, new RegExp(`: ${total[3]} objects in`));
  assert.match(out, /^No issues\.$/m, 'the samples render as asked: every request/grant pair and link pair shares a data centre');
  assert.match(out, /^Next change: 2030-06-30T17:00:00\.000Z /m);
  assert.not.match(out, /\x1b/);
});

test('yaml and json list the same objects; yaml is a stream with a comment per data centre', async () => {
  const json = JSON.parse((await cli(['plan', 'samples/', '--now', NOW, '--output', 'json'])).out);
  const yamlOut = (await cli(['plan', 'samples/', '--now', NOW, '--output', 'yaml'])).out;
  assert.is(json.now, '2026-01-01T00:00:00.000Z');
  assert.equal(Object.keys(json.dataCentres), ['dc-danang', 'dc-hanoi', 'dc-hcm']);
  for (const [dc, objects] of Object.entries(json.dataCentres as Record<string, unknown[]>)) {
    assert.match(yamlOut, new RegExp(`^# data centre ${dc}: ${objects.length} objects$`, 'm'));
  }
  const docs = parseAllDocuments(yamlOut);
  const parsed = (Array.isArray(docs) ? docs : [docs]).filter((d) => d.contents !== null).map((d) => d.toJS());
  const all = Object.values(json.dataCentres as Record<string, unknown[]>).flat();
  assert.is(parsed.length, all.length);
  assert.equal(parsed, all);
  assert.not.match(yamlOut, /[&*]a\d/, 'no YAML anchors or aliases');
  assert.match(yamlOut, /Ủy ban nhân dân Thành phố Đà Nẵng/);
});

test('--data-centre: only that data centre; an unknown one is a usage error', async () => {
  const json = JSON.parse((await cli(['plan', 'samples/', '--now', NOW, '-o', 'json', '--data-centre', 'dc-hcm'])).out);
  assert.equal(Object.keys(json.dataCentres), ['dc-hcm']);
  const table = (await cli(['plan', 'samples/', '--now', NOW, '--data-centre', 'dc-hcm'])).out;
  assert.match(table, /^KIND +dc-hcm$/m);
  const bad = await cli(['plan', 'samples/', '--data-centre', 'dc-hue']);
  assert.is(bad.code, 2);
  assert.match(bad.err, /no data centre named "dc-hue" \(known: dc-danang, dc-hanoi, dc-hcm\)/);
});

test('--now makes the plan reproducible, and time matters: after the grants end they are gone', async () => {
  const a = await cli(['plan', 'samples/', '--now', NOW, '-o', 'yaml']);
  const b = await cli(['plan', 'samples/', '--now', NOW, '-o', 'yaml']);
  assert.is(a.out, b.out);
  const later = await cli(['plan', 'samples/', '--now', '2031-06-01T00:00:00Z', '-o', 'json']);
  const earlier = JSON.parse((await cli(['plan', 'samples/', '--now', NOW, '-o', 'json'])).out);
  const after = JSON.parse(later.out);
  assert.is(after.nextChange, undefined);
  assert.is.not(JSON.stringify(after.dataCentres), JSON.stringify(earlier.dataCentres));
});

test('samples: agencies at level 3 and above reach default services only where they declared them', async () => {
  const json = JSON.parse((await cli(['plan', 'samples/', '--now', NOW, '-o', 'json'])).out);
  const uses = (policy: string) =>
    (Object.values(json.dataCentres) as { kind: string; metadata: { name: string; namespace?: string } }[][])
      .flat()
      .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === policy)
      .map((o) => o.metadata.namespace)
      .filter((ns, i, all) => all.indexOf(ns) === i)
      .sort();
  // Level 3: hanoi/dvc and btc/ngan-sach declared the document exchange, bkhdt/dkkd NDXP; nobody else at level 3.
  // Level 1-2: danang, danang-svhttdl, hanoi-skhcn and quangninh, automatically; and the owner's other workspace (vpcp/egov-portal).
  assert.equal(uses('govcloud-use-vpcp.document-exchange'), [
    'btc-ngan-sach',
    'danang-smart-city',
    'danang-svhttdl-di-san',
    'danang-svhttdl-du-lich',
    'hanoi-dvc',
    'hanoi-skhcn-web',
    'quangninh-cong-du-lieu-mo',
    'quangninh-lgsp',
    'vpcp-egov-portal',
  ]);
  assert.equal(uses('govcloud-use-bkhcn.ndxp'), [
    'bkhdt-dkkd',
    'danang-smart-city',
    'danang-svhttdl-di-san',
    'danang-svhttdl-du-lich',
    'hanoi-skhcn-web',
    'quangninh-cong-du-lieu-mo',
    'quangninh-lgsp',
  ]);
});

test('render issues point at the file and line of the field that asked', () => {
  const result = validateSamples();
  const p = issueProblem(
    { owner: { kind: 'Agency', name: 'btc' }, field: 'spec.placement.dataCentres', dataCentre: 'dc-hcm', reason: 'X', message: 'refused' },
    result,
  );
  assert.equal(p, {
    file: 'samples/agencies/btc.yaml',
    line: 15,
    column: 18,
    endLine: 15,
    endColumn: 36,
    object: 'Agency/btc',
    field: 'spec.placement.dataCentres',
    message: 'refused (in dc-hcm)',
  });
  const link = issueProblem({ owner: { kind: 'NetworkLink', namespace: 'govcloud-hanoi', name: 'lgsp-to-ndxp' }, reason: 'X', message: 'm' }, result);
  assert.is(link.file, 'samples/tenants/hanoi/links.yaml');
});

test('across data centres through the exchange gateways: valid, and the plan shows the gateway objects (its workload among them) in both data centres', async () => {
  // bad/cross-data-centre.yaml without its links, with a gateway in each data centre: the on-request pair is carried.
  const source = readFileSync('operator/test/validate/bad/cross-data-centre.yaml', 'utf8');
  const docs = source.split(/^---$/m).filter((d) => !/kind: NetworkLink/.test(d));
  const text = docs
    .join('---')
    .replace('networkRanges: [10.10.0.0/16]', 'networkRanges: [10.10.0.0/16]\n  exchangeGateway: {address: 10.10.255.1}')
    .replace('networkRanges: [10.20.0.0/16]', 'networkRanges: [10.20.0.0/16]\n  exchangeGateway: {address: 10.20.255.1}');
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-plan-gateway-'));
  try {
    writeFileSync(join(dir, 'platform.yaml'), text);
    assert.equal((await cli(['validate', dir])).code, 0, 'the pair is valid through the gateways');
    const { code, out, err } = await cli(['plan', dir, '--now', NOW, '--output', 'json']);
    assert.is(code, 0, err);
    const plan = JSON.parse(out) as { dataCentres: Record<string, { kind: string; metadata: { namespace?: string; name: string } }[]>; issues: unknown[] };
    const gateway = (dc: string) =>
      plan.dataCentres[dc]!.filter((o) => o.metadata.namespace === 'govcloud-system' || o.metadata.name.startsWith('govcloud-gw-'))
        .map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)
        .sort();
    assert.equal(gateway('dc-hanoi'), [
      'Certificate govcloud-system/gw-dc-hanoi',
      'ConfigMap govcloud-system/govcloud-gateway-0',
      'Deployment govcloud-system/govcloud-gateway',
      'NetworkPolicy bca-dancu/govcloud-gw-ingress',
      'NetworkPolicy govcloud-system/govcloud-gateway',
      'ServiceAccount govcloud-system/govcloud-gateway',
    ]);
    assert.equal(gateway('dc-hcm'), [
      'Certificate govcloud-system/gw-btc.thue',
      'ConfigMap govcloud-system/govcloud-gateway-0',
      'Deployment govcloud-system/govcloud-gateway',
      'NetworkPolicy btc-thue/govcloud-gw-egress',
      'NetworkPolicy govcloud-system/govcloud-gateway',
      'ServiceAccount govcloud-system/govcloud-gateway',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
