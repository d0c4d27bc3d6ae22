// The one policy (model/policy.ts): its table as docs/architecture.md prints it, the shape
// the thresholds rely on, and the rules and the renderers deciding alike from it.
import { readFile } from 'node:fs/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withPolicyTable } from '../../bin/policy-doc.ts';
import { emptyPlatform, placementContext, type Platform } from '../../src/model/platform.ts';
import {
  agencyAncestors,
  dataCentreOwner,
  dataClassExceeds,
  exchangeRefusal,
  linkExchangeRefusals,
  DECLARED_USE_FROM_LEVEL,
  DEDICATED_DATA_CENTRE_FROM_LEVEL,
  ENCRYPTED_LINKS_FROM_LEVEL,
  levelPolicy,
  NO_INTERNET_EGRESS_FROM_LEVEL,
  placementRefusal,
  SECURITY_LEVELS,
  sharingRefusal,
  type LevelPolicy,
} from '../../src/model/policy.ts';
import { DATA_CLASSES, DataCentreKind, SHARING_MODES, SharedDataServiceKind } from '../../src/api/index.ts';
import { checkCel } from '../../src/validate/cel.ts';
import { checkPlatform } from '../../src/model/rules.ts';
import { gatewayEndpoints, renderGateways } from '../../src/render/gateway.ts';
import { placementOf, renderLink, renderService } from '../../src/render/index.ts';
import { agency, dataCentre, grant, linkPair, platform, request, service } from '../render/fixtures.ts';

test('policy: docs/architecture.md prints the table as model/policy.ts has it', async () => {
  const doc = await readFile('docs/architecture.md', 'utf8');
  assert.ok(withPolicyTable(doc) === doc, 'the security-level table in docs/architecture.md is stale: run `node operator/bin/policy-doc.ts`');
  assert.throws(() => withPolicyTable('no markers'), /markers/);
});

test('policy: levels 1 to 5, and what holds from a threshold holds at every level above it (the CEL and the texts say "and above")', () => {
  assert.equal(
    SECURITY_LEVELS.map((p) => p.level),
    [1, 2, 3, 4, 5],
  );
  const fromThreshold = (holds: (p: LevelPolicy) => boolean, from: number) =>
    assert.equal(
      SECURITY_LEVELS.map(holds),
      SECURITY_LEVELS.map((p) => p.level >= from),
      `from level ${from}`,
    );
  fromThreshold((p) => !p.internetEgress, NO_INTERNET_EGRESS_FROM_LEVEL);
  fromThreshold((p) => p.encryptedLinks, ENCRYPTED_LINKS_FROM_LEVEL);
  fromThreshold((p) => p.declaredUse, DECLARED_USE_FROM_LEVEL);
  fromThreshold((p) => p.dedicatedDataCentre, DEDICATED_DATA_CENTRE_FROM_LEVEL);
  assert.equal([NO_INTERNET_EGRESS_FROM_LEVEL, ENCRYPTED_LINKS_FROM_LEVEL, DECLARED_USE_FROM_LEVEL, DEDICATED_DATA_CENTRE_FROM_LEVEL], [3, 3, 3, 5]);
  assert.equal(
    SECURITY_LEVELS.map((p) => p.podSecurity),
    ['baseline', 'restricted', 'restricted', 'restricted', 'restricted'],
  );
  assert.equal(
    SECURITY_LEVELS.filter((p) => p.dedicatedNodes).map((p) => p.level),
    [4],
  );
  assert.is(levelPolicy(0), SECURITY_LEVELS[0], 'below the table: its lowest row');
  assert.is(levelPolicy(7), SECURITY_LEVELS[4], 'above the table: its strictest row');
});

