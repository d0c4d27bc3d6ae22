import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderLink } from '../../src/render/link.ts';
import { agency, at, get, link, linkPair, NOW, objectsIn, platform, threeDataCentres } from './fixtures.ts';

const mof = (o: Parameters<typeof agency>[1] = {}) => agency('bo-tai-chinh', { code: 'G12', workspaces: ['thue'], ...o });
const moh = (o: Parameters<typeof agency>[1] = {}) => agency('bo-y-te', { code: 'G17', workspaces: ['bhyt'], ...o });
const FROM = { agency: 'bo-tai-chinh', workspace: 'thue' };
const TO = { agency: 'bo-y-te', workspace: 'bhyt' };

test('a link to another agency is active only while the peer declares the matching link', () => {
  const [egress, ingress] = linkPair(FROM, TO);
  const alone = platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [egress] });
  const r1 = renderLink(alone, egress, NOW);
  assert.is(r1.active, false);
  assert.is(r1.inactive?.reason, 'WaitingForPeer');
  assert.equal(r1.perDataCentre, []);
  assert.equal(r1.issues, []);

  const both = platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [egress, ingress] });
  const r2 = renderLink(both, egress, NOW);
  assert.is(r2.active, true);
  const policy = get(objectsIn(r2.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-link-to-bo-y-te');
  assert.equal(at(policy, 'spec'), {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-y-te-bhyt' } } }], ports: [{ protocol: 'TCP', port: 443 }] }],
  });
  assert.is(policy.metadata.labels['govcloud.dev/owner'], 'NetworkLink.govcloud-bo-tai-chinh.to-bo-y-te');
  assert.is(policy.metadata.labels['govcloud.dev/agency'], 'G12');
  // The other side renders the other end.
  const r3 = renderLink(both, ingress, NOW);
  const other = get(objectsIn(r3.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-y-te-bhyt', 'govcloud-link-from-bo-tai-chinh');
  assert.equal(at(other, 'spec', 'policyTypes'), ['Ingress']);
  assert.equal(at(other, 'spec', 'ingress', 0, 'from'), [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-tai-chinh-thue' } } }]);
  assert.is(other.metadata.labels['govcloud.dev/agency'], 'G17');
});

test('a matching link in the wrong namespace, direction or workspace does not count', () => {
  const [egress, ingress] = linkPair(FROM, TO);
  const variants = [
    { ...ingress, metadata: { ...ingress.metadata, namespace: 'govcloud-bo-tai-chinh' } },
    { ...ingress, metadata: { ...ingress.metadata, namespace: 'bo-y-te-bhyt' } },
    { ...ingress, spec: { ...ingress.spec, direction: 'Egress' } },
    { ...ingress, spec: { ...ingress.spec, peer: { agency: { name: 'bo-tai-chinh', workspace: 'other' } } } },
  ];
  for (const v of variants) {
    const r = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [egress, v] }), egress, NOW);
    assert.is(r.active, false, JSON.stringify(v.metadata) + v.spec.direction);
  }
});

test('ports opened are the intersection of both sides', () => {
  const [egress, ingress] = linkPair(FROM, TO, {
    ports: [{ port: 443 }, { port: 8000, endPort: 8100 }],
    peerPorts: [
      { port: 8050, endPort: 9000 },
      { protocol: 'UDP', port: 443 },
    ],
  });
  const p = platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [egress, ingress] });
  const r = renderLink(p, egress, NOW);
  assert.equal(r.ports, [{ protocol: 'TCP', port: 8050, endPort: 8100 }]);
  assert.equal(
    at(get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-link-to-bo-y-te'), 'spec', 'egress', 0, 'ports'),
    [{ protocol: 'TCP', port: 8050, endPort: 8100 }],
  );
  const [e2, i2] = linkPair(FROM, TO, { ports: [{ port: 443 }], peerPorts: [{ port: 80 }] });
  const none = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [e2, i2] }), e2, NOW);
  assert.is(none.active, false);
  assert.is(none.inactive?.reason, 'NoCommonPorts');
  assert.equal(none.perDataCentre, []);
});

