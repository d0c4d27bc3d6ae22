// The exchange gateways on the local platform's real nodes, with real connections between two
// data centres' clusters: a consumer workspace in dc-hcm reaches a provider's on-request
// service in dc-hanoi only through its listener at dc-hcm's gateway, which speaks mutual TLS to
// dc-hanoi's gateway at its fixed address. The objects are rendered by renderGateways from a
// fixture platform and applied here, as the operator will apply them: the Deployment runs as a
// pod on each cluster's real node (the node agent runs Debian's HAProxy in the pod's network
// namespace with its volumes as files, e2e/platform/real-node/gateway-pod.ts), the
// NetworkPolicies are enforced by kube-network-policies there.
//
// Certificates: cert-manager does not run on the local platform yet, so the Secrets a
// Certificate would produce are written here in cert-manager's shape (kubernetes.io/tls with
// tls.crt, tls.key, ca.crt), issued by openssl as the platform CA exactly as each rendered
// Certificate asks.
//
// Proved: the granted workspace passes (the provider pod's own greeting comes back); another
// workspace of the same agency is dropped at the gateway's listener; plaintext to the provider
// pod or the provider's gateway from dc-hcm is dropped (only the gateway is admitted); after
// validUntil the consumer's gateway refuses by its own clock (the delay is measured and
// reported); both gateways log JSON lines with the consumer's identity, service and decision.
import { execFile as execFileCb } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SYSTEM_NAMESPACE } from '../../operator/src/api/index.ts';
import { GATEWAY_IMAGE, GATEWAY_NODE_KEY, gatewayEndpoints, renderGateways, type GatewayRoute } from '../../operator/src/render/gateway.ts';
import { agency, dataCentre, grant, objectsIn, platform, request, service } from '../../operator/test/render/fixtures.ts';
import { ApiError, loadClusters, waitFor } from '../harness/index.ts';
import { judged, realPod } from '../packets/pods.ts';
import { realNodeName } from '../platform/real-node/names.ts';
import { probeFrom } from '../platform/real-node/pods.ts';
import type { ProbeResult } from '../platform/real-node/probe.ts';
import { selfSigned } from './certs.ts';
import { applyGateway, cleanUp, gatewayLog, gatewayPod, nodeNamespace, one } from './real-gateway.ts';
import { acceptedMs } from './log.ts';

const HANOI_GATEWAY = '10.10.240.250';
const HCM_GATEWAY = '10.20.240.250';
const PROVIDER = 'gwe-bo-cong-an';
const CONSUMER = 'gwe-bo-tai-chinh';
/** How long the grant is open after the render: setup must fit in it (it takes about 10 s). */
const WINDOW_MS = 40_000;
const execFile = promisify(execFileCb);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exchangePlatform(validUntil: string) {
  const purpose = 'Tra cứu dân cư';
  const hanoi = dataCentre('dc-hanoi', { hub: true, encrypted: true, ranges: ['10.10.0.0/16'] });
  const hcm = dataCentre('dc-hcm', { encrypted: true, ranges: ['10.20.0.0/16'] });
  hanoi.spec.exchangeGateway = { address: HANOI_GATEWAY };
  hcm.spec.exchangeGateway = { address: HCM_GATEWAY };
  return platform({
    dataCentres: [hanoi, hcm],
    agencies: [
      agency(PROVIDER, { code: 'G04', level: 3, dcs: ['dc-hanoi'], workspaces: ['app'] }),
      agency(CONSUMER, { code: 'G12', level: 3, dcs: ['dc-hcm'], workspaces: ['thue', 'kho-bac'] }),
    ],
    services: [service(PROVIDER, 'dan-cu')],
    requests: [request(CONSUMER, 'dan-cu', { provider: PROVIDER, service: 'dan-cu', workspaces: ['thue'], purpose })],
    grants: [grant(PROVIDER, CONSUMER, { service: 'dan-cu', consumer: CONSUMER, purpose, validUntil })],
  });
}

/** The test's own workspace namespaces. */
const NAMESPACES: Record<string, string[]> = {
  'dc-hanoi': [`${PROVIDER}-app`],
  'dc-hcm': [`${CONSUMER}-thue`, `${CONSUMER}-kho-bac`],
};

