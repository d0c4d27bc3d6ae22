/** Rules across objects (model/rules.ts), on the samples with one thing changed at a time. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Agency, NetworkLink } from '../../src/api/index.ts';
// The rules read ranges strictly, as Go's net.ParseCIDR does.
import { findOverlaps, parseStrictCidr as parseCidr, type Cidr } from '../../src/model/ip.ts';
import type { Platform } from '../../src/model/platform.ts';
import { checkPlatform, type RuleOptions } from '../../src/model/rules.ts';
import { validateSamples } from './helpers.ts';

const samples = validateSamples().platform;
const base = (): Platform => structuredClone(samples);
/** The problems as sorted lines: `severity Kind/name path: message`. */
const run = (p: Platform, options?: RuleOptions) =>
  checkPlatform(p, options)
    .map((x) => `${x.severity} ${x.object.kind}/${x.object.metadata.name} ${x.path.join('.')}: ${x.message}`)
    .sort();

const agency = (p: Platform, name: string) => p.agencies.find((a) => a.metadata.name === name)!;
const dc = (p: Platform, name: string) => p.dataCentres.find((d) => d.metadata.name === name)!;
const link = (p: Platform, name: string) => p.links.find((l) => l.metadata.name === name)!;
const service = (p: Platform, name: string) => p.services.find((s) => s.metadata.name === name)!;
const grant = (p: Platform, name: string) => p.grants.find((g) => g.metadata.name === name)!;
const request = (p: Platform, name: string) => p.requests.find((r) => r.metadata.name === name)!;

test('the samples break no rule and need no warning', () => {
  assert.equal(run(base()), []);
});

test('the same object twice', () => {
  const p = base();
  p.agencies.push(structuredClone(agency(p, 'btc')));
  const out = run(p);
  assert.ok(out.includes('error Agency/btc metadata.name: another Agency has this name: each object is defined once'), out.join('\n'));
});

test('one code, one agency, whichever spelling', () => {
  const p = base();
  agency(p, 'hanoi-skhcn').spec.code = 'H01';
  assert.equal(run(p), ["error Agency/hanoi spec.code: code H01 is already Agency/hanoi-skhcn's: one agency, one code"]);
  const q = base();
  agency(q, 'vpcp').spec.code = 'G12';
  assert.equal(run(q), ['error Agency/vpcp spec.code: code G12 is already Agency/btc\'s ("G12" and "000.00.00.G12" are the same code): one agency, one code']);
});

test('a code that names a lower level under an empty one', () => {
  const p = base();
  agency(p, 'vpcp').spec.code = '000.05.00.G22';
  assert.equal(run(p), [
    'error Agency/vpcp spec.code: "000.05.00.G22" names a lower level under an empty one (read right to left, a zero group ends the code)',
  ]);
});

test('workspace namespaces are unique across agencies: a + b-c against a-b + c', () => {
  const p = base();
  const a = structuredClone(agency(p, 'quangninh'));
  a.metadata.name = 'hanoi-dvc';
  a.spec.code = 'H99';
  a.spec.workspaces = [{ name: 'x', dataClass: 'open' }];
  agency(p, 'hanoi').spec.workspaces.push({ name: 'dvc-x', dataClass: 'open' });
  p.agencies.push(a);
  assert.equal(run(p), [
    'error Agency/hanoi-dvc spec.workspaces.0.name: namespace hanoi-dvc-x would also be the namespace of workspace "dvc-x" of Agency/hanoi: rename one of them',
  ]);
});

test('parents exist and do not go round in circles', () => {
  const p = base();
  agency(p, 'hanoi-skhcn').spec.parent = 'ha-noi';
  assert.equal(run(p), ['error Agency/hanoi-skhcn spec.parent: no Agency named "ha-noi"']);
  const q = base();
  agency(q, 'hanoi').spec.parent = 'hanoi-skhcn';
  assert.equal(run(q), [
    'error Agency/hanoi spec.parent: parents go round in a circle: hanoi → hanoi-skhcn → hanoi',
    'error Agency/hanoi-skhcn spec.parent: parents go round in a circle: hanoi-skhcn → hanoi → hanoi-skhcn',
  ]);
  const r = base();
  agency(r, 'hanoi').spec.parent = 'hanoi';
  assert.equal(run(r), ['error Agency/hanoi spec.parent: an agency cannot be its own parent']);
});

test('placement: the data centre exists and is accredited for the level', () => {
  const p = base();
  agency(p, 'bca').spec.placement.dataCentres = ['dc-hcm'];
  agency(p, 'bca').spec.quotas[0]!.dataCentre = 'dc-hcm';
  service(p, 'population').spec.placement.dataCentres = ['dc-hcm'];
  p.grants = p.grants.filter((g) => g.metadata.name !== 'hanoi-dvc'); // hanoi is not in dc-hcm: a grant would be an error of its own
  assert.equal(run(p), ["error Agency/bca spec.placement.dataCentres.0: DataCentre/dc-hcm is accredited up to security level 3, below this agency's level 4"]);
  const q = base();
  agency(q, 'danang').spec.placement.dataCentres = ['dc-hue'];
  q.plans = []; // its roadmap's target data centre is another rule's matter (roadmap-rules.test.ts)
  assert.equal(run(q), ['error Agency/danang spec.placement.dataCentres.0: no DataCentre named "dc-hue"']);
  // A data centre that exists but is invalid on its own: the reference resolves, nothing else is claimed.
  assert.equal(run(q, { alsoPresent: [{ kind: 'DataCentre', name: 'dc-hue' }] }), []);
});

