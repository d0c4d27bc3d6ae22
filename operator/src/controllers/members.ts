// The member clusters: one per DataCentre, reached through its kubeconfig Secret (or the hub
// itself). Each member has its own client (user names prefixed by the data centre, done by
// the runtime), its own informers on every kind the renderers emit, filtered by
// `app.kubernetes.io/managed-by=govcloud` (Namespaces unfiltered: a namespace that exists
// without our labels must be seen, never taken over), an index of those objects by owner
// label, and a probe loop that says whether the cluster answers (and reads the govcloud
// ClusterRoles, which the operator checks but does not write). A kind an add-on installs
// (cert-manager's Certificate) may be missing in a data centre: its cache then never syncs,
// and the member is ready without it (`missing()` says so; the DataCentre reports it).
//
// Nothing here blocks another data centre: informers reconnect with their own backoff, the
// probe has a timeout, and every write a controller makes through `writer()` is bounded. A
// data centre that accepts connections and never answers (a frozen API server) would still
// hold the workers writing to it for a whole request timeout, and the agencies of every other
// data centre behind them: so each member has a circuit. A write left without any answer
// from the data centre for `unansweredWriteMs` trips it: the member turns unreachable at
// once, the writes in flight there are aborted, and it is probed at once; only a probe that
// answers closes it again.
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABELS, MANAGED_BY } from '../api/index.ts';
import {
  cacheTrimmer,
  errorMessage,
  httpStatusOf,
  ValuePool,
  Informer,
  sleep,
  systemClock,
  type Clock,
  type LabelSelector,
  type ListWatchSource,
  type Logger,
  type ObjectWriter,
} from '../runtime/index.ts';
import type { FoundRole } from './platform-roles.ts';
import { CHILD_RESOURCES, DEPLOYMENT, kindKey, NAMESPACE, type ResourceType } from './resources.ts';

export interface ProbeResult {
  /** gitVersion of the cluster. */
  version: string;
  readyNodes: number;
  /** The govcloud ClusterRoles by name (PLATFORM_ROLE_NAMES), as the cluster holds them. */
  platformRoles: Record<string, FoundRole>;
}

/** How a member cluster is reached: the API server, or memory in tests. */
export interface MemberTransport {
  source(resource: ResourceType, selector?: LabelSelector): ListWatchSource<KubernetesObject>;
  /** A writer whose every request is bounded and aborts with `signal`. */
  writer(signal: AbortSignal): ObjectWriter;
  probe(signal: AbortSignal): Promise<ProbeResult>;
}

export type ConnectionState = 'connecting' | 'connected' | 'unreachable';

export interface MemberTimings {
  /** Between probes while the cluster answers. */
  probeIntervalMs: number;
  /** Longest wait between probes while it does not (the backoff starts at 1 s). */
  probeBackoffMaxMs: number;
  probeTimeoutMs: number;
  /** Informers' reconnect backoff ceiling. */
  informerBackoffMaxMs: number;
  /** A watch down longer than this makes the cache too stale to act on. */
  staleAfterMs: number;
  /**
   * A write pending this long, with no answer to anything from the data centre since it was
   * sent, trips the circuit. Far below the request timeout; a busy API server still answers
   * something (another write, a probe) within it.
   */
  unansweredWriteMs: number;
}

export const DEFAULT_TIMINGS: MemberTimings = {
  probeIntervalMs: 10_000,
  probeBackoffMaxMs: 10_000,
  probeTimeoutMs: 5_000,
  informerBackoffMaxMs: 10_000,
  staleAfterMs: 60_000,
  unansweredWriteMs: 3_000,
};

export interface MemberEvents {
  /** Readiness, version or ready nodes changed. */
  onChange(member: Member): void;
  /** A cached object was added, changed (`old` is the previous copy) or deleted. */
  onObject(member: Member, type: 'add' | 'update' | 'delete', obj: KubernetesObject, old?: KubernetesObject): void;
}

const MANAGED: LabelSelector = { matchLabels: { [LABELS.managedBy]: MANAGED_BY } };

