/**
 * Connectivity of rendered govcloud platforms: consumers reach services, others do not,
 * cross-data-centre paths go through network ranges; the catalogue's consumers; and the
 * property over random platforms: no path between two agencies' workspaces unless a link or
 * a grant (or default/open sharing) justifies it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  agencyNameOfHubNamespace,
  workspaceNamespace,
  type AccessGrant,
  type AccessRequest,
  type Agency,
  type NetworkLink,
  type SharedDataService,
} from '../../src/api/index.ts';
import { catalogue } from '../../src/catalogue/index.ts';
import { crossDataCentre, hostsFor, platformViews } from '../../src/connectivity/govcloud.ts';
import { buildMatrix, destinationLabel, sourceKey, type Cell } from '../../src/connectivity/matrix.ts';
import type { InputObject } from '../../src/connectivity/objects.ts';
import type { Platform } from '../../src/model/platform.ts';
import { renderPlatform, serviceObjectName } from '../../src/render/index.ts';
import { agency, at, get, grant, linkPair, objectsIn, platform, request, service, threeDataCentres } from '../render/fixtures.ts';

const NOW = new Date('2026-06-01T00:00:00Z');
const PAST = '2025-01-01T00:00:00Z';
const LATE_PAST = '2026-01-01T00:00:00Z';
const FUTURE = '2027-01-01T00:00:00Z';

const ws = (name: string): Agency['spec']['workspaces'][number] => ({ name, dataClass: 'private' });

/** bca owns population (onRequest, dc-hanoi); hanoi/dvc and danang/city are granted it. */
function sample(): Platform {
  return platform({
    dataCentres: threeDataCentres(),
    agencies: [
      agency('bca', { code: '000.00.00.G04', displayName: 'Bộ Công an', workspaces: [ws('dancu')] }),
      agency('hanoi', { code: 'H01', displayName: 'UBND Thành phố Hà Nội', workspaces: [ws('dvc'), ws('web')] }),
      agency('danang', { code: 'H43', displayName: 'UBND Thành phố Đà Nẵng', dcs: ['dc-danang'], workspaces: [ws('city')] }),
      agency('btc', { code: 'G12', displayName: 'Bộ Tài chính', dcs: ['dc-hcm'], workspaces: [ws('thue')] }),
    ],
    services: [service('bca', 'population', { workspace: 'dancu', dataClass: 'private', port: 8443 })],
    requests: [
      request('hanoi', 'population-for-dvc', { provider: 'bca', service: 'population', workspaces: ['dvc'] }),
      request('danang', 'population-for-city', { provider: 'bca', service: 'population', workspaces: ['city'] }),
      // Written in btc's namespace, naming hanoi/web: the acting agency is btc, not hanoi.
      request('btc', 'population-for-hanoi-web', { provider: 'bca', service: 'population', workspaces: ['web'] }),
    ],
    grants: [
      grant('bca', 'hanoi-dvc', { service: 'population', consumer: 'hanoi', workspaces: ['dvc', 'web'] }),
      grant('bca', 'danang-city', { service: 'population', consumer: 'danang' }),
      grant('bca', 'btc-web', { service: 'population', consumer: 'btc', validUntil: LATE_PAST }),
    ],
  });
}

function cellOf(cells: Cell[], source: string, destination: string): Cell | undefined {
  return cells.find((c) => sourceKey(c.source) === source && destinationLabel(c.destination) === destination);
}

test('a granted workspace reaches the service; a workspace named only by the grant does not', () => {
  const { views } = platformViews(sample(), NOW);
  const hanoi = views.find((v) => v.dataCentre === 'dc-hanoi')!;
  assert.equal(hanoi.inventory.problems, []);
  const { cells } = buildMatrix(hanoi.input);
  const dst = 'bca-dancu/svc-population (Service)';
  const dvc = cellOf(cells, 'hanoi-dvc', dst)!;
  assert.is(dvc.verdict, 'allowed');
  assert.equal(
    dvc.egress.allowedBy.map((m) => m.policy),
    ['hanoi-dvc/govcloud-use-bca.population'],
  );
  assert.equal(
    dvc.ingress.allowedBy.map((m) => m.policy),
    ['bca-dancu/govcloud-svc-population'],
  );
  assert.is(cellOf(cells, 'hanoi-web', dst)!.verdict, 'denied', 'the grant names web, the request does not');
  assert.is(cellOf(cells, 'bca-dancu', dst)!.verdict, 'allowed', 'its own workspace');
});

