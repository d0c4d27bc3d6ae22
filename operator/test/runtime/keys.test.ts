import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { makeKey, objectKey, parseKey, namespacedName } from '../../src/runtime/keys.ts';
import { matchesSelector, selectorToString } from '../../src/runtime/labels.ts';

test('keys round-trip for namespaced and cluster-scoped objects', () => {
  const namespaced = objectKey('dc1', { metadata: { namespace: 'tax', name: 'db' } });
  assert.is(namespaced, 'dc1/tax/db');
  assert.equal(parseKey(namespaced), { cluster: 'dc1', namespace: 'tax', name: 'db' });
  const clusterScoped = makeKey({ cluster: 'dc1', namespace: '', name: 'tax' });
  assert.is(clusterScoped, 'dc1//tax');
  assert.equal(parseKey(clusterScoped), { cluster: 'dc1', namespace: '', name: 'tax' });
  assert.throws(() => parseKey('dc1/tax'), /malformed/);
  assert.throws(() => parseKey('dc1/a/b/c'), /malformed/);
  assert.is(namespacedName({ metadata: { name: 'x' } }), 'x');
  assert.is(namespacedName({ metadata: { namespace: 'n', name: 'x' } }), 'n/x');
});

test('label selectors follow the API server semantics', () => {
  const labels = { app: 'db', tier: 'data' };
  assert.ok(matchesSelector(labels, {}), 'empty selector matches everything');
  assert.ok(matchesSelector(labels, { matchLabels: { app: 'db' } }));
  assert.not.ok(matchesSelector(labels, { matchLabels: { app: 'web' } }));
  assert.ok(matchesSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['data', 'x'] }] }));
  assert.not.ok(matchesSelector(labels, { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['data'] }] }));
  assert.ok(matchesSelector(labels, { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }));
  assert.ok(matchesSelector(undefined, { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }));
  assert.not.ok(matchesSelector(undefined, { matchExpressions: [{ key: 'app', operator: 'Exists' }] }));
  assert.is(
    selectorToString({
      matchLabels: { app: 'db' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'x', operator: 'Exists' },
        { key: 'y', operator: 'DoesNotExist' },
        { key: 'z', operator: 'NotIn', values: ['c'] },
      ],
    }),
    'app=db,tier in (a,b),x,!y,z notin (c)',
  );
});

test.run();