test('policy: a data class not in the order is refused on either side (fail-safe; the rules used to rank it lowest, the renderer highest)', () => {
  assert.is(dataClassExceeds('shared', 'private'), false);
  assert.is(dataClassExceeds('private', 'private'), false);
  assert.is(dataClassExceeds('private', 'shared'), true);
  assert.is(dataClassExceeds('secret-ish', 'private'), true, 'an unknown service class counts as the most sensitive');
  assert.is(dataClassExceeds('open', 'secret-ish'), true, 'an unknown workspace class counts as the least');

  // Both layers follow it: the rules refuse at spec.dataClass, the renderer renders nothing.
  for (const [serviceClass, workspaceClass] of [
    ['secret-ish', 'private'],
    ['open', 'secret-ish'],
  ] as const) {
    const platform = emptyPlatform();
    platform.dataCentres.push(dataCentre('dc-hanoi', { hub: true }));
    platform.agencies.push(agency('bca', { code: 'G12', workspaces: [{ name: 'app', dataClass: workspaceClass as 'private' }] }));
    const s = service('bca', 'dancu', { dataClass: serviceClass as 'open', sharing: 'onRequest' });
    platform.services.push(s);
    const problems = checkPlatform(platform).filter((p) => p.object === s);
    assert.equal(
      problems.map((p) => [p.severity, p.path.join('.')]),
      [['error', 'spec.dataClass']],
      `${serviceClass} in ${workspaceClass}: rules`,
    );
    const render = renderService(platform, s, new Date('2026-01-01T00:00:00Z'));
    assert.equal(
      render.issues.map((i) => i.reason),
      ['DataClassAboveWorkspace'],
      `${serviceClass} in ${workspaceClass}: renderer`,
    );
    assert.equal(render.perDataCentre, []);
  }
});

test("policy: one placement decision, and the rules, the renderer and the CRD's CEL refuse exactly where it does", () => {
  // bca is a ministry; bca-c06 a department under it; bca-c06-pa a unit under that; other is another ministry.
  type Case = {
    agency?: string;
    level: number;
    accredited: number;
    dedicatedTo?: string;
    ownedBy?: string;
    cordoned?: boolean;
    present?: boolean;
    want: string | undefined;
  };
  const cases: Case[] = [
    { level: 2, accredited: 3, want: undefined },
    { level: 4, accredited: 4, want: undefined },
    { level: 4, accredited: 3, want: 'NotAccredited' },
    { level: 2, accredited: 5, dedicatedTo: 'other', want: 'DedicatedToAnotherAgency' },
    { level: 5, accredited: 5, want: 'DedicatedDataCentreRequired' },
    { level: 5, accredited: 5, dedicatedTo: 'bca', want: undefined },
    { level: 5, accredited: 4, dedicatedTo: 'bca', want: 'NotAccredited' },
    { level: 1, accredited: 1, dedicatedTo: 'bca', want: undefined },
    // A dedicated data centre hosts its agency alone: not even the agencies under it.
    { agency: 'bca-c06', level: 2, accredited: 4, dedicatedTo: 'bca', want: 'DedicatedToAnotherAgency' },
    // An inherited (owned) one hosts the owner and its line, transitively, and no one else.
    { level: 2, accredited: 4, ownedBy: 'bca', want: undefined },
    { agency: 'bca-c06', level: 2, accredited: 4, ownedBy: 'bca', want: undefined },
    { agency: 'bca-c06-pa', level: 3, accredited: 4, ownedBy: 'bca', want: undefined },
    { agency: 'bca', level: 2, accredited: 4, ownedBy: 'bca-c06', want: 'OwnedByAnotherAgency' },
    { agency: 'other', level: 2, accredited: 4, ownedBy: 'bca', want: 'OwnedByAnotherAgency' },
    // Level 5 keeps its rule in an owned data centre: only dedicatedTo serves it.
    { level: 5, accredited: 4, ownedBy: 'bca', want: 'DedicatedDataCentreRequired' },
    { agency: 'bca-c06', level: 4, accredited: 3, ownedBy: 'bca', want: 'NotAccredited' },
    // A cordon refuses a newcomer, keeps who is there, and refuses no one where that is unknown.
    { level: 2, accredited: 4, cordoned: true, present: false, want: 'Cordoned' },
    { level: 2, accredited: 4, cordoned: true, present: true, want: undefined },
    { level: 2, accredited: 4, cordoned: true, want: undefined },
    { agency: 'other', level: 2, accredited: 4, ownedBy: 'bca', cordoned: true, present: true, want: 'OwnedByAnotherAgency' },
  ];
  const parents: Record<string, string> = { 'bca-c06': 'bca', 'bca-c06-pa': 'bca-c06' };
  const codes: Record<string, string> = { bca: 'G12', 'bca-c06': 'G12.06', 'bca-c06-pa': 'G12.06.01', other: 'G13' };
  for (const c of cases) {
    const what = JSON.stringify(c);
    const dc = dataCentre('dc-hcm', { level: c.accredited, ...(c.dedicatedTo ? { dedicatedTo: c.dedicatedTo } : {}) });
    if (c.ownedBy) dc.spec.ownedBy = c.ownedBy;
    if (c.cordoned) dc.spec.cordoned = true;
    const name = c.agency ?? 'bca';
    const a = agency(name, { code: codes[name]!, level: c.level, dcs: ['dc-hcm'] });
    const platform: Platform = emptyPlatform();
    platform.dataCentres.push(dataCentre('dc-hanoi', { hub: true }), dc);
    platform.agencies.push(a);
    for (const other of Object.keys(codes).filter((n) => n !== name)) platform.agencies.push(agency(other, { code: codes[other]!, dcs: ['dc-hanoi'] }));
    for (const x of platform.agencies) if (parents[x.metadata.name]) x.spec.parent = parents[x.metadata.name]!;
    if (c.present !== undefined) platform.present = new Map([['dc-hcm', new Set(c.present ? [name] : [])]]);

    assert.is(placementRefusal(a, dc, placementContext(platform, a, dc))?.reason, c.want, what);
    const rules = checkPlatform(platform).filter((p) => p.object === a && p.path.join('.') === 'spec.placement.dataCentres.0');
    assert.equal(
      rules.map((p) => p.severity),
      c.want !== undefined ? ['error'] : c.cordoned && c.present === undefined ? ['warning'] : [],
      `rules: ${what}`,
    );
    assert.equal(
      placementOf(platform, a).issues.map((i) => i.reason),
      c.want === undefined ? [] : [c.want],
      `renderer: ${what}`,
    );
    // What one DataCentre's schema can judge (level 5 needs dedicatedTo, never both forms), the CEL does.
    const cel = checkCel(DataCentreKind.spec, dc.spec, ['spec']).map((p) => p.path.join('.'));
    assert.equal(cel, c.accredited >= DEDICATED_DATA_CENTRE_FROM_LEVEL && !c.dedicatedTo ? ['spec.dedicatedTo'] : [], `CEL: ${what}`);
  }
});

