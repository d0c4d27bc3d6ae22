// withDeadline: a request's limit that aborts like AbortSignal.timeout, follows the caller's
// signal, and leaves neither a timer nor a listener behind once the request settled.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withDeadline } from '../../src/runtime/deadline.ts';
import { FakeClock, settle } from './fake-clock.ts';

/** Work that ends only when its signal aborts, rejecting with the signal's reason (as fetch does). */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
}

/** A parent signal that counts the 'abort' listeners attached to it. */
function countingParent(): { controller: AbortController; listeners: () => number } {
  const controller = new AbortController();
  const { signal } = controller;
  const attached = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>) => {
    if (args[0] === 'abort') attached.add(args[1]);
    add(...args);
  };
  signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>) => {
    if (args[0] === 'abort') attached.delete(args[1]);
    remove(...args);
  };
  return { controller, listeners: () => attached.size };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

test('aborts at the deadline with the reason AbortSignal.timeout gives', async () => {
  const clock = new FakeClock();
  let seen: AbortSignal | undefined;
  const result = rejection(
    withDeadline(
      1_000,
      undefined,
      (signal) => {
        seen = signal;
        return untilAborted(signal);
      },
      clock,
    ),
  );
  await clock.advance(999);
  assert.is(seen?.aborted, false);
  await clock.advance(1);
  const err = (await result) as DOMException;
  const builtIn = AbortSignal.timeout(0);
  // Its timer does not keep the process alive: wait on one that does.
  while (!builtIn.aborted) await new Promise((resolve) => setTimeout(resolve, 1));
  const expected = builtIn.reason as DOMException;
  assert.is(err.name, 'TimeoutError');
  assert.is(err.name, expected.name);
  assert.is(err.message, expected.message);
  assert.ok(err instanceof Error);
});

test("follows the parent's abort, with the parent's reason, before the deadline", async () => {
  const clock = new FakeClock();
  const { controller, listeners } = countingParent();
  const result = rejection(withDeadline(30_000, controller.signal, untilAborted, clock));
  await settle();
  assert.is(listeners(), 1);
  const reason = new Error('leadership lost');
  controller.abort(reason);
  assert.is(await result, reason);
  assert.is(clock.pending(), 0);
});

test('a parent already aborted aborts the work at once', async () => {
  const clock = new FakeClock();
  const controller = new AbortController();
  controller.abort(new Error('stopping'));
  let aborted: boolean | undefined;
  await withDeadline(
    30_000,
    controller.signal,
    async (signal) => {
      aborted = signal.aborted;
    },
    clock,
  );
  assert.is(aborted, true);
  assert.is(clock.pending(), 0);
});

test('once the work settles, no timer and no listener on the parent is left', async () => {
  const clock = new FakeClock();
  const { controller, listeners } = countingParent();
  const value = await withDeadline(
    30_000,
    controller.signal,
    async (signal) => {
      assert.is(clock.pending(), 1);
      assert.is(listeners(), 1);
      assert.is(signal.aborted, false);
      return 'done';
    },
    clock,
  );
  assert.is(value, 'done');
  assert.is(clock.pending(), 0);
  assert.is(listeners(), 0);

  const failure = new Error('409 Conflict');
  const err = await rejection(
    withDeadline(
      30_000,
      controller.signal,
      async () => {
        throw failure;
      },
      clock,
    ),
  );
  assert.is(err, failure);
  assert.is(clock.pending(), 0);
  assert.is(listeners(), 0);
  assert.is(controller.signal.aborted, false);
});

test.run();
