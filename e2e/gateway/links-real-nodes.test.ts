// An agency link across data centres through the exchange gateways, on the local platform's
// real nodes with real connections between two clusters (issue 15): Bộ Tài chính's workspace
// thue in dc-hcm connects to Bộ Công an's workspace app in dc-hanoi, which names its Service
// so-lieu in its Ingress link. Both agencies are at level 3, so the link must be encrypted:
// across data centres only the gateways' mutual TLS carries it.
//
// The objects are rendered from a fixture platform, as the operator renders them: the
// workspaces' own NetworkPolicies (renderAgency: default-deny, DNS, the same workspace) and
// the gateways' objects (renderGateways, the Certificates' Secrets issued by openssl as the
// platform CA, e2e/gateway/real-gateway.ts).
//
// Proved: one side declared renders no route, and the connecting workspace reaches nothing
// in dc-hanoi; both declared, thue reaches the provider pod's greeting through both gateways,
// and the provider's gateway logs the pass with thue's identity and the Ingress link; another
// workspace of the same agency cannot use thue's listener; plaintext from dc-hcm straight to
// the Service's address (the provider pod) or to the provider's gateway is dropped; one side
// withdrawn, the route goes and thue's listener with it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SYSTEM_NAMESPACE, type NetworkLink } from '../../operator/src/api/index.ts';
import { renderAgency } from '../../operator/src/render/agency.ts';
import { gatewayEndpoints, renderGateways } from '../../operator/src/render/gateway.ts';
import { renderLink } from '../../operator/src/render/link.ts';
import { agency, dataCentre, linkPair, objectsIn, platform } from '../../operator/test/render/fixtures.ts';
import { ApiError, loadClusters } from '../harness/index.ts';
import { judged, realPod } from '../packets/pods.ts';
import { probeFrom } from '../platform/real-node/pods.ts';
import { selfSigned } from './certs.ts';
import { applyGateway, cleanUp, gatewayLog, gatewayPod, nodeNamespace, one, removeGateway } from './real-gateway.ts';

const HANOI_GATEWAY = '10.10.240.250';
const HCM_GATEWAY = '10.20.240.250';
const PROVIDER = 'gwl-bo-cong-an';
const CONSUMER = 'gwl-bo-tai-chinh';
const PORT = 5432;
const SERVICE = 'so-lieu';

const NAMESPACES: Record<string, string[]> = {
  'dc-hanoi': [`${PROVIDER}-app`],
  'dc-hcm': [`${CONSUMER}-thue`, `${CONSUMER}-kho-bac`],
};

/** The link pair (thue connects, app listens); `sides` picks which are declared. */
function linkPlatform(sides: 'both' | 'egress' | 'ingress') {
  const hanoi = dataCentre('dc-hanoi', { hub: true, encrypted: true, ranges: ['10.10.0.0/16'] });
  const hcm = dataCentre('dc-hcm', { encrypted: true, ranges: ['10.20.0.0/16'] });
  hanoi.spec.exchangeGateway = { address: HANOI_GATEWAY };
  hcm.spec.exchangeGateway = { address: HCM_GATEWAY };
  const [egress, ingress] = linkPair(
    { agency: CONSUMER, workspace: 'thue' },
    { agency: PROVIDER, workspace: 'app' },
    { ports: [{ port: PORT }], encrypted: true },
  );
  ingress.spec.service = SERVICE;
  const links: NetworkLink[] = sides === 'both' ? [egress, ingress] : sides === 'egress' ? [egress] : [ingress];
  return platform({
    dataCentres: [hanoi, hcm],
    agencies: [
      agency(PROVIDER, { code: 'G04', level: 3, dcs: ['dc-hanoi'], workspaces: ['app'] }),
      agency(CONSUMER, { code: 'G12', level: 3, dcs: ['dc-hcm'], workspaces: ['thue', 'kho-bac'] }),
    ],
    links,
  });
}

/** The workspaces' own NetworkPolicies in one data centre, as renderAgency renders them. */
function workspacePolicies(dc: string) {
  const p = linkPlatform('both');
  return p.agencies
    .flatMap((a) => objectsIn(renderAgency(p, a).perDataCentre, dc))
    .filter((o) => o.kind === 'NetworkPolicy' && NAMESPACES[dc]!.includes(o.metadata.namespace ?? ''));
}

