/** `govcloud connectivity` and `govcloud catalogue`, run as the dispatcher runs them. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { catalogueCommand } from '../../src/cli/commands/catalogue.ts';
import { connectivityCommand, readLiveObjects } from '../../src/cli/commands/connectivity.ts';
import { UsageError } from '../../src/cli/command.ts';
import { expandCells } from '../../src/connectivity/report.ts';
import { captureIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { createServer } from 'node:net';
import type { Agency } from '../../src/api/index.ts';
import { agency, grant, platform, request, service, threeDataCentres } from '../render/fixtures.ts';
import { deployment, namespace, pod, policy, service as k8sService } from './fixtures.ts';
import { json, kubeconfig, startFakeApiServer } from '../runtime/fake-apiserver.ts';

const PLAIN = fileURLToPath(new URL('./fixtures/plain/', import.meta.url));
const NOW = '2026-06-01T00:00:00Z';

async function run(command: typeof connectivityCommand | typeof catalogueCommand, args: string[]) {
  const io = captureIo();
  const code = await command.run(args, io);
  return { code, out: io.out(), err: io.err() };
}

const ws = (name: string): Agency['spec']['workspaces'][number] => ({ name, dataClass: 'private' });

/**
 * A GitOps folder: data centres, agencies, an on-request service with a request and a grant,
 * and a default-sharing service that danang (in another data centre) reaches by range.
 */
function gitopsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-connectivity-'));
  const p = platform({
    dataCentres: threeDataCentres(),
    agencies: [
      agency('bca', { code: '000.00.00.G04', displayName: 'Bộ Công an', workspaces: [ws('dancu')] }),
      agency('hanoi', { code: 'H01', displayName: 'UBND Thành phố Hà Nội', workspaces: [ws('dvc'), ws('web')] }),
      agency('danang', { code: 'H43', displayName: 'UBND Thành phố Đà Nẵng', dcs: ['dc-danang'], workspaces: [ws('city')] }),
      agency('vpcp', { code: 'G22', displayName: 'Văn phòng Chính phủ', workspaces: [{ name: 'lienthong', dataClass: 'shared' }] }),
    ],
    services: [
      service('bca', 'population', { workspace: 'dancu', dataClass: 'private', port: 8443 }),
      service('vpcp', 'document-exchange', {
        displayName: 'Trục liên thông văn bản quốc gia',
        workspace: 'lienthong',
        sharing: 'default',
        dataClass: 'shared',
        port: 8443,
        subsystem: 'vpcp',
        serviceCode: 'document-exchange',
      }),
    ],
    requests: [request('hanoi', 'population-for-dvc', { provider: 'bca', service: 'population', workspaces: ['dvc'] })],
    grants: [grant('bca', 'hanoi-dvc', { service: 'population', consumer: 'hanoi' })],
  });
  mkdirSync(join(dir, 'platform'));
  const all = [...p.dataCentres, ...p.agencies, ...p.services, ...p.requests, ...p.grants];
  writeFileSync(join(dir, 'platform', 'all.yaml'), all.map((o) => stringify(o)).join('---\n'));
  return dir;
}

test('summary (the default): paths counted by verdict, open ones grouped by destination with the first sources', async () => {
  const r = await run(connectivityCommand, [PLAIN, '--host', 'partner=198.51.100.0/24']);
  assert.is(r.code, 0, r.err);
  const lines = r.out.split('\n');
  assert.is(lines[0], 'Connectivity: 9 paths open');
  assert.is(lines[1], '4 sources × 4 destinations: 9 allowed, 0 partial, 6 denied');
  assert.match(r.out, /^payments\/api \(Service\) +443\/TCP → https +allowed +1: shop$/m);
  assert.match(r.out, '--detail lists every path');
  const json = JSON.parse((await run(connectivityCommand, [PLAIN, '--host', 'partner=198.51.100.0/24', '-o', 'json'])).out);
  const m = json.matrices[0];
  assert.equal(m.verdicts, { allowed: 9, partial: 0, denied: 6, 'no-endpoints': 0 });
  assert.is(
    m.open.reduce((n: number, g: { sources: number }) => n + g.sources, 0),
    9,
    'every open path is in one group',
  );
});

test('table --detail: open paths grouped by source namespace, denied ones counted', async () => {
  const r = await run(connectivityCommand, [PLAIN, '--host', 'partner=198.51.100.0/24', '--detail']);
  assert.is(r.code, 0, r.err);
  assert.is(r.err, '');
  const lines = r.out.split('\n');
  assert.is(lines[0], 'Connectivity: 9 paths open');
  assert.match(r.out, /^shop +payments\/api \(Service\) +443\/TCP → https +allowed +ingress payments\/allow-api\[0\]$/m);
  assert.match(r.out, /^monitoring +shop\/frontend \(Service\)/m);
  assert.match(r.out, '6 denied paths not shown (--all lists them)');
  const all = await run(connectivityCommand, [PLAIN, '--all']);
  assert.match(
    all.out,
    /^monitoring +payments\/api \(Service\) +443\/TCP → https +denied +ingress isolated by payments\/allow-api, payments\/default-deny, no rule allows$/m,
  );
});

