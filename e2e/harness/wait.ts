// Bounded waiting: every wait in the e2e suite has a timeout and, when it runs out, says what it
// waited for and what it saw last.
import { inspect } from 'node:util';

export interface WaitOptions {
  /** Give up after this many milliseconds (default 60 s). */
  timeoutMs?: number;
  /** Poll every this many milliseconds (default 500 ms). */
  intervalMs?: number;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it returns a value other than undefined/false/null and returns that value.
 * A check that throws counts as "not yet" (the last error is reported on timeout).
 * `describe` is called on timeout with the last value seen, to explain the state.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  opts: WaitOptions & { describe?: (last: unknown) => string } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const intervalMs = opts.intervalMs ?? 500;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const seen =
        lastError !== undefined
          ? `last error: ${lastError instanceof Error ? lastError.message : inspect(lastError)}`
          : `last state: ${opts.describe ? opts.describe(last) : JSON.stringify(last)}`;
      throw new WaitTimeoutError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what} (${seen})`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

/** Condition `type` of an object's status is "True". */
export function conditionTrue(obj: { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined, type: string): boolean {
  return obj?.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
}
