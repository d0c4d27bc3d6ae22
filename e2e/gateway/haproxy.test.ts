// The exchange gateways' rendered configuration, run by the real HAProxy (Debian's 2.6, which
// `make cluster-up` installs), with certificates issued exactly as the rendered cert-manager
// Certificates ask, by a platform CA (openssl stands in for cert-manager's CA issuer). Both
// gateways run in a network namespace of this test's own, so their fixed ports meet no one
// else's. No API server: this proves what the gateways do with what the renderer says; the
// data centres' real nodes do not run the gateways yet (docs/architecture.md, "Exchange across
// data centres").
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CA_FILE, CERT_DIR, GATEWAY_CONFIG_KEY, renderGateways } from '../../operator/src/render/gateway.ts';
import type { DesiredObject } from '../../operator/src/render/types.ts';
import { agency, dataCentre, grant, platform, request, service } from '../../operator/test/render/fixtures.ts';
import { ROOT } from '../harness/index.ts';
import { issue, selfSigned, type CertificateSpec } from './certs.ts';
import { auditLines } from './log.ts';

const NODE = process.execPath;

function exchangePlatform(validUntil: string) {
  const purpose = 'Tra cứu';
  return platform({
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
}

test('two gateways over mutual TLS: the granted consumer passes; another agency, another CA and plaintext are refused; refused from validUntil; every decision a JSON line', () => {
  for (const tool of ['haproxy', 'openssl', 'ip']) {
    assert.is(
      spawnSync('sh', ['-c', `command -v ${tool}`]).status,
      0,
      `${tool} is missing: make cluster-up installs haproxy and openssl (Debian packages, as root)`,
    );
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-gateway-'));
  const netns = `gcgw-${process.pid}`;
  try {
    selfSigned(dir, 'ca', '/CN=govcloud-platform-ca');
    const untilMs = Date.now() + 8000;
    const rendered = renderGateways(
      exchangePlatform(new Date(untilMs).toISOString()),
      new Date(),
      new Map([
        ['dc-hanoi', { address: '127.0.0.1' }],
        ['dc-hcm', { address: '127.0.0.2' }],
      ]),
    );
    assert.equal(rendered.issues, []);
    assert.is(rendered.routes.length, 1);
    const route = rendered.routes[0]!;
    for (const { dataCentre, objects } of rendered.perDataCentre) {
      for (const cert of objects.filter((o): o is DesiredObject & { spec: CertificateSpec } => o.kind === 'Certificate'))
        issue(dir, cert.metadata.name, cert.spec);
      const config = objects.find((o) => o.kind === 'ConfigMap')!.data as Record<string, string>;
      // Only where files live and where the provider's Service is reached differ from a cluster.
      const local = config[GATEWAY_CONFIG_KEY]!.replaceAll(CERT_DIR, dir)
        .replaceAll(CA_FILE, path.join(dir, 'ca.crt'))
        .replace(`${route.provider.service}.${route.provider.namespace}.svc:${route.provider.port}`, '127.0.0.1:18080');
      writeFileSync(path.join(dir, `${dataCentre}.cfg`), local);
    }
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
        (l) => l.grant === 'govcloud-bo-cong-an/bo-tai-chinh' && l.service === route.provider.host && l.unixMs < untilMs,
      ),
      'passes name the grant and the service, all before validUntil',
    );
    assert.ok(decisions('dc-hanoi', 'refuse', 'G04/app').length === 1, "the other agency's attempt is logged as refused");
    assert.ok(
      decisions('dc-hcm', 'refuse', 'G12/thue').some((l) => l.unixMs >= untilMs && l.service === 'VN/GOV/G04/dancu/population/v1'),
      'the expired attempt',
    );
    assert.match(run.stderr, /SSL client certificate not trusted|SSL handshake failure/, 'the untrusted CA fails the handshake (HAProxy 2.6 logs it as text)');
  } finally {
    spawnSync('ip', ['netns', 'delete', netns]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
