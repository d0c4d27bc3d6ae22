import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatSelector, matches, parseSelector } from '../../src/connectivity/selector.ts';

test('selectors: parse and match, kubectl-style formatting', () => {
  const r = parseSelector(
    {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'NotIn', values: ['x'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    },
    'sel',
  );
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.ok(matches(r.selector, { app: 'web' }));
  assert.not.ok(matches(r.selector, { app: 'web', tier: 'x' }));
  assert.not.ok(matches(r.selector, { app: 'web', legacy: '' }), 'an empty value still exists');
  assert.is(formatSelector(r.selector), 'app=web,tier notin (x),!legacy');
  const bad = parseSelector({ matchLabels: { replicas: 3 } }, 'sel');
  assert.ok(!bad.ok && bad.field === 'sel.matchLabels.replicas');
  const all = parseSelector({}, 's');
  assert.ok(all.ok && matches(all.selector, { anything: 'x' }), '{} selects everything');
});

test.run();
