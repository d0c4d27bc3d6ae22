// Stopping the controllers: a graceful stop takes no new key but lets the reconciles in
// flight finish their writes; losing the lease aborts the writes in flight at once (another
// replica may already lead).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { settle } from '../runtime/fake-clock.ts';
import { agency, dataCentres, harness } from './fakes.ts';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('a graceful stop waits for the reconcile in flight, whose writes complete', async () => {
  const h = await harness({ objects: dataCentres() });
  const hcm = h.cluster('dc-hcm');
  const g = gate();
  hcm.gate = g.promise;
  h.apply(agency('slow', { code: 'G80', dcs: ['dc-hcm'] }));
  await h.run(100);
  assert.ok(hcm.started > 0, 'a write is in flight');
  let stopped = false;
  const stopping = h.core.stop().then(() => (stopped = true));
  await settle(20);
  assert.not.ok(stopped, 'stop waits for the reconcile in flight');
  hcm.gate = undefined;
  g.open();
  await stopping;
  assert.ok(hcm.has('Namespace', undefined, 'slow-app'), 'the write in flight completed');
  assert.ok(hcm.has('NetworkPolicy', 'slow-app', 'govcloud-default-deny'), 'and the rest of that reconcile too');
  h.leadership.abort();
  await h.stop();
});

test('losing the lease aborts the writes in flight', async () => {
  const h = await harness({ objects: dataCentres() });
  const hcm = h.cluster('dc-hcm');
  const g = gate();
  hcm.gate = g.promise;
  h.apply(agency('cut', { code: 'G81', dcs: ['dc-hcm'] }));
  await h.run(100);
  assert.ok(hcm.started > 0);
  h.leadership.abort();
  const stopping = h.core.stop();
  hcm.gate = undefined;
  g.open();
  await stopping;
  assert.not.ok(hcm.has('Namespace', undefined, 'cut-app'), 'nothing written after the lease was lost');
  await h.stop();
});

test.run();
