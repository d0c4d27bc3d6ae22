// A data centre whose API server accepts connections and never answers (frozen, not down):
// the first write left unanswered trips its circuit, so the agencies of other data centres
// never wait behind it for a request timeout; a data centre that is slow but still answers
// is not cut off.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agency, condition, dataCentres, harness } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';

test('a frozen data centre: what is placed elsewhere turns Ready without waiting for a timeout; what is placed there says it is unreachable', async () => {
  const h = await harness({ objects: dataCentres() });
  const hcm = h.cluster('dc-hcm');
  hcm.frozen = true;
  // More agencies placed there than the controller has workers (4).
  const stuck = ['s1', 's2', 's3', 's4', 's5', 's6'];
  stuck.forEach((name, i) => h.apply(agency(name, { code: `F${10 + i}`, dcs: ['dc-hcm'] })));
  await h.run(100);
  assert.ok(hcm.started >= 4, `writes to dc-hcm in flight: ${hcm.started}`);
  h.apply(agency('elsewhere', { code: 'F30', dcs: ['dc-danang'] }));

  // The request timeout (15 s) and the data centre deadline (30 s) are far away.
  await h.run(4000);
  assert.is(condition(h.agency('elsewhere'), 'Ready')?.status, 'True', `placed elsewhere: Ready: ${JSON.stringify(h.agency('elsewhere')?.status?.conditions)}`);
  const dc = h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-hcm' } });
  assert.is(dc?.status?.connected, false, 'dc-hcm reported unreachable');
  for (const name of stuck) {
    const degraded = condition(h.agency(name), 'Degraded');
    assert.is(degraded?.reason, 'DataCentreUnreachable', `${name}: ${degraded?.message}`);
    assert.match(degraded!.message, /data centre dc-hcm is unreachable: no answer to a write for 3 s/);
    assert.is(condition(h.agency(name), 'Ready')?.status, 'False');
  }

  const before = hcm.started;
  await h.run(10_000);
  assert.is(hcm.started, before, 'nothing more is sent to it while it is unreachable');

  hcm.frozen = false;
  await h.run(15_000);
  for (const name of stuck) assert.is(condition(h.agency(name), 'Ready')?.status, 'True', `${name} Ready once it answers`);
  assert.ok(hcm.has('Namespace', undefined, 's6-app'));
  await h.stop();
});

test('a data centre slow to write that still answers its probes is not cut off', async () => {
  const h = await harness({ objects: dataCentres() });
  const hcm = h.cluster('dc-hcm');
  let open!: () => void;
  hcm.gate = new Promise<void>((resolve) => (open = resolve));
  h.apply(agency('slow', { code: 'F40', dcs: ['dc-hcm'] }));
  await h.run(6000);
  const dc = h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-hcm' } });
  assert.is(dc?.status?.connected, true, 'still connected: it answers probes');
  hcm.gate = undefined;
  open();
  await h.run(1000);
  assert.is(condition(h.agency('slow'), 'Ready')?.status, 'True', JSON.stringify(h.agency('slow')?.status?.conditions));
  await h.stop();
});

test.run();
