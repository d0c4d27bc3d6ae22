// An object that is gone is no failure: a status write or a finalizer patch answered 404
// because the object was deleted meanwhile (a reconcile in flight, or a cache a moment
// behind) ends the reconcile quietly. It is not counted in controller_runtime_reconcile_errors_total,
// the metric the chart's alert watches, and makes no ReconcileFailed Event.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { agency, dataCentres, harness, populationService, type Harness } from './fakes.ts';

function gate() {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function reconcileErrors(h: Harness): Promise<string[]> {
  return (await h.metrics.render()).split('\n').filter((l) => l.startsWith('controller_runtime_reconcile_errors_total{') && !l.endsWith(' 0'));
}

test('a service deleted while its reconcile is in flight: the status write meets 404, no reconcile error', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('bca', { code: 'G04', dcs: ['dc-hcm'], workspaces: ['dancu'] }));
  await h.run(1000);
  const hcm = h.cluster('dc-hcm');
  const g = gate();
  hcm.gate = g.promise;
  const started = hcm.started;
  const service = populationService({ sharing: 'default', dc: 'dc-hcm' });
  h.apply(service);
  await h.run(100);
  assert.ok(hcm.started > started, "the service's writes are in flight");
  h.remove(service);
  hcm.gate = undefined;
  g.open();
  await h.run(1000);
  assert.is(h.hub.get(service), undefined);
  assert.equal(await reconcileErrors(h), []);
  assert.not.ok(
    h.events.some((e) => e.reason === 'ReconcileFailed'),
    'no ReconcileFailed Event',
  );
  await h.stop();
});

test('an agency deleted while the hub cache lags: the finalizer patch meets 404, no reconcile error', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('gone', { code: 'G70', dcs: ['dc-hcm'], deletionPolicy: 'Delete' }));
  await h.run(1000);
  assert.ok(h.agency('gone')?.metadata?.finalizers?.length, 'the finalizer is in place');
  h.remove(h.agency('gone')!);
  // The finalizer's removal deletes the agency; the hub's watch tells the operator only later,
  // while the namespaces being deleted in dc-hcm wake the agency's key at once.
  const release = h.hub.holdEvents();
  await h.run(1000);
  assert.is(h.agency('gone'), undefined, 'the agency is gone');
  release();
  await h.run(1000);
  assert.not.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'gone-app'));
  assert.equal(await reconcileErrors(h), []);
  assert.not.ok(
    h.events.some((e) => e.reason === 'ReconcileFailed'),
    'no ReconcileFailed Event',
  );
  await h.stop();
});

test.run();
