// The generic controller loop (controller-runtime's Controller, crossplane-runtime's generic
// reconciler): keys from informer handlers go into a work queue; workers call the controller's
// reconcile function for one key at a time; every outcome is counted, timed and logged, and
// every failure also becomes a Warning event on the object. A controller author writes only
// `reconcile(key)`: resolve (optionally with requeueAfter), throw to retry with backoff, or
// throw TerminalError for input no retry can fix.
import type { KubernetesObject } from '@kubernetes/client-node';
import { systemClock, type Clock } from './clock.ts';
import { errorMessage } from './errors.ts';
import type { EventRecorder } from './events.ts';
import { parseKey, type ObjectRef } from './keys.ts';
import { controllerLogger, objectLogger, type Logger } from './logger.ts';
import type { RuntimeMetrics } from './metrics.ts';
import { TerminalError, WorkQueue, isTerminalError, type ProcessResult } from './queue.ts';
import type { RateLimiter } from './rate-limiter.ts';

export interface ReconcileRequest extends ObjectRef {
  key: string;
}

export interface ReconcileContext {
  /** Carries controller, cluster and object fields. */
  log: Logger;
  /** Aborts when the controller shuts down (including on loss of leadership). */
  signal: AbortSignal;
}

export type ReconcileResult = ProcessResult;

export type ReconcileFn = (req: ReconcileRequest, ctx: ReconcileContext) => Promise<ReconcileResult | void>;

export interface WarningTarget {
  recorder: EventRecorder;
  object: KubernetesObject;
}

export interface ControllerOptions {
  /** Used in metrics, logs and as the queue name, e.g. `tenant`. */
  name: string;
  reconcile: ReconcileFn;
  metrics: RuntimeMetrics;
  logger: Logger;
  /** MaxConcurrentReconciles; keys are never reconciled concurrently whatever this is. */
  concurrency?: number;
  clock?: Clock;
  rateLimiter?: RateLimiter;
  /** The object a key names and the recorder of its cluster, for Warning events on failure. */
  eventTarget?: (req: ReconcileRequest) => WarningTarget | undefined;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly opts: ControllerOptions;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(opts: ControllerOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.clock = opts.clock ?? systemClock;
    this.log = controllerLogger(opts.logger, opts.name);
    const concurrency = opts.concurrency ?? 1;
    opts.metrics.registerController(opts.name, concurrency);
    const queue: WorkQueue = new WorkQueue({
      name: opts.name,
      concurrency,
      clock: this.clock,
      ...(opts.rateLimiter ? { rateLimiter: opts.rateLimiter } : {}),
      metrics: opts.metrics.workqueue(opts.name, {
        unfinishedWorkSeconds: () => queue.unfinishedWorkSeconds(),
        longestRunningProcessorSeconds: () => queue.longestRunningProcessorSeconds(),
      }),
      process: (key, signal) => this.process(key, signal),
    });
    this.queue = queue;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    this.log.info('starting workers');
    this.queue.start();
  }

  /** Stops taking keys and resolves when in-flight reconciles have returned. */
  async shutDown(): Promise<void> {
    this.log.info('shutting down, waiting for in-flight reconciles');
    await this.queue.shutDown();
  }

  private async process(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const { metrics } = this.opts;
    const controller = this.name;
    const started = this.clock.now();
    metrics.activeWorkers.inc({ controller });
    let req: ReconcileRequest | undefined;
    let log = this.log;
    try {
      req = requestFor(key);
      log = objectLogger(this.log, { cluster: req.cluster, object: req.namespace ? `${req.namespace}/${req.name}` : req.name });
      const result = await this.opts.reconcile(req, { log, signal });
      const after = result?.requeueAfter ?? 0;
      metrics.reconcileTotal.inc({ controller, result: after > 0 ? 'requeue_after' : 'success' });
      log.debug(after > 0 ? { requeueAfterMs: after } : {}, 'reconciled');
      return result;
    } catch (err) {
      const terminal = isTerminalError(err);
      metrics.reconcileErrors.inc({ controller });
      metrics.reconcileTotal.inc({ controller, result: 'error' });
      if (terminal) metrics.terminalReconcileErrors.inc({ controller });
      log.error(
        { err, retries: this.queue.numRequeues(key), terminal },
        terminal ? 'reconcile failed permanently, not retrying' : 'reconcile failed, retrying with backoff',
      );
      if (req) this.warn(req, err, terminal, log);
      throw err;
    } finally {
      metrics.activeWorkers.dec({ controller });
      metrics.reconcileTime.observe({ controller }, (this.clock.now() - started) / 1000);
    }
  }

  private warn(req: ReconcileRequest, err: unknown, terminal: boolean, log: Logger): void {
    try {
      const target = this.opts.eventTarget?.(req);
      if (!target) return;
      const reason = terminal ? 'ReconcileFailedPermanently' : 'ReconcileFailed';
      void target.recorder.warning(target.object, reason, 'Reconcile', errorMessage(err));
    } catch (eventErr) {
      log.warn({ err: eventErr }, 'could not resolve the event target');
    }
  }
}

function requestFor(key: string): ReconcileRequest {
  try {
    return { key, ...parseKey(key) };
  } catch (err) {
    throw new TerminalError(errorMessage(err));
  }
}
