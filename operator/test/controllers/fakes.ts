// In-memory API servers for the controller tests: a hub holding the govcloud kinds and
// Secrets, and data centre clusters holding the rendered kinds. Both feed the runtime's real
// informers through list/watch, take the controllers' writes (server-side apply as a merge of
// the applied fields; status through the status client; finalizers with deletion held until
// they are gone) and log every write, so tests can assert "no write in steady state".
import { Writable } from 'node:stream';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Agency, DataCentre } from '../../src/api/index.ts';
import type { Connector } from '../../src/controllers/connector.ts';
import type { CredentialRenewer } from '../../src/controllers/credentials.ts';
import { OperatorCore } from '../../src/controllers/core.ts';
import { HubCache } from '../../src/controllers/hub.ts';
import type { MemberTransport } from '../../src/controllers/members.ts';
import type { FoundRole } from '../../src/controllers/platform-roles.ts';
import { platformClusterRoles } from '../../src/render/index.ts';
import { PlatformMetrics } from '../../src/controllers/metrics.ts';
import { kindKey, resourceOf } from '../../src/controllers/resources.ts';
import type { HubWriter } from '../../src/controllers/writer.ts';
import {
  createLogger,
  EventRecorder,
  matchesSelector,
  RuntimeMetrics,
  type EventV1,
  type LabelSelector,
  type ListWatchSource,
  type ObjectWriter,
  withServerDefaults,
} from '../../src/runtime/index.ts';
import { FakeClock, settle } from '../runtime/fake-clock.ts';
import { applied, mergePatch, updated } from './field-manager.ts';

export type Obj = KubernetesObject & { spec?: any; status?: any; [k: string]: unknown };

