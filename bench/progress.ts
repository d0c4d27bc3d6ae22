// Progress on the terminal, bounded waits and a worker pool; Ctrl-C turns into an
// interruption every wait notices.
import { sleep } from '../e2e/harness/operator-child.ts';

export const started = Date.now();
export function say(msg: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  console.log(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${msg}`);
}
export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

let interrupted = false;
/** What ended the run from outside the waits (an operator that cannot start): they stop with it. */
let aborted: Error | undefined;
/** Ctrl-C or SIGTERM: every wait stops at its next check. */
export function interrupt(): void {
  interrupted = true;
}
/** Every wait stops at its next check, failing with `err`. */
export function abortWaits(err: Error): void {
  aborted = err;
}
export function isInterrupted(): boolean {
  return interrupted || aborted !== undefined;
}
/** The clean-up after an interruption waits again. */
export function resumeAfterInterrupt(): void {
  interrupted = false;
  aborted = undefined;
}
export function checkInterrupted(): void {
  if (aborted) throw aborted;
  if (interrupted) throw new Error('interrupted');
}

export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs: number; intervalMs?: number; progress?: () => string; progressEveryMs?: number },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastProgress = Date.now();
  for (;;) {
    checkInterrupted();
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= deadline)
      throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${what}${opts.progress ? `: ${opts.progress()}` : ''}`);
    if (opts.progress && Date.now() - lastProgress >= (opts.progressEveryMs ?? 10_000)) {
      say(`    ${opts.progress()}`);
      lastProgress = Date.now();
    }
    await sleep(opts.intervalMs ?? 1000);
  }
}

export async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await fn(item);
      }
    }),
  );
}
