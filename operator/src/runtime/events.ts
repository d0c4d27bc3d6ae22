// Kubernetes Events (events.k8s.io/v1) so that `kubectl describe` shows what the operator did
// and why it failed: Normal when it changed something, Warning on every failure. Repeats of
// the same event are folded into a series, as client-go's recorder does, so a controller stuck
// in a retry loop writes one Event plus at most one series update per flush interval instead
// of one object per attempt. Recording is best effort: it never throws into a reconcile.
import type { KubernetesObject } from '@kubernetes/client-node';
import { NOTE_BYTES, truncateBytes } from './bounded.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import type { ClusterClient } from './clusters.ts';
import type { Logger } from './logger.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventSeries {
  count: number;
  lastObservedTime: string;
}

export interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  uid?: string;
}

export interface EventV1 {
  apiVersion: 'events.k8s.io/v1';
  kind: 'Event';
  metadata: { name: string; namespace: string };
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  regarding: ObjectReference;
  note: string;
  type: EventType;
  series?: EventSeries;
}

export interface EventSink {
  create(event: EventV1): Promise<void>;
  updateSeries(namespace: string, name: string, series: EventSeries): Promise<void>;
}

export function kubeEventSink(client: ClusterClient): EventSink {
  const base = (ns: string): string => `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/events`;
  return {
    async create(event) {
      await client.request('POST', base(event.metadata.namespace), { body: event });
    },
    async updateSeries(namespace, name, series) {
      await client.request('PATCH', `${base(namespace)}/${encodeURIComponent(name)}`, {
        contentType: 'application/merge-patch+json',
        body: { series },
      });
    },
  };
}

/** MicroTime: RFC 3339 with microseconds, which eventTime requires. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

interface SeriesState {
  namespace: string;
  name: string;
  count: number;
  lastObserved: number;
  flushedCount: number;
  flushTimer: TimerHandle | undefined;
}

export interface EventRecorderOptions {
  sink: EventSink;
  /** reportingController, e.g. `govcloud.io/tenant-controller`. */
  controller: string;
  /** reportingInstance, e.g. the pod name. */
  instance: string;
  clock?: Clock;
  logger?: Logger;
  /** A repeat after this long without one starts a new Event (client-go: 6 minutes). */
  seriesWindowMs?: number;
  /** Series counts are written at most this often per series. */
  flushIntervalMs?: number;
  /** Bounds memory for objects that come and go. */
  maxSeries?: number;
}

export class EventRecorder {
  private readonly sink: EventSink;
  private readonly controller: string;
  private readonly instance: string;
  private readonly clock: Clock;
  private readonly log: Logger | undefined;
  private readonly seriesWindowMs: number;
  private readonly flushIntervalMs: number;
  private readonly maxSeries: number;
  private readonly series = new Map<string, SeriesState>();
  private sequence = 0;

  constructor(opts: EventRecorderOptions) {
    this.sink = opts.sink;
    this.controller = opts.controller;
    this.instance = opts.instance;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger;
    this.seriesWindowMs = opts.seriesWindowMs ?? 6 * 60_000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 30_000;
    this.maxSeries = opts.maxSeries ?? 4096;
  }

  normal(regarding: KubernetesObject, reason: string, action: string, note: string): Promise<void> {
    return this.record('Normal', regarding, reason, action, note);
  }

  warning(regarding: KubernetesObject, reason: string, action: string, note: string): Promise<void> {
    return this.record('Warning', regarding, reason, action, note);
  }

  /** Resolves when the event is written or folded into a series; never rejects. */
  async record(type: EventType, regarding: KubernetesObject, reason: string, action: string, note: string): Promise<void> {
    const ref = referenceOf(regarding);
    const trimmed = truncateBytes(note, NOTE_BYTES);
    const key = JSON.stringify([ref.uid ?? '', ref.kind, ref.namespace, ref.name, type, reason, action, trimmed]);
    const now = this.clock.now();
    const existing = this.series.get(key);
    if (existing && now - existing.lastObserved < this.seriesWindowMs) {
      existing.count++;
      existing.lastObserved = now;
      this.scheduleFlush(existing);
      return;
    }
    if (existing) this.drop(key, existing);
    const namespace = ref.namespace || 'default';
    const name = `${ref.name ?? 'object'}.${(BigInt(now) * 1_000_000n + BigInt(this.sequence++ % 1_000_000)).toString(16)}`;
    const state: SeriesState = { namespace, name, count: 1, lastObserved: now, flushedCount: 1, flushTimer: undefined };
    this.series.set(key, state);
    this.evictOldest();
    try {
      await this.sink.create({
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace },
        eventTime: microTime(now),
        reportingController: this.controller,
        reportingInstance: this.instance,
        action,
        reason,
        regarding: ref,
        note: trimmed,
        type,
      });
    } catch (err) {
      this.series.delete(key);
      this.log?.warn({ err, reason, object: `${namespace}/${ref.name}` }, 'could not record event');
    }
  }

  /** Writes every pending series count now (for shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.series.values()].map((s) => this.flushSeries(s)));
  }

  /** Flushes and forgets all series; pending timers are cancelled. */
  async close(): Promise<void> {
    await this.flush();
    for (const [key, s] of this.series) this.drop(key, s);
  }

  private scheduleFlush(state: SeriesState): void {
    if (state.flushTimer) return;
    state.flushTimer = this.clock.setTimeout(() => {
      state.flushTimer = undefined;
      void this.flushSeries(state);
    }, this.flushIntervalMs);
  }

  private async flushSeries(state: SeriesState): Promise<void> {
    if (state.flushTimer) {
      this.clock.clearTimeout(state.flushTimer);
      state.flushTimer = undefined;
    }
    if (state.count === state.flushedCount) return;
    const count = state.count;
    state.flushedCount = count;
    try {
      await this.sink.updateSeries(state.namespace, state.name, { count, lastObservedTime: microTime(state.lastObserved) });
    } catch (err) {
      this.log?.warn({ err, event: `${state.namespace}/${state.name}` }, 'could not update event series');
    }
  }

  private drop(key: string, state: SeriesState): void {
    if (state.flushTimer) this.clock.clearTimeout(state.flushTimer);
    this.series.delete(key);
  }

  private evictOldest(): void {
    while (this.series.size > this.maxSeries) {
      const [key, state] = this.series.entries().next().value as [string, SeriesState];
      this.drop(key, state);
    }
  }
}

function referenceOf(obj: KubernetesObject): ObjectReference {
  const ref: ObjectReference = {};
  if (obj.apiVersion) ref.apiVersion = obj.apiVersion;
  if (obj.kind) ref.kind = obj.kind;
  if (obj.metadata?.name) ref.name = obj.metadata.name;
  if (obj.metadata?.namespace) ref.namespace = obj.metadata.namespace;
  if (obj.metadata?.uid) ref.uid = obj.metadata.uid;
  return ref;
}