test('an agency link across data centres: only with both sides declared, only through both gateways, never in plaintext', async () => {
  const clusters = loadClusters();
  const hanoi = clusters.find((c) => c.name === 'dc-hanoi');
  const hcm = clusters.find((c) => c.name === 'dc-hcm');
  if (!hanoi || !hcm) return assert.unreachable('the local platform has dc-hanoi and dc-hcm');
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-gateway-links-'));
  const both = linkPlatform('both');
  const rendered = renderGateways(both, new Date(), gatewayEndpoints(both));
  const objectsOf = (dc: string) => objectsIn(rendered.perDataCentre, dc);
  try {
    await Promise.all([cleanUp(hanoi, objectsOf('dc-hanoi'), NAMESPACES['dc-hanoi']!), cleanUp(hcm, objectsOf('dc-hcm'), NAMESPACES['dc-hcm']!)]);
    for (const c of [hanoi, hcm]) {
      for (const ns of [SYSTEM_NAMESPACE, ...NAMESPACES[c.name]!]) await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      for (const policy of workspacePolicies(c.name)) await c.apply(policy as never);
    }
    // The Service the Ingress link names, and the pod behind it (the port the same on both, as the link's port is the pod's).
    const labels = { app: 'so-lieu-stand-in' };
    const provider = await realPod(hanoi, `${PROVIDER}-app`, SERVICE, { labels, ports: [{ port: PORT, protocol: 'TCP' }] });
    await hanoi.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE, namespace: `${PROVIDER}-app` },
      spec: { selector: labels, ports: [{ port: PORT, targetPort: PORT, protocol: 'TCP' }] },
    } as never);
    const thue = await realPod(hcm, `${CONSUMER}-thue`, 'client');
    const khoBac = await realPod(hcm, `${CONSUMER}-kho-bac`, 'client');

    // One side declared: nothing to apply, and the connecting workspace reaches nothing in dc-hanoi.
    for (const side of ['egress', 'ingress'] as const) {
      const alone = linkPlatform(side);
      assert.equal(renderGateways(alone, new Date(), gatewayEndpoints(alone)).routes, [], `only the ${side} side: no route`);
      assert.is(renderLink(alone, alone.links[0]!, new Date()).inactive?.reason, 'WaitingForPeer', `only the ${side} side: waiting for the peer`);
    }
    const before = await one(thue, provider.ip, PORT);
    assert.is(before.result, 'timeout', `one side declared: thue straight to the Service's pod is dropped: ${JSON.stringify(before)}`);

    // Both sides declared: the gateways carry it.
    assert.equal(rendered.issues, []);
    assert.is(rendered.routes.length, 1, 'one route: thue to so-lieu on 5432');
    const route = rendered.routes[0]!;
    assert.is(route.kind, 'link');
    selfSigned(dir, 'ca', '/CN=govcloud-platform-ca');
    const started = Date.now();
    await applyGateway(hanoi, objectsOf('dc-hanoi'), dir);
    await applyGateway(hcm, objectsOf('dc-hcm'), dir);
    const [hanoiGateway, hcmGateway] = await Promise.all([gatewayPod(hanoi), gatewayPod(hcm)]);
    await Promise.all([judged(nodeNamespace(hanoiGateway), provider.ip), judged(nodeNamespace(hcmGateway), thue.ip)]);

    console.log(`      gateways running and judged ${Date.now() - started} ms after apply; thue's listener ${route.listenPort}`);
    const linked = await one(thue, HCM_GATEWAY, route.listenPort);
    assert.is(linked.result, 'open', `thue through both gateways: ${JSON.stringify(linked)}`);
    assert.is(linked.reply, `${PROVIDER}-app/${SERVICE}`, "the provider pod's own greeting came back");

    const attacks = await probeFrom(
      khoBac.netns,
      [
        { host: HCM_GATEWAY, port: route.listenPort, protocol: 'tcp' },
        { host: provider.ip, port: PORT, protocol: 'tcp' },
        { host: HANOI_GATEWAY, port: 8443, protocol: 'tcp' },
      ],
      2000,
    );
    assert.equal(
      attacks.map((a) => a.result),
      ['timeout', 'timeout', 'timeout'],
      `another workspace of the same agency: thue's listener, the Service's pod, the provider's gateway are all dropped: ${JSON.stringify(attacks)}`,
    );
    const plaintext = await probeFrom(
      thue.netns,
      [
        { host: provider.ip, port: PORT, protocol: 'tcp' },
        { host: HANOI_GATEWAY, port: 8443, protocol: 'tcp' },
      ],
      2000,
    );
    assert.equal(
      plaintext.map((a) => a.result),
      ['timeout', 'timeout'],
      `the linked workspace itself, in plaintext across data centres: to the Service's address and to the provider's gateway, dropped: ${JSON.stringify(plaintext)}`,
    );

    const passes = gatewayLog(hanoiGateway).filter((l) => l.side === 'in' && l.decision === 'pass');
    assert.ok(passes.length > 0, 'the provider gateway logs the pass');
    assert.ok(
      passes.every((l) => l.consumer === 'G12/thue' && l.service === route.provider.host && l.grant === `govcloud-${PROVIDER}/from-${CONSUMER}`),
      `each pass names thue's certificate identity, the link's exchange name and the Ingress link: ${JSON.stringify(passes[0])}`,
    );
    assert.not.ok(
      [...gatewayLog(hanoiGateway), ...gatewayLog(hcmGateway)].some((l) => l.consumer !== 'G12/thue'),
      'nothing else reached a gateway: the dropped attempts never got there',
    );

    // The Ingress side withdrawn: the render has no route, so the operator prunes the gateways' objects.
    const withdrawn = linkPlatform('egress');
    assert.equal(renderGateways(withdrawn, new Date(), gatewayEndpoints(withdrawn)).perDataCentre, [], 'no gateway object is wanted any more');
    await Promise.all([removeGateway(hanoi, objectsOf('dc-hanoi')), removeGateway(hcm, objectsOf('dc-hcm'))]);
    const after = await probeFrom(
      thue.netns,
      [
        { host: HCM_GATEWAY, port: route.listenPort, protocol: 'tcp' },
        { host: provider.ip, port: PORT, protocol: 'tcp' },
      ],
      2000,
    );
    assert.ok(
      after.every((a) => a.result !== 'open'),
      `one side withdrawn: thue reaches neither its former listener nor the Service's pod: ${JSON.stringify(after)}`,
    );
  } finally {
    await Promise.all([cleanUp(hanoi, objectsOf('dc-hanoi'), NAMESPACES['dc-hanoi']!), cleanUp(hcm, objectsOf('dc-hcm'), NAMESPACES['dc-hcm']!)]).catch(
      (err: unknown) => {
        if (!(err instanceof ApiError)) throw err;
      },
    );
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
