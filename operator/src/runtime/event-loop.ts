// A blocked event loop delays every timer at once: lease renewals, readiness probes of the data
// centres, request timeouts. When the operator loses its Lease or finds every data centre
// unreachable in the same second, this warning tells whether the operator itself was stalled
// (a long garbage collection, a long computation, a starved CPU) rather than the API servers.
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { Logger } from './logger.ts';

export interface EventLoopWatchOptions {
  logger: Logger;
  clock?: Clock;
  /** How often a tick is due. */
  intervalMs?: number;
  /** A tick this late is reported. */
  thresholdMs?: number;
}

/** Warns whenever a tick comes `thresholdMs` or more after it was due; returns the stop. */
export function watchEventLoop(opts: EventLoopWatchOptions): () => void {
  const clock = opts.clock ?? systemClock;
  const intervalMs = opts.intervalMs ?? 500;
  const thresholdMs = opts.thresholdMs ?? 1000;
  let timer: TimerHandle | undefined;
  const arm = (): void => {
    const due = clock.now() + intervalMs;
    timer = clock.setTimeout(() => {
      const blockedMs = clock.now() - due;
      if (blockedMs >= thresholdMs) opts.logger.warn({ blockedMs }, 'event loop blocked: timers, probes and lease renewals ran late');
      arm();
    }, intervalMs);
  };
  arm();
  return () => {
    if (timer) clock.clearTimeout(timer);
    timer = undefined;
  };
}
