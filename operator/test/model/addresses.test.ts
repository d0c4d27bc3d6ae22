/** The one rule for every egress to addresses (model/addresses.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { addressPlan, judgeRange, judgeRanges, NON_INTERNET_RANGES } from '../../src/model/addresses.ts';
import { AddressSet, parseStrictCidr } from '../../src/model/ip.ts';
import { dataCentre } from '../render/fixtures.ts';

/** Two data centres on the specialised network (level I 172.16.0.0/12); Bộ Tài chính's and Đà Nẵng's WANs; hcm's range is public. */
const plan = addressPlan([
  dataCentre('dc-hanoi', {
    hub: true,
    ranges: ['172.20.0.0/16', 'fd00:10::/48'],
    networks: {
      specialisedLevelI: ['172.16.0.0/12'],
      agencyWANs: [
        { agency: 'bo-tai-chinh', cidrs: ['192.168.0.0/20', '2001:db8:50::/48'] },
        { agency: 'danang', cidrs: ['192.168.48.0/20'] },
      ],
    },
  }),
  dataCentre('dc-hcm', { ranges: ['203.0.113.0/24'], networks: { specialisedLevelII: ['198.18.0.0/15'] } }),
]);

const cidr = (text: string) => {
  const r = parseStrictCidr(text);
  if (!r.ok) throw new Error(r.message);
  return r.cidr;
};
const except = (agency: string, destination: Parameters<typeof judgeRange>[2], text: string): string[] => {
  const v = judgeRange(plan, agency, destination, text);
  if (!v.ok) throw new Error(v.message);
  return v.except;
};
const refusal = (agency: string, destination: Parameters<typeof judgeRange>[2], text: string): string => {
  const v = judgeRange(plan, agency, destination, text);
  if (v.ok) throw new Error(`${text} was kept`);
  return v.message;
};

test('internet egress 0.0.0.0/0 excepts every data centre, every declared network and the private ranges', () => {
  assert.equal(except('bo-tai-chinh', 'internet', '0.0.0.0/0'), [
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '203.0.113.0/24',
  ]);
  assert.equal(except('bo-tai-chinh', 'internet', '::/0'), ['::1/128', '2001:db8:50::/48', 'fc00::/7', 'fe80::/10']);
  // What the ipBlock reaches holds no reserved address, and misses no other one.
  const reached = AddressSet.block(cidr('0.0.0.0/0'), except('bo-tai-chinh', 'internet', '0.0.0.0/0').map(cidr));
  const reserved = AddressSet.of(
    ['172.20.0.0/16', '203.0.113.0/24', '192.168.0.0/20', '192.168.48.0/20', '198.18.0.0/15', '172.16.0.0/12', ...NON_INTERNET_RANGES].map(cidr),
  );
  assert.ok(reached.intersect(reserved).isEmpty());
  assert.ok(reached.union(reserved).covers(AddressSet.of([cidr('0.0.0.0/0')])));
});

test('internet egress: a public range with nothing reserved in it is kept as it is', () => {
  assert.equal(except('danang', 'internet', '198.51.100.0/24'), []);
  assert.equal(except('danang', 'internet', '203.0.0.0/16'), ['203.0.113.0/24']);
});

test('internet egress: a range inside a reserved range is refused and the range is named', () => {
  assert.is(
    refusal('danang', 'internet', '203.0.113.128/25'),
    '203.0.113.128/25 lies in 203.0.113.0/24, networkRanges of DataCentre/dc-hcm: internet egress reaches the internet only',
  );
  assert.is(
    refusal('danang', 'internet', '192.168.50.0/24'),
    '192.168.50.0/24 lies in 192.168.48.0/20, the WAN of Agency/danang (declared by DataCentre/dc-hanoi): internet egress reaches the internet only',
  );
  assert.is(
    refusal('danang', 'internet', '172.31.0.0/16'),
    '172.31.0.0/16 lies in 172.16.0.0/12, specialisedLevelI as DataCentre/dc-hanoi declares it: internet egress reaches the internet only',
  );
  assert.is(
    refusal('danang', 'internet', '10.1.0.0/16'),
    '10.1.0.0/16 lies in 10.0.0.0/8, a private or local range, never internet: internet egress reaches the internet only',
  );
});

test('links: at most /8 (IPv4) or /32 (IPv6)', () => {
  assert.is(refusal('danang', 'agencyWAN', '0.0.0.0/0'), '0.0.0.0/0 is broader than /8: an external network is never the whole internet');
  assert.is(refusal('danang', 'agencyWAN', '::/0'), '::/0 is broader than /32: an external network is never the whole internet');
});

test("links: only on a declared network, and an agencyWAN link only on its own agency's WAN", () => {
  assert.equal(except('danang', 'agencyWAN', '192.168.50.0/24'), []);
  assert.equal(except('bo-tai-chinh', 'agencyWAN', '2001:db8:50:1::/64'), []);
  assert.is(
    refusal('bo-tai-chinh', 'agencyWAN', '192.168.50.0/24'),
    "192.168.50.0/24 is not on Agency/bo-tai-chinh's own WAN as the DataCentres declare it in spec.externalNetworks (declared: 192.168.0.0/20, 2001:db8:50::/48): a link reaches only declared networks",
  );
  assert.is(
    refusal('hanoi', 'agencyWAN', '192.168.0.0/24'),
    "192.168.0.0/24 is not on Agency/hanoi's own WAN as the DataCentres declare it in spec.externalNetworks (none is declared): a link reaches only declared networks",
  );
  assert.is(
    refusal('danang', 'specialisedLevelII', '172.16.0.0/16'),
    '172.16.0.0/16 is not on the specialisedLevelII network as the DataCentres declare it in spec.externalNetworks (declared: 198.18.0.0/15): a link reaches only declared networks',
  );
});

test('links: a data centre inside the network is excepted; a range inside a data centre is refused, naming it', () => {
  assert.equal(except('danang', 'specialisedLevelI', '172.16.0.0/12'), ['172.20.0.0/16']);
  assert.equal(except('danang', 'specialisedLevelI', '172.24.0.0/16'), []);
  assert.is(
    refusal('danang', 'specialisedLevelI', '172.20.4.0/24'),
    '172.20.4.0/24 lies in 172.20.0.0/16, networkRanges of DataCentre/dc-hanoi: reach other agencies through agency links and grants',
  );
});

test('judgeRanges keeps the good ranges and names the index of each refused one', () => {
  const r = judgeRanges(plan, 'danang', 'internet', ['0.0.0.0/0', '10.0.0.0/8', '198.51.100.0/24', 'nonsense']);
  assert.equal(
    r.kept.map((k) => k.cidr),
    ['0.0.0.0/0', '198.51.100.0/24'],
  );
  assert.equal(
    r.refused.map((x) => x.index),
    [1, 3],
  );
});

test.run();
