import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  allocatePorts,
  CERTIFICATES_HASH_ANNOTATION,
  CONFIG_SHARD_BYTES,
  configShards,
  gatewayEndpoints,
  LISTEN_PORT_SPAN,
  renderGateways,
  withCertificateRevisions,
  withinCertificateLimit,
  type GatewayEndpoint,
} from '../../src/render/gateway.ts';
import type { DesiredObject, RenderIssue } from '../../src/render/types.ts';
import { agency, at, get, grant, linkPair, NOW, objectsIn, platform, request, service, threeDataCentres } from './fixtures.ts';
import { gatewayConfigFiles, gatewayConfigText, manyPairs } from './gateway-config.ts';

// Bộ Công an (G04) runs the population service in dc-hanoi; Bộ Tài chính (G12) is only in dc-hcm.
const owner = () => agency('bo-cong-an', { code: 'G04', workspaces: ['app'], dcs: ['dc-hanoi'] });
const mof = (dcs = ['dc-hcm']) => agency('bo-tai-chinh', { code: 'G12', workspaces: ['thue', 'kho-bac'], dcs });
const sds = () => service('bo-cong-an', 'dan-cu');
const req = (o: { validUntil?: string } = {}) => request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'], ...o });
const gr = (o: { validUntil?: string } = {}) =>
  grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh', validUntil: '2026-06-01T01:00:00.750Z', ...o });

const ENDPOINTS: ReadonlyMap<string, GatewayEndpoint> = new Map([
  ['dc-hanoi', { address: '10.10.255.1' }],
  ['dc-hcm', { address: '10.20.255.1', issuer: { kind: 'Issuer', name: 'ban-co-yeu' } }],
]);

/** dc-hanoi and dc-hcm declare the gateways of ENDPOINTS (and offer encrypted links); dc-danang neither. */
const gatewayDataCentres = () => {
  const dcs = threeDataCentres();
  for (const dc of dcs) {
    const endpoint = ENDPOINTS.get(dc.metadata.name);
    if (endpoint) dc.spec.exchangeGateway = { address: endpoint.address, ...(endpoint.issuer ? { issuerRef: endpoint.issuer } : {}) };
  }
  return dcs;
};

const crossPlatform = (extra: Parameters<typeof platform>[0] = {}) =>
  platform({ dataCentres: gatewayDataCentres(), agencies: [owner(), mof()], services: [sds()], requests: [req()], grants: [gr()], ...extra });

const config = (objects: DesiredObject[]) => gatewayConfigText(objects);

