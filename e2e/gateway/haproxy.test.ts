// The exchange gateways' rendered configuration, run by the real HAProxy (Debian's 2.6, which
// `make cluster-up` installs), with certificates issued exactly as the rendered cert-manager
// Certificates ask, by a platform CA (openssl stands in for cert-manager's CA issuer). Both
// gateways run in a network namespace of this test's own, so their fixed ports meet no one
// else's. No API server: this proves what the gateways do with what the renderer says; the
// data centres' real nodes do not run the gateways yet (docs/architecture.md, "Exchange across
// data centres").
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CA_FILE, CERT_DIR, renderGateways, type GatewayRender } from '../../operator/src/render/gateway.ts';
import type { DesiredObject } from '../../operator/src/render/types.ts';
import { agency, dataCentre, grant, platform, request, service } from '../../operator/test/render/fixtures.ts';
import { gatewayConfigFiles, manyPairs } from '../../operator/test/render/gateway-config.ts';
import { ROOT } from '../harness/index.ts';
import { issue, selfSigned, type CertificateSpec } from './certs.ts';
import { acceptedMs, auditLines } from './log.ts';

const NODE = process.execPath;

const ENDPOINTS = new Map([
  ['dc-hanoi', { address: '127.0.0.1' }],
  ['dc-hcm', { address: '127.0.0.2' }],
]);