test('window boundaries: from inclusive, until exclusive, and nextChange at the next one', () => {
  const from = '2026-06-01T00:00:00Z';
  const until = '2026-07-01T00:00:00Z';
  const [egress, ingress] = linkPair(FROM, TO, { validFrom: from, validUntil: until });
  const p = platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [egress, ingress] });
  const before = renderLink(p, egress, new Date(Date.parse(from) - 1));
  assert.is(before.active, false);
  assert.is(before.inactive?.reason, 'NotYetValid');
  assert.equal(before.nextChange, new Date(from));
  const atStart = renderLink(p, egress, new Date(from));
  assert.is(atStart.active, true);
  assert.equal(atStart.nextChange, new Date(until));
  assert.is(
    get(objectsIn(atStart.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-link-to-bo-y-te').metadata.annotations?.[
      'govcloud.dev/valid-until'
    ],
    '2026-07-01T00:00:00.000Z',
  );
  const lastMs = renderLink(p, egress, new Date(Date.parse(until) - 1));
  assert.is(lastMs.active, true);
  const atEnd = renderLink(p, egress, new Date(until));
  assert.is(atEnd.active, false);
  assert.is(atEnd.inactive?.reason, 'Expired');
  assert.is(atEnd.nextChange, undefined);
  assert.equal(atEnd.perDataCentre, []);
});

test("the peer's window counts too, and its boundaries are in nextChange", () => {
  const [egress, ingress] = linkPair(FROM, TO);
  ingress.spec.validUntil = '2026-06-15T00:00:00Z';
  const p = platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [egress, ingress] });
  const open = renderLink(p, egress, NOW);
  assert.is(open.active, true);
  assert.equal(open.nextChange, new Date('2026-06-15T00:00:00Z'));
  const closed = renderLink(p, egress, new Date('2026-06-15T00:00:00Z'));
  assert.is(closed.active, false);
  assert.is(closed.inactive?.reason, 'PeerOutsideWindow');
});

test('level 3 and above: links must be encrypted', () => {
  const [egress, ingress] = linkPair(FROM, TO);
  const p = platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh({ level: 3 })], links: [egress, ingress] });
  for (const l of [egress, ingress]) {
    const r = renderLink(p, l, NOW);
    assert.is(r.active, false);
    assert.equal(r.perDataCentre, []);
    assert.equal(
      r.issues.map((i) => [i.reason, i.field]),
      [['EncryptionRequired', 'spec.encrypted']],
    );
  }
  // Only one side encrypted: the other side is refused, so this side waits too.
  const [e1, i1] = linkPair(FROM, TO, { encrypted: true });
  delete i1.spec.encrypted;
  const half = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh({ level: 3 })], links: [e1, i1] }), e1, NOW);
  assert.is(half.active, false);
  assert.is(half.inactive?.reason, 'PeerNotEncrypted');
  assert.equal(half.perDataCentre, []);
  const [e2, i2] = linkPair(FROM, TO, { encrypted: true });
  const ok = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh({ level: 3 })], links: [e2, i2] }), e2, NOW);
  assert.is(ok.active, true);
  assert.is(
    get(objectsIn(ok.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-link-to-bo-y-te').metadata.annotations?.[
      'govcloud.dev/encryption'
    ],
    'required',
  );
});

test('encrypted links are refused where a data centre cannot offer them', () => {
  // dc-danang has no encryptedLinks.
  const a = mof({ dcs: ['dc-hanoi', 'dc-danang'] });
  const b = moh({ dcs: ['dc-hanoi', 'dc-danang'] });
  const [egress, ingress] = linkPair(FROM, TO, { encrypted: true });
  const r = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [a, b], links: [egress, ingress] }), egress, NOW);
  assert.equal(
    r.perDataCentre.map((x) => x.dataCentre),
    ['dc-hanoi'],
  );
  assert.equal(
    r.issues.map((i) => [i.reason, i.dataCentre, i.message]),
    [['EncryptionUnavailable', 'dc-danang', 'data centre dc-danang cannot offer encrypted links']],
  );
  // From dc-hanoi, the peer in dc-danang is not addressed either: only the local namespace.
  assert.equal(at(get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-link-to-bo-y-te'), 'spec', 'egress', 0, 'to'), [
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-y-te-bhyt' } } },
  ]);
  // Unencrypted, dc-danang renders.
  const [e2, i2] = linkPair(FROM, TO);
  const plain = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [a, b], links: [e2, i2] }), e2, NOW);
  assert.equal(
    plain.perDataCentre.map((x) => x.dataCentre),
    ['dc-danang', 'dc-hanoi'],
  );
});

