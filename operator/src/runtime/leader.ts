// Leader election on a coordination.k8s.io/v1 Lease, because client-node has none and two
// operator replicas acting at once would fight over every object. It follows client-go's
// algorithm and controller-runtime's defaults (lease 15 s, renew deadline 10 s, retry 2 s):
// expiry is judged by when this replica last saw the lease change (its own clock), not by the
// holder's timestamps, and every write carries the resourceVersion read, so two candidates
// cannot both win. A leader that cannot renew within the renew deadline steps down on its own,
// before the lease runs out for the others; that is the fail-safe: never two leaders. On
// shutdown the leader clears the holder so that the next replica takes over at once.
// Every request on the Lease gives up after the renew deadline, as client-go's does: an answer
// that comes later no longer matters, and a candidate must never wait forever on one request.
import { systemClock, sleep, type Clock, type TimerHandle } from './clock.ts';
import { withDeadline } from './deadline.ts';
import type { ClusterClient } from './clusters.ts';
import { errorMessage, isNotFound } from './errors.ts';
import type { Logger } from './logger.ts';
import type { RuntimeMetrics } from './metrics.ts';

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

/** Reads and writes one Lease; create and update must fail (409) on a concurrent change. */
export interface LeaseStore {
  get(signal?: AbortSignal): Promise<StoredLease | undefined>;
  create(record: LeaseRecord, signal?: AbortSignal): Promise<StoredLease>;
  update(record: LeaseRecord, resourceVersion: string, signal?: AbortSignal): Promise<StoredLease>;
}

interface LeaseObject {
  metadata?: { resourceVersion?: string };
  spec?: LeaseRecord;
}

