// The whole exchange chain across data centres with real packets (issue 15): the operator,
// run as the operator suites run it (the chart's RBAC and govcloud-operator-limits), renders
// and applies dc-hanoi's and dc-hcm's gateways; cert-manager's controller (in every cluster of
// `make cluster-up`) issues their certificates; each cluster's real node runs the gateway
// Deployment's pod (Debian's HAProxy) and dc-hanoi's runs the provider's on-request service
// pod the operator's Deployment asks for. Connections from pods in dc-hcm:
// - the granted workspace reaches the provider through both gateways;
// - an agency without a grant reaches neither the listener, the provider's gateway nor the
//   provider's pod (another agency's certificate at the provider's gateway is refused by its
//   ACL: e2e/gateway/haproxy.test.ts proves that one with the rendered configuration);
// - cert-manager renews the provider gateway's certificate: its pod rolls and serves the new
//   certificate (serial), and the granted workspace still passes;
// - a grant withdrawn, and an agency removed: route, Certificate and key (Secret) gone;
// - after validUntil the granted workspace is refused (within 2 s: the bound);
// - the gateways taken away: every Certificate's key gone with them.
// The local platform's part: the provider's workspace namespace selects the real node (the
// PodNodeSelector and PodTolerationRestriction annotations a platform engineer would set), so
// the scheduler places the operator's Deployment's pod there; the real node is its data
// centre's gateway node (label and NoSchedule taint govcloud.dev/exchange-gateway), so the
// gateway's Deployment lands there as rendered.
import { execFile as execFileCb } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import {
  CERTIFICATES_HASH_ANNOTATION,
  CONFIG_HASH_ANNOTATION,
  EXCHANGE_PORT,
  exchangeHost,
  GATEWAY_NAME,
  gatewayCertificateName,
  workspaceCertificateName,
} from '../../operator/src/render/gateway.ts';
import { waitFor, type Cluster } from '../harness/index.ts';
import { judged, realPod, type RealPod } from '../packets/pods.ts';
import {
  agency,
  API,
  asOperator,
  clusterOf,
  condition,
  NAMESPACE,
  registryService,
  rfc3339,
  uniqueAgency,
  waitCondition,
  type Obj,
} from '../operator/platform.ts';
import { operatorSuite } from '../operator/suite.ts';
import { NETNS_ANNOTATION, REAL_NODE_LABEL, REAL_NODE_TOLERATION } from '../platform/real-node/names.ts';
import { probeFrom, probeSeries } from '../platform/real-node/pods.ts';
import type { ProbeResult } from '../platform/real-node/probe.ts';
import { gatewayLog, gatewayPod, nodeNamespace, one } from './real-gateway.ts';
import { acceptedMs } from './log.ts';
import { gatewayConfigText } from '../../operator/test/render/gateway-config.ts';
import type { DesiredObject } from '../../operator/src/render/types.ts';

const test = operatorSuite('exchange gateways end to end: operator, cert-manager, real packets');
const execFile = promisify(execFileCb);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const GATEWAYS: Record<string, string> = { 'dc-hanoi': '10.10.240.250', 'dc-hcm': '10.20.240.250' };
const HANOI_GATEWAY = GATEWAYS['dc-hanoi']!;
const HCM_GATEWAY = GATEWAYS['dc-hcm']!;
/** The granted pair's window from the grant's apply: setup, renewal, withdrawal and removal fit in it (25 s here at load 20). */
const WINDOW_MS = 90_000;
/** The bound: the gateway refuses new requests within 2 s after validUntil. */
const EXPIRY_BOUND_MS = 2000;
const MERGE = 'application/merge-patch+json';
const CERTS = `/apis/cert-manager.io/v1/namespaces/${NAMESPACE}/certificates`;
const SECRETS = `/api/v1/namespaces/${NAMESPACE}/secrets`;
const CONFIGMAPS = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
const DEPLOYMENT = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${GATEWAY_NAME}`;

async function body<T = Obj>(cluster: Cluster, path: string): Promise<T | undefined> {
  const res = await cluster.request('GET', path);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`${cluster.name}: GET ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