const idOf = (o: KubernetesObject) => `${kindKey(o)}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** One API server's objects, of every kind, with watches. */
export class MemoryServer {
  private readonly objects = new Map<string, Obj>();
  private readonly watchers = new Set<{ kind: string; selector?: LabelSelector; namespace?: string; fn: (type: string, obj: unknown) => void }>();
  private rv = 1;
  private uid = 1;
  /** Watch events not yet delivered, while a test holds them (a watch lagging behind writes). */
  private held: (() => void)[] | undefined;
  /** Refuses every request, as a dark data centre does. */
  dark = false;
  /** Kinds (`group/Kind`) the server does not serve: their CRD is not installed (404). */
  readonly absent = new Set<string>();
  readonly clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  source(resource: { apiVersion: string; kind: string }, opts: { selector?: LabelSelector; namespace?: string } = {}): ListWatchSource<KubernetesObject> {
    const kind = kindKey(resource);
    const matches = (o: Obj) =>
      kindKey(o) === kind &&
      (!opts.namespace || o.metadata?.namespace === opts.namespace) &&
      (!opts.selector || matchesSelector(o.metadata?.labels, opts.selector));
    return {
      list: async () => {
        if (this.dark) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        if (this.absent.has(kind)) throw Object.assign(new Error('the server could not find the requested resource'), { code: 404 });
        return { items: [...this.objects.values()].filter(matches).map((o) => structuredClone(o)), metadata: { resourceVersion: String(this.rv) } };
      },
      watch: async (_rv, onEvent, onDone) => {
        if (this.dark) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        if (this.absent.has(kind)) throw Object.assign(new Error('the server could not find the requested resource'), { code: 404 });
        const w = {
          kind,
          ...(opts.selector ? { selector: opts.selector } : {}),
          ...(opts.namespace ? { namespace: opts.namespace } : {}),
          fn: onEvent,
          done: onDone,
        };
        this.watchers.add(w);
        return { abort: () => this.watchers.delete(w) };
      },
    };
  }

  /** Delays every watch event until the returned function is called: the watchers' caches go stale. */
  holdEvents(): () => void {
    const held: (() => void)[] = (this.held = []);
    return () => {
      this.held = undefined;
      for (const deliver of held) deliver();
    };
  }

  /** Drops every watch (their clients reconnect), as an API server going away does. */
  dropWatches(): void {
    for (const w of [...this.watchers]) {
      this.watchers.delete(w);
      (w as unknown as { done: (err: unknown) => void }).done(new Error('connection reset'));
    }
  }

  get(o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }): Obj | undefined {
    return this.objects.get(idOf(o as KubernetesObject));
  }

  list(kind: string, namespace?: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.kind === kind && (namespace === undefined || o.metadata?.namespace === namespace));
  }

  all(): Obj[] {
    return [...this.objects.values()];
  }

  /** Stores an object as a client write would (spec changes bump generation). */
  put(obj: Obj): Obj {
    const id = idOf(obj);
    const old = this.objects.get(id);
    const metadata: Record<string, any> = { ...obj.metadata };
    metadata.uid = old?.metadata?.uid ?? `uid-${this.uid++}`;
    metadata.creationTimestamp = old?.metadata?.creationTimestamp ?? new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    metadata.resourceVersion = String(++this.rv);
    const specChanged = !old || JSON.stringify(old.spec) !== JSON.stringify(obj.spec);
    metadata.generation = (old?.metadata?.generation ?? 0) + (specChanged ? 1 : 0);
    if (obj.kind === 'Namespace') metadata.labels = { ...metadata.labels, 'kubernetes.io/metadata.name': metadata.name! };
    const stored: Obj = { ...obj, metadata };
    if (stored.metadata?.deletionTimestamp && !stored.metadata.finalizers?.length) {
      this.remove(stored);
      return stored;
    }
    this.objects.set(id, stored);
    this.emit(old, stored);
    return stored;
  }

  /**
   * A client's write as the API server takes it: defaulted, and not stored at all (no new
   * resourceVersion, no watch event) when it changes nothing.
   */
  write(obj: Obj): Obj {
    const stored = withServerDefaults(obj);
    const old = this.get(stored);
    const comparable = (o: Obj) =>
      JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined, generation: undefined, uid: undefined, creationTimestamp: undefined } });
    if (old && comparable(old) === comparable(stored)) return old;
    return this.put(stored);
  }

  /**
   * Someone else's write, as `kubectl patch --type merge` by `manager`: the fields it changes
   * become that manager's (the operator's apply cannot remove them).
   */
  tamper(
    o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } },
    patch: Record<string, unknown>,
    manager = 'kubectl-patch',
  ): Obj {
    const live = this.get(o);
    if (!live) throw new Error(`no ${o.kind} ${o.metadata?.name}`);
    return this.write(updated(live, mergePatch(live as Record<string, unknown>, patch) as Obj, manager));
  }

  /** kubectl delete: gone at once, or marked while finalizers remain. */
  delete(o: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }): void {
    const live = this.get(o);
    if (!live) return;
    if (live.metadata?.finalizers?.length) {
      if (!live.metadata.deletionTimestamp)
        this.put({ ...live, metadata: { ...live.metadata, deletionTimestamp: new Date(this.clock.now()).toISOString() as unknown as Date } });
      return;
    }
    this.remove(live);
  }

  private remove(obj: Obj): void {
    const id = idOf(obj);
    const old = this.objects.get(id);
    if (!old) return;
    this.objects.delete(id);
    // Deleting a namespace deletes what is in it.
    if (old.kind === 'Namespace') for (const o of this.all()) if (o.metadata?.namespace === old.metadata?.name) this.remove(o);
    this.emit(old, undefined);
  }

  private emit(old: Obj | undefined, obj: Obj | undefined): void {
    if (this.held) {
      this.held.push(() => this.emit(old, obj));
      return;
    }
    for (const w of this.watchers) {
      const match = (o: Obj | undefined) =>
        o !== undefined &&
        kindKey(o) === w.kind &&
        (!w.namespace || o.metadata?.namespace === w.namespace) &&
        (!w.selector || matchesSelector(o.metadata?.labels, w.selector));
      const was = match(old);
      const is = match(obj);
      if (is) w.fn(was ? 'MODIFIED' : 'ADDED', structuredClone(obj));
      else if (was) w.fn('DELETED', structuredClone(old));
    }
  }
}

/** A data centre's cluster: a memory server, a logged writer, a probe. */
export class MemoryCluster {
  readonly name: string;
  readonly server: MemoryServer;
  readonly writes: string[] = [];
  /** Writes fail while set, though the cluster answers reads. */
  failWrites = false;
  /** While set, every write waits for it (a slow data centre). */
  gate: Promise<void> | undefined;
  /** Writes that have started. */
  started = 0;
  private thaw: { promise: Promise<void>; resolve: () => void } | undefined;
  /** The govcloud ClusterRoles its probe finds: as the chart installs them, unless a test changes them. */
  platformRoles: Record<string, FoundRole> = Object.fromEntries(platformClusterRoles().map((r) => [r.metadata.name, { rules: structuredClone(r.rules) }]));

  constructor(name: string, clock: FakeClock) {
    this.name = name;
    this.server = new MemoryServer(clock);
  }

  /** While set, writes and probes are accepted and not answered until it is cleared (SIGSTOP, SIGCONT). */
  set frozen(value: boolean) {
    if (value) {
      let resolve!: () => void;
      this.thaw ??= { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
    } else {
      this.thaw?.resolve();
      this.thaw = undefined;
    }
  }

  get frozen(): boolean {
    return this.thaw !== undefined;
  }

  set dark(value: boolean) {
    this.server.dark = value;
    if (value) this.server.dropWatches();
  }

  get dark(): boolean {
    return this.server.dark;
  }

  transport(): MemberTransport {
    const refuse = () => {
      if (this.server.dark) throw new Error(`dial tcp ${this.name}: connect: connection refused`);
    };
    const hangWhileFrozen = (signal: AbortSignal): Promise<void> => {
      const thaw = this.thaw;
      if (!thaw) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const fail = () => reject(new Error('This operation was aborted'));
        if (signal.aborted) return fail();
        signal.addEventListener('abort', fail, { once: true });
        void thaw.promise.then(() => {
          signal.removeEventListener('abort', fail);
          resolve();
        });
      });
    };
    const writerFor = (signal: AbortSignal): ObjectWriter => ({
      apply: async (obj, fieldManager) => {
        this.started++;
        await hangWhileFrozen(signal);
        if (this.gate) await this.gate;
        if (signal.aborted) throw new Error('This operation was aborted');
        refuse();
        if (this.failWrites) throw new Error('the server is currently unable to handle the request');
        if (!resourceOf(obj) || this.server.absent.has(kindKey(obj))) throw Object.assign(new Error(`no resource for ${obj.kind}`), { code: 404 });
        if (obj.metadata?.namespace && !this.server.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: obj.metadata.namespace } })) {
          throw Object.assign(new Error(`namespaces "${obj.metadata.namespace}" not found`), { code: 404 });
        }
        this.writes.push(`apply ${obj.kind} ${obj.metadata?.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata?.name}`);
        this.server.write(applied(this.server.get(obj), obj as Obj, fieldManager));
      },
      replace: async (obj, fieldManager) => {
        await hangWhileFrozen(signal);
        if (signal.aborted) throw new Error('This operation was aborted');
        refuse();
        if (this.failWrites) throw new Error('the server is currently unable to handle the request');
        const live = this.server.get(obj);
        if (!live) throw Object.assign(new Error(`${obj.kind} ${obj.metadata?.name} not found`), { code: 404 });
        if (obj.metadata?.resourceVersion !== live.metadata?.resourceVersion) throw Object.assign(new Error('the object has been modified'), { code: 409 });
        this.writes.push(`replace ${obj.kind} ${obj.metadata?.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata?.name}`);
        const { resourceVersion: _rv, ...metadata } = obj.metadata ?? {};
        this.server.write(updated(live, { ...(obj as Obj), metadata: { ...live.metadata, ...metadata } }, fieldManager));
      },
      delete: async (obj) => {
        await hangWhileFrozen(signal);
        if (signal.aborted) throw new Error('This operation was aborted');
        refuse();
        if (this.failWrites) throw new Error('the server is currently unable to handle the request');
        this.writes.push(`delete ${obj.kind} ${obj.metadata?.namespace ? obj.metadata.namespace + '/' : ''}${obj.metadata?.name}`);
        this.server.delete(obj);
      },
    });
    return {
      source: (resource, selector) =>
        this.server.source(resource, { ...(selector ? { selector } : {}), ...(resource.namespace ? { namespace: resource.namespace } : {}) }),
      writer: (signal) => writerFor(signal),
      probe: async (signal) => {
        await hangWhileFrozen(signal);
        refuse();
        return { version: 'v1.37.2', readyNodes: 3, platformRoles: this.platformRoles };
      },
    };
  }

  has(kind: string, namespace: string | undefined, name: string): boolean {
    return this.server.all().some((o) => o.kind === kind && (o.metadata?.namespace ?? undefined) === namespace && o.metadata?.name === name);
  }

  ownedBy(owner: string): Obj[] {
    return this.server.all().filter((o) => o.metadata?.labels?.['govcloud.dev/owner'] === owner);
  }
}

const API = 'govcloud.dev/v1alpha1';

export interface Harness {
  clock: FakeClock;
  /** Aborts when leadership is lost (the controllers' fence). */
  leadership: AbortController;
  hub: MemoryServer;
  /** The operator's cache of the hub: what its controllers read. */
  hubCache: HubCache;
  clusters: Map<string, MemoryCluster>;
  core: OperatorCore;
  events: EventV1[];
  statusWrites: string[];
  metrics: RuntimeMetrics;
  /** Lets time pass (timers fire, promises settle). */
  run(ms?: number): Promise<void>;
  stop(): Promise<void>;
  apply(obj: Obj): Obj;
  remove(obj: Obj): void;
  agency(name: string): Obj | undefined;
  cluster(name: string): MemoryCluster;
  /** All writes to data centres and the hub since the last call. */
  takeWrites(): string[];
}

/** A running OperatorCore over memory servers: a hub (dc-hanoi) and member clusters. */
export async function harness(
  opts: {
    clusters?: string[];
    objects?: Obj[];
    credentials?: CredentialRenewer;
    /** Kinds (`group/Kind`) a cluster does not serve from the start. */ absent?: Record<string, string[]>;
  } = {},
): Promise<Harness> {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const hub = new MemoryServer(clock);
  const names = opts.clusters ?? ['dc-hanoi', 'dc-hcm', 'dc-danang'];
  const clusters = new Map(names.map((n) => [n, new MemoryCluster(n, clock)]));
  for (const [name, kinds] of Object.entries(opts.absent ?? {})) for (const k of kinds) clusters.get(name)?.server.absent.add(k);
  const statusWrites: string[] = [];
  const events: EventV1[] = [];
  const metrics = new RuntimeMetrics();
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  for (const o of opts.objects ?? []) hub.put(o);

  const hubCache = new HubCache({ namespace: 'govcloud-system', clock, logger, sources: (r, { namespace }) => hub.source(r, namespace ? { namespace } : {}) });
  const hubWriter: HubWriter = {
    async applyStatus(target, status) {
      const live = hub.get({ apiVersion: target.apiVersion, kind: target.kind, metadata: target.metadata });
      if (!live) throw Object.assign(new Error('not found'), { code: 404 });
      statusWrites.push(`${target.kind} ${target.metadata.namespace ? target.metadata.namespace + '/' : ''}${target.metadata.name}`);
      hub.put({ ...live, status: structuredClone(status) });
    },
    async setFinalizers(target, finalizers) {
      const live = hub.get({ apiVersion: target.apiVersion, kind: target.kind, metadata: target.metadata });
      if (!live) throw Object.assign(new Error('not found'), { code: 404 });
      if (target.metadata.resourceVersion && target.metadata.resourceVersion !== live.metadata?.resourceVersion) {
        throw Object.assign(new Error('the object has been modified'), { code: 409 });
      }
      statusWrites.push(`finalizers ${target.kind} ${target.metadata.name} [${finalizers.join(',')}]`);
      hub.put({ ...live, metadata: { ...live.metadata, finalizers } });
    },
  };
  const connector: Connector = {
    resolve(dc: DataCentre) {
      const cluster = clusters.get(dc.metadata.name);
      if (!cluster) return { ok: false, reason: 'SecretNotFound', message: `no cluster for ${dc.metadata.name}` };
      return { ok: true, fingerprint: dc.metadata.name, open: () => cluster.transport() };
    },
  };
  const recorder = new EventRecorder({
    sink: { create: async (e) => void events.push(e), updateSeries: async () => {} },
    controller: 'govcloud.dev/operator',
    instance: 'test',
    clock,
  });
  const core = new OperatorCore({
    hub: hubCache,
    connector,
    hubWriter,
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    recorder,
    runtimeMetrics: metrics,
    platformMetrics: new PlatformMetrics(metrics),
    logger,
    clock,
    connectWaitMs: 1000,
    timings: { probeIntervalMs: 2000, probeBackoffMaxMs: 2000 },
  });
  hubCache.start();
  const stopping = new AbortController();
  const started = core.start(stopping.signal);
  await clock.advance(1100);
  await started;
  await clock.advance(500);
  const h: Harness = {
    clock,
    leadership: stopping,
    hub,
    hubCache,
    clusters,
    core,
    events,
    statusWrites,
    metrics,
    run: async (ms = 500) => {
      await clock.advance(ms);
      await settle(20);
    },
    stop: async () => {
      stopping.abort();
      await core.stop();
      await hubCache.stop();
      await recorder.close();
    },
    apply: (obj) => hub.put(obj),
    remove: (obj) => hub.delete(obj),
    agency: (name) => hub.get({ apiVersion: API, kind: 'Agency', metadata: { name } }),
    cluster: (name) => clusters.get(name)!,
    takeWrites: () => {
      const all = [...[...clusters.values()].flatMap((c) => c.writes.map((w) => `${c.name}: ${w}`)), ...statusWrites.map((w) => `hub: ${w}`)];
      for (const c of clusters.values()) c.writes.length = 0;
      statusWrites.length = 0;
      return all;
    },
  };
  return h;
}

/** The three local data centres: dc-hanoi the hub (level 4), dc-hcm (3), dc-danang (2). */
export function dataCentres(): Obj[] {
  const dc = (name: string, level: number, range: string, hub = false): Obj => ({
    apiVersion: API,
    kind: 'DataCentre',
    metadata: { name },
    spec: {
      displayName: `Trung tâm dữ liệu ${name}`,
      region: 'Miền Bắc',
      connection: hub ? { thisCluster: true } : { kubeconfigSecretRef: { namespace: 'govcloud-system', name: `${name}-kubeconfig` } },
      accreditedLevel: level,
      encryptedLinks: level >= 3,
      capacity: { cpu: '512', memory: '2Ti', storage: '200Ti' },
      networkRanges: [range],
    },
  });
  return [dc('dc-hanoi', 4, '10.10.0.0/16', true), dc('dc-hcm', 3, '10.20.0.0/16'), dc('dc-danang', 2, '10.30.0.0/16')];
}

export function agency(name: string, o: { code: string; level?: number; dcs: string[]; workspaces?: string[]; deletionPolicy?: 'Retain' | 'Delete' }): Obj {
  const spec: Agency['spec'] = {
    code: o.code,
    displayName: `Cơ quan ${name}`,
    type: 'ministry',
    groups: { admins: [`${name}-admins`] },
    securityLevel: o.level ?? 2,
    placement: { dataCentres: o.dcs },
    quotas: o.dcs.map((dataCentre) => ({ dataCentre, cpu: '8', memory: '32Gi', storage: '100Gi' })),
    workspaces: (o.workspaces ?? ['app']).map((w) => ({ name: w, dataClass: 'shared' as const })),
  };
  if (o.deletionPolicy) spec.deletionPolicy = o.deletionPolicy;
  return { apiVersion: API, kind: 'Agency', metadata: { name }, spec };
}

export function condition(obj: Obj | undefined, type: string): { status: string; reason: string; message: string; observedGeneration?: number } | undefined {
  return (obj?.status?.conditions as { type: string; status: string; reason: string; message: string; observedGeneration?: number }[] | undefined)?.find(
    (c) => c.type === type,
  );
}

/** The population registry of the Ministry of Public Security (`bca`, workspace `dancu`), as a SharedDataService. */
export function populationService(o: { name?: string; sharing?: 'default' | 'onRequest'; dc?: string } = {}): Obj {
  return {
    apiVersion: API,
    kind: 'SharedDataService',
    metadata: { name: o.name ?? 'population', namespace: 'govcloud-bca' },
    spec: {
      displayName: 'Cơ sở dữ liệu quốc gia về dân cư',
      subsystem: 'csdldc',
      serviceCode: 'population',
      version: 'v1',
      workspace: 'dancu',
      image: 'registry.local/population@sha256:1',
      port: 8443,
      placement: { dataCentres: [o.dc ?? 'dc-hanoi'] },
      dataClass: 'shared',
      sharing: o.sharing ?? 'onRequest',
    },
  };
}

/** What `owner` holds in data centre `dc`, as sorted `Kind namespace/name` lines. */
export function ownedNames(h: Harness, dc: string, owner: string): string[] {
  return h
    .cluster(dc)
    .ownedBy(owner)
    .map((o) => `${o.kind} ${o.metadata?.namespace ? o.metadata.namespace + '/' : ''}${o.metadata?.name}`)
    .sort();
}