test('policy: a DataCentre is dedicated (one agency alone) or owned (an agency and its line), never both; the CEL says so and the placement agrees', () => {
  const dc = dataCentre('dc-hcm', { level: 4, dedicatedTo: 'bca' });
  dc.spec.ownedBy = 'bca';
  assert.equal(
    checkCel(DataCentreKind.spec, dc.spec, ['spec']).map((p) => p.message),
    ['set dedicatedTo (one agency alone) or ownedBy (an agency and the agencies under it), not both'],
  );
  const level5 = dataCentre('dc-hcm', { level: 5 });
  level5.spec.ownedBy = 'bca';
  assert.equal(
    checkCel(DataCentreKind.spec, level5.spec, ['spec']).map((p) => p.message),
    [`a data centre accredited for level ${DEDICATED_DATA_CENTRE_FROM_LEVEL} must be dedicated to one agency (dedicatedTo)`],
    'an owned data centre is not a dedicated one: level 5 still needs dedicatedTo',
  );
  assert.is(dataCentreOwner(dataCentre('dc-x', { dedicatedTo: 'bca' })), 'bca');
  assert.is(dataCentreOwner(level5), 'bca');
  assert.is(dataCentreOwner(dataCentre('dc-x')), undefined);
});

test('policy: ancestors by parent, nearest first, stopping at a circle or a missing agency', () => {
  const parents: Record<string, string> = { unit: 'dept', dept: 'ministry', a: 'b', b: 'a', lost: 'nobody' };
  const parentOf = (n: string) => parents[n];
  assert.equal(agencyAncestors('unit', parentOf), ['dept', 'ministry']);
  assert.equal(agencyAncestors('ministry', parentOf), []);
  assert.equal(agencyAncestors('a', parentOf), ['b']);
  assert.equal(agencyAncestors('lost', parentOf), ['nobody']);
});