/**
 * What the member caches keep: the field sets of the operator's own managers (every one is
 * `govcloud-<controller>`), and of statuses only a Deployment's available replicas (the
 * service controller reports them), a ResourceQuota's hard and used (showback) and a
 * cert-manager Certificate's revision (a renewal rolls the exchange gateway's pod).
 */
const trimForCache = cacheTrimmer<KubernetesObject>({
  pool: new ValuePool(),
  keepManager: (manager) => manager.startsWith('govcloud-'),
  status: (obj) => {
    if (obj.kind === 'ResourceQuota') {
      const status = obj.status as { hard?: Record<string, string>; used?: Record<string, string> } | undefined;
      return status?.used === undefined ? undefined : { hard: status.hard ?? {}, used: status.used };
    }
    if (obj.kind === 'Certificate') {
      const revision = (obj.status as { revision?: number } | undefined)?.revision;
      return revision === undefined ? undefined : { revision };
    }
    const replicas = obj.kind === DEPLOYMENT.kind ? (obj.status as { availableReplicas?: number } | undefined)?.availableReplicas : undefined;
    return replicas === undefined ? undefined : { availableReplicas: replicas };
  },
});

export class Member {
  readonly name: string;
  /** What the connection was made from; a different one replaces the member. */
  readonly fingerprint: string;
  private readonly transport: MemberTransport;
  private readonly clock: Clock;
  private readonly log: Logger | undefined;
  private readonly timings: MemberTimings;
  private readonly events: MemberEvents;
  private readonly informers = new Map<string, Informer<KubernetesObject>>();
  /** Keys of the kinds an add-on installs. */
  private readonly optional = new Set<string>();
  /** The cached objects by owner label: the informers' own copies, so an index entry costs no key. */
  private readonly byOwner = new Map<string, Set<KubernetesObject>>();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private probeState: ConnectionState = 'connecting';
  private lastError: string | undefined;
  private result: ProbeResult | undefined;
  private signature = '';
  /** When the data centre last answered a write or a probe (any HTTP status). */
  private lastAnswer = 0;
  /** Aborts the writes in flight when the circuit trips. */
  private inFlight = new AbortController();
  /** Cuts the probe loop's wait short. */
  private probeNow = new AbortController();

  constructor(opts: {
    name: string;
    fingerprint: string;
    transport: MemberTransport;
    clock?: Clock;
    logger?: Logger;
    timings?: Partial<MemberTimings>;
    events: MemberEvents;
  }) {
    this.name = opts.name;
    this.fingerprint = opts.fingerprint;
    this.transport = opts.transport;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger?.child({ cluster: opts.name });
    this.timings = { ...DEFAULT_TIMINGS, ...opts.timings };
    this.events = opts.events;
    for (const resource of CHILD_RESOURCES) {
      const informer = new Informer<KubernetesObject>({
        name: `${opts.name}/${resource.plural}`,
        source: this.transport.source(resource, resource === NAMESPACE ? undefined : MANAGED),
        clock: this.clock,
        backoff: { maxMs: this.timings.informerBackoffMaxMs },
        transform: trimForCache,
        ...(this.log ? { logger: this.log } : {}),
      });
      informer.addHandlers({
        add: (obj) => this.indexed(undefined, obj),
        update: (old, obj) => this.indexed(old, obj),
        delete: (obj) => this.indexed(obj, undefined),
      });
      this.informers.set(kindKey(resource), informer);
      if (resource.installedBy !== undefined) this.optional.add(kindKey(resource));
    }
  }

  start(): void {
    for (const informer of this.informers.values()) {
      informer.start();
      void informer.waitForSync(this.stopping.signal).then(() => this.notifyIfChanged());
    }
    this.loop ??= this.probeLoop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
    await this.loop;
  }

  /**
   * Connected, caches listed and watches not down for long: safe to act on. A kind an add-on
   * installs (`installedBy`) does not count: the data centre may lack it (`missing`).
   */
  ready(): boolean {
    if (this.probeState !== 'connected') return false;
    for (const [key, i] of this.informers) if (!this.optional.has(key) && !this.cached(i)) return false;
    return true;
  }

