// The operator process: hub caches for the six govcloud kinds and the Secrets of its
// namespace, a probe server (/healthz; /readyz = hub caches synced and leader-or-standby
// healthy; /metrics), and a LeaderElector on the Lease `govcloud-operator`. Only the leader
// runs the controllers and connects to the data centres. Losing the lease stops them and the
// process exits non-zero (fail safe: never two replicas acting); a stop signal stops taking
// work, lets in-flight reconciles finish, releases the lease and exits 0.
import {
  ClusterClient,
  createLogger,
  EventRecorder,
  informerCheck,
  kubeEventSink,
  kubeLeaseStore,
  kubeListWatch,
  LeaderElector,
  observeApiResponses,
  ProbeServer,
  RuntimeMetrics,
  watchEventLoop,
  type Logger,
} from '../runtime/index.ts';
import { kubeConnector } from './connector.ts';
import { kubeCredentialRenewer } from './credentials.ts';
import { kubeHistoryStore } from './showback.ts';
import { OperatorCore } from './core.ts';
import { HubCache } from './hub.ts';
import { PlatformMetrics } from './metrics.ts';
import { requestHubWriter } from './writer.ts';

export const LEASE_NAME = 'govcloud-operator';

export interface ManagerOptions {
  /** A kubeconfig file; absent: $KUBECONFIG, ~/.kube/config or in-cluster. */
  kubeconfig?: string;
  context?: string;
  namespace: string;
  /** /healthz, /readyz and /metrics; 0 picks a free port. */
  metricsPort: number;
  leaderElect: boolean;
  /** Leader-election timings; absent: controller-runtime's (15 s, 10 s, 2 s). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  concurrency: number;
  logLevel: string;
  /** Leader-election identity and Events' reportingInstance. */
  identity: string;
  logger?: Logger;
  /** Per request to any cluster. */
  requestTimeoutMs?: number;
}

export type ExitReason = 'stopped' | 'lost-leadership';

export class Manager {
  private readonly opts: ManagerOptions;
  readonly log: Logger;

  constructor(opts: ManagerOptions) {
    this.opts = opts;
    this.log = opts.logger ?? createLogger({ level: opts.logLevel });
  }

  /** Runs until `stop` aborts (resolves 'stopped') or leadership is lost ('lost-leadership'). */
  async run(stop: AbortSignal): Promise<ExitReason> {
    const { opts, log } = this;
    const requestMs = opts.requestTimeoutMs ?? 15_000;
    if (opts.kubeconfig) process.env.KUBECONFIG = opts.kubeconfig;
    const hubClient = ClusterClient.fromDefault('hub', opts.context);
    const runtimeMetrics = new RuntimeMetrics({ processMetrics: true });
    const unobserve = observeApiResponses(runtimeMetrics.restClientRequest);
    const unwatchEventLoop = watchEventLoop({ logger: log });
    const platformMetrics = new PlatformMetrics(runtimeMetrics);
    const hub = new HubCache({
      namespace: opts.namespace,
      logger: log,
      sources: (resource, { namespace }) =>
        kubeListWatch(hubClient, { apiVersion: resource.apiVersion, kind: resource.kind, plural: resource.plural, ...(namespace ? { namespace } : {}) }),
    });
    const recorder = new EventRecorder({ sink: kubeEventSink(hubClient), controller: 'govcloud.dev/operator', instance: opts.identity, logger: log });
    const probes = new ProbeServer({ metrics: runtimeMetrics, port: opts.metricsPort, logger: log });
    for (const informer of hub.informers()) probes.addReadinessCheck(`informer:${informer.name}`, informerCheck(informer));

    let core: OperatorCore | undefined;
    /** `leadership` aborts when the lease is lost: every write in flight stops at once. */
    const startLeading = (leadership: AbortSignal): void => {
      log.info({ identity: opts.identity }, 'leading: starting controllers');
      const current = new OperatorCore({
        hub,
        connector: kubeConnector({ hub, hubClient, timeouts: { requestMs } }),
        hubWriter: requestHubWriter(hubClient, { timeoutMs: requestMs }),
        credentials: kubeCredentialRenewer(hubClient, opts.namespace, requestMs),
        recorder,
        runtimeMetrics,
        platformMetrics,
        logger: log,
        concurrency: opts.concurrency,
        historyStore: kubeHistoryStore(hubClient, opts.namespace, requestMs),
      });
      core = current;
      current.start(leadership).catch((err: unknown) => log.error({ err }, 'starting the controllers failed'));
    };
    let stopping: Promise<void> | undefined;
    /** Stops taking work and waits for the reconciles in flight (their writes go on unless the lease was lost). */
    const stopLeading = (): Promise<void> => {
      const current = core;
      core = undefined;
      if (current) {
        log.info('stopping controllers; waiting for in-flight reconciles');
        stopping = current.stop();
      }
      return stopping ?? Promise.resolve();
    };

    let elector: LeaderElector | undefined;
    let electorRunning = false;
    if (opts.leaderElect) {
      elector = new LeaderElector({
        name: LEASE_NAME,
        identity: opts.identity,
        store: kubeLeaseStore(hubClient, { namespace: opts.namespace, name: LEASE_NAME }),
        logger: log,
        metrics: runtimeMetrics,
        leaseDurationMs: opts.leaseDurationMs,
        renewDeadlineMs: opts.renewDeadlineMs,
        retryPeriodMs: opts.retryPeriodMs,
        onStartedLeading: startLeading,
        onStoppedLeading: stopLeading,
      });
    }
    probes.addReadinessCheck('leader-election', () =>
      !elector ? { ok: true } : electorRunning ? { ok: true, detail: elector.isLeader() ? 'leader' : 'standby' } : { ok: false, detail: 'not campaigning' },
    );

    const port = await probes.start();
    log.info({ port, identity: opts.identity, namespace: opts.namespace, leaderElect: opts.leaderElect }, 'govcloud operator started');
    hub.start();

    let reason: ExitReason = 'stopped';
    try {
      if (elector) {
        electorRunning = true;
        const campaign = elector.run().then(() => 'ended' as const);
        const stopped = new Promise<'stop'>((resolve) =>
          stop.aborted ? resolve('stop') : stop.addEventListener('abort', () => resolve('stop'), { once: true }),
        );
        const first = await Promise.race([campaign, stopped]);
        if (first === 'stop') {
          log.info('stop requested: stopping controllers, then releasing the lease');
          // Still leading while in-flight reconciles finish; then the lease goes.
          await stopLeading();
          await elector.stop();
        } else {
          // run() ended without stop(): leadership was lost. Another replica may already lead.
          reason = stop.aborted ? 'stopped' : 'lost-leadership';
          if (reason === 'lost-leadership') log.error('lost the lease: stopping controllers and exiting');
          await stopLeading();
          await elector.stop();
        }
        electorRunning = false;
      } else {
        startLeading(new AbortController().signal);
        await new Promise<void>((resolve) => (stop.aborted ? resolve() : stop.addEventListener('abort', () => resolve(), { once: true })));
        log.info('stop requested: stopping controllers');
        await stopLeading();
      }
    } finally {
      await recorder.close();
      await hub.stop();
      await probes.stop();
      unobserve();
      unwatchEventLoop();
      log.info({ reason }, 'govcloud operator stopped');
    }
    return reason;
  }
}