async function setGateways(hub: Cluster, on: boolean): Promise<void> {
  for (const [dc, address] of Object.entries(GATEWAYS)) {
    await hub.call('PATCH', `/apis/${API}/datacentres/${dc}`, { spec: { exchangeGateway: on ? { address } : null } }, MERGE);
  }
}

/** The gateway's configuration as its pod reads it: the files of its numbered ConfigMaps, in order ('' without any). A list's items carry no kind. */
const haproxyConfig = async (cluster: Cluster): Promise<string> =>
  gatewayConfigText((await body<{ items: DesiredObject[] }>(cluster, CONFIGMAPS))!.items.map((o) => ({ ...o, kind: 'ConfigMap' })));

/** The certificate in a Secret cert-manager wrote, read as the platform admin. */
async function secretCertificate(cluster: Cluster, name: string): Promise<X509Certificate | undefined> {
  const secret = await body<{ data?: Record<string, string> }>(cluster, `${SECRETS}/${name}`);
  const pem = secret?.data?.['tls.crt'];
  return pem ? new X509Certificate(Buffer.from(pem, 'base64')) : undefined;
}

async function issuedRevision(cluster: Cluster, name: string): Promise<number | undefined> {
  const certificate = await body(cluster, `${CERTS}/${name}`);
  return condition(certificate, 'Ready')?.status === 'True' ? (certificate?.status as { revision?: number }).revision : undefined;
}

/** What `cmctl renew` does: the Certificate marked for issuance (its Issuing condition), and cert-manager issues it again. */
async function renew(cluster: Cluster, name: string): Promise<void> {
  const certificate = (await body(cluster, `${CERTS}/${name}`))!;
  const conditions = ((certificate.status as { conditions?: object[] }).conditions ?? []).filter((c) => (c as { type: string }).type !== 'Issuing');
  conditions.push({
    type: 'Issuing',
    status: 'True',
    reason: 'ManuallyTriggered',
    message: 'Certificate re-issuance manually triggered (e2e)',
    lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    observedGeneration: certificate.metadata?.generation,
  });
  await cluster.call('PUT', `${CERTS}/${name}/status`, { ...certificate, status: { ...certificate.status, conditions } });
}

/**
 * The certificate a gateway serves on its exchange port, seen from inside `from`'s current
 * gateway pod (the only address the other gateway admits; openssl s_client, no client
 * certificate). Retried while that pod rolls: a Certificate issued or a route changed
 * recreates it, and its network namespace with it.
 */
async function servedCertificate(from: Cluster, host: string, sni: string): Promise<X509Certificate> {
  let seen = '';
  return waitFor(
    `the certificate ${host}:${EXCHANGE_PORT} serves (SNI ${sni}), seen from ${from.name}'s gateway`,
    async () => {
      const gateway = await gatewayPod(from);
      let stdout: string;
      try {
        ({ stdout } = await execFile(
          'ip',
          ['netns', 'exec', gateway.netns, 'openssl', 's_client', '-connect', `${host}:${EXCHANGE_PORT}`, '-servername', sni],
          {
            timeout: 10_000,
          },
        ));
      } catch (err) {
        // No client certificate: the gateway ends the handshake after it sent its own.
        stdout = (err as { stdout?: string }).stdout ?? '';
      }
      seen = stdout.slice(0, 500);
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(stdout)?.[0];
      return pem ? new X509Certificate(pem) : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, describe: () => `last output: ${seen}` },
  );
}

/** The running pod of the operator's Deployment in a workspace (the provider's service), on the real node. */
async function servicePod(cluster: Cluster, namespace: string): Promise<RealPod> {
  const pod = await waitFor(
    `the service's pod in ${cluster.name}/${namespace} Running on the real node`,
    async () => {
      const list = (await cluster.call('GET', `/api/v1/namespaces/${namespace}/pods`)) as {
        items: { metadata: { name: string; annotations?: Record<string, string> }; status?: { phase?: string; podIP?: string } }[];
      };
      const p = list.items.find((i) => i.status?.phase === 'Running' && i.status.podIP && i.metadata.annotations?.[NETNS_ANNOTATION]);
      return p ? { namespace, name: p.metadata.name, ip: p.status!.podIP!, netns: p.metadata.annotations![NETNS_ANNOTATION]! } : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250 },
  );
  await judged(nodeNamespace(pod), pod.ip);
  return pod;
}

