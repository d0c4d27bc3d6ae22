import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { watchEventLoop } from '../../src/runtime/event-loop.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { captureLogs } from './log-capture.ts';
import { FakeClock } from './fake-clock.ts';

function logLines() {
  const { lines, stream } = captureLogs();
  return { lines, logger: createLogger({ level: 'info', destination: stream }) };
}

test('a loop that keeps time says nothing; a stall of a second or more is reported with its length', async () => {
  const clock = new FakeClock(0);
  const { lines, logger } = logLines();
  const stop = watchEventLoop({ logger, clock });
  await clock.advance(10_000);
  assert.equal(lines, [], 'ticks on time');
  // The tick due at 10.5 s runs at 11.4 s.
  clock.jump(1_400);
  await clock.advance(100);
  assert.equal(lines, [], '900 ms late is under the threshold');
  // Re-armed at 11.4 s, the next tick is due at 11.9 s and runs at 16.1 s.
  clock.jump(4_600);
  await clock.advance(100);
  assert.equal(
    lines.map((l) => [l.level, l.blockedMs]),
    [['warn', 4_200]],
  );
  stop();
  assert.is(clock.pending(), 0, 'stopping leaves no timer behind');
});

test('the interval and threshold can be chosen', async () => {
  const clock = new FakeClock(0);
  const { lines, logger } = logLines();
  const stop = watchEventLoop({ logger, clock, intervalMs: 100, thresholdMs: 250 });
  // The tick due at 100 ms runs at 400 ms.
  clock.jump(400);
  await clock.advance(0);
  assert.equal(
    lines.map((l) => l.blockedMs),
    [300],
  );
  stop();
});

test.run();