test('other data centres are external hosts at their ranges; the rest of the world is "internet"', () => {
  const hosts = hostsFor(sample(), 'dc-hanoi');
  assert.equal(
    hosts.map((h) => h.name),
    ['datacentre/dc-danang', 'datacentre/dc-hcm', 'internet'],
  );
  assert.equal(hosts[1]!.cidrs, ['10.20.0.0/16', '10.21.0.0/16']);
  assert.not.ok(hosts[2]!.addresses.covers(hosts[0]!.addresses.union(hosts[1]!.addresses)));
});

test('across data centres, on request: a grant to a workspace in another data centre opens nothing, and says why', () => {
  // danang/city (dc-danang) is requested and granted population (dc-hanoi). By range, dc-hanoi
  // could only admit all of dc-danang: it fails closed instead.
  const { views, issues } = platformViews(sample(), NOW);
  const cross = crossDataCentre(views, { all: true });
  const toPopulation = cross.filter((c) => c.to.name === 'svc-population');
  assert.ok(toPopulation.length > 0, 'the cross-data-centre cells are evaluated');
  assert.ok(
    toPopulation.every((c) => c.verdict === 'denied'),
    toPopulation.map((c) => `${c.from.namespace} ${c.verdict}`).join('\n'),
  );
  assert.ok(
    toPopulation.every((c) => c.ingress.coverage === 'none'),
    'the service admits no remote range at all',
  );
  const issue = issues.find((i) => i.reason === 'GatewayUnavailable');
  assert.equal(issue?.owner, { kind: 'SharedDataService', namespace: 'govcloud-bca', name: 'population' });
  assert.match(
    issue!.message,
    "workspace city of agency danang is only in dc-danang, where the service does not run: place the service in dc-danang or the consumer's workspace in one of dc-hanoi",
  );
});

test('across data centres, default sharing: a consumer elsewhere reaches the service via network range', () => {
  const p = sample();
  p.agencies.push(agency('vpcp', { code: 'G22', workspaces: [ws('lienthong')] }));
  p.services.push(
    service('vpcp', 'document-exchange', {
      workspace: 'lienthong',
      sharing: 'default',
      dataClass: 'shared',
      port: 8443,
      subsystem: 'vpcp',
      serviceCode: 'document-exchange',
    }),
  );
  const cross = crossDataCentre(platformViews(p, NOW).views);
  const paths = cross.map((c) => `${c.from.dataCentre} ${c.from.namespace} → ${c.to.dataCentre} ${c.to.namespace}/${c.to.name}:${c.to.port} ${c.verdict}`);
  assert.ok(paths.includes('dc-danang danang-city → dc-hanoi vpcp-lienthong/svc-document-exchange:8443 allowed'), paths.join('\n'));
  assert.not.ok(
    paths.some((x) => x.includes('svc-population')),
    paths.join('\n'),
  );
  const c = cross.find((x) => x.from.namespace === 'danang-city')!;
  assert.is(c.via, 'network range');
  assert.equal(
    c.ingress.allowedBy.map((m) => m.policy),
    ['vpcp-lienthong/govcloud-svc-document-exchange'],
  );
});