test('a current pair across data centres: one route, the consumer gateway listens for its workspace, the provider gateway admits its certificate until the end', () => {
  const r = renderGateways(crossPlatform(), NOW, ENDPOINTS);
  assert.equal(r.issues, []);
  assert.is(r.routes.length, 1);
  const route = r.routes[0]!;
  assert.equal(route.consumer, {
    agency: 'bo-tai-chinh',
    code: 'G12',
    workspace: 'thue',
    dataCentre: 'dc-hcm',
    commonName: 'G12/thue',
    uri: 'spiffe://govcloud.dev/agency/G12/workspace/thue',
  });
  assert.is(route.provider.dataCentre, 'dc-hanoi');
  assert.is(route.provider.host, 'svc-dan-cu.bo-cong-an-app.exchange.govcloud.dev');
  assert.is(route.grant, 'govcloud-bo-cong-an/g');
  assert.is(route.until, Date.parse('2026-06-01T01:00:00.750Z'));
  assert.ok(route.listenPort >= 20000 && route.listenPort < 30000);
  assert.equal(r.nextChange, new Date('2026-06-01T01:00:00.750Z'));

  const hcm = objectsIn(r.perDataCentre, 'dc-hcm');
  const out = config(hcm);
  const port = route.listenPort;
  // 1780275600750 is validUntil, 2026-06-01T01:00:00.750Z, in milliseconds.
  assert.ok(out.includes(`frontend out-${port}\n  bind :${port}\n`), out);
  assert.ok(out.includes('  tcp-request content set-var(sess.decision) str(pass) if TRUE { date(0,ms) lt 1780275600750 }\n'), out);
  assert.ok(out.includes('  tcp-request content set-var(sess.consumer) str(G12/thue)\n'), out);
  assert.ok(
    out.includes(
      `  server dc-hanoi 10.10.255.1:8443 ssl crt /etc/govcloud-gateway/certs/gw-bo-tai-chinh.thue.crt ca-file /etc/govcloud-gateway/ca.crt verify required sni str(svc-dan-cu.bo-cong-an-app.exchange.govcloud.dev)\n`,
    ),
    out,
  );
  assert.not.ok(out.includes('frontend exchange-in'), 'nothing comes into dc-hcm');
  assert.equal(
    objectsIn(r.perDataCentre, 'dc-hcm')
      .filter((o) => o.kind === 'ConfigMap')
      .map((o) => o.metadata.name),
    ['govcloud-gateway-0'],
    'a small gateway: one ConfigMap',
  );

  const hanoi = objectsIn(r.perDataCentre, 'dc-hanoi');
  const inbound = config(hanoi);
  assert.ok(
    inbound.includes('  bind :8443 ssl crt /etc/govcloud-gateway/certs/gw-dc-hanoi.crt ca-file /etc/govcloud-gateway/ca.crt verify required\n'),
    inbound,
  );
  assert.ok(
    inbound.includes(
      '  tcp-request content set-var(sess.decision) str(pass) if { ssl_fc_sni -m str svc-dan-cu.bo-cong-an-app.exchange.govcloud.dev } { ssl_c_s_dn(CN) -m str G12/thue } { date(0,ms) lt 1780275600750 }\n',
    ),
    inbound,
  );
  assert.ok(inbound.includes('  tcp-request content reject unless { var(sess.decision) -m str pass }\n'));
  // The listener hands the connection to the backend of that name and certificate, which checks both again; none: refused.
  assert.ok(inbound.includes('  use_backend in:%[ssl_fc_sni]:%[ssl_c_s_dn(CN),regsub(/,:)]\n  default_backend in-refused\n'), inbound);
  assert.ok(inbound.includes('\nbackend in-refused\n  tcp-request content reject\n'), inbound);
  assert.ok(inbound.includes('\nbackend in:svc-dan-cu.bo-cong-an-app.exchange.govcloud.dev:G12:thue\n'), inbound);
  assert.ok(inbound.includes('  server svc-dan-cu svc-dan-cu.bo-cong-an-app.svc:8443 init-addr last,libc,none\n'), inbound);
  assert.ok(inbound.includes(`log-format '{"time":`), 'JSON lines');
});

test('certificates: one per consumer workspace where it leaves, one for the gateway where routes come in, from the data centre issuer', () => {
  const r = renderGateways(crossPlatform(), NOW, ENDPOINTS);
  const client = get(objectsIn(r.perDataCentre, 'dc-hcm'), 'Certificate', 'govcloud-system', 'gw-bo-tai-chinh.thue');
  assert.is(client.apiVersion, 'cert-manager.io/v1');
  assert.equal(client.spec, {
    secretName: 'gw-bo-tai-chinh.thue',
    commonName: 'G12/thue',
    uris: ['spiffe://govcloud.dev/agency/G12/workspace/thue'],
    usages: ['digital signature', 'client auth'],
    duration: '24h',
    renewBefore: '8h',
    privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
    issuerRef: { group: 'cert-manager.io', kind: 'Issuer', name: 'ban-co-yeu' },
  });
  assert.is(client.metadata.labels['govcloud.dev/agency'], 'G12');
  assert.is(client.metadata.labels['govcloud.dev/owner'], 'DataCentre..dc-hcm');
  const server = get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'Certificate', 'govcloud-system', 'gw-dc-hanoi');
  assert.equal(
    at(server, 'spec', 'dnsNames'),
    ['gateway.dc-hanoi.govcloud.dev', '*.bo-cong-an-app.exchange.govcloud.dev'],
    'the names its services are asked by',
  );
  assert.equal(
    at(server, 'spec', 'issuerRef'),
    { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'govcloud-platform-ca' },
    'the platform CA by default',
  );
});