test("policy: which data classes may be shared how, decided once; the CRD's CEL and the renderer refuse exactly where it does", () => {
  const refused = (dataClass: string, sharing: string) => sharingRefusal({ dataClass, sharing })?.reason ?? 'allowed';
  assert.equal(
    DATA_CLASSES.map((c) => [c, ...SHARING_MODES.map((m) => refused(c, m))]),
    [
      ['open', 'allowed', 'allowed', 'allowed'],
      ['shared', 'SharingNotAllowed', 'allowed', 'allowed'],
      ['private', 'SharingNotAllowed', 'SharingNotAllowed', 'allowed'],
      ['stateSecret', 'StateSecret', 'StateSecret', 'StateSecret'],
    ],
    'rows: data classes; columns: open, default, onRequest',
  );
  for (const dataClass of DATA_CLASSES) {
    for (const sharing of SHARING_MODES) {
      const verdict = sharingRefusal({ dataClass, sharing });
      const s = service('bca', 'dancu', { dataClass, sharing });
      const cel = checkCel(SharedDataServiceKind.spec, s.spec, ['spec']);
      // The CEL reports every broken rule at once, the renderer the first: the same verdict, and its words among them.
      assert.is(cel.length > 0, verdict !== undefined, `${dataClass} shared ${sharing}: CEL refuses`);
      if (verdict)
        assert.ok(
          cel.some((p) => p.message === verdict.message),
          `${dataClass} shared ${sharing}: CEL says ${verdict.message}`,
        );

      const platform = emptyPlatform();
      platform.dataCentres.push(dataCentre('dc-hanoi', { hub: true }));
      platform.agencies.push(agency('bca', { code: 'G12', workspaces: [{ name: 'app', dataClass: 'private' }] }));
      platform.services.push(s);
      const render = renderService(platform, s, new Date('2026-01-01T00:00:00Z'));
      assert.equal(
        render.issues.filter((i) => i.reason === 'SharingNotAllowed' || i.reason === 'StateSecret').map((i) => [i.field, i.message]),
        verdict ? [[`spec.${verdict.field}`, verdict.message]] : [],
        `${dataClass} shared ${sharing}: renderer`,
      );
    }
  }
});

test('policy: one exchange decision across data centres; the rules, the service renderer and the gateway renderer carry exactly the pairs it carries', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  // Every combination of gateway and encrypted links at the consumer's (dc-hcm) and the service's (dc-hanoi) data centre.
  for (let bits = 0; bits < 16; bits++) {
    const [hcmGateway, hcmEncrypted, hanoiGateway, hanoiEncrypted] = [1, 2, 4, 8].map((b) => (bits & b) !== 0);
    const hanoi = dataCentre('dc-hanoi', { hub: true, encrypted: hanoiEncrypted, ranges: ['10.10.0.0/16'] });
    const hcm = dataCentre('dc-hcm', { level: 3, encrypted: hcmEncrypted, ranges: ['10.20.0.0/16'] });
    if (hanoiGateway) hanoi.spec.exchangeGateway = { address: '10.10.255.1' };
    if (hcmGateway) hcm.spec.exchangeGateway = { address: '10.20.255.1' };
    const s = service('bca', 'dancu', { sharing: 'onRequest' });
    const p = platform({
      dataCentres: [hanoi, hcm],
      agencies: [
        agency('bca', { code: 'G04', workspaces: ['app'], dcs: ['dc-hanoi'] }),
        agency('btc', { code: 'G12', level: 3, workspaces: ['thue'], dcs: ['dc-hcm'] }),
      ],
      services: [s],
      requests: [request('btc', 'dancu', { provider: 'bca', service: 'dancu', workspaces: ['thue'] })],
      grants: [grant('bca', 'btc', { service: 'dancu', consumer: 'btc' })],
    });
    const carried = exchangeRefusal((d) => p.dataCentres.find((dc) => dc.metadata.name === d), ['dc-hcm'], ['dc-hanoi']) === undefined;
    const what = `consumer gateway ${hcmGateway}, encrypted ${hcmEncrypted}; service gateway ${hanoiGateway}, encrypted ${hanoiEncrypted}`;
    assert.is(carried, hcmGateway && hcmEncrypted && hanoiGateway && hanoiEncrypted, `policy: ${what}`);
    const errors = checkPlatform(p).filter((x) => x.severity === 'error');
    assert.equal(
      errors.map((x) => `${x.object.kind} ${x.path.join('.')}`),
      carried ? [] : ['AccessGrant spec.consumer'],
      `rules: ${what}`,
    );
    assert.is(renderService(p, s, now).access.length, carried ? 1 : 0, `service renderer: ${what}`);
    const gateways = renderGateways(p, now, gatewayEndpoints(p));
    assert.is(gateways.routes.length, carried ? 1 : 0, `gateway renderer: ${what}`);
    assert.equal(
      gateways.issues.map((i) => i.reason),
      carried ? [] : ['GatewayUnavailable'],
      `gateway renderer's issue: ${what}`,
    );
  }
});

