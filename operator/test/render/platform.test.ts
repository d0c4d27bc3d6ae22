import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse, stringify } from 'yaml';
import type { Platform } from '../../src/model/platform.ts';
import { isValidLabelValue, renderPlatform, type DesiredObject } from '../../src/render/index.ts';
import { agency, dataCentre, grant, linkPair, link, NOW, objectsIn, platform, request, service, threeDataCentres } from './fixtures.ts';

function sample(): Platform {
  const dcs = [...threeDataCentres(), dataCentre('dc-bqp', { level: 5, dedicatedTo: 'bo-quoc-phong', ranges: ['10.50.0.0/16'] })];
  const agencies = [
    agency('van-phong-chinh-phu', {
      code: '000.00.00.G22',
      level: 3,
      dcs: ['dc-hanoi', 'dc-hcm'],
      workspaces: ['truc-lien-thong', 'cong-dvc'],
      displayName: 'Văn phòng Chính phủ',
    }),
    agency('bo-cong-an', { code: 'G04', level: 4, dcs: ['dc-hanoi'], workspaces: ['dan-cu', 'noi-bo'], displayName: 'Bộ Công an' }),
    agency('bo-tai-chinh', {
      code: 'G12',
      level: 2,
      dcs: ['dc-hanoi', 'dc-danang'],
      workspaces: [{ name: 'thue', dataClass: 'shared', internetEgress: ['203.0.113.0/24'] }, 'kho-bac'],
      displayName: 'Bộ Tài chính',
    }),
    // In dc-danang too: a link between two agencies needs a data centre both are in.
    agency('ubnd-tp-hcm', {
      code: '000.00.00.H29',
      level: 1,
      dcs: ['dc-hcm', 'dc-danang'],
      workspaces: ['dvc'],
      displayName: 'Ủy ban nhân dân Thành phố Hồ Chí Minh',
    }),
    agency('bo-quoc-phong', { code: 'G03', level: 5, dcs: ['dc-bqp'], workspaces: ['chi-huy'], displayName: 'Bộ Quốc phòng' }),
  ];
  const [l1, l2] = linkPair({ agency: 'bo-tai-chinh', workspace: 'thue' }, { agency: 'ubnd-tp-hcm', workspace: 'dvc' }, { validUntil: '2026-09-01T00:00:00Z' });
  const [l3, l4] = linkPair(
    { agency: 'van-phong-chinh-phu', workspace: 'truc-lien-thong' },
    { agency: 'bo-cong-an', workspace: 'noi-bo' },
    { encrypted: true },
  );
  const external = link('van-phong-chinh-phu', 'tu-mang-chuyen-dung', {
    workspace: 'cong-dvc',
    direction: 'Ingress',
    encrypted: true,
    peer: { external: { network: 'specialisedLevelI', cidrs: ['172.16.0.0/12'] } },
  });
  const services = [
    service('bo-cong-an', 'dan-cu', { workspace: 'dan-cu', sharing: 'onRequest' }),
    service('van-phong-chinh-phu', 'danh-muc-dung-chung', {
      workspace: 'cong-dvc',
      sharing: 'default',
      subsystem: 'vpcp',
      serviceCode: 'common-catalogue',
      placement: { dataCentres: ['dc-hanoi', 'dc-hcm'] },
    }),
  ];
  const requests = [request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'], validUntil: '2026-08-01T00:00:00Z' })];
  const grants = [grant('bo-cong-an', 'bo-tai-chinh', { service: 'dan-cu', consumer: 'bo-tai-chinh', validUntil: '2026-07-15T00:00:00Z' })];
  return platform({ dataCentres: dcs, agencies, links: [l1, l2, l3, l4, external], services, requests, grants });
}

/** A deterministic shuffle (seeded), so the test is repeatable. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

function shuffledPlatform(p: Platform, seed: number): Platform {
  const agencies = shuffled(p.agencies, seed).map((a) => ({
    ...a,
    spec: {
      ...a.spec,
      workspaces: shuffled(a.spec.workspaces, seed + 1),
      placement: { dataCentres: shuffled(a.spec.placement.dataCentres, seed + 2) },
      quotas: shuffled(a.spec.quotas, seed + 3),
    },
  }));
  return {
    dataCentres: shuffled(p.dataCentres, seed),
    agencies,
    links: shuffled(p.links, seed + 4),
    services: shuffled(p.services, seed + 5),
    requests: shuffled(p.requests, seed + 6),
    grants: shuffled(p.grants, seed + 7),
    plans: shuffled(p.plans, seed + 8),
    targets: shuffled(p.targets, seed + 9),
  };
}

const all = (r: ReturnType<typeof renderPlatform>) => r.perDataCentre.flatMap((d) => d.objects.map((o) => ({ dc: d.dataCentre, o })));

test('deterministic: the same input twice gives the same output', () => {
  const a = JSON.stringify(renderPlatform(sample(), NOW));
  const b = JSON.stringify(renderPlatform(sample(), NOW));
  assert.is(a, b);
});

test('deterministic: input order does not matter', () => {
  const expected = JSON.stringify(renderPlatform(sample(), NOW));
  for (const seed of [1, 7, 42, 1234]) assert.is(JSON.stringify(renderPlatform(shuffledPlatform(sample(), seed), NOW)), expected, `seed ${seed}`);
});

test('every data centre is listed, by name; namespaces come before what lives in them', () => {
  const r = renderPlatform(sample(), NOW);
  assert.equal(
    r.perDataCentre.map((d) => d.dataCentre),
    ['dc-bqp', 'dc-danang', 'dc-hanoi', 'dc-hcm'],
  );
  for (const { objects } of r.perDataCentre) {
    const lastNamespace = objects.map((o) => o.kind).lastIndexOf('Namespace');
    const firstNamespaced = objects.findIndex((o) => o.metadata.namespace !== undefined);
    assert.ok(firstNamespaced === -1 || lastNamespace < firstNamespaced);
    assert.ok(objects.some((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === 'govcloud-workspace-pods'));
    // The chart installs the ClusterRoles; the operator holds no escalate to write them.
    assert.not.ok(objects.some((o) => o.kind === 'ClusterRole'));
  }
});

test('every object carries valid managed-by, agency and owner labels, and a bounded name', () => {
  const r = renderPlatform(sample(), NOW);
  const platformKinds = new Set(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
  const seen = new Set<string>();
  for (const { dc, o } of all(r)) {
    const labels = o.metadata.labels;
    assert.is(labels['app.kubernetes.io/managed-by'], 'govcloud');
    const owner = labels['govcloud.dev/owner'];
    assert.ok(owner && isValidLabelValue(owner), `${o.kind} ${o.metadata.name}: ${owner}`);
    if (platformKinds.has(o.kind)) {
      assert.is(labels['govcloud.dev/agency'], undefined);
      assert.match(owner!, /^DataCentre\.\./);
    } else {
      assert.match(labels['govcloud.dev/agency'] ?? '', /^[A-Z][0-9]{2}(\.[0-9]+)*$/, `${o.kind} ${o.metadata.name}`);
    }
    for (const [key, value] of Object.entries(labels)) assert.ok(isValidLabelValue(value), `${key}=${value}`);
    assert.ok(o.metadata.name.length <= 63 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.metadata.name), o.metadata.name);
    const id = `${dc}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    assert.not.ok(seen.has(id), `duplicate ${id}`);
    seen.add(id);
  }
});

test('UTF-8 display names survive JSON and YAML', () => {
  const r = renderPlatform(sample(), NOW);
  const names = all(r)
    .map(({ o }) => o.metadata.annotations?.['govcloud.dev/display-name'])
    .filter((n): n is string => n !== undefined);
  assert.ok(names.includes('Ủy ban nhân dân Thành phố Hồ Chí Minh'));
  assert.ok(names.includes('Bộ Quốc phòng'));
  const bytes = Buffer.from(JSON.stringify(r), 'utf8');
  assert.ok(bytes.toString('utf8').includes('Ủy ban nhân dân Thành phố Hồ Chí Minh'));
  const yaml = stringify(r.perDataCentre);
  assert.not.match(yaml, /[&*]a[0-9]+/, 'no YAML anchors: objects share no nested values by reference');
  const roundTrip = parse(yaml) as typeof r.perDataCentre;
  assert.equal(roundTrip, JSON.parse(JSON.stringify(r.perDataCentre)));
});

test('isolation holds across the whole platform', () => {
  const r = renderPlatform(sample(), NOW);
  const policies = all(r)
    .filter(({ o }) => o.kind === 'NetworkPolicy')
    .map(({ o }) => o as DesiredObject & { spec: Record<string, unknown> });
  for (const p of policies) {
    for (const rule of [...((p.spec.ingress as { from?: unknown[] }[]) ?? []), ...((p.spec.egress as { to?: unknown[] }[]) ?? [])]) {
      const peers = 'from' in rule ? rule.from : (rule as { to?: unknown[] }).to;
      assert.ok(Array.isArray(peers) && peers.length > 0, `${p.metadata.namespace}/${p.metadata.name} has a rule open to everyone`);
      const text = JSON.stringify(peers);
      assert.not.ok(text.includes('0.0.0.0/0'), `${p.metadata.name} opens the internet`);
    }
  }
  // Level >= 3 workspaces: no internet egress; every workspace: the three baseline policies.
  const namespaces = all(r).filter(({ o }) => o.kind === 'Namespace' && o.metadata.labels['govcloud.dev/workspace']);
  assert.ok(namespaces.length >= 9);
  for (const { dc, o: ns } of namespaces) {
    const here = policies.filter((p) => p.metadata.namespace === ns.metadata.name);
    const names = here.map((p) => p.metadata.name);
    for (const base of ['govcloud-default-deny', 'govcloud-allow-dns', 'govcloud-allow-same-workspace'])
      assert.ok(names.includes(base), `${dc} ${ns.metadata.name} ${base}`);
    if (Number(ns.metadata.labels['govcloud.dev/security-level']) >= 3) assert.not.ok(names.includes('govcloud-allow-internet-egress'), ns.metadata.name);
  }
  // The level 5 agency lives only in its dedicated data centre.
  const qp = namespaces.filter(({ o }) => o.metadata.labels['govcloud.dev/agency-name'] === 'bo-quoc-phong').map(({ dc }) => dc);
  assert.equal(qp, ['dc-bqp']);
});

test('nextChange is the earliest boundary of any link, request or grant', () => {
  const r = renderPlatform(sample(), NOW);
  assert.equal(r.nextChange, new Date('2026-07-15T00:00:00Z'));
  const later = renderPlatform(sample(), new Date('2026-07-20T00:00:00Z'));
  assert.equal(later.nextChange, new Date('2026-08-01T00:00:00Z'));
});

test('issues are reported, sorted, and nothing is rendered for them', () => {
  const p = sample();
  p.agencies.push(agency('so-y-te-x', { code: 'G17.01', level: 3, dcs: ['dc-danang'] })); // dc-danang is level 2
  const r = renderPlatform(p, NOW);
  assert.equal(
    r.issues.map((i) => `${i.owner.kind}/${i.owner.name}: ${i.reason}`),
    ['Agency/so-y-te-x: NotAccredited'],
  );
  assert.not.ok(objectsIn(r.perDataCentre, 'dc-danang').some((o) => o.metadata.name === 'so-y-te-x-app'));
});

test('two owners wanting one object differently is reported, not applied twice', () => {
  const p = sample();
  const twin = agency('bo-tai-chinh', { code: 'G12', level: 2, dcs: ['dc-hanoi'], workspaces: ['thue'], displayName: 'Bộ Tài chính (bản sao)' });
  p.agencies.push(twin);
  const r = renderPlatform(p, NOW);
  assert.ok(r.issues.some((i) => i.reason === 'NameCollision'));
  const namespaces = objectsIn(r.perDataCentre, 'dc-hanoi').filter((o) => o.kind === 'Namespace' && o.metadata.name === 'bo-tai-chinh-thue');
  assert.is(namespaces.length, 1);
});

test.run();
