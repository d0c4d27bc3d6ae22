// Prometheus metrics under the names controller-runtime uses, so that the dashboards and
// alerts written for Go operators work for this one unchanged. One registry per process,
// served by server.ts; platform code registers its own gauges here too. Series per agency go
// to a second registry, served apart: at 5,000 agencies they are about 110,000 series, 12 MB
// of text and 1.5 s of this process's only thread per scrape (docs/benchmarks.md), which the
// probes, the alerts and every scrape of the operator's health would otherwise pay.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueMetricsSink } from './queue.ts';

/** controller-runtime's reconcile_time_seconds buckets. */
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8,
  9, 10, 15, 20, 25, 30, 40, 50, 60,
];
/** client-go's workqueue buckets: 10 ns to 1000 s, times ten each. */
const QUEUE_BUCKETS = Array.from({ length: 12 }, (_, i) => 1e-8 * 10 ** i);

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after';

/** What a queue must answer at scrape time for the two "in flight" gauges. */
export interface QueueProbe {
  unfinishedWorkSeconds(): number;
  longestRunningProcessorSeconds(): number;
}

export interface RuntimeMetricsOptions {
  registry?: Registry;
  /** Node process metrics (heap, event loop lag, ...); off in tests. */
  processMetrics?: boolean;
}

export class RuntimeMetrics {
  readonly registry: Registry;
  /** Series per agency (showback, roadmap), served at /metrics/agencies. */
  readonly agencyRegistry = new Registry();
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly leaderStatus: Gauge<'name'>;
  private readonly restClientRequests: Counter<'code' | 'method' | 'host'>;
  private readonly queueDepth: Gauge<'controller' | 'name'>;
  private readonly queueAdds: Counter<'controller' | 'name'>;
  private readonly queueRetries: Counter<'controller' | 'name'>;
  private readonly queueDuration: Histogram<'controller' | 'name'>;
  private readonly workDuration: Histogram<'controller' | 'name'>;
  private readonly probes = new Map<string, QueueProbe>();

  constructor(opts: RuntimeMetricsOptions = {}) {
    const registry = opts.registry ?? new Registry();
    this.registry = registry;
    if (opts.processMetrics) collectDefaultMetrics({ register: registry });
    const registers = [registry];
    const probes = this.probes;

    this.reconcileTotal = new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.terminalReconcileErrors = new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal reconciliation errors per controller',
      labelNames: ['controller'],
      registers,
    });
    this.reconcileTime = new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      labelNames: ['controller'],
      buckets: RECONCILE_BUCKETS,
      registers,
    });
    this.activeWorkers = new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of currently used workers per controller',
      labelNames: ['controller'],
      registers,
    });
    this.maxConcurrentReconciles = new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller',
      labelNames: ['controller'],
      registers,
    });
    this.leaderStatus = new Gauge({
      name: 'leader_election_master_status',
      help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master',
      labelNames: ['name'],
      registers,
    });
    this.restClientRequests = new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host.',
      labelNames: ['code', 'method', 'host'],
      registers,
    });
    const queueLabels = ['controller', 'name'] as const;
    this.queueDepth = new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of workqueue',
      labelNames: queueLabels,
      registers,
    });
    this.queueAdds = new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of adds handled by workqueue',
      labelNames: queueLabels,
      registers,
    });
    this.queueRetries = new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of retries handled by workqueue',
      labelNames: queueLabels,
      registers,
    });
    this.queueDuration = new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long in seconds an item stays in workqueue before being requested',
      labelNames: queueLabels,
      buckets: QUEUE_BUCKETS,
      registers,
    });
    this.workDuration = new Histogram({
      name: 'workqueue_work_duration_seconds',
      help: 'How long in seconds processing an item from workqueue takes',
      labelNames: queueLabels,
      buckets: QUEUE_BUCKETS,
      registers,
    });
    // Computed when scraped, so the value is current without a polling timer.
    new Gauge({
      name: 'workqueue_unfinished_work_seconds',
      help: 'How many seconds of work has been done that is in progress and has not been observed by work_duration',
      labelNames: queueLabels,
      registers,
      collect() {
        for (const [name, probe] of probes) this.set({ controller: name, name }, probe.unfinishedWorkSeconds());
      },
    });
    new Gauge({
      name: 'workqueue_longest_running_processor_seconds',
      help: 'How many seconds has the longest running processor for workqueue been running',
      labelNames: queueLabels,
      registers,
      collect() {
        for (const [name, probe] of probes) this.set({ controller: name, name }, probe.longestRunningProcessorSeconds());
      },
    });
  }

  /** Announces a controller so its series exist (at zero) before the first reconcile. */
  registerController(controller: string, maxConcurrentReconciles: number): void {
    this.maxConcurrentReconciles.set({ controller }, maxConcurrentReconciles);
    this.activeWorkers.set({ controller }, 0);
    for (const result of ['success', 'error', 'requeue', 'requeue_after'] satisfies ReconcileResultLabel[]) {
      this.reconcileTotal.inc({ controller, result }, 0);
    }
    this.reconcileErrors.inc({ controller }, 0);
    this.terminalReconcileErrors.inc({ controller }, 0);
  }

  /** The sink a WorkQueue named `name` reports to; the queue label equals the controller name. */
  workqueue(name: string, probe: QueueProbe): QueueMetricsSink {
    this.probes.set(name, probe);
    const labels = { controller: name, name };
    this.queueDepth.set(labels, 0);
    this.queueAdds.inc(labels, 0);
    this.queueRetries.inc(labels, 0);
    return {
      added: () => this.queueAdds.inc(labels),
      depth: (n) => this.queueDepth.set(labels, n),
      retried: () => this.queueRetries.inc(labels),
      started: (s) => this.queueDuration.observe(labels, s),
      finished: (s) => this.workDuration.observe(labels, s),
    };
  }

  /** Counts one answer of an API server: the observer to give observeApiResponses. */
  readonly restClientRequest = (code: string, method: string, host: string): void => {
    this.restClientRequests.inc({ code, method, host });
  };

  /**
   * A platform gauge (for example capacity per data centre) in the same registry. With
   * `collect`, the gauge is set when scraped (`this` is the gauge), so it is never stale.
   */
  gauge<L extends string>(opts: { name: string; help: string; labelNames?: readonly L[]; collect?: (this: Gauge<L>) => void }): Gauge<L> {
    return new Gauge<L>({ ...opts, labelNames: opts.labelNames ?? [], registers: [this.registry] });
  }

  /** A gauge with series per agency, in the registry served apart; `collect` as for gauge(). */
  agencyGauge<L extends string>(opts: { name: string; help: string; labelNames?: readonly L[]; collect?: (this: Gauge<L>) => void }): Gauge<L> {
    return new Gauge<L>({ ...opts, labelNames: opts.labelNames ?? [], registers: [this.agencyRegistry] });
  }

  /** A platform counter in the same registry. */
  counter<L extends string>(opts: { name: string; help: string; labelNames?: readonly L[] }): Counter<L> {
    return new Counter<L>({ ...opts, labelNames: opts.labelNames ?? [], registers: [this.registry] });
  }

  /** The exposition text for /metrics. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The exposition text for /metrics/agencies. */
  renderAgencies(): Promise<string> {
    return this.agencyRegistry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
