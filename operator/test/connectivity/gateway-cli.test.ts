/**
 * `govcloud connectivity` on a platform exchanging across data centres: the paths via the
 * exchange gateways in the summary, the detail (table and JSON) and --explain, and the
 * refusals named. In most cases Bộ Tài chính is placed in dc-hanoi and dc-hcm, so the pair
 * stays valid even where a data centre has no gateway: from dc-hcm it goes through the
 * gateways, in dc-hanoi by NetworkPolicy.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { connectivityCommand } from '../../src/cli/commands/connectivity.ts';
import { captureIo } from '../../src/cli/io.ts';
import type { Platform } from '../../src/model/platform.ts';
import { linkPair } from '../render/fixtures.ts';
import { exchangePlatform } from './exchange-fixtures.ts';

const NOW = '2026-06-01T00:00:00Z';
const END = '2026-06-01T01:00:00.750Z';

async function withPlatform(p: Platform, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-gateway-cli-'));
  try {
    const all = [...p.dataCentres, ...p.agencies, ...p.links, ...p.services, ...p.requests, ...p.grants];
    writeFileSync(join(dir, 'all.yaml'), all.map((o) => stringify(o)).join('---\n'));
    const io = captureIo();
    const code = await connectivityCommand.run([dir, ...args], io);
    return { code, out: io.out(), err: io.err() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const exchange = (o: Parameters<typeof exchangePlatform>[0] = {}) => exchangePlatform({ mofIn: ['dc-hanoi', 'dc-hcm'], ...o });

test('summary: the pair from dc-hcm counts as reachable via gateway, with its grant and end; by range only gateway reaches gateway', async () => {
  const r = await withPlatform(exchange(), ['--now', NOW]);
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.out, 'Across data centres, via network range: 1 path open');
  assert.match(r.out, /^dc-hcm +dc-hanoi govcloud-system\/govcloud-gateway \(Deployment\) +8443\/TCP +partial +1: govcloud-system$/m);
  assert.match(r.out, 'Across data centres, via gateway: 1 path open');
  assert.match(
    r.out,
    /^dc-hcm +dc-hanoi bo-cong-an-app\/svc-dan-cu \(Service\) +8443\/TCP +allowed +grant bo-cong-an\/g, until 2026-06-01T01:00:00\.750Z +1: bo-tai-chinh-thue$/m,
  );
  const json = JSON.parse((await withPlatform(exchange(), ['--now', NOW, '-o', 'json'])).out);
  assert.is(json.crossDataCentre.paths, 1, 'no network range reaches the service: only the gateways reach each other');
  assert.is(json.crossDataCentre.open[0].to.name, 'govcloud-gateway');
  assert.is(json.viaGateway.paths, 1);
  assert.equal(json.viaGateway.open[0], {
    from: 'dc-hcm',
    to: {
      dataCentre: 'dc-hanoi',
      kind: 'Service',
      namespace: 'bo-cong-an-app',
      name: 'svc-dan-cu',
      port: 8443,
      protocol: 'TCP',
      agency: 'bo-cong-an',
      service: 'dan-cu',
    },
    via: 'gateway',
    pair: 'access',
    grant: 'govcloud-bo-cong-an/g',
    until: END,
    sources: 1,
    first: ['bo-tai-chinh-thue'],
  });
  const after = JSON.parse((await withPlatform(exchange(), ['--now', END, '-o', 'json'])).out);
  assert.equal(after.viaGateway, { paths: 0, open: [] }, 'closed at validUntil');
  const danang = JSON.parse((await withPlatform(exchange(), ['--now', NOW, '-o', 'json', '--data-centre', 'dc-danang'])).out);
  assert.is(danang.viaGateway.paths, 0, 'only paths from or to the data centre asked for');
});

test('--detail: the hop (listener at the consumer gateway), grant, request and end, in the table and the JSON', async () => {
  const r = await withPlatform(exchange(), ['--now', NOW, '--detail']);
  assert.is(r.code, 0, r.out + r.err);
  const row =
    /^dc-hcm bo-tai-chinh-thue +dc-hanoi bo-cong-an-app\/svc-dan-cu \(Service\) +8443\/TCP +allowed +listener (\d+) at gateway dc-hcm; via gateway, grant bo-cong-an\/g, request bo-tai-chinh\/dan-cu, until 2026-06-01T01:00:00\.750Z$/m.exec(
      r.out,
    );
  assert.ok(row, r.out);
  const json = JSON.parse((await withPlatform(exchange(), ['--now', NOW, '--detail', '-o', 'json'])).out);
  assert.equal(json.viaGateway, [
    {
      from: { dataCentre: 'dc-hcm', namespace: 'bo-tai-chinh-thue', agency: 'bo-tai-chinh', workspace: 'thue' },
      to: {
        dataCentre: 'dc-hanoi',
        kind: 'Service',
        namespace: 'bo-cong-an-app',
        name: 'svc-dan-cu',
        port: 8443,
        protocol: 'TCP',
        agency: 'bo-cong-an',
        service: 'dan-cu',
      },
      verdict: 'allowed',
      via: 'gateway',
      pair: 'access',
      gateway: { listenPort: Number(row![1]), exchangePort: 8443 },
      request: 'govcloud-bo-tai-chinh/dan-cu',
      grant: 'govcloud-bo-cong-an/g',
      until: END,
    },
  ]);
  assert.not.ok(
    json.crossDataCentre.some((c: { to: { name: string } }) => c.to.name === 'svc-dan-cu'),
    'never via network range',
  );
});

test('--explain across data centres: the readable path when a route exists, and why not when none does', async () => {
  const ok = await withPlatform(exchange(), ['--now', NOW, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu']);
  assert.is(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, 'In data centre dc-hanoi:', 'inside dc-hanoi, by NetworkPolicy');
  assert.match(
    ok.out,
    'Across data centres, through the exchange gateways:\nbo-tai-chinh-thue (dc-hcm) → bo-cong-an-app/svc-dan-cu (dc-hanoi): ALLOWED via gateway\n',
  );
  assert.match(
    ok.out,
    /^ {2}dc-hcm\/bo-tai-chinh\/thue → gateway dc-hcm \(listener \d+\) → mutual TLS → gateway dc-hanoi → bo-cong-an\/dan-cu:8443; via gateway, grant bo-cong-an\/g, request bo-tai-chinh\/dan-cu, until 2026-06-01T01:00:00\.750Z$/m,
  );

  const other = await withPlatform(exchange(), ['--now', NOW, '--explain', 'bo-y-te-bhyt', 'bo-cong-an-app/svc-dan-cu']);
  assert.is(other.code, 0, other.err);
  assert.is(
    other.out,
    'Across data centres, through the exchange gateways:\n' +
      'bo-y-te-bhyt (dc-hcm) → bo-cong-an-app/svc-dan-cu (dc-hanoi): REFUSED, no gateway route\n' +
      '  no AccessRequest of agency bo-y-te for bo-cong-an/dan-cu\n',
  );
  const expired = await withPlatform(exchange(), ['--now', END, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu']);
  assert.match(expired.out, `REFUSED, no gateway route\n  AccessGrant bo-cong-an/g expired at ${END} (now: ${END})\n`);
  const noGrant = await withPlatform(exchange({ grants: [] }), ['--now', NOW, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu']);
  assert.match(noGrant.out, 'REFUSED, no gateway route\n  no AccessGrant of agency bo-cong-an for dan-cu to agency bo-tai-chinh\n');
  const noGateway = await withPlatform(exchange({ gateways: ['dc-hanoi'] }), ['--now', NOW, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu']);
  assert.match(
    noGateway.out,
    'REFUSED, no gateway route\n' +
      '  GatewayUnavailable: give a data centre on each side spec.exchangeGateway and spec.encryptedLinks: true to exchange through the gateways (DataCentre/dc-hcm lacks spec.exchangeGateway)\n',
  );

  const json = JSON.parse((await withPlatform(exchange(), ['--now', END, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu', '-o', 'json'])).out);
  assert.equal(json.viaGateway, [
    {
      from: { dataCentre: 'dc-hcm', namespace: 'bo-tai-chinh-thue' },
      to: { dataCentre: 'dc-hanoi', namespace: 'bo-cong-an-app', name: 'svc-dan-cu' },
      verdict: 'refused',
      reasons: [`AccessGrant bo-cong-an/g expired at ${END} (now: ${END})`],
    },
  ]);
  const local = JSON.parse((await withPlatform(exchange(), ['--now', NOW, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu', '-o', 'json'])).out);
  assert.equal(
    local.explanations.map((x: { dataCentre: string }) => x.dataCentre),
    ['dc-hanoi'],
  );
  assert.equal(
    local.viaGateway.map((x: { verdict: string; paths: { from: { dataCentre: string } }[] }) => [x.verdict, x.paths[0]!.from.dataCentre]),
    [['allowed', 'dc-hcm']],
  );
});

test('a platform without gateways shows no gateway section; explaining a pair across data centres there says what is missing', async () => {
  const none = exchange({ gateways: [] });
  const r = await withPlatform(none, ['--now', NOW]);
  assert.is(r.code, 0, r.err);
  assert.not.match(r.out, 'via gateway');
  const x = await withPlatform(none, ['--now', NOW, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu']);
  assert.match(x.out, '(DataCentre/dc-hcm lacks spec.exchangeGateway, DataCentre/dc-hanoi lacks spec.exchangeGateway)\n');
});

test('a consumer only in dc-hcm (valid now that the gateways carry it): via gateway, and nowhere else', async () => {
  const r = await withPlatform(exchangePlatform(), ['--now', NOW, '--detail', '-o', 'json']);
  assert.is(r.code, 0, r.out + r.err);
  const json = JSON.parse(r.out);
  assert.equal(
    json.viaGateway.map(
      (p: { from: { namespace: string }; to: { dataCentre: string; name: string } }) => `${p.from.namespace} → ${p.to.dataCentre} ${p.to.name}`,
    ),
    ['bo-tai-chinh-thue → dc-hanoi svc-dan-cu'],
  );
  assert.not.ok(
    json.crossDataCentre.some((c: { to: { name: string } }) => c.to.name === 'svc-dan-cu'),
    'never via network range',
  );
  const x = await withPlatform(exchangePlatform(), ['--now', NOW, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu']);
  assert.is(x.code, 0, x.err);
  assert.match(
    x.out,
    /^Across data centres, through the exchange gateways:\nbo-tai-chinh-thue \(dc-hcm\) → bo-cong-an-app\/svc-dan-cu \(dc-hanoi\): ALLOWED via gateway\n/,
  );
  assert.not.match(x.out, 'In data centre', 'the two ends share no data centre');
  const hcm = await withPlatform(exchangePlatform(), ['--now', NOW, '--data-centre', 'dc-hcm', '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/svc-dan-cu']);
  assert.match(hcm.out, 'ALLOWED via gateway', 'a path from the data centre asked for');
  const danang = await withPlatform(exchangePlatform(), [
    '--now',
    NOW,
    '--data-centre',
    'dc-danang',
    '--explain',
    'bo-tai-chinh-thue',
    'bo-cong-an-app/svc-dan-cu',
  ]);
  assert.is(danang.code, 1, 'neither end in dc-danang, and the path neither starts nor ends there');
  assert.match(danang.err, '"bo-tai-chinh-thue" is no namespace, host or IP address known here');
});

/** Bộ Y tế's bhyt (dc-hcm) connects to Bộ Công an's app (dc-hanoi), which names its Service so-lieu: a link pair the gateways carry. */
function withLinks(sides: 'both' | 'egress' = 'both') {
  const [egress, ingress] = linkPair(
    { agency: 'bo-y-te', workspace: 'bhyt' },
    { agency: 'bo-cong-an', workspace: 'app' },
    { ports: [{ port: 5432 }], encrypted: true },
  );
  ingress.spec.service = 'so-lieu';
  return exchange({ links: sides === 'both' ? [egress, ingress] : [egress] });
}