test('policies: the consumer reaches only its listener at its gateway; the provider admits only the gateway on the port; the gateway only the peers', () => {
  const r = renderGateways(crossPlatform(), NOW, ENDPOINTS);
  const port = r.routes[0]!.listenPort;
  const gatewayPods = [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'govcloud-system' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'govcloud-gateway' } },
    },
  ];
  const hcm = objectsIn(r.perDataCentre, 'dc-hcm');
  assert.equal(at(get(hcm, 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-gw-egress'), 'spec', 'egress'), [
    { to: gatewayPods, ports: [{ protocol: 'TCP', port }] },
  ]);
  assert.equal(at(get(hcm, 'NetworkPolicy', 'govcloud-system', 'govcloud-gateway'), 'spec'), {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'govcloud-gateway' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-tai-chinh-thue' } } }], ports: [{ protocol: 'TCP', port }] }],
    egress: [{ to: [{ ipBlock: { cidr: '10.10.255.1/32' } }], ports: [{ protocol: 'TCP', port: 8443 }] }],
  });
  const hanoi = objectsIn(r.perDataCentre, 'dc-hanoi');
  assert.equal(at(get(hanoi, 'NetworkPolicy', 'bo-cong-an-app', 'govcloud-gw-ingress'), 'spec', 'ingress'), [
    { from: gatewayPods, ports: [{ protocol: 'TCP', port: 8443 }] },
  ]);
  assert.equal(at(get(hanoi, 'NetworkPolicy', 'govcloud-system', 'govcloud-gateway'), 'spec', 'ingress'), [
    { from: [{ ipBlock: { cidr: '10.20.255.1/32' } }], ports: [{ protocol: 'TCP', port: 8443 }] },
  ]);
  assert.equal(objectsIn(r.perDataCentre, 'dc-danang'), [], 'a data centre with no route gets nothing');
});

test('an expired grant is absent: no route, no listener, no certificate; the boundary is the next change before it', () => {
  const afterEnd = new Date('2026-06-01T01:00:00.750Z');
  const r = renderGateways(crossPlatform(), afterEnd, ENDPOINTS);
  assert.equal(r.routes, []);
  assert.equal(r.perDataCentre, []);
  const justBefore = renderGateways(crossPlatform(), new Date(afterEnd.getTime() - 1), ENDPOINTS);
  assert.is(justBefore.routes.length, 1);
  assert.equal(justBefore.nextChange, afterEnd, 'the operator renders again at validUntil');
  assert.equal(renderGateways(crossPlatform({ requests: [req({ validUntil: '2026-05-31T00:00:00Z' })] }), NOW, ENDPOINTS).routes, [], 'an expired request too');
});

test('one party alone opens nothing: a request without a grant, a grant without a request', () => {
  assert.equal(renderGateways(crossPlatform({ grants: [] }), NOW, ENDPOINTS).routes, []);
  assert.equal(renderGateways(crossPlatform({ requests: [] }), NOW, ENDPOINTS).perDataCentre, []);
});

/** bo-tai-chinh/thue (dc-hcm) connects to bo-cong-an/app (dc-hanoi), which names its Service so-lieu: a link pair the gateways carry. */
const crossLinks = (o: Parameters<typeof linkPair>[2] = {}) => {
  const [egress, ingress] = linkPair({ agency: 'bo-tai-chinh', workspace: 'thue' }, { agency: 'bo-cong-an', workspace: 'app' }, { encrypted: true, ...o });
  ingress.spec.service = 'so-lieu';
  return [egress, ingress] as const;
};

