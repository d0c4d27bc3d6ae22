// The work queue behind every controller: reconcile by key, never by event. It gives the
// guarantees controller-runtime's workqueue gives and that a plain FIFO lacks: a key queued
// many times is processed once, the same key is never processed by two workers at once (a key
// added while it is processed is queued again afterwards), failures are retried with per-key
// backoff, time-based work is scheduled with addAfter, and shutdown waits for in-flight work.
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

/** Input that no retry can fix: the key is dropped (forgotten) instead of retried. */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';
}

export function isTerminalError(err: unknown): err is TerminalError {
  return err instanceof TerminalError;
}

export interface ProcessResult {
  /** Process the key again after this many ms (for time-based work such as expiries). */
  requeueAfter?: number;
}

/**
 * Handles one key. Resolving forgets the key's failures; throwing retries it with backoff,
 * unless the error is a TerminalError. `signal` aborts when the queue shuts down.
 */
export type ProcessFn = (key: string, signal: AbortSignal) => Promise<ProcessResult | void>;

/** What the queue reports; metrics.ts implements it with controller-runtime's metric names. */
export interface QueueMetricsSink {
  added(): void;
  depth(n: number): void;
  retried(): void;
  started(queuedSeconds: number): void;
  finished(workSeconds: number): void;
}

export interface WorkQueueOptions {
  name: string;
  process: ProcessFn;
  /** How many keys may be processed at the same time (controller-runtime's MaxConcurrentReconciles). */
  concurrency?: number;
  clock?: Clock;
  rateLimiter?: RateLimiter;
  metrics?: QueueMetricsSink;
}

export class WorkQueue {
  readonly name: string;
  private readonly process: ProcessFn;
  private readonly concurrency: number;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;
  private readonly metrics: QueueMetricsSink | undefined;
  private readonly abort = new AbortController();

  /** Keys ready to be processed, in arrival order (a Set keeps insertion order). */
  private readonly ready = new Set<string>();
  /** Keys that need processing: those in `ready` plus those re-added while being processed. */
  private readonly dirty = new Set<string>();
  private readonly addedAt = new Map<string, number>();
  private readonly processing = new Map<string, number>();
  private readonly waiting = new Map<string, { readyAt: number; timer: TimerHandle }>();
  private started = false;
  private shuttingDown = false;
  private drained: (() => void) | undefined;
  private readonly drainedPromise: Promise<void>;

  constructor(opts: WorkQueueOptions) {
    this.name = opts.name;
    this.process = opts.process;
    this.concurrency = Math.max(1, opts.concurrency ?? 1);
    this.clock = opts.clock ?? systemClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.metrics = opts.metrics;
    this.drainedPromise = new Promise((resolve) => (this.drained = resolve));
  }

  /** Begins processing; keys added before start wait in the queue. */
  start(): void {
    if (this.shuttingDown) return;
    this.started = true;
    this.pump();
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, this.clock.now());
    this.metrics?.added();
    if (this.processing.has(key)) return;
    this.ready.add(key);
    this.metrics?.depth(this.ready.size);
    this.pump();
  }

  /** Adds `key` once `ms` have passed; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const readyAt = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending && pending.readyAt <= readyAt) return;
    if (pending) this.clock.clearTimeout(pending.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { readyAt, timer });
  }

  /** Adds `key` after its backoff delay; counts as one more failure of `key`. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.retried();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Keys waiting to be processed (the depth metric). */
  len(): number {
    return this.ready.size;
  }

  /** Keys currently being processed. */
  inFlight(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  unfinishedWorkSeconds(): number {
    const now = this.clock.now();
    let total = 0;
    for (const startedAt of this.processing.values()) total += (now - startedAt) / 1000;
    return total;
  }

  longestRunningProcessorSeconds(): number {
    const now = this.clock.now();
    let longest = 0;
    for (const startedAt of this.processing.values()) longest = Math.max(longest, (now - startedAt) / 1000);
    return longest;
  }

  /**
   * Stops taking work: queued and delayed keys are dropped, in-flight handlers see their signal
   * aborted. Resolves when every in-flight handler has finished.
   */
  shutDown(): Promise<void> {
    if (!this.shuttingDown) {
      this.shuttingDown = true;
      for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
      this.waiting.clear();
      this.ready.clear();
      this.dirty.clear();
      this.addedAt.clear();
      this.metrics?.depth(0);
      this.abort.abort(new Error(`work queue ${this.name} shutting down`));
      this.resolveIfDrained();
    }
    return this.drainedPromise;
  }

  private pump(): void {
    while (this.started && !this.shuttingDown && this.processing.size < this.concurrency) {
      const key = this.ready.values().next().value;
      if (key === undefined) return;
      void this.work(key);
    }
  }

  private async work(key: string): Promise<void> {
    const startedAt = this.clock.now();
    this.ready.delete(key);
    this.dirty.delete(key);
    this.processing.set(key, startedAt);
    this.metrics?.depth(this.ready.size);
    this.metrics?.started((startedAt - (this.addedAt.get(key) ?? startedAt)) / 1000);
    this.addedAt.delete(key);
    try {
      const result = await this.process(key, this.abort.signal);
      this.forget(key);
      if (result?.requeueAfter !== undefined && result.requeueAfter > 0) this.addAfter(key, result.requeueAfter);
    } catch (err) {
      if (isTerminalError(err)) this.forget(key);
      else this.addRateLimited(key);
    } finally {
      this.processing.delete(key);
      this.metrics?.finished((this.clock.now() - startedAt) / 1000);
      if (this.dirty.has(key)) {
        this.ready.add(key);
        this.metrics?.depth(this.ready.size);
      }
      this.resolveIfDrained();
      // The next key waits for the event loop's next turn. A reconcile that finds nothing to
      // write resolves without I/O, so a run of them chained as microtasks and held off every
      // timer and answer (lease renewals, probes, watch events) until the queue was empty:
      // 16 to 34 s at a time when 5,000 agencies were queued at once.
      setImmediate(() => this.pump());
    }
  }

  private resolveIfDrained(): void {
    if (this.shuttingDown && this.processing.size === 0) this.drained?.();
  }
}