test('policy: one decision for a link pair across data centres; the rules, the link renderer and the gateway renderer carry exactly the pairs it carries', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  // Every combination of gateway and encrypted links at each side's data centre, with and without the
  // Service on the listening side, and with a UDP port or a range on one side.
  const ports = [[{ port: 443 }], [{ port: 443 }, { protocol: 'UDP', port: 443 }], [{ port: 443, endPort: 445 }]];
  for (let bits = 0; bits < 64; bits++) {
    const [hcmGateway, hcmEncrypted, hanoiGateway, hanoiEncrypted, named] = [1, 2, 4, 8, 16].map((b) => (bits & b) !== 0);
    for (const [i, ingressPorts] of ports.entries()) {
      const hanoi = dataCentre('dc-hanoi', { hub: true, encrypted: hanoiEncrypted, ranges: ['10.10.0.0/16'] });
      const hcm = dataCentre('dc-hcm', { level: 3, encrypted: hcmEncrypted, ranges: ['10.20.0.0/16'] });
      if (hanoiGateway) hanoi.spec.exchangeGateway = { address: '10.10.255.1' };
      if (hcmGateway) hcm.spec.exchangeGateway = { address: '10.20.255.1' };
      const [egress, ingress] = linkPair(
        { agency: 'btc', workspace: 'thue' },
        { agency: 'bca', workspace: 'app' },
        { encrypted: true, peerPorts: ingressPorts },
      );
      // The last bit puts the UDP port on the connecting side instead.
      if ((bits & 32) !== 0) [egress.spec.ports, ingress.spec.ports] = [ingress.spec.ports, egress.spec.ports];
      if (named) ingress.spec.service = 'app-api';
      const p = platform({
        dataCentres: [hanoi, hcm],
        agencies: [
          agency('bca', { code: 'G04', level: 3, workspaces: ['app'], dcs: ['dc-hanoi'] }),
          agency('btc', { code: 'G12', level: 3, workspaces: ['thue'], dcs: ['dc-hcm'] }),
        ],
        links: [egress, ingress],
      });
      const lookup = (d: string) => p.dataCentres.find((dc) => dc.metadata.name === d);
      const carried =
        linkExchangeRefusals(lookup, egress.spec, ['dc-hcm'], ['dc-hanoi']).length === 0 &&
        linkExchangeRefusals(lookup, ingress.spec, ['dc-hanoi'], ['dc-hcm']).length === 0;
      const what = `hcm gateway ${hcmGateway}, encrypted ${hcmEncrypted}; hanoi gateway ${hanoiGateway}, encrypted ${hanoiEncrypted}; service ${named}; ports ${i} on ${(bits & 32) !== 0 ? 'egress' : 'ingress'}`;
      assert.is(carried, hcmGateway && hcmEncrypted && hanoiGateway && hanoiEncrypted && named && i === 0, `policy: ${what}`);
      const errors = checkPlatform(p).filter((x) => x.severity === 'error');
      assert.is(errors.length === 0, carried, `rules: ${what}: ${errors.map((e) => e.message).join('; ')}`);
      assert.is(renderLink(p, egress, now).active, carried, `link renderer, connecting side: ${what}`);
      assert.is(renderLink(p, ingress, now).active, carried, `link renderer, listening side: ${what}`);
      assert.is(renderGateways(p, now, gatewayEndpoints(p)).routes.length, carried ? 1 : 0, `gateway renderer: ${what}`);
    }
  }
});

test.run();