function exchangePlatform(validUntil: string, extra: Pick<Parameters<typeof platform>[0], 'services' | 'requests' | 'grants'> = {}) {
  const purpose = 'Tra cứu';
  const p = platform({
    dataCentres: [
      dataCentre('dc-hanoi', { hub: true, encrypted: true, ranges: ['10.10.0.0/16'] }),
      dataCentre('dc-hcm', { encrypted: true, ranges: ['10.20.0.0/16'] }),
    ],
    agencies: [
      agency('bo-cong-an', { code: 'G04', level: 3, dcs: ['dc-hanoi'], workspaces: ['app'] }),
      agency('bo-tai-chinh', { code: 'G12', level: 3, dcs: ['dc-hcm'], workspaces: ['thue'] }),
    ],
    services: [service('bo-cong-an', 'dan-cu')],
    requests: [request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'], purpose })],
    grants: [grant('bo-cong-an', 'bo-tai-chinh', { service: 'dan-cu', consumer: 'bo-tai-chinh', purpose, validUntil })],
  });
  return {
    ...p,
    services: [...p.services, ...(extra.services ?? [])],
    requests: [...p.requests, ...(extra.requests ?? [])],
    grants: [...p.grants, ...(extra.grants ?? [])],
  };
}

function assertTools(): void {
  for (const tool of ['haproxy', 'openssl', 'ip']) {
    assert.is(
      spawnSync('sh', ['-c', `command -v ${tool}`]).status,
      0,
      `${tool} is missing: make cluster-up installs haproxy and openssl (Debian packages, as root)`,
    );
  }
}

/**
 * Issues the rendered Certificates and writes each gateway's configuration files into
 * DIR/<data centre>.d, as its pod's projected volume holds them; only where files live and
 * where the providers' Services are reached (the test's echo server) differ from a cluster.
 */
function writeGateways(dir: string, rendered: GatewayRender): void {
  for (const { dataCentre, objects } of rendered.perDataCentre) {
    for (const cert of objects.filter((o): o is DesiredObject & { spec: CertificateSpec } => o.kind === 'Certificate'))
      issue(dir, cert.metadata.name, cert.spec);
    const configDir = path.join(dir, `${dataCentre}.d`);
    mkdirSync(configDir);
    for (const [file, text] of gatewayConfigFiles(objects)) {
      const local = text
        .replaceAll(CERT_DIR, dir)
        .replaceAll(CA_FILE, path.join(dir, 'ca.crt'))
        .replace(/ [a-z0-9-]+\.[a-z0-9-]+\.svc:\d+ /g, ' 127.0.0.1:18080 ');
      writeFileSync(path.join(configDir, file), local);
    }
  }
}

test('two gateways over mutual TLS: the granted consumer passes; another agency, another CA and plaintext are refused; refused from validUntil; every decision a JSON line', () => {
  assertTools();
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-gateway-'));
  const netns = `gcgw-${process.pid}`;
  try {
    selfSigned(dir, 'ca', '/CN=govcloud-platform-ca');
    const untilMs = Date.now() + 8000;
    const rendered = renderGateways(exchangePlatform(new Date(untilMs).toISOString()), new Date(), ENDPOINTS);
    assert.equal(rendered.issues, []);
    assert.is(rendered.routes.length, 1);
    const route = rendered.routes[0]!;
    writeGateways(dir, rendered);
    writeFileSync(path.join(dir, 'host'), route.provider.host);
    // Another agency's workspace, from the same CA; and the right name from a CA nobody trusts.
    issue(dir, 'other', { commonName: 'G04/app', uris: ['spiffe://govcloud.dev/agency/G04/workspace/app'], usages: ['client auth'] });
    selfSigned(dir, 'rogue', '/CN=G12\\/thue');

    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const run = spawnSync('ip', ['netns', 'exec', netns, NODE, path.join(ROOT, 'e2e/gateway/driver.ts'), dir, String(route.listenPort), String(untilMs)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.is(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as Record<string, { reply: string; error?: string }> & {
      expiry: { lastPassBeforeUntilMs: number | null; firstRefusalAfterUntilMs: number };
    };
    assert.is(result.granted!.reply, 'echo:hello', 'through both gateways to the service');
    assert.is(result.otherAgency!.reply, '', "another agency's certificate from the same CA");
    assert.is(result.otherCa!.reply, '', 'a certificate the platform CA did not issue');
    assert.is(result.plaintextToExchange!.reply, '', 'plaintext to the exchange port');
    assert.ok(result.expiry.lastPassBeforeUntilMs !== null && result.expiry.lastPassBeforeUntilMs >= 0, 'open until validUntil, never after');
    assert.ok(result.expiry.firstRefusalAfterUntilMs < 2000, `refused within 2 s of validUntil (${result.expiry.firstRefusalAfterUntilMs} ms)`);
    process.stdout.write(
      `    expiry: last pass ${result.expiry.lastPassBeforeUntilMs} ms before validUntil, first refusal ${result.expiry.firstRefusalAfterUntilMs} ms after\n`,
    );

    const lines = auditLines(run.stderr);
    const decisions = (gateway: string, decision: string, consumer: string) =>
      lines.filter((l) => l.gateway === gateway && l.decision === decision && l.consumer === consumer);
    assert.ok(decisions('dc-hanoi', 'pass', 'G12/thue').length > 0, 'the provider gateway logs the pass with the consumer identity');
    assert.ok(
      decisions('dc-hanoi', 'pass', 'G12/thue').every(
        (l) => l.grant === 'govcloud-bo-cong-an/bo-tai-chinh' && l.service === route.provider.host && acceptedMs(l) < untilMs,
      ),
      'passes name the grant and the service, all before validUntil',
    );
    assert.ok(decisions('dc-hanoi', 'refuse', 'G04/app').length === 1, "the other agency's attempt is logged as refused");
    assert.ok(
      decisions('dc-hcm', 'refuse', 'G12/thue').some((l) => acceptedMs(l) >= untilMs && l.service === 'VN/GOV/G04/dancu/population/v1'),
      'the expired attempt',
    );
    assert.match(run.stderr, /SSL client certificate not trusted|SSL handshake failure/, 'the untrusted CA fails the handshake (HAProxy 2.6 logs it as text)');
  } finally {
    spawnSync('ip', ['netns', 'delete', netns]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('routes over two configuration files: HAProxy loads the directory, and a route whose sections are both in the second file is served', () => {
  assertTools();
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-gateway-'));
  const netns = `gcgw-${process.pid}-2`;
  try {
    selfSigned(dir, 'ca', '/CN=govcloud-platform-ca');
    const pairs = manyPairs({ provider: 'bo-cong-an', workspace: 'app', dc: 'dc-hanoi', consumer: 'bo-tai-chinh', consumerWorkspace: 'thue' }, 400);
    const rendered = renderGateways(exchangePlatform('2030-01-01T00:00:00Z', pairs as never), new Date(), ENDPOINTS);
    assert.equal(rendered.issues, []);
    assert.is(rendered.routes.length, 401);
    const files = (dc: string) => gatewayConfigFiles(rendered.perDataCentre.find((r) => r.dataCentre === dc)!.objects);
    const [hcm, hanoi] = [files('dc-hcm'), files('dc-hanoi')];
    assert.ok(hcm.length >= 2 && hanoi.length >= 2, `two files or more on each side (${hcm.length}, ${hanoi.length})`);
    // The consumer's listener and the provider's backend for it, both in the second file.
    const route = rendered.routes.find(
      (r) => hcm[1]![1].includes(`\nfrontend out-${r.listenPort}\n`) && hanoi[1]![1].includes(`\nbackend in:${r.provider.host}:G12:thue\n`),
    );
    assert.ok(route, 'a route in the second file of both gateways');
    assert.not.ok(hcm[0]![1].includes(`frontend out-${route.listenPort}\n`) || hanoi[0]![1].includes(`backend in:${route.provider.host}:`));
    writeGateways(dir, rendered);

    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    const run = spawnSync('ip', ['netns', 'exec', netns, NODE, path.join(ROOT, 'e2e/gateway/driver.ts'), dir, String(route.listenPort), '0', 'once'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.is(run.status, 0, run.stderr);
    const result = JSON.parse(run.stdout) as { granted: { reply: string; error?: string } };
    assert.is(result.granted.reply, 'echo:hello', `through both gateways to ${route.provider.identifier}`);
    const passes = auditLines(run.stderr).filter((l) => l.decision === 'pass' && l.consumer === 'G12/thue');
    // The driver's wait for the listener is a connection too: the consumer's gateway logs it as well.
    assert.equal(
      [...new Set(passes.map((l) => `${l.gateway} ${l.grant}`))].sort(),
      [`dc-hanoi ${route.grant}`, `dc-hcm ${route.grant}`],
      'each gateway passed it under its grant',
    );
  } finally {
    spawnSync('ip', ['netns', 'delete', netns]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