export function kubeLeaseStore(client: ClusterClient, lease: { namespace: string; name: string }): LeaseStore {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(lease.namespace)}/leases`;
  const path = `${collection}/${encodeURIComponent(lease.name)}`;
  const toStored = (obj: LeaseObject): StoredLease => ({
    record: obj.spec ?? {},
    resourceVersion: obj.metadata?.resourceVersion ?? '',
  });
  const body = (record: LeaseRecord, resourceVersion?: string) => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: lease.name, namespace: lease.namespace, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: record,
  });
  return {
    async get(signal) {
      try {
        return toStored(await client.request<LeaseObject>('GET', path, signal ? { signal } : {}));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async create(record, signal) {
      return toStored(await client.request<LeaseObject>('POST', collection, { body: body(record), ...(signal ? { signal } : {}) }));
    },
    async update(record, resourceVersion, signal) {
      return toStored(await client.request<LeaseObject>('PUT', path, { body: body(record, resourceVersion), ...(signal ? { signal } : {}) }));
    },
  };
}

export interface LeaderElectorOptions {
  /** The lease name, also the `name` label of leader_election_master_status. */
  name: string;
  /** Unique per replica, e.g. the pod name plus a random suffix. */
  identity: string;
  store: LeaseStore;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  metrics?: RuntimeMetrics;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /**
   * Start the controllers. `signal` aborts when leadership ends; anything still running then
   * must stop, because another replica may already be leading.
   */
  onStartedLeading(signal: AbortSignal): void;
  /** Stop the controllers; awaited before the lease is released on a graceful stop. */
  onStoppedLeading(): void | Promise<void>;
}

/** Lease timestamps are MicroTime. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

export class LeaderElector {
  readonly identity: string;
  private readonly opts: LeaderElectorOptions;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger | undefined;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly stopping = new AbortController();
  private leadership: AbortController | undefined;
  private deadlineTimer: TimerHandle | undefined;
  private observed: StoredLease | undefined;
  private observedAt = 0;
  private running: Promise<void> | undefined;
  /** What the step-down log reports: when the lease was last written, and what failed since. */
  private renewedAt = 0;
  private failuresSinceRenewal = 0;
  private lastFailure = '';
  private attemptStartedAt: number | undefined;

  constructor(opts: LeaderElectorOptions) {
    this.opts = opts;
    this.identity = opts.identity;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.log = opts.logger?.child({ lease: opts.name, identity: opts.identity });
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs) throw new Error('renew deadline must be shorter than the lease duration');
    this.setStatus(false);
  }

  isLeader(): boolean {
    return this.leadership !== undefined;
  }

  /**
   * Campaigns until elected, then renews until leadership is lost or stop() is called. It does
   * not campaign again after a loss: the process should exit and restart clean.
   */
  run(): Promise<void> {
    this.running ??= this.campaign();
    return this.running;
  }

  /** Stops campaigning; a leader stops its controllers, then releases the lease. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    if (!this.isLeader()) return;
    this.endLeadership();
    await this.opts.onStoppedLeading();
    await this.release();
  }

  private async campaign(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      // client-go's JitterUntil(retryPeriod, 1.2): candidates spread out instead of colliding.
      await sleep(this.clock, this.retryPeriodMs * (1 + this.random() * 1.2), this.stopping.signal);
    }
    if (this.stopping.signal.aborted) return;

    const leadership = new AbortController();
    this.leadership = leadership;
    this.setStatus(true);
    this.log?.info('became leader');
    this.armDeadline();
    this.opts.onStartedLeading(leadership.signal);

    while (!this.stopping.signal.aborted && !leadership.signal.aborted) {
      await sleep(this.clock, this.retryPeriodMs, AbortSignal.any([this.stopping.signal, leadership.signal]));
      if (this.stopping.signal.aborted || leadership.signal.aborted) break;
      // A renewal that completes after the deadline fired does not revive leadership.
      if ((await this.tryAcquireOrRenew()) && !leadership.signal.aborted) this.armDeadline();
    }
  }

  /** Leadership ends `renewDeadlineMs` after the last successful renewal unless renewed again. */
  private armDeadline(): void {
    if (this.deadlineTimer) this.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = this.clock.setTimeout(() => {
      const now = this.clock.now();
      this.log?.error(
        {
          sinceRenewalMs: now - this.renewedAt,
          failedAttempts: this.failuresSinceRenewal,
          ...(this.lastFailure ? { lastFailure: this.lastFailure } : {}),
          ...(this.attemptStartedAt === undefined ? {} : { attemptInFlightMs: now - this.attemptStartedAt }),
        },
        'failed to renew the lease within the renew deadline, stepping down',
      );
      this.endLeadership();
      Promise.resolve()
        .then(() => this.opts.onStoppedLeading())
        .catch((err: unknown) => this.log?.error({ err }, 'onStoppedLeading failed'));
    }, this.renewDeadlineMs);
  }

  private endLeadership(): void {
    if (this.deadlineTimer) this.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.leadership?.abort(new Error('leadership lost'));
    this.leadership = undefined;
    this.setStatus(false);
  }

  /** True when this replica holds the lease now; false when another does or the attempt failed. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    this.attemptStartedAt = now;
    try {
      const held = await withDeadline(this.renewDeadlineMs, this.stopping.signal, (signal) => this.acquireOrRenew(now, signal), this.clock);
      if (held) {
        const tookMs = this.clock.now() - now;
        if (this.isLeader() && tookMs > this.renewDeadlineMs / 2) {
          this.log?.warn({ tookMs, renewDeadlineMs: this.renewDeadlineMs }, 'renewing the lease took more than half the renew deadline');
        }
        this.renewedAt = now;
        this.failuresSinceRenewal = 0;
        this.lastFailure = '';
      }
      return held;
    } catch (err) {
      this.failuresSinceRenewal++;
      this.lastFailure = errorMessage(err);
      if (!this.stopping.signal.aborted) this.log?.warn({ err: this.lastFailure, tookMs: this.clock.now() - now }, 'could not acquire or renew the lease');
      return false;
    } finally {
      this.attemptStartedAt = undefined;
    }
  }

  private async acquireOrRenew(now: number, signal: AbortSignal): Promise<boolean> {
    const desired: LeaseRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    // Fast path, as client-go: the leader renews on the version it last wrote, with no read.
    if (this.isLeader() && this.observed?.record.holderIdentity === this.identity) {
      try {
        const prev = this.observed.record;
        this.observe(
          await this.opts.store.update(
            { ...desired, acquireTime: prev.acquireTime, leaseTransitions: prev.leaseTransitions ?? 0 },
            this.observed.resourceVersion,
            signal,
          ),
          now,
        );
        return true;
      } catch (err) {
        if (signal.aborted) throw err;
        this.log?.warn({ err: errorMessage(err) }, 'optimistic lease renewal failed, reading the lease');
      }
    }
    const current = await this.opts.store.get(signal);
    if (!current) {
      this.observe(await this.opts.store.create(desired, signal), now);
      return true;
    }
    if (!this.observed || JSON.stringify(current.record) !== JSON.stringify(this.observed.record)) {
      this.observe(current, now);
    }
    const holder = current.record.holderIdentity ?? '';
    const durationMs = (current.record.leaseDurationSeconds ?? 0) * 1000;
    if (holder !== '' && holder !== this.identity && this.observedAt + durationMs > now) return false;
    if (holder === this.identity) {
      desired.acquireTime = current.record.acquireTime;
      desired.leaseTransitions = current.record.leaseTransitions ?? 0;
    } else {
      desired.leaseTransitions = (current.record.leaseTransitions ?? 0) + 1;
    }
    this.observe(await this.opts.store.update(desired, current.resourceVersion, signal), now);
    return true;
  }

  private observe(lease: StoredLease, now: number): void {
    if (lease.record.holderIdentity !== this.observed?.record.holderIdentity) {
      this.log?.info({ holder: lease.record.holderIdentity || '(none)' }, 'lease holder observed');
    }
    this.observed = lease;
    this.observedAt = now;
  }

  /** Clears the holder, so the next candidate does not wait for the lease to expire. */
  private async release(): Promise<void> {
    if (this.observed?.record.holderIdentity !== this.identity) return;
    const now = this.clock.now();
    const observed = this.observed;
    try {
      await withDeadline(
        this.renewDeadlineMs,
        undefined,
        (signal) =>
          this.opts.store.update(
            {
              holderIdentity: '',
              leaseDurationSeconds: 1,
              acquireTime: microTime(now),
              renewTime: microTime(now),
              leaseTransitions: observed.record.leaseTransitions ?? 0,
            },
            observed.resourceVersion,
            signal,
          ),
        this.clock,
      );
      this.log?.info('released the lease');
    } catch (err) {
      this.log?.warn({ err: errorMessage(err) }, 'could not release the lease; it will expire');
    }
  }

  private setStatus(leading: boolean): void {
    this.opts.metrics?.leaderStatus.set({ name: this.opts.name }, leading ? 1 : 0);
  }
}