test('agency links render only in the data centres where both workspaces exist, never by range', () => {
  const a = mof({ dcs: ['dc-hanoi', 'dc-hcm'] });
  const b = moh({ dcs: ['dc-hcm', 'dc-danang'] });
  const [egress, ingress] = linkPair(FROM, TO);
  const p = platform({ dataCentres: threeDataCentres(), agencies: [a, b], links: [egress, ingress] });
  for (const [l, ns, name, direction] of [
    [egress, 'bo-tai-chinh-thue', 'govcloud-link-to-bo-y-te', 'egress'],
    [ingress, 'bo-y-te-bhyt', 'govcloud-link-from-bo-tai-chinh', 'ingress'],
  ] as const) {
    const r = renderLink(p, l, NOW);
    assert.is(r.active, true);
    assert.equal(r.issues, []);
    assert.equal(
      r.perDataCentre.map((x) => x.dataCentre),
      ['dc-hcm'],
      'only where both are',
    );
    const peer = direction === 'egress' ? 'bo-y-te-bhyt' : 'bo-tai-chinh-thue';
    const rule = at(get(objectsIn(r.perDataCentre, 'dc-hcm'), 'NetworkPolicy', ns, name), 'spec', direction, 0) as Record<string, unknown>;
    assert.equal(rule[direction === 'egress' ? 'to' : 'from'], [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peer } } }]);
  }
});

test('agency links between workspaces that share no data centre: inactive, with what each side lacks, until the exchange gateways carry them', () => {
  const a = mof({ dcs: ['dc-hanoi'] });
  const b = moh({ dcs: ['dc-hcm', 'dc-danang'] });
  const [egress, ingress] = linkPair(FROM, TO);
  const p = platform({ dataCentres: threeDataCentres(), agencies: [a, b], links: [egress, ingress] });
  const r = renderLink(p, egress, NOW);
  assert.is(r.active, false);
  assert.equal(r.perDataCentre, []);
  const message =
    'workspace thue of agency bo-tai-chinh is only in dc-hanoi and workspace bhyt of agency bo-y-te only in dc-danang, dc-hcm: ' +
    'give a data centre on each side spec.exchangeGateway and spec.encryptedLinks: true to exchange through the gateways ' +
    '(DataCentre/dc-hanoi lacks spec.exchangeGateway, DataCentre/dc-danang lacks spec.exchangeGateway and spec.encryptedLinks: true, DataCentre/dc-hcm lacks spec.exchangeGateway)';
  assert.equal(r.inactive, { reason: 'GatewayUnavailable', message });
  assert.equal(r.issues, [
    {
      owner: { kind: 'NetworkLink', namespace: 'govcloud-bo-tai-chinh', name: 'to-bo-y-te' },
      field: 'spec.peer.agency',
      reason: 'GatewayUnavailable',
      message,
    },
  ]);
  const other = renderLink(p, ingress, NOW);
  assert.is(other.active, false);
  assert.equal(
    other.issues.map((i) => [i.field, i.reason]),
    [
      ['spec.peer.agency', 'GatewayUnavailable'],
      ['spec.service', 'CrossDataCentreAccessUnsupported'],
    ],
    'the listening side also lacks the Service to forward to',
  );
  assert.equal(other.perDataCentre, []);
  // External links are not affected: their peer is a network, addressed by its cidrs.
  const ext = link('bo-tai-chinh', 'wan', { workspace: 'thue', peer: { external: { network: 'agencyWAN', cidrs: ['192.168.0.0/24'] } } });
  assert.is(renderLink(platform({ dataCentres: threeDataCentres(), agencies: [a, b], links: [ext] }), ext, NOW).active, true);

  // Gateways in dc-hanoi and dc-hcm (dc-danang has none and no encrypted links): the Service is what is left.
  const dcs = threeDataCentres();
  dcs[0]!.spec.exchangeGateway = { address: '10.10.255.1' };
  dcs[1]!.spec.exchangeGateway = { address: '10.20.255.1' };
  const q = platform({ dataCentres: dcs, agencies: [a, b], links: [egress, ingress] });
  const waiting = renderLink(q, egress, NOW);
  assert.is(waiting.active, false);
  assert.equal(waiting.issues, [], "the connecting side lacks nothing of its own: the listening side's spec is at fault");
  assert.is(waiting.inactive?.reason, 'PeerNotCarried');
  assert.equal(
    renderLink(q, ingress, NOW).issues.map((i) => [i.field, i.reason]),
    [['spec.service', 'CrossDataCentreAccessUnsupported']],
  );

  ingress.spec.service = 'bhyt-api';
  for (const l of [egress, ingress]) {
    const carried = renderLink(q, l, NOW);
    assert.is(carried.active, true);
    assert.equal(carried.issues, []);
    assert.equal(carried.perDataCentre, [], 'no policy of its own: the gateways carry it');
    assert.is(carried.encrypted, true, "through the gateways' mutual TLS");
    assert.equal(carried.viaGateway, {
      egress: { agency: 'bo-tai-chinh', workspace: 'thue', link: 'govcloud-bo-tai-chinh/to-bo-y-te', dataCentres: ['dc-hanoi'] },
      ingress: { agency: 'bo-y-te', workspace: 'bhyt', link: 'govcloud-bo-y-te/from-bo-tai-chinh', dataCentre: 'dc-hcm', service: 'bhyt-api' },
      ports: [443],
    });
  }

  // A UDP port on one side: that side is refused at the port, the other waits for it.
  ingress.spec.ports = [{ port: 443 }, { protocol: 'UDP', port: 443 }];
  const udp = renderLink(q, ingress, NOW);
  assert.is(udp.active, false);
  assert.equal(
    udp.issues.map((i) => [i.field, i.message.split(': ').at(-1)]),
    [['spec.ports[1]', 'across data centres the exchange gateways carry single TCP ports only']],
  );
  assert.is(renderLink(q, egress, NOW).inactive?.reason, 'PeerNotCarried');
});