test('json --detail: every source, destination, port, verdict and deciding policies, identical cells aggregated', async () => {
  const r = await run(connectivityCommand, [PLAIN, '--output', 'json', '--detail']);
  assert.is(r.code, 0);
  const json = JSON.parse(r.out);
  assert.equal(Object.keys(json), ['matrices', 'crossDataCentre']);
  assert.is(json.matrices.length, 1);
  const m = json.matrices[0];
  assert.is(m.dataCentre, null);
  const cells = expandCells(m);
  assert.is(cells.length, 9, '3 namespaces × 3 destinations');
  assert.ok(m.cells.length < cells.length, 'some cells stand for several');
  for (const c of cells as { verdict: string; policies: { egress: { isolatedBy: unknown }; ingress: { allowedBy: unknown } } }[]) {
    assert.ok(['allowed', 'denied', 'partial', 'no-endpoints'].includes(c.verdict));
    assert.ok(Array.isArray(c.policies.egress.isolatedBy) && Array.isArray(c.policies.ingress.allowedBy));
  }
  assert.equal(json.crossDataCentre, []);
});

test('--explain prints the verdict per port and the deciding rules; json gives the same', async () => {
  const r = await run(connectivityCommand, [PLAIN, '--explain', 'monitoring', 'payments/worker']);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, '9000/TCP (metrics): ALLOWED');
  assert.match(r.out, 'allowed by payments/allow-metrics ingress[0] (from[0] namespaceSelector kubernetes.io/metadata.name=monitoring; ports[0] metrics/TCP)');
  const j = await run(connectivityCommand, [PLAIN, '--explain', 'shop/frontend', 'payments/api', '--port', '8443', '-o', 'json']);
  const x = JSON.parse(j.out).explanations[0];
  assert.is(x.dataCentre, null);
  assert.equal(x.pairs[0].source, { kind: 'Deployment', namespace: 'shop', name: 'frontend', label: 'shop/frontend (Deployment)' });
  assert.equal(
    x.pairs[0].ports.map((p: { label: string; verdict: string }) => `${p.label} ${p.verdict}`),
    ['8443/TCP allowed'],
  );
  const missing = await run(connectivityCommand, [PLAIN, '--explain', 'shop/nothing', 'payments/api']);
  assert.is(missing.code, 1);
  assert.match(missing.err, 'no pod, workload or Service shop/nothing');
});

test('a NetworkPolicy the API server would refuse: the problem with file and line, exit 1, nothing evaluated', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-connectivity-'));
  try {
    writeFileSync(
      join(dir, 'bad.yaml'),
      [
        namespace('a'),
        deployment('a/web', { app: 'web' }, [80]),
        policy('a/bad', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }] }] }),
      ]
        .map((o) => stringify(o))
        .join('---\n'),
    );
    const r = await run(connectivityCommand, [dir]);
    assert.is(r.code, 1);
    assert.match(
      r.out,
      /bad\.yaml:\d+: NetworkPolicy\/bad: spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]: 11\.0\.0\.0\/16 must be a strict subset of cidr 10\.0\.0\.0\/8/,
    );
    assert.not.match(r.out, 'Connectivity');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('command-line mistakes are usage errors', async () => {
  for (const args of [
    [],
    [PLAIN, '--port', '80'],
    [PLAIN, '--explain', 'a'],
    [PLAIN, '--now', 'yesterday'],
    [PLAIN, '--host', 'x=not-an-ip'],
    ['--kubeconfig', 'k', PLAIN],
    [PLAIN, '--context', 'x'],
  ]) {
    try {
      await run(connectivityCommand, args);
      assert.unreachable(`no usage error for ${args.join(' ')}`);
    } catch (err) {
      assert.instance(err, UsageError, `${args.join(' ')}: ${(err as Error).message}`);
    }
  }
});