test('the cross-data-centre leak is closed: a workspace egressing to a remote range for a default service does not reach an on-request one there', () => {
  // Before: btc/thue (dc-hcm) consumes a default-sharing service in dc-hanoi on 8443, so its
  // egress reaches dc-hanoi's range on 8443; population admitted dc-hcm's range because
  // bkhdt/dkkd (dc-hcm) is granted it; so btc/thue reached population without any grant.
  // Now population admits no range, and bkhdt/dkkd, only in dc-hcm, is told why it gets nothing.
  const p = sample();
  p.agencies.push(agency('vpcp', { code: 'G22', workspaces: [ws('lienthong')] }), agency('bkhdt', { code: 'G10', dcs: ['dc-hcm'], workspaces: [ws('dkkd')] }));
  p.services.push(
    service('vpcp', 'document-exchange', {
      workspace: 'lienthong',
      sharing: 'default',
      dataClass: 'shared',
      port: 8443,
      subsystem: 'vpcp',
      serviceCode: 'document-exchange',
    }),
  );
  p.requests.push(request('bkhdt', 'population', { provider: 'bca', service: 'population', workspaces: ['dkkd'] }));
  p.grants.push(grant('bca', 'bkhdt', { service: 'population', consumer: 'bkhdt' }));
  const { views, issues } = platformViews(p, NOW);
  const cross = crossDataCentre(views);
  assert.ok(
    cross.some((c) => c.from.namespace === 'btc-thue' && c.to.name === 'svc-document-exchange' && c.verdict === 'allowed'),
    'btc/thue still uses the default service across data centres',
  );
  assert.not.ok(
    cross.some((c) => c.to.name === 'svc-population'),
    cross
      .filter((c) => c.to.name === 'svc-population')
      .map((c) => `${c.from.namespace} ${c.verdict}`)
      .join('\n'),
  );
  const ingress = get(objectsIn(renderPlatform(p, NOW).perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bca-dancu', 'govcloud-svc-population');
  assert.equal(
    at(ingress, 'spec', 'ingress', 0, 'from'),
    [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hanoi-dvc' } } }],
    'its granted workspace in dc-hanoi, never a range',
  );
  assert.equal(
    issues.filter((i) => i.reason === 'GatewayUnavailable').map((i) => i.message.split(':')[0]),
    [
      'workspace city of agency danang is only in dc-danang, where the service does not run',
      'workspace dkkd of agency bkhdt is only in dc-hcm, where the service does not run',
    ].sort(),
  );
});

test('level 3 consumers reach a default service only as declared (an AccessRequest, no grant); level 1-2 automatically', () => {
  const p = sample();
  p.agencies.push(
    agency('vpcp', { code: 'G22', level: 3, workspaces: [ws('lienthong')] }),
    agency('bkhdt', { code: 'G10', level: 3, workspaces: [ws('dkkd'), ws('noi-bo')] }),
    agency('quangninh', { code: 'H17', level: 2, workspaces: [ws('lgsp')] }),
  );
  p.services.push(
    service('vpcp', 'document-exchange', {
      workspace: 'lienthong',
      sharing: 'default',
      dataClass: 'shared',
      port: 8443,
      subsystem: 'vpcp',
      serviceCode: 'document-exchange',
    }),
  );
  const dst = 'vpcp-lienthong/svc-document-exchange (Service)';
  const verdicts = (q: Platform) => {
    const { cells } = buildMatrix(platformViews(q, NOW).views.find((v) => v.dataCentre === 'dc-hanoi')!.input);
    return Object.fromEntries(['bkhdt-dkkd', 'bkhdt-noi-bo', 'quangninh-lgsp'].map((ns) => [ns, cellOf(cells, ns, dst)?.verdict]));
  };
  assert.equal(verdicts(p), { 'bkhdt-dkkd': 'denied', 'bkhdt-noi-bo': 'denied', 'quangninh-lgsp': 'allowed' });
  p.requests.push(request('bkhdt', 'document-exchange', { provider: 'vpcp', service: 'document-exchange', workspaces: ['dkkd'], validUntil: FUTURE }));
  assert.equal(verdicts(p), { 'bkhdt-dkkd': 'allowed', 'bkhdt-noi-bo': 'denied', 'quangninh-lgsp': 'allowed' });
  const e = catalogue(p, NOW).find((x) => x.name === 'document-exchange')!;
  assert.ok(e.consumers.includes('bkhdt/dkkd') && !e.consumers.includes('bkhdt/noi-bo') && e.consumers.includes('quangninh/lgsp'), e.consumers.join(', '));
  assert.equal(e.requests, [{ consumer: 'bkhdt', request: 'govcloud-bkhdt/document-exchange', workspaces: ['dkkd'] }]);
});

test('hub namespaces are isolated both ways: a pod that got there would reach nothing and nothing would reach it', () => {
  const p = sample();
  // As if a pod had been started in bca's hub namespace (its quota allows none).
  const stray = {
    value: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'stray', namespace: 'govcloud-bca' },
      spec: { template: { metadata: { labels: { app: 'stray' } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8443 }] }] } } },
    },
  };
  const { views } = platformViews(p, NOW, { 'dc-hanoi': [stray] });
  const hanoi = views.find((v) => v.dataCentre === 'dc-hanoi')!;
  const cells = buildMatrix(hanoi.input).cells;
  const from = cells.filter((c) => c.source.kind === 'Namespace' && c.source.namespace === 'govcloud-bca');
  const to = cells.filter((c) => c.destination.kind !== 'Host' && c.destination.namespace === 'govcloud-bca');
  assert.ok(from.length > 0 && to.length > 0, 'the hub namespace is evaluated both ways');
  for (const c of from) {
    if (c.destination.kind !== 'Host' && c.destination.namespace === 'govcloud-bca') continue; // itself
    assert.is(c.verdict, 'denied', `govcloud-bca → ${destinationLabel(c.destination)}`);
    assert.ok(c.egress.isolatedBy.includes('govcloud-bca/govcloud-default-deny'));
  }
  assert.ok(
    from.some((c) => c.destination.kind === 'Host' && c.destination.name === 'internet'),
    'the internet is among the destinations',
  );
  for (const c of to) {
    if (c.source.kind === 'Namespace' && c.source.namespace === 'govcloud-bca') continue;
    assert.is(c.verdict, 'denied', `${sourceKey(c.source)} → ${destinationLabel(c.destination)}`);
    assert.ok(c.ingress.isolatedBy.includes('govcloud-bca/govcloud-default-deny'));
  }
});