test('level 5 needs a data centre dedicated to the agency, which hosts no one else', () => {
  const p = base();
  const d = structuredClone(dc(p, 'dc-hcm'));
  d.metadata.name = 'dc-bca';
  d.spec.accreditedLevel = 5;
  d.spec.dedicatedTo = 'bca';
  d.spec.networkRanges = ['10.40.0.0/16'];
  p.dataCentres.push(d);
  const bca = agency(p, 'bca');
  bca.spec.securityLevel = 5;
  assert.equal(run(p), [
    'error Agency/bca spec.placement.dataCentres.0: security level 5 needs a data centre dedicated to this agency, and DataCentre/dc-hanoi is not (set its dedicatedTo: bca)',
  ]);
  bca.spec.placement.dataCentres = ['dc-bca'];
  bca.spec.quotas[0]!.dataCentre = 'dc-bca';
  service(p, 'population').spec.placement.dataCentres = ['dc-bca'];
  p.grants = p.grants.filter((g) => g.metadata.name !== 'hanoi-dvc'); // nobody else is in dc-bca: a grant would be an error of its own
  agency(p, 'btc').spec.placement.dataCentres.push('dc-bca');
  assert.equal(run(p), [
    'error Agency/btc spec.placement.dataCentres.2: DataCentre/dc-bca is dedicated to Agency/bca and hosts no other agency: choose a shared data centre',
  ]);
  d.spec.dedicatedTo = 'nobody';
  agency(p, 'btc').spec.placement.dataCentres.pop();
  assert.ok(run(p).includes('warning DataCentre/dc-bca spec.dedicatedTo: dedicated to Agency/nobody, which is not defined (yet)'));
});

test('an inherited data centre hosts its owner and the agencies under it, alone, with a message that says what to do', () => {
  const p = base();
  // dc-danang becomes Đà Nẵng's own: danang and its department danang-svhttdl stay.
  dc(p, 'dc-danang').spec.ownedBy = 'danang';
  assert.equal(run(p), []);
  // Another agency (Quảng Ninh, no parent) asks for it.
  const qn = agency(p, 'quangninh');
  qn.spec.placement.dataCentres.push('dc-danang');
  qn.spec.quotas.push({ dataCentre: 'dc-danang', cpu: '1', memory: '1Gi', storage: '1Gi' });
  const at = qn.spec.placement.dataCentres.length - 1;
  assert.equal(run(p), [
    `error Agency/quangninh spec.placement.dataCentres.${at}: DataCentre/dc-danang is Agency/danang's own and hosts only it and the agencies under it (spec.parent): choose a shared data centre, or one of this agency's own line`,
  ]);
  // Owned by the department: its parent, the city, is not under it.
  const q = base();
  dc(q, 'dc-danang').spec.ownedBy = 'danang-svhttdl';
  // The city's roadmap (samples: MigrationPlan lo-trinh) targets it too: the same decision refuses both.
  assert.equal(run(q), [
    "error Agency/danang spec.placement.dataCentres.0: DataCentre/dc-danang is Agency/danang-svhttdl's own and hosts only it and the agencies under it (spec.parent): choose a shared data centre, or one of this agency's own line",
    "error MigrationPlan/lo-trinh spec.systems.0.target.dataCentre: DataCentre/dc-danang is Agency/danang-svhttdl's own and hosts only it and the agencies under it (spec.parent): choose a shared data centre, or one of this agency's own line",
  ]);
  dc(q, 'dc-danang').spec.ownedBy = 'nobody';
  assert.ok(run(q).includes('warning DataCentre/dc-danang spec.ownedBy: owned by Agency/nobody, which is not defined (yet)'));
});

test('a cordoned data centre keeps who is there and refuses a newcomer; offline it warns', () => {
  const p = base();
  dc(p, 'dc-danang').spec.cordoned = true;
  const warned = run(p);
  assert.equal(warned, [
    'warning Agency/danang spec.placement.dataCentres.0: DataCentre/dc-danang is cordoned (draining): only an agency placed there already may stay; move this one to another data centre',
    'warning Agency/danang-svhttdl spec.placement.dataCentres.0: DataCentre/dc-danang is cordoned (draining): only an agency placed there already may stay; move this one to another data centre',
  ]);
  // What the operator sees: danang is there, danang-svhttdl is not.
  p.present = new Map([['dc-danang', new Set(['danang'])]]);
  assert.equal(run(p), [
    'error Agency/danang-svhttdl spec.placement.dataCentres.0: DataCentre/dc-danang is cordoned (draining): it takes no new agency; choose another data centre',
  ]);
  // A confirmation naming an agency still placed there warns.
  p.present = new Map([['dc-danang', new Set(['danang', 'danang-svhttdl'])]]);
  dc(p, 'dc-danang').spec.confirmedMoves = ['danang'];
  assert.equal(run(p), [
    'warning DataCentre/dc-danang spec.confirmedMoves.0: Agency/danang is placed here: this confirmation would let its namespaces here go as soon as it moves off; remove the name once a move is done',
  ]);
});