test('an external peer: its cidrs, on the link own ports, no counterpart needed', () => {
  const l = link('bo-tai-chinh', 'to-ndxp', {
    workspace: 'thue',
    direction: 'Ingress',
    peer: { external: { network: 'specialisedLevelI', cidrs: ['172.16.0.0/12', '100.64.0.0/10'] } },
    ports: [{ port: 443 }, { port: 444 }],
  });
  const r = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [mof()], links: [l] }), l, NOW);
  assert.is(r.active, true);
  assert.equal(at(get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-link-to-ndxp'), 'spec', 'ingress'), [
    { from: [{ ipBlock: { cidr: '100.64.0.0/10' } }, { ipBlock: { cidr: '172.16.0.0/12' } }], ports: [{ protocol: 'TCP', port: 443, endPort: 444 }] },
  ]);
});

test('refused: not in a hub namespace, unknown workspace, unknown peer, self-link', () => {
  const p = (l: ReturnType<typeof link>) => platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [l] });
  const peer = { agency: { name: 'bo-y-te', workspace: 'bhyt' } };
  const cases: [ReturnType<typeof link>, string][] = [
    [{ ...link('x', 'l', { workspace: 'thue', peer }), metadata: { name: 'l', namespace: 'bo-tai-chinh-thue' } }, 'NotInHubNamespace'],
    [link('khong-co', 'l', { workspace: 'thue', peer }), 'NotInHubNamespace'],
    [link('bo-tai-chinh', 'l', { workspace: 'nope', peer }), 'WorkspaceNotFound'],
    [link('bo-tai-chinh', 'l', { workspace: 'thue', peer: { agency: { name: 'bo-x', workspace: 'bhyt' } } }), 'PeerAgencyNotFound'],
    [link('bo-tai-chinh', 'l', { workspace: 'thue', peer: { agency: { name: 'bo-y-te', workspace: 'nope' } } }), 'PeerWorkspaceNotFound'],
    [link('bo-tai-chinh', 'l', { workspace: 'thue', peer: { agency: { name: 'bo-tai-chinh', workspace: 'thue' } } }), 'SelfLink'],
  ];
  for (const [l, reason] of cases) {
    const r = renderLink(p(l), l, NOW);
    assert.is(r.active, false, reason);
    assert.equal(r.perDataCentre, [], reason);
    assert.equal(
      r.issues.map((i) => i.reason),
      [reason],
    );
  }
  const outside = { ...link('x', 'l', { workspace: 'thue', peer }), metadata: { name: 'l', namespace: 'bo-tai-chinh-thue' } };
  assert.is(renderLink(p(outside), outside, NOW).issues[0]?.message, "namespace bo-tai-chinh-thue is not an agency's hub namespace");
});

