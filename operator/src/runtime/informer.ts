// A list-and-watch cache of one kind in one cluster that never silently stops. client-node's
// own informer gives up on any error other than 410 and leaves restarting to the caller
// (Pepr's watches died that way); this one lists, watches from the list's resourceVersion
// with bookmarks, relists on 410 Gone, and reconnects after any error or closed watch with
// capped, jittered exponential backoff. Its status (synced, connected, last error) feeds
// /readyz, and its handlers turn events into queue keys: controllers reconcile by key, never
// by event.
import { systemClock, sleep, type Clock } from './clock.ts';
import { errorMessage, isGone } from './errors.ts';
import { matchesSelector, type LabelSelector } from './labels.ts';
import type { Logger } from './logger.ts';
import { ObjectStore } from './object-store.ts';
import type { KubernetesObject } from '@kubernetes/client-node';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ListPage<T> {
  items: T[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export interface WatchHandle {
  abort(): void;
}

/** Where an informer gets its data; list-watch.ts implements it over the API server. */
export interface ListWatchSource<T> {
  list(opts: { limit: number; continue?: string; signal: AbortSignal }): Promise<ListPage<T>>;
  /**
   * Watches from `resourceVersion`. `onDone` is called once when the watch ends for any reason
   * (`null` for a clean close); the promise resolves once the watch is established.
   */
  watch(resourceVersion: string, onEvent: (type: string, object: unknown) => void, onDone: (err: unknown) => void): Promise<WatchHandle>;
}

export interface InformerHandlers<T> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface InformerStatus {
  synced: boolean;
  connected: boolean;
  resourceVersion: string;
  lastError?: string;
  lastErrorAt?: number;
  /** When the watch was last lost; undefined while connected. */
  disconnectedSince?: number;
  relists: number;
  reconnects: number;
}

export interface InformerOptions<T> {
  /** For logs and health output, e.g. `dc1/tenants`. */
  name: string;
  source: ListWatchSource<T>;
  clock?: Clock;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  logger?: Logger;
  backoff?: { initialMs?: number; maxMs?: number };
  /** A watch that lasted this long or delivered an event resets the backoff. */
  healthyAfterMs?: number;
  pageSize?: number;
  /**
   * What the cache keeps of each object, applied as it arrives (as client-go's
   * SetTransform): caches of thousands of objects hold only what their readers use.
   */
  transform?: (obj: T) => T;
}

type WatchOutcome = { error?: unknown; gone: boolean; healthy: boolean };

export class Informer<T extends KubernetesObject> {
  readonly name: string;
  private readonly source: ListWatchSource<T>;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger | undefined;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly healthyAfterMs: number;
  private readonly pageSize: number;
  private readonly transform: (obj: T) => T;

  private readonly store = new ObjectStore<T>();
  private readonly handlers = new Set<InformerHandlers<T>>();
  private readonly stopping = new AbortController();
  private readonly syncWaiters = new Set<() => void>();
  private loop: Promise<void> | undefined;
  private watchHandle: WatchHandle | undefined;
  private failures = 0;
  private state: InformerStatus;

  constructor(opts: InformerOptions<T>) {
    this.name = opts.name;
    this.source = opts.source;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.log = opts.logger?.child({ informer: opts.name });
    this.initialBackoffMs = opts.backoff?.initialMs ?? 800;
    this.maxBackoffMs = opts.backoff?.maxMs ?? 30_000;
    this.healthyAfterMs = opts.healthyAfterMs ?? 1000;
    this.pageSize = opts.pageSize ?? 500;
    this.transform = opts.transform ?? ((obj) => obj);
    this.state = {
      synced: false,
      connected: false,
      resourceVersion: '',
      disconnectedSince: this.clock.now(),
      relists: 0,
      reconnects: 0,
    };
  }

  /**
   * Registers handlers and returns a function that removes them. Handlers added after the
   * initial list receive an `add` for every cached object, so no object is missed. Objects
   * passed to handlers are the cached ones: treat them as read-only.
   */
  addHandlers(handlers: InformerHandlers<T>): () => void {
    this.handlers.add(handlers);
    if (this.state.synced && handlers.add) for (const obj of this.store.values()) this.call(() => handlers.add?.(obj));
    return () => this.handlers.delete(handlers);
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.watchHandle?.abort();
    await this.loop;
    for (const wake of this.syncWaiters) wake();
  }

  hasSynced(): boolean {
    return this.state.synced;
  }

  /** Resolves true once the initial list is in the cache, false if stopped or aborted first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.state.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (): void => {
        this.syncWaiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve(this.state.synced);
      };
      this.syncWaiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  status(): InformerStatus {
    return { ...this.state };
  }

  /**
   * Synced, and watching (or reconnecting for less than `maxDisconnectedMs`): brief
   * reconnects are normal, a watch that stays down means the cache is going stale.
   */
  isHealthy(maxDisconnectedMs = 60_000): boolean {
    const { synced, connected, disconnectedSince } = this.state;
    if (!synced) return false;
    return connected || disconnectedSince === undefined || this.clock.now() - disconnectedSince < maxDisconnectedMs;
  }

  /** `namespace` is '' or undefined for cluster-scoped objects. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace, name);
  }

  list(namespace?: string): T[] {
    const all = [...this.store.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata?.namespace ?? '') === namespace);
  }

  listBySelector(selector: LabelSelector, namespace?: string): T[] {
    return this.list(namespace).filter((o) => matchesSelector(o.metadata?.labels, selector));
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      if (!this.state.resourceVersion) {
        try {
          await this.relist();
        } catch (err) {
          this.recordError('list failed', err);
          await this.backoff();
          continue;
        }
      }
      const outcome = await this.watchOnce();
      if (this.stopping.signal.aborted) break;
      this.state.reconnects++;
      if (outcome.gone) {
        this.log?.info('watch expired (410 Gone), relisting');
        this.state.resourceVersion = '';
      }
      if (outcome.error !== undefined) this.recordError('watch failed', outcome.error);
      if (outcome.healthy) this.failures = 0;
      if (outcome.error !== undefined || !outcome.healthy) await this.backoff();
    }
  }

  private async relist(): Promise<void> {
    const items: T[] = [];
    let page: ListPage<T> | undefined;
    let cont: string | undefined;
    do {
      const signal = this.stopping.signal;
      page = await this.source.list(cont === undefined ? { limit: this.pageSize, signal } : { limit: this.pageSize, continue: cont, signal });
      for (const item of page.items) items.push(this.transform(item));
      cont = page.metadata?.continue || undefined;
    } while (cont !== undefined && !this.stopping.signal.aborted);
    if (this.stopping.signal.aborted) return;
    this.replace(items);
    this.state.resourceVersion = page.metadata?.resourceVersion ?? '';
    this.state.relists++;
    if (!this.state.synced) {
      this.state.synced = true;
      this.log?.info({ objects: items.length }, 'cache synced');
      for (const wake of this.syncWaiters) wake();
    }
  }

  /** Makes the store equal to a fresh list, emitting only real differences. */
  private replace(items: T[]): void {
    const held = new Set<T>();
    for (const obj of items) held.add(this.upsert(obj));
    const gone = [...this.store.values()].filter((obj) => !held.has(obj));
    for (const obj of gone) {
      this.store.delete(obj.metadata?.namespace, obj.metadata?.name ?? '');
      this.emitDelete(obj);
    }
  }

  /**
   * Stores `obj` unless the cached copy is the same version, and returns the copy held: the
   * one handlers were given, which indexes built on them (the members' owner index) hold.
   */
  private upsert(obj: T): T {
    const cached = this.store.get(obj.metadata?.namespace, obj.metadata?.name ?? '');
    if (cached && cached.metadata?.resourceVersion === obj.metadata?.resourceVersion) return cached;
    this.store.set(obj);
    if (cached) this.emitUpdate(cached, obj);
    else this.emitAdd(obj);
    return obj;
  }

  private watchOnce(): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      const startedAt = this.clock.now();
      let finished = false;
      let connected = false;
      let events = 0;
      let gone = false;
      let statusError: unknown;
      const finish = (err: unknown): void => {
        if (finished) return;
        finished = true;
        this.stopping.signal.removeEventListener('abort', onStop);
        this.watchHandle?.abort();
        this.watchHandle = undefined;
        this.state.connected = false;
        this.state.disconnectedSince ??= this.clock.now();
        const lived = this.clock.now() - startedAt;
        const healthy = connected && (events > 0 || lived >= this.healthyAfterMs);
        const error = statusError ?? err ?? undefined;
        // The client ends a quiet watch after an inactivity timeout: that is a normal close.
        const normalClose = connected && isTimeout(error);
        resolve({
          gone: gone || isGone(error),
          healthy,
          ...(error === undefined || normalClose || isGone(error) ? {} : { error }),
        });
      };
      // Sources need not report a close that we caused ourselves.
      const onStop = (): void => finish(null);
      this.stopping.signal.addEventListener('abort', onStop, { once: true });
      const onEvent = (type: string, object: unknown): void => {
        if (finished) return;
        events++;
        if (type === 'ERROR') {
          if (isGone(object)) gone = true;
          else statusError = statusToError(object);
          finish(null);
          return;
        }
        this.apply(type as WatchEventType, object as T);
      };
      this.source.watch(this.state.resourceVersion, onEvent, finish).then(
        (handle) => {
          if (finished || this.stopping.signal.aborted) {
            handle.abort();
            finish(null);
            return;
          }
          this.watchHandle = handle;
          connected = true;
          this.state.connected = true;
          delete this.state.disconnectedSince;
        },
        (err: unknown) => finish(err),
      );
    });
  }

  private apply(type: WatchEventType, obj: T): void {
    const rv = obj?.metadata?.resourceVersion;
    if (type === 'BOOKMARK') {
      if (rv) this.state.resourceVersion = rv;
      return;
    }
    if (!obj?.metadata?.name) return;
    if (type === 'DELETED') {
      const cached = this.store.delete(obj.metadata.namespace, obj.metadata.name);
      if (cached) this.emitDelete(cached);
    } else {
      this.upsert(this.transform(obj));
    }
    if (rv) this.state.resourceVersion = rv;
  }

  private async backoff(): Promise<void> {
    this.failures++;
    const ceiling = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (this.failures - 1));
    // Half fixed, half random: replicas restarted together do not reconnect in lockstep.
    const delay = ceiling / 2 + (this.random() * ceiling) / 2;
    await sleep(this.clock, delay, this.stopping.signal);
  }

  /**
   * The same failure again (an add-on's API a data centre does not serve answers 404 at every
   * retry) is logged once as a warning, its repeats at debug: its status and the DataCentre's
   * condition keep saying it, and a warning repeated forever teaches people to skip warnings.
   */
  private recordError(what: string, err: unknown): void {
    const error = `${what}: ${errorMessage(err)}`;
    const repeated = this.failures > 0 && error === this.state.lastError;
    this.state.lastError = error;
    this.state.lastErrorAt = this.clock.now();
    if (repeated) this.log?.debug({ err, failures: this.failures + 1 }, what);
    else this.log?.warn({ err, failures: this.failures + 1 }, what);
  }

  private emitAdd(obj: T): void {
    for (const h of this.handlers) this.call(() => h.add?.(obj));
  }

  private emitUpdate(oldObj: T, newObj: T): void {
    for (const h of this.handlers) this.call(() => h.update?.(oldObj, newObj));
  }

  private emitDelete(obj: T): void {
    for (const h of this.handlers) this.call(() => h.delete?.(obj));
  }

  /** A throwing handler must not stop the informer or starve the other handlers. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log?.error({ err }, 'informer event handler threw');
    }
  }
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

function statusToError(status: unknown): Error {
  const s = (status ?? {}) as { message?: string; reason?: string; code?: number };
  const err = new Error(`watch error event: ${s.reason ?? 'Unknown'}: ${s.message ?? ''}`.trim()) as Error & {
    code?: number;
  };
  if (typeof s.code === 'number') err.code = s.code;
  return err;
}

/** Handlers that enqueue the keys `mapper` returns for every added, updated or deleted object. */
export function enqueueHandlers<T>(enqueue: (key: string) => void, mapper: (obj: T) => string[]): InformerHandlers<T> {
  const each = (obj: T): void => {
    for (const key of mapper(obj)) enqueue(key);
  };
  return {
    add: each,
    update: (oldObj, newObj) => {
      // The old object's keys too: a label change can move an owned object to another owner.
      const keys = new Set([...mapper(oldObj), ...mapper(newObj)]);
      for (const key of keys) enqueue(key);
    },
    delete: each,
  };
}