test('capacity: the quotas in a data centre add up exactly, and may fill it to the last millicore', () => {
  const p = base();
  const hcm = dc(p, 'dc-hcm');
  // dc-hcm: four agencies with 32 CPU each = 128 of 256.
  hcm.spec.capacity.cpu = '128';
  assert.equal(run(p), []);
  hcm.spec.capacity.cpu = '127999m';
  assert.equal(run(p), [
    'error DataCentre/dc-hcm spec.capacity.cpu: the cpu quotas of 4 agencies placed here add up to 128, more than the 127999m offered (largest: bkhcn 32, bkhdt 32, btc 32)',
  ]);
  const q = base();
  // dc-danang: 128Gi for danang and 32Gi for danang-svhttdl.
  dc(q, 'dc-danang').spec.capacity.memory = '0.15625Ti';
  assert.equal(run(q), []);
  dc(q, 'dc-danang').spec.capacity.memory = '171798691839';
  assert.equal(run(q), [
    'error DataCentre/dc-danang spec.capacity.memory: the memory quotas of 2 agencies placed here add up to 160Gi, more than the 171798691839 offered (largest: danang 128Gi, danang-svhttdl 32Gi)',
  ]);
});

test('exactly one hub when any data centre is given', () => {
  const p = base();
  dc(p, 'dc-hanoi').spec.connection = { kubeconfigSecretRef: { namespace: 'govcloud-system', name: 'x' } };
  assert.equal(run(p), [
    'error DataCentre/dc-danang spec.connection: no DataCentre is the hub: exactly one needs connection.thisCluster: true (the cluster the operator runs in)',
  ]);
  const q = base();
  dc(q, 'dc-hcm').spec.connection = { thisCluster: true };
  assert.equal(run(q), [
    'error DataCentre/dc-hcm spec.connection.thisCluster: DataCentre/dc-hanoi is the hub already: exactly one DataCentre has connection.thisCluster: true',
  ]);
  assert.equal(
    run({ ...base(), dataCentres: [] }).filter((s) => s.includes('hub')),
    [],
  );
});

test('address ranges of data centres do not overlap, in IPv4 or IPv6', () => {
  const p = base();
  dc(p, 'dc-hcm').spec.networkRanges = ['10.10.200.0/24', 'fd00:10:0:1::/64'];
  assert.equal(run(p), [
    'error DataCentre/dc-hcm spec.networkRanges.0: overlaps 10.10.0.0/16 of DataCentre/dc-hanoi: peers are addressed by these ranges, so they must not overlap',
    'error DataCentre/dc-hcm spec.networkRanges.1: overlaps fd00:10::/48 of DataCentre/dc-hanoi: peers are addressed by these ranges, so they must not overlap',
  ]);
});

test('links: consent of the other side is pending until it declares the matching link (a warning)', () => {
  const p = base();
  p.links = p.links.filter((l) => l.metadata.name !== 'from-hanoi-lgsp');
  assert.equal(run(p), [
    'warning NetworkLink/lgsp-to-ndxp spec.peer.agency: pending consent: Agency/bkhcn has not declared the matching link (a NetworkLink in govcloud-bkhcn for workspace "ndxp", direction Ingress, peer hanoi/lgsp); the link stays closed until it does',
  ]);
  const q = base();
  link(q, 'from-hanoi-lgsp').spec.direction = 'Egress';
  const out = run(q);
  assert.is(out.length, 2);
  assert.ok(
    out.some((l) => l.includes('NetworkLink/from-hanoi-lgsp answers it but with direction Egress, not Ingress')),
    out.join('\n'),
  );
});

test('links: a matched pair with no port in common stays closed (a warning)', () => {
  const p = base();
  link(p, 'from-hanoi-lgsp').spec.ports = [{ port: 9443 }];
  assert.equal(run(p), [
    'warning NetworkLink/from-hanoi-lgsp spec.ports: no port in common with the matching link NetworkLink/lgsp-to-ndxp of Agency/hanoi: the link stays closed',
    'warning NetworkLink/lgsp-to-ndxp spec.ports: no port in common with the matching link NetworkLink/from-hanoi-lgsp of Agency/bkhcn: the link stays closed',
  ]);
});

test('links: references, self-links, encryption', () => {
  const p = base();
  link(p, 'lgsp-to-ndxp').spec.peer.agency = { name: 'bkhcn', workspace: 'ndxp-v2' };
  link(p, 'city-wan').spec.workspace = 'portal';
  link(p, 'specialised-network-in').spec.encrypted = false;
  const out = run(p);
  assert.ok(out.includes('error NetworkLink/lgsp-to-ndxp spec.peer.agency.workspace: Agency/bkhcn has no workspace "ndxp-v2" (it has "ndxp")'), out.join('\n'));
  assert.ok(out.includes('error NetworkLink/city-wan spec.workspace: Agency/danang has no workspace "portal" (it has "smart-city")'));
  assert.ok(
    out.includes(
      'error NetworkLink/specialised-network-in spec.encrypted: links at security level 3 and above must be encrypted (this agency is at level 3): set encrypted: true',
    ),
  );

  const q = base();
  link(q, 'lgsp-to-ndxp').spec.peer.agency = { name: 'hanoi', workspace: 'lgsp' };
  assert.ok(run(q).some((l) => l.startsWith('error NetworkLink/lgsp-to-ndxp spec.peer.agency: a link cannot connect workspace "lgsp" to itself')));

  const r = base();
  link(r, 'city-wan').spec.encrypted = true;
  assert.equal(run(r), [
    'error NetworkLink/city-wan spec.encrypted: cannot be encrypted: DataCentre/dc-danang is involved and cannot offer encrypted links (encryptedLinks is not set)',
  ]);
});

