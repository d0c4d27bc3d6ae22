// The index of which agencies would have a namespace: what the operator asks at every
// namespace event, kept as agencies come, change and go.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Agency } from '../../src/api/index.ts';
import { NamespaceWanters } from '../../src/controllers/namespace-wanters.ts';
import { agency, dataCentres, harness } from './fakes.ts';

const asAgency = (o: ReturnType<typeof agency>) => o as unknown as Agency;

test('an agency wants its hub namespace and its workspaces; a changed workspace list moves what it wants', () => {
  const wanters = new NamespaceWanters();
  wanters.set(asAgency(agency('sxd', { code: 'G50', dcs: ['dc-hcm'], workspaces: ['app', 'data'] })));
  assert.equal(wanters.of('govcloud-sxd'), ['sxd']);
  assert.equal(wanters.of('sxd-app'), ['sxd']);
  assert.equal(wanters.of('sxd-data'), ['sxd']);
  wanters.set(asAgency(agency('sxd', { code: 'G50', dcs: ['dc-hcm'], workspaces: ['app'] })));
  assert.equal(wanters.of('sxd-data'), [], 'a workspace removed is no longer wanted');
  assert.equal(wanters.of('sxd-app'), ['sxd']);
});

test('two agencies wanting one name are both told; one being deleted or gone wants nothing', () => {
  const wanters = new NamespaceWanters();
  // `a-b` + workspace `c` and `a` + workspace `b-c` both make `a-b-c`.
  wanters.set(asAgency(agency('a-b', { code: 'G1', dcs: ['dc-hcm'], workspaces: ['c'] })));
  wanters.set(asAgency(agency('a', { code: 'G2', dcs: ['dc-hcm'], workspaces: ['b-c'] })));
  assert.equal(wanters.of('a-b-c').sort(), ['a', 'a-b']);
  const deleting = asAgency(agency('a', { code: 'G2', dcs: ['dc-hcm'], workspaces: ['b-c'] }));
  wanters.set({ ...deleting, metadata: { ...deleting.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } });
  assert.equal(wanters.of('a-b-c'), ['a-b']);
  wanters.remove('a-b');
  assert.equal(wanters.of('a-b-c'), []);
  assert.equal(wanters.of('govcloud-a-b'), []);
});

test("the hub cache answers from the agencies' informer: added, changed, deleted", async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('sxd', { code: 'G50', dcs: ['dc-hcm'], workspaces: ['app'] }));
  await h.run(1000);
  assert.equal(h.hubCache.agenciesWanting('sxd-app'), ['sxd']);
  h.apply({ ...h.agency('sxd')!, spec: { ...h.agency('sxd')!.spec, workspaces: [{ name: 'web', dataClass: 'shared' }] } });
  await h.run(1000);
  assert.equal(h.hubCache.agenciesWanting('sxd-app'), []);
  assert.equal(h.hubCache.agenciesWanting('sxd-web'), ['sxd']);
  h.remove(h.agency('sxd')!);
  await h.run(1000);
  assert.equal(h.hubCache.agenciesWanting('sxd-web'), []);
  await h.stop();
});

test.run();
