// When the bench starts a fresh platform instead of waiting for namespace deletions, and that
// it starts one of the same shape.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FRESH_PLATFORM_FROM, freshPlatformChoice, sameShapeEnv } from '../../../bench/fresh-platform.ts';

test('by size when not told: on from FRESH_PLATFORM_FROM agencies, off below', () => {
  assert.is(freshPlatformChoice(FRESH_PLATFORM_FROM, undefined, 0).fresh, true);
  assert.is(freshPlatformChoice(5000, '', 0).fresh, true);
  assert.is(freshPlatformChoice(FRESH_PLATFORM_FROM - 1, '', 0).fresh, false);
  assert.is(freshPlatformChoice(200, undefined, 0).fresh, false);
});

test('the knob decides either way on a platform of nothing but the bench', () => {
  assert.is(freshPlatformChoice(50, '1', 0).fresh, true);
  assert.is(freshPlatformChoice(5000, '0', 0).fresh, false);
  assert.throws(() => freshPlatformChoice(50, 'yes', 0), /BENCH_FRESH_PLATFORM=yes: 0 or 1/);
});

test('other objects on the hub: off by default, refused when asked for (a fresh platform would render something else)', () => {
  const auto = freshPlatformChoice(5000, undefined, 4);
  assert.is(auto.fresh, false);
  assert.match(auto.why, /4 govcloud objects/);
  assert.throws(() => freshPlatformChoice(5000, '1', 4), /holds 4 govcloud objects that are not the bench's/);
  assert.is(freshPlatformChoice(5000, '0', 4).fresh, false);
});

test('the fresh platform has as many clusters, real nodes and cert-manager as the one it replaces', () => {
  assert.equal(sameShapeEnv(3, { realNodes: false, certManager: true }), { GOVCLOUD_CLUSTER_COUNT: '3', REAL_NODES: '0', CERT_MANAGER: '1' });
  assert.equal(sameShapeEnv(5, { realNodes: true, certManager: false }), { GOVCLOUD_CLUSTER_COUNT: '5', REAL_NODES: '1', CERT_MANAGER: '0' });
});

test.run();