test('self-links: a pair between two workspaces of one agency is refused on both sides, and names its rule', () => {
  const p = base();
  const hanoi = agency(p, 'hanoi');
  hanoi.spec.workspaces.push({ name: 'portal', dataClass: 'open', internetEgress: ['203.0.113.0/24'] });
  const egress = structuredClone(link(p, 'lgsp-to-ndxp'));
  egress.metadata.name = 'lgsp-to-portal';
  egress.spec.peer.agency = { name: 'hanoi', workspace: 'portal' };
  const ingress = structuredClone(egress);
  ingress.metadata.name = 'portal-from-lgsp';
  ingress.spec.workspace = 'portal';
  ingress.spec.direction = egress.spec.direction === 'Egress' ? 'Ingress' : 'Egress';
  ingress.spec.peer.agency = { name: 'hanoi', workspace: 'lgsp' };
  p.links.push(egress, ingress);
  const problems = checkPlatform(p).filter((x) => x.object === egress || x.object === ingress);
  assert.equal(
    problems.map((x) => `${x.severity} ${x.rule} ${x.object.metadata.name} ${x.path.join('.')}`),
    ['error self-links lgsp-to-portal spec.peer.agency', 'error self-links portal-from-lgsp spec.peer.agency'],
  );
  assert.match(
    problems[0]!.message,
    /^a link cannot connect workspace "lgsp" to workspace "portal" of the same agency: peer\.agency names another agency's workspace/,
  );
});

test("platform namespaces: no agency gets govcloud-system, kube-* or the operator's own namespace", () => {
  const named = (name: string, workspaces: string[]): Platform => {
    const p = base();
    const a = structuredClone(agency(p, 'quangninh'));
    a.metadata.name = name;
    a.spec.code = 'H98';
    a.spec.workspaces = workspaces.map((w) => ({ name: w, dataClass: 'open' }));
    p.agencies.push(a);
    return p;
  };
  const clashes = (p: Platform, options?: RuleOptions) =>
    checkPlatform(p, options)
      .filter((x) => x.rule === 'platform-namespaces')
      .map((x) => `${x.object.metadata.name} ${x.path.join('.')}: ${x.message}`);
  assert.equal(clashes(named('system', ['app'])), [
    "system metadata.name: the agency's hub namespace would be govcloud-system, and govcloud-system is a namespace of the platform itself: choose another name",
  ]);
  assert.equal(clashes(named('kube', ['system', 'public'])), [
    'kube spec.workspaces.0.name: workspace "system" would be namespace kube-system, and kube-* namespaces belong to Kubernetes itself: rename the workspace or the agency',
    'kube spec.workspaces.1.name: workspace "public" would be namespace kube-public, and kube-* namespaces belong to Kubernetes itself: rename the workspace or the agency',
  ]);
  assert.equal(clashes(named('govcloud', ['x'])).length, 1, 'a workspace namespace of hub shape (govcloud-x) would act for agency x');
  assert.equal(clashes(named('platform', ['ops'])), []);
  assert.equal(clashes(named('platform', ['ops']), { platformNamespaces: ['platform-ops'] }), [
    'platform spec.workspaces.0.name: workspace "ops" would be namespace platform-ops, and platform-ops is a namespace of the platform itself: rename the workspace or the agency',
  ]);
  assert.equal(clashes(base()), [], 'the samples have none');
});