test('a link pair across data centres: via gateway in the summary, the detail and its JSON, with both links', async () => {
  const r = await withPlatform(withLinks(), ['--now', NOW]);
  assert.is(r.code, 0, r.out + r.err);
  assert.match(r.out, 'Across data centres, via gateway: 2 paths open');
  assert.match(r.out, /^dc-hcm +dc-hanoi bo-cong-an-app\/so-lieu \(Service\) +5432\/TCP +allowed +link bo-cong-an\/from-bo-y-te, no end +1: bo-y-te-bhyt$/m);
  const detail = await withPlatform(withLinks(), ['--now', NOW, '--detail']);
  assert.match(
    detail.out,
    /^dc-hcm bo-y-te-bhyt +dc-hanoi bo-cong-an-app\/so-lieu \(Service\) +5432\/TCP +allowed +listener \d+ at gateway dc-hcm; via gateway, links bo-cong-an\/from-bo-y-te and bo-y-te\/to-bo-cong-an, no end$/m,
  );
  const json = JSON.parse((await withPlatform(withLinks(), ['--now', NOW, '--detail', '-o', 'json'])).out);
  const link = json.viaGateway.find((p: { pair: string }) => p.pair === 'link');
  assert.equal(
    [link.from, link.to.name, link.to.port, link.request, link.grant],
    [
      { dataCentre: 'dc-hcm', namespace: 'bo-y-te-bhyt', agency: 'bo-y-te', workspace: 'bhyt' },
      'so-lieu',
      5432,
      'govcloud-bo-y-te/to-bo-cong-an',
      'govcloud-bo-cong-an/from-bo-y-te',
    ],
  );
  const alone = await withPlatform(withLinks('egress'), ['--now', NOW]);
  assert.match(alone.out, 'Across data centres, via gateway: 1 path open', 'one side alone opens nothing: only the grant');
});