test('gateways on the real nodes: the granted workspace passes across data centres; another workspace, plaintext and an expired grant are refused; JSON audit lines', async () => {
  const clusters = loadClusters();
  const hanoi = clusters.find((c) => c.name === 'dc-hanoi');
  const hcm = clusters.find((c) => c.name === 'dc-hcm');
  if (!hanoi || !hcm) return assert.unreachable('the local platform has dc-hanoi and dc-hcm');
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-gateway-'));
  // The objects' names do not depend on the window: what a run (this one or a crashed one) leaves.
  const names = exchangePlatform(new Date(Date.now() + 3_600_000).toISOString());
  const objectsOf = (dc: string) => objectsIn(renderGateways(names, new Date(), gatewayEndpoints(names)).perDataCentre, dc);
  try {
    await Promise.all([cleanUp(hanoi, objectsOf('dc-hanoi'), NAMESPACES['dc-hanoi']!), cleanUp(hcm, objectsOf('dc-hcm'), NAMESPACES['dc-hcm']!)]);
    for (const c of [hanoi, hcm])
      for (const ns of [SYSTEM_NAMESPACE, ...NAMESPACES[c.name]!]) await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });

    // The provider's service: an echo pod its Service selects (what the operator's Deployment runs).
    const labels = { app: 'dan-cu-stand-in' };
    // Judged once the gateway's policies select them (kho-bac's never is: no policy selects it,
    // so what it reaches is judged at the destination).
    const provider = await realPod(hanoi, `${PROVIDER}-app`, 'dan-cu', { labels, ports: [{ port: 8443, protocol: 'TCP' }], unjudged: true });
    const thue = await realPod(hcm, `${CONSUMER}-thue`, 'client', { unjudged: true });
    const khoBac = await realPod(hcm, `${CONSUMER}-kho-bac`, 'client', { unjudged: true });

    const untilMs = Date.now() + WINDOW_MS;
    const fixture = exchangePlatform(new Date(untilMs).toISOString());
    const rendered = renderGateways(fixture, new Date(), gatewayEndpoints(fixture));
    assert.equal(rendered.issues, []);
    assert.is(rendered.routes.length, 1, 'one route: thue to dan-cu');
    const route: GatewayRoute = rendered.routes[0]!;
    await hanoi.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: route.provider.service, namespace: route.provider.namespace },
      spec: { selector: labels, ports: [{ port: route.provider.port, targetPort: 8443, protocol: 'TCP' }] },
    } as never);

    selfSigned(dir, 'ca', '/CN=govcloud-platform-ca');
    const started = Date.now();
    await applyGateway(hanoi, objectsIn(rendered.perDataCentre, 'dc-hanoi'), dir);
    await applyGateway(hcm, objectsIn(rendered.perDataCentre, 'dc-hcm'), dir);
    const [hanoiGateway, hcmGateway] = await Promise.all([gatewayPod(hanoi), gatewayPod(hcm)]);
    await Promise.all([judged(nodeNamespace(hanoiGateway), provider.ip), judged(nodeNamespace(hcmGateway), thue.ip)]);
    console.log(`      gateways running and judged ${Date.now() - started} ms after apply; ${untilMs - Date.now()} ms of the window left`);
    assert.is(hanoiGateway.ip, HANOI_GATEWAY, "dc-hanoi's gateway pod holds the data centre's gateway address");
    assert.is(hcmGateway.ip, HCM_GATEWAY, "dc-hcm's gateway pod holds the data centre's gateway address");

    for (const gw of [hanoiGateway, hcmGateway]) {
      const pids = (await execFile('ip', ['netns', 'pids', gw.netns])).stdout.split('\n').filter(Boolean);
      const uids = pids.map((pid) => /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
      assert.equal(uids, ['99'], `one process in ${gw.netns}, HAProxy as the pod's runAsUser`);
    }

    const granted = await one(thue, HCM_GATEWAY, route.listenPort);
    assert.is(granted.result, 'open', `the granted workspace through both gateways: ${JSON.stringify(granted)}`);
    assert.is(granted.reply, `${PROVIDER}-app/dan-cu`, "the provider pod's own greeting came back");

    const attacks = await probeFrom(
      khoBac.netns,
      [
        { host: HCM_GATEWAY, port: route.listenPort, protocol: 'tcp' },
        { host: provider.ip, port: 8443, protocol: 'tcp' },
        { host: HANOI_GATEWAY, port: 8443, protocol: 'tcp' },
      ],
      2000,
    );
    assert.equal(
      attacks.map((a) => a.result),
      ['timeout', 'timeout', 'timeout'],
      `from another workspace of the same agency (no policy of its own): thue's listener, the provider pod, the provider's gateway are all dropped: ${JSON.stringify(attacks)}`,
    );
    const direct = await one(thue, provider.ip, 8443);
    assert.is(direct.result, 'timeout', 'plaintext from the granted workspace straight to the provider pod: dropped');

    // Through the consumer's gateway every 100 ms until refused. When, against validUntil, is
    // read from the gateways' own log lines (their clocks decide).
    let refusal: ProbeResult | undefined;
    while (refusal === undefined && Date.now() < untilMs + 15_000) {
      const r = await one(thue, HCM_GATEWAY, route.listenPort, 3000);
      if (r.result !== 'open') refusal = r;
      await sleep(100);
    }
    assert.ok(refusal, 'refused after validUntil');
    assert.is(refusal.result, 'closed', "the consumer's gateway accepts and closes: a refusal by a gateway's rules, not a drop");

    await sleep(500);
    // Whichever gateway's clock passed validUntil first refuses: the consumer's (no connection
    // out) or the provider's (the consumer's gateway passed just before, the provider's refuses).
    const provided = gatewayLog(hanoiGateway);
    const consumed = gatewayLog(hcmGateway);
    const lastPass = provided.filter((l) => l.side === 'in' && l.decision === 'pass').at(-1);
    const refusals = [...provided.filter((l) => l.side === 'in'), ...consumed.filter((l) => l.side === 'out')]
      .filter((l) => l.decision === 'refuse' && l.consumer === 'G12/thue')
      .sort((x, y) => acceptedMs(x) - acceptedMs(y));
    const firstRefusal = refusals[0];
    assert.ok(lastPass && firstRefusal, `passes and a refusal logged: ${JSON.stringify([...provided.slice(-1), ...consumed.slice(-1)])}`);
    assert.ok(acceptedMs(lastPass) < untilMs && acceptedMs(firstRefusal) >= untilMs, "passes before validUntil, refusals from it, by the gateways' clocks");
    assert.is(
      firstRefusal.service,
      firstRefusal.side === 'in' ? route.provider.host : route.provider.identifier,
      'the refusal names the service (by its exchange name at the provider)',
    );
    console.log(
      `      expiry (gateways' logs): last pass ${untilMs - acceptedMs(lastPass)} ms before validUntil, first refusal ${acceptedMs(firstRefusal) - untilMs} ms after it, by ${firstRefusal.gateway}'s gateway`,
    );
    const passes = provided.filter((l) => l.side === 'in' && l.decision === 'pass');
    assert.ok(passes.length > 0, 'the provider gateway logs passes');
    assert.ok(
      passes.every((l) => l.consumer === 'G12/thue' && l.service === route.provider.host && l.grant === route.grant && acceptedMs(l) < untilMs),
      `each pass names the consumer's identity, the service, the grant, before validUntil: ${JSON.stringify(passes[0])}`,
    );
    assert.not.ok(
      [...provided, ...gatewayLog(hcmGateway)].some((l) => l.consumer !== 'G12/thue'),
      'nothing else reached a gateway: the dropped attempts never got there',
    );

    // Deleting the gateway's pod stops its HAProxy and frees the address; the Deployment's next pod takes it again.
    await hcm.request('DELETE', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/pods/${hcmGateway.name}`);
    await waitFor(
      `${hcmGateway.netns} removed with its processes`,
      async () => !(await execFile('ip', ['netns', 'list'])).stdout.split('\n').some((l) => l.split(' ')[0] === hcmGateway.netns),
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const next = await gatewayPod(hcm, hcmGateway.name);
    assert.is(next.ip, HCM_GATEWAY, 'the next gateway pod holds the same address');
  } finally {
    await Promise.all([cleanUp(hanoi, objectsOf('dc-hanoi'), NAMESPACES['dc-hanoi']!), cleanUp(hcm, objectsOf('dc-hcm'), NAMESPACES['dc-hcm']!)]).catch(
      (err: unknown) => {
        if (!(err instanceof ApiError)) throw err;
      },
    );
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a gateway pod bound to a node without the gateway label is not run', async () => {
  const danang = loadClusters().find((c) => c.name === 'dc-danang');
  if (!danang) return assert.unreachable('the local platform has dc-danang');
  const node = realNodeName('dc-danang');
  const name = 'gateway-off-node';
  const label = (value: string | null) =>
    danang.call('PATCH', `/api/v1/nodes/${node}`, { metadata: { labels: { [GATEWAY_NODE_KEY]: value } } }, 'application/merge-patch+json');
  await label(null);
  try {
    await danang.call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { nodeName: node, containers: [{ name: 'haproxy', image: GATEWAY_IMAGE, args: ['-db', '-f', '/dev/null'] }] },
    });
    const waiting = await waitFor(
      `${name} waiting on ${node}`,
      async () => {
        const pod = (await danang.call('GET', `/api/v1/namespaces/default/pods/${name}`)) as {
          status?: { phase?: string; containerStatuses?: { state?: { waiting?: { reason?: string } } }[] };
        };
        return pod.status?.containerStatuses?.[0]?.state?.waiting?.reason ? pod.status : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.is(waiting.phase, 'Pending');
    assert.is(waiting.containerStatuses![0]!.state!.waiting!.reason, 'NotAGatewayNode');
  } finally {
    await danang.request('DELETE', `/api/v1/namespaces/default/pods/${name}`);
    await label('true');
  }
});

test.run();