test('links: a matched pair of two agencies that share no data centre is an error on both sides, unless the exchange gateways carry it', () => {
  const p = base();
  // hanoi is only in dc-hanoi; bkhcn moves to dc-hcm only.
  agency(p, 'bkhcn').spec.placement.dataCentres = ['dc-hcm'];
  agency(p, 'bkhcn').spec.quotas = agency(p, 'bkhcn').spec.quotas.filter((q) => q.dataCentre === 'dc-hcm');
  service(p, 'ndxp').spec.placement.dataCentres = ['dc-hcm'];
  const why =
    'give a data centre on each side spec.exchangeGateway and spec.encryptedLinks: true to exchange through the gateways (DataCentre/dc-hanoi lacks spec.exchangeGateway, DataCentre/dc-hcm lacks spec.exchangeGateway)';
  assert.equal(run(p), [
    `error NetworkLink/from-hanoi-lgsp spec.peer.agency: Agency/bkhcn is placed only in dc-hcm and Agency/hanoi only in dc-hanoi: the link and NetworkLink/lgsp-to-ndxp can open nothing. Place both in one data centre, or ${why}`,
    `error NetworkLink/from-hanoi-lgsp spec.service: Agency/bkhcn is placed only in dc-hcm and Agency/hanoi only in dc-hanoi, so the link goes through the exchange gateways: name the Service in this link's workspace that the exchange gateway forwards the peer's connections to: across data centres a link is carried to a Service`,
    `error NetworkLink/lgsp-to-ndxp spec.peer.agency: Agency/hanoi is placed only in dc-hanoi and Agency/bkhcn only in dc-hcm: the link and NetworkLink/from-hanoi-lgsp can open nothing. Place both in one data centre, or ${why}`,
  ]);
  // Gateways on both sides (both offer encrypted links): the listening side must still name its Service.
  dc(p, 'dc-hanoi').spec.exchangeGateway = { address: '10.10.255.1' };
  dc(p, 'dc-hcm').spec.exchangeGateway = { address: '10.20.255.1' };
  assert.equal(
    run(p).map((l) => l.split(':')[0]),
    ['error NetworkLink/from-hanoi-lgsp spec.service'],
  );
  link(p, 'from-hanoi-lgsp').spec.service = 'ndxp-api';
  assert.equal(run(p), [], 'both declared, a Service named, gateways on both sides: carried');
  // UDP and port ranges do not cross: each side's own port is named.
  link(p, 'lgsp-to-ndxp').spec.ports = [
    { protocol: 'TCP', port: 8443 },
    { protocol: 'UDP', port: 8443 },
  ];
  link(p, 'from-hanoi-lgsp').spec.ports = [{ port: 8443 }, { port: 9000, endPort: 9010 }];
  assert.equal(run(p), [
    'error NetworkLink/from-hanoi-lgsp spec.ports.1: Agency/bkhcn is placed only in dc-hcm and Agency/hanoi only in dc-hanoi, so the link goes through the exchange gateways: ports 9000-9010: across data centres the exchange gateways carry single TCP ports only',
    'error NetworkLink/lgsp-to-ndxp spec.ports.1: Agency/hanoi is placed only in dc-hanoi and Agency/bkhcn only in dc-hcm, so the link goes through the exchange gateways: UDP port 8443: across data centres the exchange gateways carry single TCP ports only',
  ]);
  // One side alone is pending consent, as before: no error yet.
  p.links = p.links.filter((l) => l.metadata.name !== 'from-hanoi-lgsp');
  assert.equal(
    run(p).map((l) => l.split(':')[0]),
    ['warning NetworkLink/lgsp-to-ndxp spec.peer.agency'],
  );
});

test("links: an external range inside a data centre's range is refused, naming it; a broader declared range gets it as except", () => {
  const p = base();
  const external = link(p, 'specialised-network-in');
  // dc-hcm's range inside the specialised network as dc-hanoi declares it.
  dc(p, 'dc-hcm').spec.networkRanges = ['172.20.0.0/16'];
  external.spec.peer.external!.cidrs = ['172.20.1.0/24', '172.16.0.0/12'];
  assert.equal(run(p), [
    'error NetworkLink/specialised-network-in spec.peer.external.cidrs.0: 172.20.1.0/24 lies in 172.20.0.0/16, networkRanges of DataCentre/dc-hcm: reach other agencies through agency links and grants',
  ]);
});

test("links: an external range must lie on a network a DataCentre declares, an agencyWAN range on the agency's own WAN", () => {
  const p = base();
  link(p, 'specialised-network-in').spec.peer.external!.cidrs = ['8.8.8.0/24'];
  link(p, 'city-wan').spec.peer.external!.cidrs = ['192.168.50.0/24', '192.168.64.0/24'];
  assert.equal(run(p), [
    "error NetworkLink/city-wan spec.peer.external.cidrs.1: 192.168.64.0/24 is not on Agency/danang's own WAN as the DataCentres declare it in spec.externalNetworks (declared: 192.168.48.0/20): a link reaches only declared networks",
    'error NetworkLink/specialised-network-in spec.peer.external.cidrs.0: 8.8.8.0/24 is not on the specialisedLevelI network as the DataCentres declare it in spec.externalNetworks (declared: 10.0.0.0/8, 172.16.0.0/12): a link reaches only declared networks',
  ]);
});

test("links: another agency's WAN is never reachable, whichever network the link names", () => {
  const p = base();
  const l = link(p, 'specialised-network-in');
  // Đà Nẵng's WAN inside the specialised network: vpcp cannot reach it through its specialised link.
  dc(p, 'dc-danang').spec.externalNetworks = { agencyWANs: [{ agency: 'danang', cidrs: ['172.31.0.0/16', '192.168.48.0/20'] }] };
  l.spec.peer.external!.cidrs = ['172.31.4.0/24'];
  assert.equal(run(p), [
    'error NetworkLink/specialised-network-in spec.peer.external.cidrs.0: 172.31.4.0/24 lies in 172.31.0.0/16, the WAN of Agency/danang (declared by DataCentre/dc-danang): reach other agencies through agency links and grants',
  ]);
});

test('internet egress: 0.0.0.0/0 is kept (rendered with excepts); a range inside a data centre, a WAN or a private range is refused', () => {
  const p = base();
  const w = agency(p, 'quangninh').spec.workspaces[0]!;
  w.internetEgress = ['0.0.0.0/0', '::/0'];
  assert.equal(run(p), []);
  w.internetEgress = ['0.0.0.0/0', '10.20.0.0/16', '192.168.50.0/24', '172.16.3.0/24', '100.64.0.0/10'];
  assert.equal(run(p), [
    'error Agency/quangninh spec.workspaces.0.internetEgress.1: 10.20.0.0/16 lies in 10.20.0.0/16, networkRanges of DataCentre/dc-hcm: internet egress reaches the internet only',
    'error Agency/quangninh spec.workspaces.0.internetEgress.2: 192.168.50.0/24 lies in 192.168.48.0/20, the WAN of Agency/danang (declared by DataCentre/dc-danang): internet egress reaches the internet only',
    'error Agency/quangninh spec.workspaces.0.internetEgress.3: 172.16.3.0/24 lies in 172.16.0.0/12, specialisedLevelI as DataCentre/dc-hanoi declares it: internet egress reaches the internet only',
    'error Agency/quangninh spec.workspaces.0.internetEgress.4: 100.64.0.0/10 lies in 100.64.0.0/10, a private or local range, never internet: internet egress reaches the internet only',
  ]);
});