test('catalogue: owner from the hub namespace, normalised identifier, consumers matched in window', () => {
  const entries = catalogue(sample(), NOW);
  assert.is(entries.length, 1);
  const e = entries[0]!;
  assert.is(e.owner, 'bca');
  assert.is(e.ownerDisplayName, 'Bộ Công an');
  assert.is(e.identifier, 'VN/GOV/G04/dancu/population/v1');
  assert.equal(e.dataCentres, ['dc-hanoi']);
  // danang/city is requested and granted, but only in dc-danang, where the service does not run.
  assert.equal(e.consumers, ['hanoi/dvc']);
  assert.equal(
    e.access.map((a) => `${a.consumer} ${a.request} ${a.grant}`),
    ['hanoi govcloud-hanoi/population-for-dvc govcloud-bca/hanoi-dvc'],
  );
  assert.equal(e.issues.length, 1);
  assert.match(e.issues[0]!, /^workspace city of agency danang is only in dc-danang, where the service does not run: /);
  // Before the request windows? Requests here have no window; the grants end in 2030.
  assert.equal(catalogue(sample(), new Date('2031-01-01T00:00:00Z'))[0]!.consumers, [], 'grants expired');
});

test('catalogue: a service in a namespace no agency owns has no owner and no identifier', () => {
  const p = sample();
  p.services.push({ ...service('nobody', 'orphan'), metadata: { name: 'orphan', namespace: 'default' } });
  const orphan = catalogue(p, NOW).find((e) => e.name === 'orphan')!;
  assert.is(orphan.owner, undefined);
  assert.is(orphan.identifier, undefined);
  assert.equal(orphan.consumers, []);
  assert.ok(orphan.issues.length > 0);
});

// --- the property ------------------------------------------------------------------------

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const subset = <T>(xs: readonly T[], min = 0): T[] => {
    const out = xs.filter(() => next() < 0.5);
    while (out.length < min) {
      const x = pick(xs);
      if (!out.includes(x)) out.push(x);
    }
    return out;
  };
  return { next, int, pick, subset };
}

const DCS = ['dc-hanoi', 'dc-hcm', 'dc-danang'];
const PORTS = [443, 8443];
const WINDOWS: { validFrom?: string; validUntil?: string }[] = [
  {},
  {},
  { validUntil: FUTURE },
  { validFrom: PAST, validUntil: LATE_PAST },
  { validFrom: FUTURE },
];

