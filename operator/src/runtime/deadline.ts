// A request's time limit that ends with the request. `AbortSignal.timeout` (alone or inside
// `AbortSignal.any`) is kept alive by Node until its timer fires once anything listens to it,
// and fetch listens: every finished request's state then stays on the heap for the whole
// timeout (at ~300 writes a second, tens of MB). Here the timer and the listener on the parent
// are removed as soon as the work settles, so nothing outlives it.
import { systemClock, type Clock } from './clock.ts';

/** The reason `AbortSignal.timeout` aborts with, so callers that check for a timeout see the same. */
export function timeoutReason(): DOMException {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/**
 * Runs `work` with a signal that aborts after `ms` (reason: a TimeoutError) or when `parent`
 * aborts (its reason); the timer and the listener on `parent` are gone once `work` settles.
 */
export async function withDeadline<T>(
  ms: number,
  parent: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
  clock: Clock = systemClock,
): Promise<T> {
  const controller = new AbortController();
  const follow = (): void => controller.abort(parent?.reason);
  if (parent?.aborted) follow();
  else parent?.addEventListener('abort', follow, { once: true });
  const timer = clock.setTimeout(() => controller.abort(timeoutReason()), ms);
  try {
    return await work(controller.signal);
  } finally {
    clock.clearTimeout(timer);
    parent?.removeEventListener('abort', follow);
  }
}
