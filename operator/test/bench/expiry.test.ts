// The expiry phase's objects: a pair of bench agencies in a member data centre for which an
// on-request service, a request and a grant pass the platform's rules, and the member policies
// the grant opens (what the bench watches go at validUntil).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BENCH_CAPACITY, generateAgencies } from '../../../bench/agencies.ts';
import { expiryGrant, expiryParties, expiryRequest, expiryService, rfc3339 } from '../../../bench/expiry-objects.ts';
import type { DataCentre } from '../../../operator/src/api/index.ts';
import { checkPlatform } from '../../../operator/src/model/rules.ts';
import { emptyPlatform } from '../../../operator/src/model/platform.ts';
import { renderPlatform } from '../../../operator/src/render/index.ts';

// As the bench registers them: the samples with the bench's capacity.
const dataCentres = ['dc-hanoi', 'dc-hcm', 'dc-danang']
  .map((n) => parse(readFileSync(`samples/platform/${n}.yaml`, 'utf8')) as DataCentre)
  .map((d) => ({ ...d, spec: { ...d.spec, capacity: { ...BENCH_CAPACITY } } }));
const agencies = generateAgencies({ count: 200 });
const now = new Date('2026-12-06T12:00:00Z');

test('a pair in each member data centre, both placed there, whose objects break no rule', () => {
  for (const dc of ['dc-hcm', 'dc-danang']) {
    const p = expiryParties({ ...emptyPlatform(), dataCentres }, agencies, dc, now);
    assert.ok(p, dc);
    assert.is.not(p.provider.metadata.name, p.consumer.metadata.name);
    assert.ok(p.provider.spec.placement.dataCentres.includes(dc) && p.consumer.spec.placement.dataCentres.includes(dc));
    const platform = {
      ...emptyPlatform(),
      dataCentres,
      agencies,
      services: [expiryService(p.provider, dc)],
      requests: [expiryRequest(p.consumer, p.provider)],
      grants: [expiryGrant(p.provider, p.consumer, 'g', now.getTime() + 10_000)],
    };
    assert.equal(
      checkPlatform(platform).filter((x) => x.severity === 'error'),
      [],
    );
  }
});

test('the watched policies are exactly what the grant adds in that data centre, and they go once it has expired', () => {
  const p = expiryParties({ ...emptyPlatform(), dataCentres }, agencies, 'dc-hcm', now)!;
  const keys = p.policies.map((x) => `${x.namespace}/${x.name}`);
  assert.ok(
    keys.some((k) => k.startsWith(`${p.consumer.metadata.name}-`)),
    `the consumer's egress among ${keys.join(', ')}`,
  );
  const platform = (until: number) => ({
    ...emptyPlatform(),
    dataCentres,
    agencies: [p.provider, p.consumer],
    services: [expiryService(p.provider, 'dc-hcm')],
    requests: [expiryRequest(p.consumer, p.provider)],
    grants: [expiryGrant(p.provider, p.consumer, 'g', until)],
  });
  const policiesAt = (until: number, at: Date) =>
    new Set(
      renderPlatform(platform(until), at)
        .perDataCentre.find((r) => r.dataCentre === 'dc-hcm')!
        .objects.filter((o) => o.kind === 'NetworkPolicy')
        .map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
    );
  const until = now.getTime() + 10_000;
  const valid = policiesAt(until, now);
  for (const k of keys) assert.ok(valid.has(k), `${k} while the grant is valid`);
  const expired = policiesAt(until, new Date(until + 1000));
  for (const k of keys) assert.not.ok(expired.has(k), `${k} after validUntil`);
});

test('validUntil in whole seconds, UTC', () => {
  assert.is(rfc3339(Date.parse('2026-12-06T12:00:10.730Z')), '2026-12-06T12:00:10Z');
  assert.is(expiryGrant(agencies[0]!, agencies[1]!, 'g', Date.parse('2026-12-06T12:00:10Z')).spec.validUntil, '2026-12-06T12:00:10Z');
});

test.run();