test("declared networks: an agency's WAN overlaps no data centre's range and no other agency's WAN", () => {
  const p = base();
  dc(p, 'dc-hanoi').spec.externalNetworks!.agencyWANs = [
    { agency: 'vpcp', cidrs: ['10.20.5.0/24'] },
    { agency: 'hanoi', cidrs: ['192.168.50.0/24'] },
  ];
  assert.equal(run(p), [
    "error DataCentre/dc-hanoi spec.externalNetworks.agencyWANs.0.cidrs.0: the WAN of Agency/vpcp overlaps 10.20.0.0/16, networkRanges of DataCentre/dc-hcm: an agency's WAN is its own",
    "error DataCentre/dc-hanoi spec.externalNetworks.agencyWANs.1.cidrs.0: the WAN of Agency/hanoi overlaps 192.168.48.0/20, the WAN of Agency/danang (DataCentre/dc-danang): an agency's WAN is its own",
    // Danang's link now names a range that is (also) declared as Hanoi's.
    'error NetworkLink/city-wan spec.peer.external.cidrs.0: 192.168.50.0/24 lies in 192.168.50.0/24, the WAN of Agency/hanoi (declared by DataCentre/dc-hanoi): reach other agencies through agency links and grants',
  ]);
});

test('grants: a request/grant pair for an on-request service whose consumer is only where the service does not run is an error, unless both data centres exchange through gateways', () => {
  const p = base();
  // btc is granted business-registry; the registry moves to dc-hanoi only, btc to dc-hcm only.
  service(p, 'business-registry').spec.placement.dataCentres = ['dc-hanoi'];
  agency(p, 'btc').spec.placement.dataCentres = ['dc-hcm'];
  agency(p, 'btc').spec.quotas = agency(p, 'btc').spec.quotas.filter((q) => q.dataCentre === 'dc-hcm');
  p.plans = []; // its roadmap's target data centre is another rule's matter (roadmap-rules.test.ts)
  const refused = (lacking: string) =>
    'error AccessGrant/btc-thue spec.consumer: the grant and AccessRequest/business-registry-for-thue can open nothing: Agency/btc is placed only in dc-hcm, where SharedDataService/business-registry does not run (it runs in dc-hanoi): ' +
    "place the service in dc-hcm or the consumer's workspace in one of dc-hanoi, or give a data centre on each side spec.exchangeGateway and spec.encryptedLinks: true to exchange through the gateways (" +
    lacking +
    ')';
  assert.equal(run(p), [refused('DataCentre/dc-hcm lacks spec.exchangeGateway, DataCentre/dc-hanoi lacks spec.exchangeGateway')]);
  // Both data centres with a gateway and encrypted links (the samples' offer them): carried, no error; btc/thue is level 3.
  dc(p, 'dc-hanoi').spec.exchangeGateway = { address: '10.10.255.1' };
  dc(p, 'dc-hcm').spec.exchangeGateway = { address: '10.20.255.1' };
  assert.equal(run(p), []);
  // Without encrypted links at the consumer's end: refused, naming what is missing where.
  // (A level 3 link of the samples there needs encrypted links too: its own rule's matter.)
  const grants = () => run(p).filter((line) => line.includes('AccessGrant/'));
  dc(p, 'dc-hcm').spec.encryptedLinks = false;
  assert.equal(grants(), [refused('DataCentre/dc-hcm lacks spec.encryptedLinks: true')]);
  delete dc(p, 'dc-hcm').spec.exchangeGateway;
  assert.equal(grants(), [refused('DataCentre/dc-hcm lacks spec.exchangeGateway and spec.encryptedLinks: true')]);
  dc(p, 'dc-hcm').spec.encryptedLinks = true;
  // Sharing one data centre is enough: access is given there.
  agency(p, 'btc').spec.placement.dataCentres = ['dc-hcm', 'dc-hanoi'];
  agency(p, 'btc').spec.quotas = structuredClone(agency(samples, 'btc').spec.quotas);
  assert.equal(run(p), []);
});

test("data centres: the exchange gateway's address is one of the data centre's own, inside its networkRanges", () => {
  const p = base();
  dc(p, 'dc-hanoi').spec.exchangeGateway = { address: '10.10.255.1' };
  dc(p, 'dc-hcm').spec.exchangeGateway = { address: '10.20.255.1' };
  assert.equal(run(p), []);
  dc(p, 'dc-hanoi').spec.exchangeGateway = { address: 'fd00:10::1' };
  assert.equal(run(p), [], 'IPv6, inside fd00:10::/48');
  dc(p, 'dc-hcm').spec.exchangeGateway = { address: '10.10.255.1' };
  assert.equal(run(p), [
    "error DataCentre/dc-hcm spec.exchangeGateway.address: 10.10.255.1 is outside this data centre's networkRanges (10.20.0.0/16): the other data centres' gateways reach and admit the gateway by this address, so it must be one of the data centre's own",
  ]);
  dc(p, 'dc-hcm').spec.exchangeGateway = { address: '10.20.0.300' };
  assert.equal(run(p), ['error DataCentre/dc-hcm spec.exchangeGateway.address: "10.20.0.300" is not an IP address']);
});