function randomPlatform(seed: number): Platform {
  const r = rng(seed);
  const agencies: Agency[] = [];
  for (let i = 1; i <= 5; i++) {
    // Levels 1 to 3; level 3 only where a data centre is accredited for it (not dc-danang).
    const level = 1 + r.int(3);
    agencies.push(
      agency(`a${i}`, { code: `G0${i}`, level, dcs: r.subset(level >= 3 ? DCS.slice(0, 2) : DCS, 1), workspaces: r.subset(['app', 'data', 'web'], 1).map(ws) }),
    );
  }
  const services: SharedDataService[] = [];
  for (const a of agencies) {
    for (let k = 0; k < r.int(3); k++) {
      const sharing = r.pick(['onRequest', 'onRequest', 'default', 'open'] as const);
      services.push(
        service(a.metadata.name, `s${k}`, {
          workspace: r.pick(a.spec.workspaces).name,
          sharing,
          dataClass: sharing === 'open' ? 'open' : sharing === 'default' ? 'shared' : r.pick(['shared', 'private'] as const),
          port: r.pick(PORTS),
          placement: { dataCentres: r.subset(r.next() < 0.8 ? a.spec.placement.dataCentres : DCS, 1) },
          serviceCode: `s${k}`,
        }),
      );
    }
  }
  const requests: AccessRequest[] = [];
  const grants: AccessGrant[] = [];
  for (let k = 0; k < 8 && services.length > 0; k++) {
    const s = r.pick(services);
    const owner = agencyNameOfHubNamespace(s.metadata.namespace)!;
    const consumer = r.pick(agencies.filter((a) => a.metadata.name !== owner));
    // Sometimes written in a third agency's namespace: it then acts for that agency.
    const writer = r.next() < 0.15 ? r.pick(agencies).metadata.name : consumer.metadata.name;
    const wanted = r.subset([...consumer.spec.workspaces.map((w) => w.name), 'ghost'], 1);
    requests.push(request(writer, `r${k}`, { provider: owner, service: s.metadata.name, workspaces: wanted, ...r.pick(WINDOWS) }));
    if (r.next() < 0.7) {
      const g = grant(owner, `g${k}`, {
        service: s.metadata.name,
        consumer: consumer.metadata.name,
        ...r.pick(WINDOWS),
        validUntil: r.pick([FUTURE, LATE_PAST, FUTURE]),
      });
      if (r.next() < 0.5)
        g.spec.workspaces = r.subset(
          consumer.spec.workspaces.map((w) => w.name),
          1,
        );
      grants.push(g);
    }
  }
  // Agencies at level 3 declare some of the default and open services they use.
  const shared = services.filter((s) => s.spec.sharing !== 'onRequest');
  for (const [k, a] of agencies
    .filter((x) => x.spec.securityLevel >= 3)
    .flatMap(
      (x) =>
        [
          [0, x],
          [1, x],
        ] as const,
    )) {
    const others = shared.filter((s) => s.metadata.namespace !== `govcloud-${a.metadata.name}`);
    // Mostly one running where the agency is; sometimes one that runs only elsewhere.
    const near = others.filter((s) => s.spec.placement.dataCentres.some((d) => a.spec.placement.dataCentres.includes(d)));
    if (others.length === 0 || r.next() < 0.2) continue;
    const s = r.pick(near.length > 0 && r.next() < 0.8 ? near : others);
    const wanted = r.subset([...a.spec.workspaces.map((w) => w.name), 'ghost'], 1);
    requests.push(
      request(a.metadata.name, `d${k}-${s.metadata.name}`, {
        provider: agencyNameOfHubNamespace(s.metadata.namespace)!,
        service: s.metadata.name,
        workspaces: wanted,
        ...r.pick(WINDOWS),
      }),
    );
  }
  const links: NetworkLink[] = [];
  for (let k = 0; k < 4; k++) {
    const [a, b] = [r.pick(agencies), r.pick(agencies)];
    if (a === b) continue;
    const from = { agency: a.metadata.name, workspace: r.pick(a.spec.workspaces).name };
    const to = { agency: b.metadata.name, workspace: r.pick(b.spec.workspaces).name };
    const encrypted = Math.max(a.spec.securityLevel, b.spec.securityLevel) >= 3 ? { encrypted: true } : {};
    const [l1, l2] = linkPair(from, to, { ports: [{ port: r.pick(PORTS) }], peerPorts: [{ port: r.pick(PORTS) }], ...encrypted, ...r.pick(WINDOWS) });
    l1.metadata.name = `l${k}-${l1.metadata.name}`;
    l2.metadata.name = `l${k}-${l2.metadata.name}`;
    links.push(l1);
    if (r.next() < 0.8) links.push(l2);
  }
  return platform({ dataCentres: threeDataCentres(), agencies, services, requests, grants, links });
}