test('govcloud objects are rendered per data centre; cross-data-centre paths are shown via network range', async () => {
  const dir = gitopsFolder();
  try {
    const r = await run(connectivityCommand, [dir, '--now', NOW, '--detail']);
    assert.is(r.code, 0, r.out + r.err);
    assert.match(r.out, 'Connectivity in data centre dc-hanoi:');
    assert.match(
      r.out,
      /^hanoi-dvc +bca-dancu\/svc-population \(Service\) +8443\/TCP +allowed +egress hanoi-dvc\/govcloud-use-bca\.population\[0\]; ingress bca-dancu\/govcloud-svc-population\[0\]$/m,
    );
    assert.not.match(r.out, /^hanoi-web +bca-dancu/m);
    assert.match(r.out, 'Across data centres, via network range');
    assert.match(r.out, /^dc-danang danang-city +dc-hanoi vpcp-lienthong\/svc-document-exchange \(Service\) +8443\/TCP +allowed/m);
    assert.not.match(r.out, /^dc-danang danang-city +dc-hanoi bca-dancu/m, 'an on-request service is never reached across data centres');
    const only = await run(connectivityCommand, [dir, '--now', NOW, '--data-centre', 'dc-danang', '-o', 'json', '--detail']);
    const json = JSON.parse(only.out);
    assert.is(json.now, '2026-06-01T00:00:00.000Z');
    assert.equal(
      json.matrices.map((m: { dataCentre: string }) => m.dataCentre),
      ['dc-danang'],
    );
    assert.ok(
      json.crossDataCentre.every(
        (c: { from: { dataCentre: string }; to: { dataCentre: string } }) => c.from.dataCentre === 'dc-danang' || c.to.dataCentre === 'dc-danang',
      ),
    );
    const explained = await run(connectivityCommand, [dir, '--now', NOW, '--data-centre', 'dc-hanoi', '--explain', 'hanoi-web', 'bca-dancu/svc-population']);
    assert.match(explained.out, 'In data centre dc-hanoi:');
    assert.match(explained.out, '8443/TCP (service; Service bca-dancu/svc-population port 8443): DENIED');
    assert.match(explained.out, 'egress of hanoi-web/*: isolated by');
    assert.match(explained.out, 'no egress rule of these policies matches: denied');
    try {
      await run(connectivityCommand, [dir, '--now', NOW, '--data-centre', 'dc-nowhere']);
      assert.unreachable();
    } catch (err) {
      assert.match((err as Error).message, 'no data centre named "dc-nowhere" (known: dc-danang, dc-hanoi, dc-hcm)');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--kubeconfig reads live objects through a replaceable reader', async () => {
  const original = connectivityCommand.readLive;
  const calls: [string, string | undefined][] = [];
  connectivityCommand.readLive = async (kubeconfig, context) => {
    calls.push([kubeconfig, context]);
    return [namespace('a'), namespace('b'), deployment('a/web', { app: 'web' }, [80]), policy('a/deny', { podSelector: {} })].map((value) => ({
      value,
      source: { file: 'cluster test', line: 0 },
    }));
  };
  try {
    const r = await run(connectivityCommand, ['--kubeconfig', '/tmp/kc', '--context', 'dc-hanoi', '--all']);
    assert.equal(calls, [['/tmp/kc', 'dc-hanoi']]);
    assert.is(r.code, 0);
    assert.match(r.out, /^b +a\/web \(Deployment\) +80\/TCP +denied +ingress isolated by a\/deny, no rule allows$/m);
  } finally {
    connectivityCommand.readLive = original;
  }
});

test('the live reader lists every kind through @kubernetes/client-node, pages, and restores apiVersion and kind', async () => {
  // List items come without apiVersion and kind, as the API server sends them.
  const strip = (o: Record<string, unknown>) => {
    const { apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  const pages: Record<string, unknown[][]> = {
    '/api/v1/namespaces': [[namespace('a', { team: 'a' })], [namespace('b')]],
    '/api/v1/pods': [[{ ...pod('a/web-1', { app: 'web' }, [[8443, 'https']]), status: { phase: 'Running', podIP: '10.244.0.5' } }]],
    '/api/v1/services': [[k8sService('a/web', { app: 'web' }, [{ port: 443, targetPort: 'https' }])]],
    '/apis/apps/v1/deployments': [[deployment('a/web', { app: 'web' }, [[8443, 'https']])]],
    '/apis/apps/v1/replicasets': [[]],
    '/apis/apps/v1/statefulsets': [[]],
    '/apis/apps/v1/daemonsets': [[]],
    '/apis/networking.k8s.io/v1/networkpolicies': [
      [policy('a/only-team-a', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] }] })],
    ],
  };
  const server = await startFakeApiServer([
    (_req, url, res) => {
      const list = pages[url.pathname];
      if (!list) return false;
      const index = Number(url.searchParams.get('continue') ?? '0');
      const items = (list[index] ?? []).map((o) => strip(o as Record<string, unknown>));
      const next = index + 1 < list.length ? { continue: String(index + 1) } : {};
      return json(res, 200, { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1', ...next }, items });
    },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-live-'));
  try {
    writeFileSync(join(dir, 'kubeconfig'), kubeconfig(server.url));
    const objects = await readLiveObjects(join(dir, 'kubeconfig'), 'ctx');
    assert.equal(
      objects.map((o) => `${(o.value as { kind: string }).kind} ${(o.value as { metadata: { name: string } }).metadata.name}`),
      ['Namespace a', 'Namespace b', 'Pod web-1', 'Service web', 'Deployment web', 'NetworkPolicy only-team-a'],
    );
    assert.ok(
      server.requests.some((r) => r.path === '/api/v1/namespaces' && r.query.get('continue') === '1'),
      'the second page was asked for',
    );
    assert.ok(server.requests.every((r) => r.method === 'GET' && r.headers.authorization === 'Bearer secret-token'));
    // The API's own field names, as YAML has them (client-node's models call a rule's `from` `_from`).
    const np = objects.find((o) => (o.value as { kind: string }).kind === 'NetworkPolicy')!.value as { spec: { ingress: Record<string, unknown>[] } };
    assert.ok(Array.isArray(np.spec.ingress[0]!.from) && !('_from' in np.spec.ingress[0]!));
    // Through the command (the Pod has no ownerReferences, so it and the Deployment both stand).
    const r = await run(connectivityCommand, ['--kubeconfig', join(dir, 'kubeconfig'), '--context', 'ctx', '--all']);
    assert.is(r.code, 0, r.err);
    assert.match(r.out, /^b +a\/web \(Service\) +443\/TCP → https +denied +ingress isolated by a\/only-team-a, no rule allows$/m);
    assert.match(r.out, /^a +a\/web \(Service\) +443\/TCP → https +allowed/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await server.close();
  }
});

/** A port on 127.0.0.1 that nothing listens on: bound by the system, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('--kubeconfig: an unreachable cluster, a missing file or context is a plain message naming it, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-live-'));
  try {
    const port = await closedPort();
    writeFileSync(join(dir, 'kubeconfig'), kubeconfig(`https://127.0.0.1:${port}`));
    const cases: [string[], RegExp][] = [
      [
        ['--kubeconfig', join(dir, 'kubeconfig')],
        new RegExp(
          `^govcloud connectivity: cannot list namespaces on cluster "ctx" at https://127\\.0\\.0\\.1:${port}: connection refused \\(ECONNREFUSED\\)\n$`,
        ),
      ],
      [
        ['--kubeconfig', join(dir, 'kubeconfig'), '--context', 'dc-hcm'],
        /^govcloud connectivity: kubeconfig .*kubeconfig has no context "dc-hcm" \(it has: ctx\)\n$/,
      ],
      [['--kubeconfig', join(dir, 'missing')], /^govcloud connectivity: cannot read kubeconfig .*missing: ENOENT\n$/],
    ];
    for (const [args, expected] of cases) {
      const io = captureIo();
      const code = await main(['connectivity', ...args], io);
      assert.is(code, 1, io.err());
      assert.match(io.err(), expected);
      assert.not.match(io.err(), /internal error/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('catalogue: table, json and markdown, owner from the hub namespace and a normalised identifier', async () => {
  const dir = gitopsFolder();
  try {
    const t = await run(catalogueCommand, [dir, '--now', NOW]);
    assert.is(t.code, 0, t.out);
    assert.match(t.out, '2 shared data services at 2026-06-01T00:00:00.000Z');
    assert.match(
      t.out,
      /^bca +population \(Cơ sở dữ liệu quốc gia về dân cư\) +VN\/GOV\/G04\/dancu\/population\/v1 +private +onRequest +dc-hanoi +hanoi\/dvc$/m,
    );
    const j = JSON.parse((await run(catalogueCommand, [dir, '--now', NOW, '-o', 'json'])).out);
    assert.is(j.services[0].owner, 'bca');
    assert.equal(j.services[0].consumers, ['hanoi/dvc']);
    assert.equal(j.services[0].access[0], {
      consumer: 'hanoi',
      request: 'govcloud-hanoi/population-for-dvc',
      grant: 'govcloud-bca/hanoi-dvc',
      workspaces: ['dvc'],
    });
    assert.equal(j.services[1].consumers, ['bca/dancu', 'danang/city', 'hanoi/dvc', 'hanoi/web']);
    const m = (await run(catalogueCommand, [dir, '--now', NOW, '-o', 'markdown'])).out;
    assert.match(
      m,
      '| Bộ Công an (`bca`) | Cơ sở dữ liệu quốc gia về dân cư (`population`) | `VN/GOV/G04/dancu/population/v1` | private | onRequest | dc-hanoi | hanoi/dvc |',
    );
    assert.match(m, '- hanoi: workspaces dvc (request `govcloud-hanoi/population-for-dvc`, grant `govcloud-bca/hanoi-dvc`)');
    const later = JSON.parse((await run(catalogueCommand, [dir, '--now', '2031-01-01T00:00:00Z', '-o', 'json'])).out);
    assert.equal(later.services[0].consumers, [], 'the grants ended in 2030');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