test('two workspaces of one agency link through its own hub namespace', () => {
  const a = mof({ workspaces: ['thue', 'kho-bac'] });
  const [egress, ingress] = linkPair(FROM, { agency: 'bo-tai-chinh', workspace: 'kho-bac' });
  const r = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [a], links: [egress, ingress] }), egress, NOW);
  assert.is(r.active, true);
});

test('a long link name gets a bounded policy name', () => {
  const name = 'ket-noi-voi-co-so-du-lieu-quoc-gia-ve-bao-hiem-y-te-giai-doan-hai';
  const [egress, ingress] = linkPair(FROM, TO);
  egress.metadata.name = name;
  const r = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [egress, ingress] }), egress, NOW);
  const [policy] = objectsIn(r.perDataCentre, 'dc-hanoi');
  assert.ok(policy && policy.metadata.name.length <= 63 && policy.metadata.name.startsWith('govcloud-link-ket-noi'), policy?.metadata.name);
  assert.match(policy!.metadata.labels['govcloud.dev/owner']!, /^NetworkLink_[0-9a-f]{32}$/);
  assert.is(policy!.metadata.annotations?.['govcloud.dev/owner'], `NetworkLink.govcloud-bo-tai-chinh.${name}`);
});

test('an external link: a data centre inside its range is excepted; a range on no declared network or inside a data centre refuses the link', () => {
  const dcs = threeDataCentres();
  // dc-hcm addressed inside the specialised network as the hub declares it.
  dcs[1]!.spec.networkRanges = ['172.20.0.0/16'];
  const wide = link('bo-tai-chinh', 'to-ndxp', {
    workspace: 'thue',
    direction: 'Egress',
    peer: { external: { network: 'specialisedLevelI', cidrs: ['172.16.0.0/12'] } },
  });
  const r = renderLink(platform({ dataCentres: dcs, agencies: [mof()], links: [wide] }), wide, NOW);
  assert.is(r.active, true);
  assert.equal(at(get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tai-chinh-thue', 'govcloud-link-to-ndxp'), 'spec', 'egress', 0, 'to'), [
    { ipBlock: { cidr: '172.16.0.0/12', except: ['172.20.0.0/16'] } },
  ]);

  for (const [cidrs, message] of [
    [['0.0.0.0/0'], '0.0.0.0/0 is broader than /8: an external network is never the whole internet'],
    [
      ['172.16.0.0/16', '172.20.1.0/24'],
      '172.20.1.0/24 lies in 172.20.0.0/16, networkRanges of DataCentre/dc-hcm: reach other agencies through agency links and grants',
    ],
    [
      ['8.8.8.0/24'],
      '8.8.8.0/24 is not on the specialisedLevelI network as the DataCentres declare it in spec.externalNetworks (declared: 172.16.0.0/12, 100.64.0.0/10): a link reaches only declared networks',
    ],
  ] as const) {
    const bad = link('bo-tai-chinh', 'to-ndxp', { workspace: 'thue', peer: { external: { network: 'specialisedLevelI', cidrs: [...cidrs] } } });
    const refused = renderLink(platform({ dataCentres: dcs, agencies: [mof()], links: [bad] }), bad, NOW);
    assert.is(refused.active, false);
    assert.equal(refused.perDataCentre, []);
    assert.equal(refused.inactive, { reason: 'ReservedAddresses', message });
    assert.is(refused.issues[0]?.field, `spec.peer.external.cidrs[${cidrs.length - 1}]`);
  }
});

test("an agencyWAN link reaches only its own agency's WAN", () => {
  const own = link('bo-tai-chinh', 'wan', { workspace: 'thue', peer: { external: { network: 'agencyWAN', cidrs: ['192.168.4.0/24'] } } });
  assert.is(renderLink(platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [own] }), own, NOW).active, true);
  const other = link('bo-y-te', 'wan', { workspace: 'bhyt', peer: { external: { network: 'agencyWAN', cidrs: ['192.168.4.0/24'] } } });
  const r = renderLink(platform({ dataCentres: threeDataCentres(), agencies: [mof(), moh()], links: [other] }), other, NOW);
  assert.is(r.active, false);
  assert.equal(r.inactive?.reason, 'ReservedAddresses');
  assert.match(r.inactive?.message ?? '', /^192\.168\.4\.0\/24 is not on Agency\/bo-y-te's own WAN/);
});

test.run();