// An oracle written from the API's descriptions, independent of the renderer.
const open = (w: { validFrom?: string; validUntil?: string }) =>
  (w.validFrom === undefined || Date.parse(w.validFrom) <= NOW.getTime()) && (w.validUntil === undefined || NOW.getTime() < Date.parse(w.validUntil));
const inPorts = (ports: NetworkLink['spec']['ports'], port: number) =>
  ports.some((p) => (p.protocol ?? 'TCP') === 'TCP' && port >= p.port && port <= (p.endPort ?? p.port));

const levelOf = (p: Platform, agencyName: string) => p.agencies.find((a) => a.metadata.name === agencyName)?.spec.securityLevel ?? 0;

function granted(p: Platform, s: SharedDataService, consumer: string, workspace: string): boolean {
  const owner = agencyNameOfHubNamespace(s.metadata.namespace);
  const req = p.requests.some(
    (r) =>
      r.metadata.namespace === `govcloud-${consumer}` &&
      r.spec.provider === owner &&
      r.spec.service === s.metadata.name &&
      r.spec.workspaces.includes(workspace) &&
      open(r.spec),
  );
  // default and open: every agency at levels 1-2; from level 3, the agency declares it (a request, no grant).
  if (s.spec.sharing !== 'onRequest') return levelOf(p, consumer) < 3 || req;
  const gr = p.grants.some(
    (g) =>
      g.metadata.namespace === `govcloud-${owner}` &&
      g.spec.service === s.metadata.name &&
      g.spec.consumer === consumer &&
      (g.spec.workspaces === undefined || g.spec.workspaces.includes(workspace)) &&
      open(g.spec),
  );
  return req && gr;
}

function linked(p: Platform, a: string, w: string, b: string, wb: string, port: number): boolean {
  const side = (owner: string, own: string, dir: string, peer: string, peerWs: string) =>
    p.links.some(
      (l) =>
        l.metadata.namespace === `govcloud-${owner}` &&
        l.spec.workspace === own &&
        l.spec.direction === dir &&
        l.spec.peer.agency?.name === peer &&
        l.spec.peer.agency.workspace === peerWs &&
        open(l.spec) &&
        inPorts(l.spec.ports, port),
    );
  return side(a, w, 'Egress', b, wb) && side(b, wb, 'Ingress', a, w);
}

function workspaceOf(p: Platform, namespace: string): { agency: string; workspace: string } | undefined {
  for (const a of p.agencies)
    for (const w of a.spec.workspaces) if (workspaceNamespace(a.metadata.name, w.name) === namespace) return { agency: a.metadata.name, workspace: w.name };
  return undefined;
}

/** Is a path from namespace `src` to `dst` (a Service name, or a tenant workload) on `port` justified? */
function justified(p: Platform, src: string, dstNamespace: string, dstName: string, dstKind: string, port: number): boolean {
  const a = workspaceOf(p, src);
  const b = workspaceOf(p, dstNamespace);
  if (!a || !b) return true; // not between two workspaces
  if (a.agency === b.agency) return true; // the property is about two agencies
  if (linked(p, a.agency, a.workspace, b.agency, b.workspace, port)) return true;
  if (dstKind !== 'Service') return false;
  const s = p.services.find(
    (x) => agencyNameOfHubNamespace(x.metadata.namespace) === b.agency && x.spec.workspace === b.workspace && serviceObjectName(x) === dstName,
  );
  return s !== undefined && s.spec.port === port && granted(p, s, a.agency, a.workspace);
}

/** A tenant workload in every workspace namespace, listening on both ports, so links show. */
function tenantWorkloads(p: Platform): Record<string, InputObject[]> {
  const out: Record<string, InputObject[]> = {};
  for (const dc of DCS) {
    out[dc] = p.agencies
      .filter((a) => a.spec.placement.dataCentres.includes(dc))
      .flatMap((a) => a.spec.workspaces.map((w) => workspaceNamespace(a.metadata.name, w.name)))
      .map((namespace) => ({
        value: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'tenant-app', namespace },
          spec: {
            template: {
              metadata: { labels: { app: 'tenant' } },
              spec: { containers: [{ name: 'c', image: 'x', ports: PORTS.map((containerPort) => ({ containerPort })) }] },
            },
          },
        },
      }));
  }
  return out;
}