test('objects in a hub namespace whose agency does not exist', () => {
  const p = base();
  const l = structuredClone(link(p, 'city-wan'));
  l.metadata.namespace = 'govcloud-hue';
  p.links.push(l);
  assert.equal(run(p), ['error NetworkLink/city-wan metadata.namespace: namespace govcloud-hue belongs to no agency: there is no Agency named "hue"']);
  assert.equal(run(p, { alsoPresent: [{ kind: 'Agency', name: 'hue' }] }), []);
});

test('services: workspace of the owner, data class within the workspace, placement within the owner, unique identifier, resources', () => {
  const p = base();
  service(p, 'ndxp').spec.placement.dataCentres = ['dc-hanoi', 'dc-danang'];
  service(p, 'business-registry').spec.dataClass = 'private';
  const copy = structuredClone(service(p, 'population'));
  copy.metadata.name = 'population-v1';
  p.services.push(copy);
  service(p, 'document-exchange').spec.resources = { cpu: '0', memory: '1Gi' };
  assert.equal(run(p), [
    'error SharedDataService/business-registry spec.dataClass: the service handles private data, but workspace "dkkd" is declared for shared data at most',
    'error SharedDataService/document-exchange spec.resources.cpu: must be more than 0',
    'error SharedDataService/ndxp spec.placement.dataCentres.1: Agency/bkhcn is not placed in DataCentre/dc-danang (it is in "dc-hanoi", "dc-hcm"): a service runs only where its owner is placed',
    "error SharedDataService/population-v1 spec.serviceCode: identifier VN/GOV/G04/csdldc/population/v1 is already SharedDataService/population's",
  ]);
});

test("requests: provider and service exist, workspaces are the requester's own; needless requests warn", () => {
  const p = base();
  request(p, 'population-for-dvc').spec.service = 'population-v9';
  request(p, 'business-registry-for-lgsp').spec.workspaces = ['lgsp', 'portal'];
  request(p, 'business-registry-for-thue').spec.provider = 'bo-ke-hoach';
  // Quảng Ninh is level 2: NDXP, shared by default, is its already.
  const extra = structuredClone(request(p, 'business-registry-for-lgsp'));
  extra.metadata.name = 'ndxp';
  extra.spec.provider = 'bkhcn';
  extra.spec.service = 'ndxp';
  extra.spec.workspaces = ['lgsp'];
  p.requests.push(extra);
  const self = structuredClone(request(p, 'population-for-dvc'));
  self.metadata.name = 'self';
  self.spec.provider = 'hanoi';
  self.spec.service = 'ndxp';
  p.requests.push(self);
  const out = run(p);
  for (const line of [
    'error AccessRequest/population-for-dvc spec.service: Agency/bca publishes no SharedDataService named "population-v9" (none in govcloud-bca)',
    'error AccessRequest/business-registry-for-lgsp spec.workspaces.1: Agency/quangninh has no workspace "portal" (it has "lgsp", "cong-du-lieu-mo")',
    'error AccessRequest/business-registry-for-thue spec.provider: no Agency named "bo-ke-hoach"',
    'warning AccessRequest/ndxp spec.service: not needed: SharedDataService/ndxp is shared by default, so every agency at security level 1 or 2 may use it already',
    'error AccessRequest/self spec.provider: an agency does not request access to its own service: its own workspaces use it when it is shared by default or openly, and links join only two agencies',
  ])
    assert.ok(out.includes(line), `${line}\n---\n${out.join('\n')}`);
});

test('requests: from security level 3 an agency declares the default and open services it uses, so such a request is needed', () => {
  const p = base();
  // Hà Nội is level 3: its request for NDXP (default) is what opens it, and no grant is asked for.
  const ndxp = structuredClone(request(p, 'population-for-dvc'));
  ndxp.metadata.name = 'ndxp-for-dvc';
  ndxp.spec.provider = 'bkhcn';
  ndxp.spec.service = 'ndxp';
  p.requests.push(ndxp);
  const open = structuredClone(service(p, 'ndxp'));
  open.metadata.name = 'open-catalogue';
  open.spec.serviceCode = 'open-catalogue';
  open.spec.sharing = 'open';
  open.spec.dataClass = 'open';
  p.services.push(open);
  const openRequest = structuredClone(ndxp);
  openRequest.metadata.name = 'open-for-dvc';
  openRequest.spec.service = 'open-catalogue';
  p.requests.push(openRequest);
  assert.equal(run(p), []);
  // The same from a level 2 agency: not needed, a warning.
  agency(p, 'hanoi').spec.securityLevel = 2;
  p.plans = []; // its roadmap's level-3 systems are another rule's matter (roadmap-rules.test.ts)
  assert.equal(run(p), [
    'warning AccessRequest/document-exchange-for-dvc spec.service: not needed: SharedDataService/document-exchange is shared by default, so every agency at security level 1 or 2 may use it already',
    'warning AccessRequest/ndxp-for-dvc spec.service: not needed: SharedDataService/ndxp is shared by default, so every agency at security level 1 or 2 may use it already',
    'warning AccessRequest/open-for-dvc spec.service: not needed: SharedDataService/open-catalogue is shared openly, so every agency at security level 1 or 2 may use it already',
  ]);
});

