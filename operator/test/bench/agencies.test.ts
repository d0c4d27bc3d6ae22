// The bench spreads its agencies over every data centre of the platform (make cluster-up
// CLUSTERS=N), within each one's accreditation, and leaves alone those it must not fill.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { benchDataCentres, generateAgencies, type BenchDataCentre } from '../../../bench/agencies.ts';
import type { DataCentre } from '../../../operator/src/api/index.ts';
import { checkPlatform } from '../../../operator/src/model/rules.ts';
import { emptyPlatform } from '../../../operator/src/model/platform.ts';

const sample = (name: string): DataCentre => parse(readFileSync(`samples/platform/${name}.yaml`, 'utf8')) as DataCentre;
const SAMPLES = ['dc-hanoi', 'dc-hcm', 'dc-danang'].map(sample);
/** A data centre beyond the samples as the local platform registers it: level 2, its own range. */
function extra(name: string, range: string, spec: Partial<DataCentre['spec']> = {}): DataCentre {
  const base = sample('dc-danang');
  return { ...base, metadata: { name }, spec: { ...base.spec, displayName: name, networkRanges: [range], ...spec } };
}

function placedIn(dcs: BenchDataCentre[], count: number): Map<string, number> {
  const per = new Map<string, number>();
  for (const a of generateAgencies({ count, dataCentres: dcs })) for (const d of a.spec.placement.dataCentres) per.set(d, (per.get(d) ?? 0) + 1);
  return per;
}

test('five data centres: every one gets agencies, none above its accreditation', () => {
  const all = [...SAMPLES, extra('dc-4', '10.40.0.0/16'), extra('dc-5', '10.50.0.0/16')];
  const dcs = benchDataCentres(all, ['dc-hanoi', 'dc-hcm', 'dc-danang', 'dc-4', 'dc-5']);
  const per = placedIn(dcs, 200);
  assert.equal([...per.keys()].sort(), ['dc-4', 'dc-5', 'dc-danang', 'dc-hanoi', 'dc-hcm']);
  for (const [dc, n] of per) assert.ok(n >= 20, `${dc}: ${n} agencies`);
  const level = new Map(dcs.map((d) => [d.name, d.accreditedLevel]));
  const agencies = generateAgencies({ count: 200, dataCentres: dcs });
  // Home of some provinces' bodies, not only their second data centre.
  for (const dc of ['dc-4', 'dc-5'])
    assert.ok(
      agencies.some((a) => a.spec.placement.dataCentres.join() === dc),
      `no agency lives in ${dc} alone`,
    );
  for (const a of agencies)
    for (const d of a.spec.placement.dataCentres) assert.ok(level.get(d)! >= a.spec.securityLevel, `${a.metadata.name} L${a.spec.securityLevel} in ${d}`);
  const capacity = { cpu: '100000', memory: '400Ti', storage: '20Pi' };
  const platform = { ...emptyPlatform(), dataCentres: all.map((d) => ({ ...d, spec: { ...d.spec, capacity } })), agencies };
  assert.equal(
    checkPlatform(platform)
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.object.metadata.name} ${p.path.join('.')}: ${p.message}`),
    [],
  );
});

test('three data centres: the agencies stay on the samples, the same as without the list', () => {
  const dcs = benchDataCentres(SAMPLES, ['dc-hanoi', 'dc-hcm', 'dc-danang']);
  assert.equal(generateAgencies({ count: 120, dataCentres: dcs }), generateAgencies({ count: 120 }));
});

test('only shared data centres with a cluster, samples first, then in natural order', () => {
  const all = [
    extra('dc-10', '10.100.0.0/16'),
    extra('dc-9', '10.90.0.0/16'),
    extra('dc-owned', '10.60.0.0/16', { ownedBy: 'ubnd-hue' }),
    extra('dc-l5', '10.61.0.0/16', { dedicatedTo: 'bo-cong-an', accreditedLevel: 5 }),
    extra('dc-drained', '10.62.0.0/16', { cordoned: true }),
    extra('dc-joined-elsewhere', '10.63.0.0/16'),
    ...SAMPLES,
  ];
  const clusters = ['dc-hanoi', 'dc-hcm', 'dc-danang', 'dc-9', 'dc-10', 'dc-owned', 'dc-l5', 'dc-drained'];
  assert.equal(
    benchDataCentres(all, clusters).map((d) => `${d.name} ${d.accreditedLevel}`),
    ['dc-hanoi 4', 'dc-hcm 3', 'dc-danang 2', 'dc-9 2', 'dc-10 2'],
  );
});

test.run();