/**
 * The gateway pod of the Deployment's current template (its configuration and certificates'
 * hashes), once the rolls an issuance or a route causes are done.
 */
async function settledGateway(cluster: Cluster): Promise<RealPod> {
  const annotations = async (path: string) => (await body<{ metadata: { annotations?: Record<string, string> } }>(cluster, path))?.metadata.annotations ?? {};
  const hashes = (a: Record<string, string>) => JSON.stringify([a[CONFIG_HASH_ANNOTATION], a[CERTIFICATES_HASH_ANNOTATION]]);
  return waitFor(
    `${cluster.name}: the gateway pod of the current template`,
    async () => {
      const deployment = await body<{ spec: { template: { metadata: { annotations: Record<string, string> } } } }>(cluster, DEPLOYMENT);
      const pod = await gatewayPod(cluster);
      const current =
        deployment && hashes(deployment.spec.template.metadata.annotations) === hashes(await annotations(`/api/v1/namespaces/${NAMESPACE}/pods/${pod.name}`));
      return current ? pod : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

/** Retries until the connection passes (a pod rolling, a policy being judged). */
async function passes(what: string, from: RealPod, port: number, timeoutMs = 90_000): Promise<ProbeResult> {
  let last: ProbeResult | undefined;
  return waitFor(
    what,
    async () => {
      last = await one(from, HCM_GATEWAY, port);
      return last.result === 'open' ? last : undefined;
    },
    { timeoutMs, intervalMs: 250, describe: () => JSON.stringify(last) },
  );
}

/** The listener of a consumer workspace at its gateway: the port its egress policy opens. */
async function listenerOf(cluster: Cluster, namespace: string): Promise<number> {
  return waitFor(`the gateway egress policy in ${namespace}`, async () => {
    const policy = await body<{ spec: { egress: { ports: { port: number }[] }[] } }>(
      cluster,
      `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/govcloud-gw-egress`,
    );
    return policy?.spec.egress[0]?.ports[0]?.port;
  });
}

/** A Certificate and its Secret in govcloud-system, both gone. */
const keyGone = async (cluster: Cluster, name: string): Promise<boolean> =>
  (await body(cluster, `${CERTS}/${name}`)) === undefined && (await body(cluster, `${SECRETS}/${name}`)) === undefined;

test('the operator and cert-manager give both data centres gateways that carry real connections: granted passes, ungranted and expired refused, renewal rolls the gateway, withdrawal and removal delete the keys', async (ctx) => {
  const { hub, clusters } = ctx;
  const hanoi = clusterOf(clusters, 'dc-hanoi');
  const hcm = clusterOf(clusters, 'dc-hcm');
  const provider = uniqueAgency('chprov');
  const consumer = uniqueAgency('chcons'); // granted until validUntil
  const withdrawn = uniqueAgency('chwdrw'); // granted, then the grant deleted
  const removed = uniqueAgency('chgone'); // granted, then the agency deleted
  const stranger = uniqueAgency('chnone'); // no grant
  const consumers = [consumer, withdrawn, removed, stranger];
  ctx.agencies.push(provider.name, ...consumers.map((a) => a.name));
  const providerNs = `${provider.name}-data`;
  const host = exchangeHost('svc-registry', providerNs);
  const serverCert = gatewayCertificateName('dc-hanoi');
  const clientCert = (a: { name: string }) => workspaceCertificateName(a.name, 'app');
  const grantOf = (a: { name: string }) => `/apis/${API}/namespaces/govcloud-${provider.name}/accessgrants/for-${a.name}`;
  const grant = (a: { name: string }, validUntil: number) => ({
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: `for-${a.name}`, namespace: `govcloud-${provider.name}` },
    spec: { service: 'registry', consumer: a.name, purpose: 'Tra cứu đăng ký (e2e)', legalBasis: 'Nghị định 47/2024/NĐ-CP', validUntil: rfc3339(validUntil) },
  });
  try {
    await setGateways(hub, true);
    await hub.apply(agency(provider.name, provider.code, { dcs: ['dc-hanoi'], workspaces: ['data'] }));
    for (const a of consumers) await hub.apply(agency(a.name, a.code, { dcs: ['dc-hcm'], workspaces: ['app'] }));
    for (const a of [provider, ...consumers]) await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True');

    // The provider's workspace runs on the real node: what a platform engineer does with the
    // scheduler's namespace annotations (the operator leaves annotations it did not write).
    await hanoi.call(
      'PATCH',
      `/api/v1/namespaces/${providerNs}`,
      {
        metadata: {
          annotations: {
            'scheduler.alpha.kubernetes.io/node-selector': `${REAL_NODE_LABEL}=true`,
            'scheduler.alpha.kubernetes.io/defaultTolerations': JSON.stringify([REAL_NODE_TOLERATION]),
          },
        },
      },
      MERGE,
    );
    await hub.apply(registryService(provider.name, { sharing: 'onRequest', dcs: ['dc-hanoi'], replicas: 1 }));
    for (const a of consumers)
      await hub.apply({
        apiVersion: API,
        kind: 'AccessRequest',
        metadata: { name: 'registry', namespace: `govcloud-${a.name}` },
        spec: { provider: provider.name, service: 'registry', workspaces: ['app'], purpose: 'Tra cứu đăng ký (e2e)', legalBasis: 'Nghị định 47/2024/NĐ-CP' },
      });
    const until = Math.ceil((Date.now() + WINDOW_MS) / 1000) * 1000;
    const applied = Date.now();
    await hub.apply(grant(consumer, until));
    for (const a of [withdrawn, removed]) await hub.apply(grant(a, Date.now() + 3_600_000));

    const [provided, client, other] = await Promise.all([
      servicePod(hanoi, providerNs),
      realPod(hcm, `${consumer.name}-app`, 'client'),
      realPod(hcm, `${stranger.name}-app`, 'client', { unjudged: true }),
    ]);
    const port = await listenerOf(hcm, `${consumer.name}-app`);

    // Granted: through dc-hcm's listener, mutual TLS to dc-hanoi's gateway, the provider's pod answers.
    const granted = await passes('the granted workspace through both gateways', client, port);
    assert.is(granted.reply, `${providerNs}/${provided.name}`, "the provider's pod (the operator's Deployment) answered");
    console.log(`      first connection through both gateways ${Date.now() - applied} ms after the grant was applied`);
    for (const [c, name] of [[hanoi, serverCert] as const, ...[consumer, withdrawn, removed].map((a) => [hcm, clientCert(a)] as const)])
      await waitFor(`${c.name}: ${name} issued`, async () => (await issuedRevision(c, name)) !== undefined, { timeoutMs: 60_000, intervalMs: 250 });
    const [hanoiGateway, hcmGateway] = await Promise.all([settledGateway(hanoi), settledGateway(hcm)]);
    assert.is(hanoiGateway.ip, HANOI_GATEWAY);
    assert.is(hcmGateway.ip, HCM_GATEWAY);
    await passes('the granted workspace through the settled gateways', client, port);
    assert.ok(
      gatewayLog(hanoiGateway).some((l) => l.side === 'in' && l.decision === 'pass' && l.consumer === `${consumer.code}/app` && l.service === host),
      "dc-hanoi's gateway logged the pass with the consumer's identity (the certificate cert-manager issued)",
    );

    // No grant: the agency's pod reaches neither the granted listener, the provider's gateway nor its pod.
    const ungranted = await probeFrom(
      other.netns,
      [
        { host: HCM_GATEWAY, port, protocol: 'tcp' },
        { host: HANOI_GATEWAY, port: EXCHANGE_PORT, protocol: 'tcp' },
        { host: provided.ip, port: 8443, protocol: 'tcp' },
      ],
      2000,
    );
    assert.equal(
      ungranted.map((r) => r.result),
      ['timeout', 'timeout', 'timeout'],
      `without a grant: ${JSON.stringify(ungranted)}`,
    );
    const bypass = await one(client, provided.ip, 8443);
    assert.is(bypass.result, 'timeout', 'the granted workspace in plaintext straight to the provider pod: dropped');

    // Renewal: cert-manager issues dc-hanoi's gateway certificate again; the pod rolls and serves it.
    const before = (await secretCertificate(hanoi, serverCert))!;
    const served = await servedCertificate(hcm, HANOI_GATEWAY, host);
    assert.is(served.serialNumber, before.serialNumber, "dc-hanoi's gateway serves the Secret's certificate");
    const revision = (await issuedRevision(hanoi, serverCert))!;
    const renewing = Date.now();
    await renew(hanoi, serverCert);
    await waitFor(`${serverCert} issued again`, async () => ((await issuedRevision(hanoi, serverCert)) ?? 0) > revision, {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const issuedMs = Date.now() - renewing;
    const after = (await secretCertificate(hanoi, serverCert))!;
    assert.is.not(after.serialNumber, before.serialNumber, 'a new certificate in the Secret');
    const rolled = await settledGateway(hanoi);
    assert.is.not(rolled.name, hanoiGateway.name, 'a new gateway pod');
    assert.is(rolled.ip, HANOI_GATEWAY, 'at the same address');
    const renewed = await servedCertificate(hcm, HANOI_GATEWAY, host);
    console.log(
      `      renewal: issued ${issuedMs} ms after the Certificate was marked, served by a new gateway pod ${Date.now() - renewing} ms after (serial ${before.serialNumber} -> ${renewed.serialNumber})`,
    );
    assert.is(renewed.serialNumber, after.serialNumber, 'a new connection gets the renewed certificate');
    const stillPasses = await passes('the granted workspace after the renewal', client, port);
    assert.is(stillPasses.reply, `${providerNs}/${provided.name}`);

    // Withdrawal and removal: the route, the Certificate and its key go.
    const withdrawnConfig = `${withdrawn.code}/app`;
    const removedConfig = `${removed.code}/app`;
    assert.ok((await haproxyConfig(hanoi)).includes(withdrawnConfig) && (await haproxyConfig(hanoi)).includes(removedConfig), 'both routes before');
    for (const a of [withdrawn, removed]) assert.ok(await issuedRevision(hcm, clientCert(a)), `${clientCert(a)} issued`);
    await hub.call('DELETE', grantOf(withdrawn));
    await hub.call('DELETE', `/apis/${API}/agencies/${removed.name}`);
    const revoking = Date.now();
    await waitFor(
      'the withdrawn and the removed agency: routes, Certificates and Secrets gone',
      async () =>
        !(await haproxyConfig(hanoi)).includes(withdrawnConfig) &&
        !(await haproxyConfig(hanoi)).includes(removedConfig) &&
        (await keyGone(hcm, clientCert(withdrawn))) &&
        (await keyGone(hcm, clientCert(removed))),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    console.log(`      grant withdrawn and agency removed: routes, Certificates and keys gone ${Date.now() - revoking} ms later`);
    assert.ok(await secretCertificate(hcm, clientCert(consumer)), "the remaining consumer's key stays");

    // The operator's own identity deletes no other Secret in govcloud-system.
    await hcm.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'e2e-not-a-gateway-key', namespace: NAMESPACE }, stringData: { k: 'v' } } as never);
    try {
      const op = asOperator(hcm);
      const attack = await op.request('DELETE', `${SECRETS}/e2e-not-a-gateway-key?dryRun=All`);
      assert.is(attack.status, 403, `the operator deleting another Secret in ${NAMESPACE}: ${JSON.stringify(attack.body)}`);
      assert.match(JSON.stringify(attack.body), 'govcloud-operator-limits');
      const elsewhere = await op.request('DELETE', `/api/v1/namespaces/cert-manager/secrets/govcloud-platform-ca?dryRun=All`);
      assert.is(elsewhere.status, 403, `the operator deleting the platform CA's key: ${JSON.stringify(elsewhere.body)}`);
      const own = await op.request('DELETE', `${SECRETS}/${clientCert(consumer)}?dryRun=All`);
      assert.is(own.status, 200, `the operator deleting a gateway key (dry run): ${JSON.stringify(own.body)}`);
    } finally {
      await hcm.request('DELETE', `${SECRETS}/e2e-not-a-gateway-key`);
    }

    // Expiry: by the gateways' clocks (their log lines) every pass before validUntil; every
    // attempt begun EXPIRY_BOUND_MS after it refused (an attempt's connection starts later
    // still: a process is spawned in the pod's namespace for each). Which refuses first: the
    // gateways' clocks, or the operator's re-render at the boundary, which recreates dc-hcm's
    // gateway without the listener (then no gateway logs the attempt).
    const [hanoiNow, hcmNow] = await Promise.all([settledGateway(hanoi), settledGateway(hcm)]);
    const stillOpen = await passes('the granted workspace before validUntil', client, port, 30_000);
    assert.is(stillOpen.result, 'open');
    assert.ok(Date.now() < until - 3000, `the window is still open (${until - Date.now()} ms left): WINDOW_MS too short for this machine`);
    console.log(`      everything before the expiry took ${Date.now() - applied} ms of the grant's window`);
    await sleep(until - 3000 - Date.now());
    const attempts = await probeSeries(client.netns, { host: HCM_GATEWAY, port, protocol: 'tcp' }, 100, 3000 + EXPIRY_BOUND_MS + 3000);
    const late = attempts.filter((a) => a.at! >= until + EXPIRY_BOUND_MS);
    assert.ok(late.length > 0 && late.every((a) => a.result !== 'open'), `refused ${EXPIRY_BOUND_MS} ms after validUntil: ${JSON.stringify(late)}`);
    await sleep(500);
    const identity = `${consumer.code}/app`;
    const logged = [...gatewayLog(hanoiNow).filter((l) => l.side === 'in'), ...gatewayLog(hcmNow).filter((l) => l.side === 'out')].filter(
      (l) => l.consumer === identity,
    );
    const passed = logged.filter((l) => l.decision === 'pass');
    assert.ok(
      passed.length > 0 && passed.every((l) => acceptedMs(l) < until),
      `every pass accepted before validUntil, by the gateways' clocks: ${JSON.stringify(passed.filter((l) => acceptedMs(l) >= until))}`,
    );
    const firstRefusal = logged.filter((l) => l.decision === 'refuse').sort((x, y) => acceptedMs(x) - acceptedMs(y))[0];
    const early = attempts.filter((a) => a.at! < until - 1000);
    assert.ok(
      early.length > 0 && early.every((a) => a.result === 'open'),
      `open until a second before validUntil: ${JSON.stringify(early.filter((a) => a.result !== 'open'))}`,
    );
    const lastOpen = attempts.filter((a) => a.result === 'open').at(-1)!;
    const firstShut = attempts.find((a) => a.at! > lastOpen.at! && a.result !== 'open')!;
    const results = Object.entries(
      Object.groupBy(
        attempts.filter((a) => a.at! >= until),
        (a) => a.result,
      ),
    ).map(([r, list]) => `${list!.length} ${r}`);
    console.log(
      `      expiry (an attempt begun every 100 ms): last passing begun ${until - lastOpen.at!} ms before validUntil, first refused begun ${firstShut.at! - until} ms after it (${firstShut.result}); ` +
        `after it: ${results.join(', ')}; last pass accepted ${until - acceptedMs(passed.at(-1)!)} ms before; ` +
        (firstRefusal
          ? `first refusal accepted ${acceptedMs(firstRefusal) - until} ms after, by ${firstRefusal.gateway}'s gateway`
          : 'no gateway logged a refusal (the re-render at the boundary removed the listener first)'),
    );
    await waitFor('the expired pair: its Certificate and key gone', () => keyGone(hcm, clientCert(consumer)), { timeoutMs: 60_000, intervalMs: 250 });

    // The gateways taken away: every key with them.
    await setGateways(hub, false);
    await waitFor(
      'no gateway, Certificate or key left in dc-hanoi and dc-hcm',
      async () => (await haproxyConfig(hanoi)) === '' && (await haproxyConfig(hcm)) === '' && (await keyGone(hanoi, serverCert)),
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  } finally {
    await setGateways(hub, false);
    await waitFor('no gateway left', async () => (await haproxyConfig(hanoi)) === '' && (await haproxyConfig(hcm)) === '', {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    // A failed run's keys (the operator deletes them as it prunes their Certificates).
    for (const [c, name] of [[hanoi, serverCert] as const, ...consumers.map((a) => [hcm, clientCert(a)] as const)])
      await c.request('DELETE', `${SECRETS}/${name}`);
  }
}, 420_000);

test.run();