test('a link pair across data centres: a route per port from the Egress workspace to the Service the Ingress link names, with the same listener, certificate and policies as a service route', () => {
  const [egress, ingress] = crossLinks({ ports: [{ port: 5432 }, { port: 443 }], validUntil: '2026-06-01T02:00:00Z' });
  const r = renderGateways(crossPlatform({ services: [], requests: [], grants: [], links: [egress, ingress] }), NOW, ENDPOINTS);
  assert.equal(r.issues, []);
  assert.equal(
    r.routes.map((x) => [
      x.kind,
      x.consumer.commonName,
      x.consumer.dataCentre,
      x.provider.dataCentre,
      x.provider.host,
      x.provider.port,
      x.request,
      x.grant,
      x.until,
    ]),
    [443, 5432].map((port) => [
      'link',
      'G12/thue',
      'dc-hcm',
      'dc-hanoi',
      `${port}-so-lieu.bo-cong-an-app.exchange.govcloud.dev`,
      port,
      'govcloud-bo-tai-chinh/to-bo-cong-an',
      'govcloud-bo-cong-an/from-bo-tai-chinh',
      Date.parse('2026-06-01T02:00:00Z'),
    ]),
  );
  assert.equal(r.nextChange, new Date('2026-06-01T02:00:00Z'), 'the operator renders again when the links close');
  const [https, pg] = r.routes;
  const hcm = objectsIn(r.perDataCentre, 'dc-hcm');
  const out = config(hcm);
  for (const route of [https!, pg!]) {
    assert.ok(out.includes(`frontend out-${route.listenPort}\n  bind :${route.listenPort}\n`), out);
    assert.ok(out.includes(`sni str(${route.provider.host})\n`), out);
  }
  assert.ok(get(hcm, 'Certificate', 'govcloud-system', 'gw-bo-tai-chinh.thue'), "the Egress workspace's identity");
  assert.equal(at(get(hcm, 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-gw-egress'), 'spec', 'egress', 0, 'ports'), [
    { protocol: 'TCP', port: Math.min(https!.listenPort, pg!.listenPort) },
    { protocol: 'TCP', port: Math.max(https!.listenPort, pg!.listenPort) },
  ]);

  const hanoi = objectsIn(r.perDataCentre, 'dc-hanoi');
  const inbound = config(hanoi);
  assert.ok(
    inbound.includes(
      '  tcp-request content set-var(sess.decision) str(pass) if { ssl_fc_sni -m str 5432-so-lieu.bo-cong-an-app.exchange.govcloud.dev } { ssl_c_s_dn(CN) -m str G12/thue } { date(0,ms) lt 1780279200000 }\n',
    ),
    inbound,
  );
  assert.ok(inbound.includes('  tcp-request content set-var(sess.grant) str(govcloud-bo-cong-an/from-bo-tai-chinh) if '), 'the log names the Ingress link');
  assert.ok(inbound.includes('  server so-lieu so-lieu.bo-cong-an-app.svc:5432 init-addr last,libc,none\n'), inbound);
  assert.ok(inbound.includes('  server so-lieu so-lieu.bo-cong-an-app.svc:443 init-addr last,libc,none\n'), inbound);
  assert.equal(
    at(get(hanoi, 'Certificate', 'govcloud-system', 'gw-dc-hanoi'), 'spec', 'dnsNames'),
    ['gateway.dc-hanoi.govcloud.dev', '*.bo-cong-an-app.exchange.govcloud.dev'],
    "the link's names are under the workspace's",
  );
  assert.equal(at(get(hanoi, 'NetworkPolicy', 'bo-cong-an-app', 'govcloud-gw-ingress'), 'spec', 'ingress', 0, 'ports'), [
    { protocol: 'TCP', port: 443 },
    { protocol: 'TCP', port: 5432 },
  ]);
  assert.equal(at(get(hanoi, 'NetworkPolicy', 'govcloud-system', 'govcloud-gateway'), 'spec', 'egress'), [
    {
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-cong-an-app' } } }],
      ports: [
        { protocol: 'TCP', port: 443 },
        { protocol: 'TCP', port: 5432 },
      ],
    },
  ]);
});

test('a link pair across data centres: one side alone, an expired side, a side without the Service or with a UDP port opens no route', () => {
  const routes = (links: Parameters<typeof platform>[0]['links'], at = NOW) =>
    renderGateways(crossPlatform({ services: [], requests: [], grants: [], links }), at, ENDPOINTS).routes;
  const [egress, ingress] = crossLinks();
  assert.is(routes([egress, ingress]).length, 1);
  assert.equal(routes([egress]), [], 'the connecting side alone');
  assert.equal(routes([ingress]), [], 'the listening side alone');
  const [e2, i2] = crossLinks({ validUntil: '2026-06-01T00:30:00Z' });
  assert.equal(routes([e2, i2], new Date('2026-06-01T00:30:00Z')), [], 'after the end of the window');
  const [e3, i3] = crossLinks();
  delete i3.spec.service;
  assert.equal(routes([e3, i3]), [], 'no Service to forward to');
  const [e4, i4] = crossLinks();
  e4.spec.ports = [{ port: 443 }, { protocol: 'UDP', port: 443 }];
  assert.equal(routes([e4, i4]), [], 'a UDP port on either side refuses the pair');
});

test('no gateway or no encrypted links at either end: closed, with the issue GatewayUnavailable naming what each data centre lacks', () => {
  const dcs = gatewayDataCentres();
  delete dcs[0]!.spec.exchangeGateway;
  const p = crossPlatform({ dataCentres: dcs });
  const r = renderGateways(p, NOW, gatewayEndpoints(p));
  assert.equal(r.routes, []);
  assert.equal(r.perDataCentre, []);
  assert.equal(r.issues, [
    {
      owner: { kind: 'SharedDataService', namespace: 'govcloud-bo-cong-an', name: 'dan-cu' },
      field: 'spec.placement.dataCentres',
      reason: 'GatewayUnavailable',
      message:
        "workspace thue of agency bo-tai-chinh is only in dc-hcm, where the service does not run: place the service in dc-hcm or the consumer's workspace in one of dc-hanoi, " +
        'or give a data centre on each side spec.exchangeGateway and spec.encryptedLinks: true to exchange through the gateways (' +
        'DataCentre/dc-hanoi lacks spec.exchangeGateway)',
    },
  ]);
  // dc-danang has a gateway but offers no encrypted links.
  const withDanang = gatewayDataCentres();
  withDanang[2]!.spec.exchangeGateway = { address: '10.30.255.1' };
  const q = crossPlatform({ dataCentres: withDanang, agencies: [owner(), mof(['dc-danang'])] });
  const danang = renderGateways(q, NOW, gatewayEndpoints(q));
  assert.equal(danang.routes, []);
  assert.equal(
    danang.issues.map((i) => i.reason),
    ['GatewayUnavailable'],
  );
  assert.match(danang.issues[0]!.message, /\(DataCentre\/dc-danang lacks spec.encryptedLinks: true\)$/);
});

test('a consumer also where the service runs is served there: a data centre of it without a gateway is no issue, one with a gateway gets a route', () => {
  const without = renderGateways(crossPlatform({ agencies: [owner(), mof(['dc-hanoi', 'dc-danang'])] }), NOW, ENDPOINTS);
  assert.equal(without.issues, []);
  assert.equal(without.routes, []);
  const withGateway = renderGateways(crossPlatform({ agencies: [owner(), mof(['dc-hanoi', 'dc-hcm'])] }), NOW, ENDPOINTS);
  assert.equal(
    withGateway.routes.map((r) => `${r.consumer.dataCentre} -> ${r.provider.dataCentre}`),
    ['dc-hcm -> dc-hanoi'],
  );
});

test('a consumer in the service data centre is served there by NetworkPolicy, not by the gateway', () => {
  const r = renderGateways(crossPlatform({ agencies: [owner(), mof(['dc-hanoi'])] }), NOW, ENDPOINTS);
  assert.equal(r.routes, []);
});

test('listener ports stay put when another route comes', () => {
  const one = renderGateways(crossPlatform(), NOW, ENDPOINTS).routes[0]!.listenPort;
  const both = renderGateways(
    crossPlatform({ requests: [request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue', 'kho-bac'] })] }),
    NOW,
    ENDPOINTS,
  );
  assert.is(both.routes.length, 2);
  assert.is(both.routes.find((r) => r.consumer.workspace === 'thue')!.listenPort, one);
  assert.is.not(both.routes[0]!.listenPort, both.routes[1]!.listenPort);
});

test('the endpoints come from the DataCentres that declare an exchange gateway, with their issuer where one is named', () => {
  assert.equal([...gatewayEndpoints(crossPlatform())], [...ENDPOINTS]);
});

test('the workload: one HAProxy pod per data centre at its gateway address, on the gateway nodes, with the configuration and the Secrets as files', () => {
  const r = renderGateways(crossPlatform(), NOW, ENDPOINTS);
  const port = r.routes[0]!.listenPort;
  const hcm = objectsIn(r.perDataCentre, 'dc-hcm');
  assert.is(at(get(hcm, 'ServiceAccount', 'govcloud-system', 'govcloud-gateway'), 'automountServiceAccountToken'), false);
  const deployment = get(hcm, 'Deployment', 'govcloud-system', 'govcloud-gateway');
  assert.equal(at(deployment, 'spec', 'strategy'), { type: 'Recreate' }, 'one pod at a time holds the fixed address');
  const template = at(deployment, 'spec', 'template') as { metadata: { labels: object; annotations: Record<string, string> }; spec: Record<string, unknown> };
  assert.equal(template.metadata.labels, { 'app.kubernetes.io/name': 'govcloud-gateway' }, 'what the policies select');
  assert.is(template.metadata.annotations['cni.projectcalico.org/ipAddrs'], '["10.20.255.1"]');
  assert.match(template.metadata.annotations['govcloud.dev/config-hash']!, /^[0-9a-f]{32}$/);
  const spec = template.spec;
  assert.equal(spec.nodeSelector, { 'govcloud.dev/exchange-gateway': 'true' });
  assert.equal(spec.tolerations, [{ key: 'govcloud.dev/exchange-gateway', operator: 'Exists' }]);
  assert.is(spec.automountServiceAccountToken, false);
  const container = (spec.containers as Record<string, unknown>[])[0]!;
  assert.is(container.image, 'docker.io/library/haproxy:2.6.12');
  assert.equal([container.command, container.args], [['haproxy'], ['-db', '-f', '/etc/govcloud-gateway/haproxy.d']], "the directory of the ConfigMaps' files");
  assert.equal(container.ports, [{ containerPort: port, protocol: 'TCP' }], 'a consumer side: its listeners only');
  assert.equal(container.securityContext, {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.equal(container.volumeMounts, [{ name: 'gateway', mountPath: '/etc/govcloud-gateway', readOnly: true }]);
  assert.equal(spec.volumes, [
    {
      name: 'gateway',
      projected: {
        defaultMode: 0o440,
        sources: [
          { configMap: { name: 'govcloud-gateway-0', items: [{ key: '0000.cfg', path: 'haproxy.d/0000.cfg' }] } },
          {
            secret: {
              name: 'gw-bo-tai-chinh.thue',
              items: [
                { key: 'tls.crt', path: 'certs/gw-bo-tai-chinh.thue.crt' },
                { key: 'tls.key', path: 'certs/gw-bo-tai-chinh.thue.crt.key' },
                { key: 'ca.crt', path: 'ca.crt' },
              ],
            },
          },
        ],
      },
    },
  ]);
  const hanoi = get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'Deployment', 'govcloud-system', 'govcloud-gateway');
  assert.equal(
    at(hanoi, 'spec', 'template', 'spec', 'containers', 0, 'ports'),
    [{ containerPort: 8443, protocol: 'TCP' }],
    'a provider side: the exchange port',
  );
  assert.is(at(hanoi, 'spec', 'template', 'metadata', 'annotations', 'cni.projectcalico.org/ipAddrs'), '["10.10.255.1"]');
});

test('a changed configuration changes the hash on the pod template, so the pod rolls; the same configuration keeps it', () => {
  const hash = (validUntil: string) =>
    at(
      get(
        objectsIn(renderGateways(crossPlatform({ grants: [gr({ validUntil })] }), NOW, ENDPOINTS).perDataCentre, 'dc-hanoi'),
        'Deployment',
        'govcloud-system',
        'govcloud-gateway',
      ),
      'spec',
      'template',
      'metadata',
      'annotations',
      'govcloud.dev/config-hash',
    );
  assert.is(hash('2026-06-01T01:00:00.750Z'), hash('2026-06-01T01:00:00.750Z'));
  assert.is.not(hash('2026-06-01T01:00:00.750Z'), hash('2026-06-01T02:00:00.000Z'));
});

test('many routes: the configuration split into ConfigMaps of whole sections, global and defaults first, every one in the pod and in its hash', () => {
  const pairs = manyPairs({ provider: 'bo-cong-an', workspace: 'app', dc: 'dc-hanoi', consumer: 'bo-tai-chinh', consumerWorkspace: 'thue' }, 400);
  const p = crossPlatform(pairs as unknown as Parameters<typeof platform>[0]);
  const r = renderGateways(p, NOW, ENDPOINTS);
  assert.equal(r.issues, []);
  assert.is(r.routes.length, 400);
  for (const dc of ['dc-hanoi', 'dc-hcm']) {
    const objects = objectsIn(r.perDataCentre, dc);
    const files = gatewayConfigFiles(objects);
    assert.ok(files.length >= 2, `${dc}: ${files.length} files`);
    assert.equal(
      objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name),
      files.map((_, n) => `govcloud-gateway-${n}`),
    );
    assert.equal(
      files.map(([name]) => name),
      files.map((_, n) => `${String(n).padStart(4, '0')}.cfg`),
      'lexical order is the numbers',
    );
    assert.match(files[0]![1], /\nglobal\n[^]*\ndefaults\n/);
    for (const [name, text] of files) {
      assert.ok(Buffer.byteLength(JSON.stringify(text)) < CONFIG_SHARD_BYTES, name);
      assert.ok(/^(# |global\n|frontend |backend )/.test(text), `${name} starts a section`);
    }
    assert.is(
      files
        .map(([, text]) => text)
        .join('\n')
        .match(/^(frontend out-|backend in:)/gm)!.length,
      400,
      'every route once',
    );
    const deployment = get(objects, 'Deployment', 'govcloud-system', 'govcloud-gateway');
    assert.equal(
      (at(deployment, 'spec', 'template', 'spec', 'volumes', 0, 'projected', 'sources') as { configMap?: { name: string } }[])
        .filter((s) => s.configMap)
        .map((s) => s.configMap!.name),
      files.map((_, n) => `govcloud-gateway-${n}`),
    );
  }
  // A change in the last file only still rolls the pod.
  const hash = (q: ReturnType<typeof crossPlatform>) =>
    at(
      get(objectsIn(renderGateways(q, NOW, ENDPOINTS).perDataCentre, 'dc-hanoi'), 'Deployment', 'govcloud-system', 'govcloud-gateway'),
      'spec',
      'template',
      'metadata',
      'annotations',
      'govcloud.dev/config-hash',
    );
  const later = structuredClone(pairs);
  later.grants[399]!.spec.validUntil = '2031-01-01T00:00:00Z';
  assert.is.not(hash(crossPlatform(later as unknown as Parameters<typeof platform>[0])), hash(p));
});

test('configuration files: sections in order, a new file where the next would pass the budget, a section never split', () => {
  assert.equal(configShards(['global\n', 'frontend a\n', 'backend b\n'], 100), ['global\n\nfrontend a\n\nbackend b\n']);
  assert.equal(configShards(['global\n', 'frontend a\n', 'backend b\n'], 24), ['global\n\nfrontend a\n', 'backend b\n']);
  assert.equal(configShards(['global\n', `backend ${'x'.repeat(50)}\n`], 24), ['global\n', `backend ${'x'.repeat(50)}\n`], 'a long section alone');
});

test('consumer workspaces past the limit of a gateway are not served, one issue per data centre', () => {
  const [route] = renderGateways(crossPlatform(), NOW, ENDPOINTS).routes;
  const { listenPort: _port, ...base } = route!;
  const many = Array.from({ length: 7 }, (_, i) => ({ ...base, consumer: { ...base.consumer, workspace: `w${i}` } }));
  const issues: RenderIssue[] = [];
  const kept = withinCertificateLimit([...many, { ...many[0]!, grant: 'govcloud-bo-cong-an/other' }], issues, 5);
  assert.equal(
    kept.map((r) => r.consumer.workspace),
    ['w0', 'w1', 'w2', 'w3', 'w4', 'w0'],
    'the first five workspaces by certificate name, each with all its routes',
  );
  assert.is(issues.length, 1);
  assert.is(
    issues[0]!.message,
    'the gateway of dc-hcm carries at most 5 consumer workspaces: 2 more are not served (first: gw-bo-tai-chinh.w5, gw-bo-tai-chinh.w6)',
  );
});

test('listener ports: a data centre whose span is full serves no further route and says so, instead of searching forever', () => {
  const [route] = renderGateways(crossPlatform(), NOW, ENDPOINTS).routes;
  const { listenPort: _port, ...base } = route!;
  const many = Array.from({ length: LISTEN_PORT_SPAN + 2 }, (_, i) => ({ ...base, grant: `govcloud-bo-cong-an/g-${i}` }));
  const issues: RenderIssue[] = [];
  const placed = allocatePorts(many, issues);
  assert.is(placed.length, LISTEN_PORT_SPAN);
  assert.is(new Set(placed.map((r) => r.listenPort)).size, LISTEN_PORT_SPAN, 'every port once');
  assert.is(issues.length, 2);
  assert.match(issues[0]!.message, 'the gateway of dc-hcm has no listener port left');
});

test("the certificates' revisions as observed: a hash on the gateway's pod template that changes with any revision; the render itself untouched", () => {
  const hcm = objectsIn(renderGateways(crossPlatform(), NOW, ENDPOINTS).perDataCentre, 'dc-hcm');
  const before = JSON.stringify(hcm);
  const hashOf = (objects: DesiredObject[]) =>
    at(get(objects, 'Deployment', 'govcloud-system', 'govcloud-gateway'), 'spec', 'template', 'metadata', 'annotations', CERTIFICATES_HASH_ANNOTATION);
  assert.is(hashOf(hcm), undefined, 'govcloud plan observes no revision');
  const revisions = new Map([['gw-bo-tai-chinh.thue', 3]]);
  const first = withCertificateRevisions(hcm, (name) => revisions.get(name));
  const hash = hashOf(first);
  assert.match(String(hash), /^[0-9a-f]{32}$/);
  assert.is(JSON.stringify(hcm), before, 'the shared render is not modified');
  assert.equal(
    first.filter((o, i) => o !== hcm[i]).map((o) => o.kind),
    ['Deployment'],
  );
  assert.is(hashOf(withCertificateRevisions(hcm, (name) => revisions.get(name))), hash, 'the same revisions, the same hash');
  revisions.set('gw-bo-tai-chinh.thue', 4);
  assert.is.not(hashOf(withCertificateRevisions(hcm, (name) => revisions.get(name))), hash, 'a renewal');
  assert.is.not(hashOf(withCertificateRevisions(hcm, () => undefined)), hash, 'not issued yet');
});

test.run();