  /** The add-on kinds whose cache is not there: their CRD is missing (or cannot be read), with the last error. */
  missing(): { resource: ResourceType; error?: string }[] {
    return CHILD_RESOURCES.filter((r) => r.installedBy !== undefined)
      .map((resource) => ({ resource, informer: this.informers.get(kindKey(resource))! }))
      .filter(({ informer }) => !this.cached(informer))
      .map(({ resource, informer }) => {
        const error = informer.status().lastError;
        return error === undefined ? { resource } : { resource, error };
      });
  }

  private cached(i: Informer<KubernetesObject>): boolean {
    return i.hasSynced() && i.isHealthy(this.timings.staleAfterMs);
  }

  state(): ConnectionState {
    return this.probeState;
  }

  /** Why it is not ready, for conditions and events. */
  problem(): string | undefined {
    if (this.probeState === 'unreachable') return `data centre ${this.name} is unreachable: ${this.lastError ?? 'no answer'}`;
    if (this.probeState === 'connecting') return `connecting to data centre ${this.name}`;
    const lagging = [...this.informers].find(([key, i]) => !this.optional.has(key) && !this.cached(i))?.[1];
    if (lagging)
      return `data centre ${this.name}: cache ${lagging.name} is ${lagging.hasSynced() ? 'stale' : 'not synced yet'}${lagging.status().lastError ? `: ${lagging.status().lastError}` : ''}`;
    return undefined;
  }

  probeResult(): ProbeResult | undefined {
    return this.result;
  }

  /** A writer whose requests also abort when the circuit trips. */
  writer(signal: AbortSignal): ObjectWriter {
    const inner = this.transport.writer(AbortSignal.any([signal, this.inFlight.signal]));
    return {
      apply: (obj, fieldManager) => this.watched(() => inner.apply(obj, fieldManager)),
      replace: (obj, fieldManager) => this.watched(() => inner.replace(obj, fieldManager)),
      delete: (obj) => this.watched(() => inner.delete(obj)),
    };
  }

  private async watched<T>(write: () => Promise<T>): Promise<T> {
    const sent = this.clock.now();
    const check = this.clock.setTimeout(() => {
      if (this.lastAnswer < sent) this.trip();
    }, this.timings.unansweredWriteMs);
    try {
      const answer = await write();
      this.lastAnswer = this.clock.now();
      return answer;
    } catch (err) {
      if (httpStatusOf(err) !== undefined) this.lastAnswer = this.clock.now();
      throw err;
    } finally {
      this.clock.clearTimeout(check);
    }
  }

  /** The data centre stopped answering: unreachable until a probe answers, its writes cut off. */
  private trip(): void {
    if (this.stopping.signal.aborted) return;
    const why = `no answer to a write for ${this.timings.unansweredWriteMs / 1000} s`;
    this.log?.warn({ err: why }, 'data centre unreachable: its writes in flight are aborted');
    this.probeState = 'unreachable';
    this.lastError = why;
    const cut = this.inFlight;
    this.inFlight = new AbortController();
    cut.abort(new Error(`data centre ${this.name} is unreachable: ${why}`));
    this.probeNow.abort();
    this.notifyIfChanged();
  }

  /** Objects carrying `govcloud.dev/owner: <owner>`, of every kind. */
  owned(owner: string): KubernetesObject[] {
    return [...(this.byOwner.get(owner)?.values() ?? [])];
  }

  /** Every owner label value with objects here. */
  owners(): string[] {
    return [...this.byOwner.keys()];
  }

  /** The cached object of that kind and name (Namespaces: any; others: govcloud-managed only). */
  find(obj: { apiVersion?: string; kind?: string; metadata?: { namespace?: string; name?: string } }): KubernetesObject | undefined {
    return this.informers.get(kindKey(obj))?.get(obj.metadata?.namespace, obj.metadata?.name ?? '');
  }

  namespace(name: string): KubernetesObject | undefined {
    return this.informers.get(kindKey(NAMESPACE))?.get(undefined, name);
  }

  /** Namespaces carrying `app.kubernetes.io/managed-by=govcloud`. */
  managedNamespaces(): KubernetesObject[] {
    return this.informers.get(kindKey(NAMESPACE))?.listBySelector(MANAGED) ?? [];
  }

