// The measured deletion: which agencies go, and how the two shares of its time are computed
// from what the watches saw.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { generateAgencies } from '../../../bench/agencies.ts';
import { agenciesToDelete, deletionSummary, type DeletionMoments } from '../../../bench/deletion-summary.ts';

test('the agencies deleted leave no remaining agency without its parent', () => {
  const all = generateAgencies({ count: 1500 });
  const gone = agenciesToDelete(all, 1000);
  assert.is(gone.length, 1000);
  const goneNames = new Set(gone.map((a) => a.metadata.name));
  const rest = all.filter((a) => !goneNames.has(a.metadata.name));
  assert.is(rest.length, 500);
  assert.ok(
    rest.some((a) => a.spec.parent),
    'the check has parents to look at',
  );
  for (const a of rest) assert.not.ok(a.spec.parent && goneNames.has(a.spec.parent), `${a.metadata.name}'s parent ${a.spec.parent} is deleted`);
  assert.is(agenciesToDelete(all.slice(0, 10), 1000).length, 10);
});

const moments = (o: Partial<DeletionMoments>): DeletionMoments => ({
  start: 1000,
  agencyGone: new Map(),
  namespaceDeleting: new Map(),
  namespaceGone: new Map(),
  namespaces: 0,
  ...o,
});

test("the operator's share runs to the last agency gone; the clusters' from the first namespace deleting to the last gone", () => {
  const m = moments({
    agencyGone: new Map([
      ['a', 3000],
      ['b', 5000],
    ]),
    namespaceDeleting: new Map([
      ['dc/a-1', 2000],
      ['dc/a-2', 2500],
      ['dc/b-1', 4500],
    ]),
    namespaceGone: new Map([
      ['dc/a-1', 6000],
      ['dc/a-2', 8000],
      ['dc/b-1', 12000],
    ]),
    namespaces: 3,
  });
  const s = deletionSummary(2, m);
  assert.is(s.operator.seconds, 4);
  assert.is(s.operator.agenciesPerSecond, 0.5);
  assert.is(s.operator.p50Seconds, 2);
  assert.is(s.operator.lastNamespaceDeleteSeconds, 3.5);
  assert.is(s.clusters.complete, true);
  assert.is(s.clusters.seconds, 10);
  assert.is(s.clusters.agenciesPerSecond, 0.2);
  assert.is(s.clusters.namespacesPerSecond, 0.3);
  assert.is(s.clusters.afterOperatorSeconds, 7);
});

test('an agency not seen gone gives the operator no share rather than a wrong one', () => {
  const s = deletionSummary(
    2,
    moments({ agencyGone: new Map([['a', 3000]]), namespaceDeleting: new Map([['dc/a-1', 2000]]), namespaceGone: new Map(), namespaces: 1 }),
  );
  assert.is(s.operator.seconds, null);
  assert.is(s.operator.agenciesPerSecond, null);
  assert.is(s.operator.p50Seconds, 2);
  assert.is(s.clusters.seconds, null);
  assert.is(s.clusters.complete, false);
  assert.is(s.clusters.afterOperatorSeconds, null);
});

test("a wait cut short: the clusters' rates from the namespaces seen gone, marked incomplete", () => {
  const s = deletionSummary(
    2,
    moments({
      agencyGone: new Map([
        ['a', 2000],
        ['b', 2000],
      ]),
      namespaceDeleting: new Map([
        ['dc/a-1', 1500],
        ['dc/a-2', 1500],
        ['dc/b-1', 1500],
        ['dc/b-2', 1500],
      ]),
      namespaceGone: new Map([['dc/a-1', 5500]]),
      namespaces: 4,
    }),
  );
  assert.is(s.clusters.complete, false);
  assert.is(s.clusters.namespacesGone, 1);
  assert.is(s.clusters.seconds, 4);
  assert.is(s.clusters.namespacesPerSecond, 0.25);
  assert.is(s.clusters.agenciesPerSecond, 0.125, 'two namespaces an agency');
  assert.is(s.clusters.afterOperatorSeconds, null);
});

test.run();