test('--explain a link pair across data centres: the path through both gateways, or what the listening link says is missing', async () => {
  const ok = await withPlatform(withLinks(), ['--now', NOW, '--explain', 'bo-y-te-bhyt', 'bo-cong-an-app/so-lieu']);
  assert.is(ok.code, 0, ok.out + ok.err);
  assert.match(
    ok.out,
    /bo-y-te-bhyt \(dc-hcm\) → bo-cong-an-app\/so-lieu \(dc-hanoi\): ALLOWED via gateway\n {2}dc-hcm\/bo-y-te\/bhyt → gateway dc-hcm \(listener \d+\) → mutual TLS → gateway dc-hanoi → bo-cong-an\/so-lieu:5432; via gateway, links bo-cong-an\/from-bo-y-te and bo-y-te\/to-bo-cong-an, no end\n/,
  );
  const stranger = await withPlatform(withLinks(), ['--now', NOW, '--explain', 'bo-tai-chinh-thue', 'bo-cong-an-app/so-lieu']);
  assert.match(
    stranger.out,
    'bo-tai-chinh-thue (dc-hcm) → bo-cong-an-app/so-lieu (dc-hanoi): REFUSED, no gateway route\n  no NetworkLink naming this Service has bo-tai-chinh-thue as its peer: bo-cong-an/from-bo-y-te admits other workspaces\n',
  );
  const [, ingress] = linkPair(
    { agency: 'bo-y-te', workspace: 'bhyt' },
    { agency: 'bo-cong-an', workspace: 'app' },
    { ports: [{ port: 5432 }], encrypted: true },
  );
  ingress.spec.service = 'so-lieu';
  const listening = await withPlatform(exchange({ links: [ingress] }), ['--now', NOW, '--explain', 'bo-y-te-bhyt', 'bo-cong-an-app/so-lieu']);
  assert.match(
    listening.out,
    'REFUSED, no gateway route\n  NetworkLink bo-cong-an/from-bo-y-te: WaitingForPeer: agency bo-y-te declares no Egress link for workspace bhyt with bo-cong-an/app as peer\n',
  );
});

test.run();