  private indexed(old: KubernetesObject | undefined, obj: KubernetesObject | undefined): void {
    const before = old?.metadata?.labels?.[LABELS.owner];
    const after = obj?.metadata?.labels?.[LABELS.owner];
    if (old && before !== undefined) {
      const set = this.byOwner.get(before);
      set?.delete(old);
      if (set?.size === 0) this.byOwner.delete(before);
    }
    if (obj && after !== undefined) {
      let set = this.byOwner.get(after);
      if (!set) this.byOwner.set(after, (set = new Set<KubernetesObject>()));
      set.add(obj);
    }
    if (!obj) this.events.onObject(this, 'delete', old!);
    else if (!old) this.events.onObject(this, 'add', obj);
    else this.events.onObject(this, 'update', obj, old);
  }

  private async probeLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.timings.probeTimeoutMs)]);
        this.result = await this.transport.probe(signal);
        this.lastAnswer = this.clock.now();
        if (this.probeState !== 'connected') this.log?.info({ version: this.result.version }, 'data centre reachable');
        this.probeState = 'connected';
        this.lastError = undefined;
        failures = 0;
      } catch (err) {
        if (this.stopping.signal.aborted) break;
        const message = errorMessage(err);
        if (this.probeState !== 'unreachable' || message !== this.lastError) this.log?.warn({ err: message }, 'data centre unreachable');
        this.probeState = 'unreachable';
        this.lastError = message;
        failures++;
      }
      this.notifyIfChanged();
      const delay = failures === 0 ? this.timings.probeIntervalMs : Math.min(this.timings.probeBackoffMaxMs, 1000 * 2 ** Math.min(failures - 1, 10));
      await sleep(this.clock, delay, AbortSignal.any([this.stopping.signal, this.probeNow.signal]));
      if (this.probeNow.signal.aborted) this.probeNow = new AbortController();
    }
  }

  private notifyIfChanged(): void {
    if (this.stopping.signal.aborted) return;
    const signature = `${this.ready()}|${this.missing()
      .map((m) => m.resource.kind)
      .join(',')}|${this.probeState}|${this.result?.version}|${this.result?.readyNodes}|${this.lastError}|${JSON.stringify(this.result?.platformRoles)}`;
    if (signature === this.signature) return;
    this.signature = signature;
    this.events.onChange(this);
  }
}

export interface MemberRegistryOptions {
  clock?: Clock;
  logger?: Logger;
  timings?: Partial<MemberTimings>;
  events: MemberEvents;
}

/** The members by data centre name; (re)connects when a data centre's connection changes. */
export class MemberRegistry {
  private readonly members = new Map<string, Member>();
  private readonly opts: MemberRegistryOptions;

  constructor(opts: MemberRegistryOptions) {
    this.opts = opts;
  }

  /** The member for `name` made from `fingerprint`; an existing one from another fingerprint is replaced. */
  ensure(name: string, fingerprint: string, open: () => MemberTransport): Member {
    const existing = this.members.get(name);
    if (existing?.fingerprint === fingerprint) return existing;
    if (existing) {
      this.opts.logger?.info({ cluster: name }, 'connection of the data centre changed, reconnecting');
      void existing.stop();
    }
    const member = new Member({
      name,
      fingerprint,
      transport: open(),
      events: this.opts.events,
      ...(this.opts.clock ? { clock: this.opts.clock } : {}),
      ...(this.opts.logger ? { logger: this.opts.logger } : {}),
      ...(this.opts.timings ? { timings: this.opts.timings } : {}),
    });
    this.members.set(name, member);
    member.start();
    return member;
  }

  async remove(name: string): Promise<void> {
    const member = this.members.get(name);
    if (!member) return;
    this.members.delete(name);
    await member.stop();
  }

  get(name: string): Member | undefined {
    return this.members.get(name);
  }

  list(): Member[] {
    return [...this.members.values()];
  }

  async stop(): Promise<void> {
    const all = this.list();
    this.members.clear();
    await Promise.all(all.map((m) => m.stop()));
  }
}
