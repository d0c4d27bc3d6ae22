import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatBytes, formatMilli, parseBytes, parseMilli, share } from '../../src/model/quantity.ts';

test('parses CPU quantities to exact millicores', () => {
  assert.is(parseMilli('4'), 4000n);
  assert.is(parseMilli(8), 8000n);
  assert.is(parseMilli('500m'), 500n);
  assert.is(parseMilli('1.5'), 1500n);
  assert.is(parseMilli('0.25'), 250n);
  assert.is(parseMilli('2k'), 2_000_000n);
});

test('finer than a millicore rounds up, as Kubernetes does', () => {
  assert.is(parseMilli('0.0001'), 1n);
  assert.is(parseMilli('1.0005'), 1001n);
});

test('parses memory quantities to exact bytes, binary and decimal suffixes', () => {
  assert.is(parseBytes('64Gi'), 68_719_476_736n);
  assert.is(parseBytes('0.5Gi'), 536_870_912n);
  assert.is(parseBytes('1.5Mi'), 1_572_864n);
  assert.is(parseBytes('100M'), 100_000_000n);
  assert.is(parseBytes('10Ti'), 10n * (1n << 40n));
  assert.is(parseBytes('3Pi'), 3n * (1n << 50n)); // beyond 2^53: exact only with bigint
  assert.is(parseBytes(1024), 1024n);
});

test('rejects what is not a quantity', () => {
  for (const bad of ['', 'abc', '1.', '-1', '1Gb', '1e3', '64 Gi', -1, 1.5]) assert.is(parseMilli(bad as string | number), undefined, String(bad));
});

test('formats canonically', () => {
  assert.is(formatMilli(3000n), '3');
  assert.is(formatMilli(3333n), '3333m');
  assert.is(formatMilli(0n), '0');
  assert.is(formatBytes(68_719_476_736n), '64Gi');
  assert.is(formatBytes(16n << 30n), '16Gi');
  assert.is(formatBytes(1536n << 20n), '1536Mi');
  assert.is(formatBytes(32_000_000_000n), '32G');
  assert.is(formatBytes(22_906_492_245n), '22906492245');
  assert.is(formatBytes(0n), '0');
});

test('10 CPU over 3 workspaces and 64Gi over 3 divide exactly, rounded down', () => {
  const cpu = share(parseMilli('10') as bigint, 3);
  assert.is(formatMilli(cpu), '3333m');
  assert.ok(cpu * 3n <= 10_000n);
  const mem = share(parseBytes('64Gi') as bigint, 3);
  assert.is(mem, 22_906_492_245n);
  assert.ok(mem * 3n <= 68_719_476_736n && (mem + 1n) * 3n > 68_719_476_736n);
});

test('round trip: format then parse gives the same amount', () => {
  for (const bytes of [1n, 1023n, 1024n, 1n << 30n, 5n * 10n ** 9n, 123_456_789n, 7n << 40n]) assert.is(parseBytes(formatBytes(bytes)), bytes);
  for (const milli of [1n, 999n, 1000n, 3333n, 64_000n]) assert.is(parseMilli(formatMilli(milli)), milli);
});

test.run();