test("property: in a data centre, no path between two agencies' workspaces unless a link or a grant justifies it", () => {
  let paths = 0;
  let crossAgency = 0;
  let declared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const p = randomPlatform(seed);
    const { views } = platformViews(p, NOW, tenantWorkloads(p));
    for (const view of views) {
      assert.equal(
        view.inventory.problems.filter((x) => !x.message.includes('defined more than once')),
        [],
        `seed ${seed}: rendered objects read cleanly`,
      );
      for (const cell of buildMatrix(view.input).cells) {
        if (cell.verdict === 'denied' || cell.verdict === 'no-endpoints') continue;
        if (cell.source.kind !== 'Namespace' || cell.destination.kind === 'Host') continue;
        paths++;
        const d = cell.destination;
        const port = d.kind === 'Service' ? d.port : (d.port as number);
        const kind = d.kind === 'Service' ? 'Service' : d.podKind;
        const a = workspaceOf(p, cell.source.namespace);
        const b = workspaceOf(p, d.namespace);
        if (a && b && a.agency !== b.agency) {
          crossAgency++;
          // A level 3 workspace using another agency's default or open service, as it declared.
          const s = p.services.find((x) => x.metadata.namespace === `govcloud-${b.agency}` && serviceObjectName(x) === d.name);
          if (d.kind === 'Service' && levelOf(p, a.agency) >= 3 && s !== undefined && s.spec.sharing !== 'onRequest') declared++;
        }
        assert.ok(
          justified(p, cell.source.namespace, d.namespace, d.name, kind, port),
          `seed ${seed}, ${view.dataCentre}: ${cell.source.namespace} → ${d.namespace}/${d.name} on ${port} (${cell.verdict}) has no link or grant behind it`,
        );
      }
    }
  }
  assert.ok(
    paths > 100 && crossAgency > 20 && declared > 10,
    `the random platforms exercise the property (${paths} paths, ${crossAgency} across agencies, ${declared} declared by level 3)`,
  );
});

/**
 * Is a path across data centres, from namespace `src` in one to `dst` in another on `port`,
 * justified? A data centre sees another's pods by address only, so the platform justifies
 * none between two agencies but a `default` or `open` service (meant for every agency) used
 * by an agency at level 1 or 2: no link, no on-request grant and no level 3 declaration
 * reaches across data centres.
 */
function justifiedAcross(p: Platform, src: string, dstNamespace: string, dstName: string, dstKind: string, port: number): boolean {
  const a = workspaceOf(p, src);
  const b = workspaceOf(p, dstNamespace);
  if (!a || !b) return true;
  if (a.agency === b.agency) return true;
  if (dstKind !== 'Service') return false;
  const s = p.services.find(
    (x) => agencyNameOfHubNamespace(x.metadata.namespace) === b.agency && x.spec.workspace === b.workspace && serviceObjectName(x) === dstName,
  );
  return s !== undefined && s.spec.port === port && s.spec.sharing !== 'onRequest' && levelOf(p, a.agency) < 3;
}

test("property, across data centres: no path between two agencies' workspaces unless it is justified end to end", () => {
  let crossPaths = 0;
  const unjustified: string[] = [];
  for (let seed = 1; seed <= 40; seed++) {
    const p = randomPlatform(seed);
    const { views } = platformViews(p, NOW, tenantWorkloads(p));
    for (const c of crossDataCentre(views)) {
      const a = workspaceOf(p, c.from.namespace);
      const b = workspaceOf(p, c.to.namespace);
      if (!a || !b || a.agency === b.agency) continue;
      crossPaths++;
      if (!justifiedAcross(p, c.from.namespace, c.to.namespace, c.to.name, c.to.kind, c.to.targetPort)) {
        unjustified.push(
          `seed ${seed}: ${c.from.dataCentre} ${c.from.namespace} → ${c.to.dataCentre} ${c.to.namespace}/${c.to.name}:${c.to.targetPort} (${c.verdict})`,
        );
      }
    }
  }
  assert.equal(unjustified, [], `${unjustified.length} of ${crossPaths} cross-agency paths across data centres are not justified end to end`);
  assert.ok(crossPaths > 10, `the random platforms exercise cross-data-centre paths (${crossPaths})`);
});

test.run();