test('requests: a level 3 request for a default service it shares no data centre with is an error', () => {
  const p = base();
  const ndxp = structuredClone(request(p, 'population-for-dvc'));
  ndxp.metadata.name = 'ndxp-for-dvc';
  ndxp.spec.provider = 'bkhcn';
  ndxp.spec.service = 'ndxp';
  p.requests.push(ndxp);
  service(p, 'ndxp').spec.placement.dataCentres = ['dc-hcm'];
  assert.equal(run(p), [
    'error AccessRequest/ndxp-for-dvc spec.service: the request can open nothing: Agency/hanoi is placed only in dc-hanoi, where SharedDataService/ndxp does not run (it runs in dc-hcm): ' +
      "place the service in dc-hanoi or the consumer's workspace in one of dc-hcm; cross-data-centre access to services shared by default, for consumers at security level 3 and above, is not carried: the exchange gateways carry on-request services (an AccessRequest and an AccessGrant) and links between two agencies (a NetworkLink on each side) only",
  ]);
});

test('grants: service in the same namespace, consumer exists, workspaces requested; a grant nobody asked for is pending', () => {
  const p = base();
  grant(p, 'hanoi-dvc').spec.workspaces = ['dvc', 'lgsp'];
  grant(p, 'btc-thue').spec.consumer = 'vpcp';
  assert.equal(run(p), [
    'error AccessGrant/hanoi-dvc spec.workspaces.1: workspace "lgsp" was not requested: AccessRequest/population-for-dvc of Agency/hanoi asks for "dvc"',
    'warning AccessGrant/btc-thue spec.consumer: pending consent: Agency/vpcp has not requested this service (no AccessRequest in govcloud-vpcp with provider bkhdt and service business-registry); the grant opens nothing until it does',
  ]);
  const q = base();
  grant(q, 'hanoi-dvc').spec.service = 'population-v9';
  grant(q, 'btc-thue').spec.consumer = 'bkhdt';
  assert.equal(run(q), [
    'error AccessGrant/btc-thue spec.consumer: an agency does not grant access to itself',
    'error AccessGrant/hanoi-dvc spec.service: no SharedDataService named "population-v9" in govcloud-bca: an agency grants access only to its own services',
  ]);
});

test('cidr: parsed as Go parses them; overlap by sweep', () => {
  assert.equal(parseCidr('10.1.2.3/16'), { ok: true, cidr: { family: 4, network: 0x0a010000n, prefix: 16, text: '10.1.2.3/16' } });
  for (const bad of ['10.1.2/16', '256.0.0.0/8', '10.0.0.0/33', '010.0.0.0/8', '10.0.0.0', 'fd00::/129', 'fd00:::1/64', '1:2:3:4:5:6:7:8:9/64']) {
    assert.not.ok(parseCidr(bad).ok, bad);
  }
  for (const good of ['fd00:20::/48', '::/0', '::ffff:10.0.0.0/104', '2001:db8::1.2.3.4/128', '1:2:3:4:5:6:7::/112']) assert.ok(parseCidr(good).ok, good);
  const r = (t: string, tag: string) => ({ cidr: (parseCidr(t) as { ok: true; cidr: Cidr }).cidr, tag });
  const overlaps = findOverlaps([
    r('10.0.0.0/8', 'a'),
    r('192.168.0.0/16', 'b'),
    r('10.20.0.0/16', 'c'),
    r('fd00::/16', 'd'),
    r('fd00:1::/32', 'e'),
    r('11.0.0.0/8', 'f'),
  ]);
  assert.equal(
    overlaps.map((o) => `${o.range.tag}<${o.with.tag}`),
    ['c<a', 'e<d'],
  );
});

test('a large platform (600 agencies, thousands of namespaces, 600 links) gets no false problem', () => {
  const p = base();
  const template = agency(p, 'danang');
  dc(p, 'dc-danang').spec.capacity = { cpu: '100000', memory: '1000Ti', storage: '100000Ti' };
  for (let i = 0; i < 600; i++) {
    const a: Agency = structuredClone(template);
    a.metadata.name = `tinh-${i}`;
    a.spec.code = `K${String(i % 100).padStart(2, '0')}.${String(Math.floor(i / 100) + 10).padStart(2, '0')}`;
    a.spec.workspaces = Array.from({ length: 5 }, (_, j) => ({ name: `ws-${j}`, dataClass: 'shared' as const }));
    p.agencies.push(a);
    const l: NetworkLink = structuredClone(link(p, 'city-wan'));
    l.metadata.namespace = `govcloud-tinh-${i}`;
    l.spec.workspace = 'ws-0';
    // Danang's WAN is Danang's own: the others reach the specialised network.
    l.spec.peer.external = { network: 'specialisedLevelI', cidrs: [`172.16.${i % 256}.0/24`] };
    p.links.push(l);
  }
  assert.equal(run(p), []);
});

test.run();
