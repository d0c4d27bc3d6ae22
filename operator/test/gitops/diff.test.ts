/** Field-level differences, and lists of objects added, changed and removed. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffLists, fieldChanges, valueText } from '../../src/gitops/diff.ts';

test('fieldChanges: a changed leaf, an added and a removed key, by dotted path', () => {
  const before = { spec: { cpu: '8', memory: '16Gi', old: true } };
  const after = { spec: { cpu: '16', memory: '16Gi', fresh: 'x' } };
  assert.equal(fieldChanges(before, after), [
    { path: 'spec.cpu', before: '8', after: '16' },
    { path: 'spec.fresh', after: 'x' },
    { path: 'spec.old', before: true },
  ]);
});

test('fieldChanges: list items by index, items added and removed at the end', () => {
  assert.equal(fieldChanges({ a: [1, 2, 3] }, { a: [1, 5] }), [
    { path: 'a[1]', before: 2, after: 5 },
    { path: 'a[2]', before: 3 },
  ]);
  assert.equal(fieldChanges({ a: [{ x: 1 }] }, { a: [{ x: 1 }, { x: 2 }] }), [{ path: 'a[1]', after: { x: 2 } }]);
});

test('fieldChanges: keys that are not identifiers are quoted; a type change is one change', () => {
  assert.equal(fieldChanges({ hard: { 'requests.cpu': '1' } }, { hard: { 'requests.cpu': '2' } }), [{ path: 'hard["requests.cpu"]', before: '1', after: '2' }]);
  assert.equal(fieldChanges({ v: { a: 1 } }, { v: [1] }), [{ path: 'v', before: { a: 1 }, after: [1] }]);
  assert.equal(fieldChanges({ same: [{ deep: 'x' }] }, { same: [{ deep: 'x' }] }), []);
});

test('diffLists: matched by key, sorted by key; unchanged objects are not listed', () => {
  const key = (o: { id: string }) => o.id;
  const d = diffLists(
    [
      { id: 'b', v: 1 },
      { id: 'a', v: 1 },
      { id: 'c', v: 1 },
    ],
    [
      { id: 'd', v: 1 },
      { id: 'a', v: 2 },
      { id: 'c', v: 1 },
    ],
    key,
  );
  assert.equal(d.added, [{ id: 'd', v: 1 }]);
  assert.equal(d.removed, [{ id: 'b', v: 1 }]);
  assert.equal(d.changed, [{ before: { id: 'a', v: 1 }, after: { id: 'a', v: 2 }, fields: [{ path: 'v', before: 1, after: 2 }] }]);
});

test('valueText: scalars as they are, structures as JSON, absence named', () => {
  assert.is(valueText('Bộ Công an'), 'Bộ Công an');
  assert.is(valueText(8), '8');
  assert.is(valueText({ a: [1] }), '{"a":[1]}');
  assert.is(valueText(undefined), '(none)');
});

test.run();
