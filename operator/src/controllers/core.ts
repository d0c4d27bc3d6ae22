// The controllers wired together, as the leader runs them: one Controller per kind on the
// runtime's work queue, hub events mapped to keys as each controller declares beside its
// reconciler (watches.ts), member events to their owners' keys (reconcile by key, never by
// event), the member clusters connected before the first reconcile (bounded), and a clean
// stop that lets in-flight reconciles finish. The process around it (probes, leader
// election, signals) is manager.ts; tests drive this directly with in-memory transports.
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  agencyNameOfHubNamespace,
  LABELS,
  MANAGED_BY,
  MIGRATION_STATES,
  type AccessGrant,
  type AccessRequest,
  type Agency,
  type NetworkLink,
} from '../api/index.ts';
import type { PlatformObject } from '../model/rules.ts';
import {
  Controller,
  sleep,
  systemClock,
  type Clock,
  type EventRecorder,
  type Informer,
  type InformerHandlers,
  type Logger,
  type RateLimiter,
  type RuntimeMetrics,
  type TimerHandle,
} from '../runtime/index.ts';
import { ownerFromLabels } from '../render/index.ts';
import { agencyProgress, dayOf, targetProgress } from '../roadmap/progress.ts';
import { agencyController } from './agency.ts';
import type { Connector } from './connector.ts';
import type { CredentialRenewer } from './credentials.ts';
import { hubKey, type ControllerContext, type Timeouts } from './context.ts';
import { connect, dataCentreController } from './datacentre.ts';
import { specChanged, type HubCache } from './hub.ts';
import { linkController, linksForAgency, linksForLink } from './link.ts';
import { MemberRegistry, type Member, type MemberTimings } from './members.ts';
import type { PlatformMetrics } from './metrics.ts';
import { consolidationTargetController, migrationPlanController, plansForAgency } from './roadmap.ts';
import { serviceController, serviceForGrant, serviceForRequest } from './service.ts';
import { cachedShowback, HistoryRecorder, type HistoryStore } from './showback.ts';
import { StatusStore } from './status.ts';
import type { ControllerKind, ControllerSetup, ObjectKey, Watch } from './watches.ts';
import type { HubWriter } from './writer.ts';

/** Every controller the leader runs, each declaring what it watches beside its reconciler. */
const CONTROLLERS: Record<ControllerKind, ControllerSetup> = {
  DataCentre: dataCentreController,
  Agency: agencyController,
  NetworkLink: linkController,
  SharedDataService: serviceController,
  MigrationPlan: migrationPlanController,
  ConsolidationTarget: consolidationTargetController,
};

/** Showback over a thousand agencies renders every service's consumers: once per 30 s is enough for metrics. */
const SHOWBACK_MEMO_MS = 30_000;

/** How long a change to one object waits before every object of a kind is reconciled again. */
const FAN_OUT_DELAY_MS = 500;

export interface CoreOptions {
  hub: HubCache;
  connector: Connector;
  hubWriter: HubWriter;
  /** Renews joined members' tokens (credentials.ts); without it, none is renewed. */
  credentials?: CredentialRenewer;
  recorder: EventRecorder;
  runtimeMetrics: RuntimeMetrics;
  platformMetrics: PlatformMetrics;
  logger: Logger;
  clock?: Clock;
  /** Workers per controller. */
  concurrency?: number;
  /** Where the month's showback history is kept; without it, no history is sampled. */
  historyStore?: HistoryStore;
  /** How often the history is sampled (default 5 minutes). */
  historyIntervalMs?: number;
  timings?: Partial<MemberTimings>;
  timeouts?: Partial<Timeouts>;
  /** How long start() waits for the data centres to connect before reconciling anyway. */
  connectWaitMs?: number;
  rateLimiter?: () => RateLimiter;
}

export class OperatorCore {
  readonly ctx: ControllerContext;
  readonly controllers: Record<ControllerKind, Controller>;
  private readonly opts: CoreOptions;
  private readonly removers: (() => void)[] = [];
  private readonly wasReady = new Map<string, boolean>();
  private readonly wasDark = new Map<string, boolean>();
  private started = false;
  private stopped = false;
  private verdictTimer: TimerHandle | undefined;
  private readonly history: HistoryRecorder | undefined;
  private historyLoop: Promise<void> | undefined;
  private readonly stopHistory = new AbortController();
  private showbackMemo: { at: number; value: ReturnType<typeof cachedShowback> } | undefined;

  constructor(opts: CoreOptions) {
    this.opts = opts;
    const clock = opts.clock ?? systemClock;
    const members = new MemberRegistry({
      clock,
      logger: opts.logger,
      ...(opts.timings ? { timings: opts.timings } : {}),
      events: { onChange: (m) => this.memberChanged(m), onObject: (m, type, obj, old) => this.memberObject(m, type, obj, old) },
    });
    this.ctx = {
      hub: opts.hub,
      members,
      connector: opts.connector,
      hubWriter: opts.hubWriter,
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      recorder: opts.recorder,
      metrics: opts.platformMetrics,
      status: new StatusStore(opts.hubWriter, (fm) =>
        opts.platformMetrics.writes.inc({ cluster: 'hub', controller: fm.replace(/^govcloud-/, ''), action: 'status' }),
      ),
      clock,
      logger: opts.logger,
      timeouts: { dataCentreMs: 30_000, ...opts.timeouts },
      fence: new AbortController().signal,
      maxRequeueMs: 24 * 3600_000,
    };
    const hub = opts.hub;
    const make = (setup: ControllerSetup) =>
      new Controller({
        name: setup.name,
        reconcile: setup.reconciler(this.ctx),
        metrics: opts.runtimeMetrics,
        logger: opts.logger,
        clock,
        concurrency: opts.concurrency ?? 4,
        ...(opts.rateLimiter ? { rateLimiter: opts.rateLimiter() } : {}),
        eventTarget: (req) => {
          const object = setup.object(hub, req.namespace, req.name);
          return object ? { recorder: opts.recorder, object } : undefined;
        },
      });
    this.controllers = {
      DataCentre: make(CONTROLLERS.DataCentre),
      Agency: make(CONTROLLERS.Agency),
      NetworkLink: make(CONTROLLERS.NetworkLink),
      SharedDataService: make(CONTROLLERS.SharedDataService),
      MigrationPlan: make(CONTROLLERS.MigrationPlan),
      ConsolidationTarget: make(CONTROLLERS.ConsolidationTarget),
    };
    hub.setInertNamespaces((namespace) => this.retainedHubNamespace(namespace));
    hub.setPresence((dataCentre) => this.agenciesIn(dataCentre));
    opts.platformMetrics.bind({
      agencies: () => hub.platform().agencies.length,
      dataCentres: () =>
        hub.dataCentres.list().map((dc) => {
          const m = members.get(dc.metadata.name);
          return { name: dc.metadata.name, connected: m?.ready() === true, namespaces: m?.managedNamespaces().length ?? 0 };
        }),
      showback: () => {
        const history = this.history?.history();
        return { showback: this.showback(), ...(history ? { history } : {}) };
      },
      roadmap: () => {
        const today = dayOf(new Date(clock.now()));
        const platform = hub.platform();
        const byState = new Map<string, Record<string, number>>();
        for (const plan of platform.plans) {
          const agency = agencyNameOfHubNamespace(plan.metadata.namespace);
          if (agency === undefined) continue;
          const counts = byState.get(agency) ?? Object.fromEntries(MIGRATION_STATES.map((st) => [st, 0]));
          for (const system of plan.spec.systems) counts[system.state] = (counts[system.state] ?? 0) + 1;
          byState.set(agency, counts);
        }
        const agencies = agencyProgress(platform, today);
        return {
          agencies: agencies.map((a) => ({ ...a, byState: byState.get(a.agency) ?? {} })),
          targets: platform.targets.map((t) => ({
            name: t.metadata.name,
            sharePercent: targetProgress(t, agencies, today).sharePercent,
            duePercent: t.spec.sharePercent,
          })),
        };
      },
    });
    if (opts.historyStore)
      this.history = new HistoryRecorder(this.ctx, {
        store: opts.historyStore,
        logger: opts.logger,
        ...(opts.historyIntervalMs !== undefined ? { intervalMs: opts.historyIntervalMs } : {}),
      });
  }

  /**
   * Waits for the hub's caches, connects every data centre (bounded wait), then starts the
   * controllers. `signal` is the leadership: when it aborts, every write in flight is aborted.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.ctx.fence = signal;
    const log = this.opts.logger;
    if (!(await this.opts.hub.waitForSync(signal))) return;
    this.watchHub();
    for (const dc of this.opts.hub.dataCentres.list()) if (!dc.metadata.deletionTimestamp) connect(this.ctx, dc);
    const deadline = this.ctx.clock.now() + (this.opts.connectWaitMs ?? 10_000);
    while (!signal.aborted && this.ctx.clock.now() < deadline && !this.ctx.members.list().every((m) => m.ready())) {
      await sleep(this.ctx.clock, 100, signal);
    }
    if (signal.aborted) return;
    const waiting = this.ctx.members.list().filter((m) => !m.ready());
    if (waiting.length > 0) log.warn({ dataCentres: waiting.map((m) => m.name) }, 'starting without data centres that are not connected yet');
    for (const c of Object.values(this.controllers)) c.start();
    if (this.history) this.historyLoop = this.history.run(AbortSignal.any([signal, this.stopHistory.signal]));
    log.info({ dataCentres: this.ctx.members.list().map((m) => m.name) }, 'controllers started');
  }

  /** Stops taking work, lets in-flight reconciles finish, disconnects the data centres. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.verdictTimer) this.ctx.clock.clearTimeout(this.verdictTimer);
    this.verdictTimer = undefined;
    this.stopHistory.abort();
    await Promise.all([...Object.values(this.controllers).map((c) => c.shutDown()), this.historyLoop]);
    for (const remove of this.removers.splice(0)) remove();
    await this.ctx.members.stop();
  }

  /** The caches' showback, computed at most once per SHOWBACK_MEMO_MS however often metrics are scraped. */
  private showback(): ReturnType<typeof cachedShowback> {
    const now = this.ctx.clock.now();
    if (!this.showbackMemo || now - this.showbackMemo.at >= SHOWBACK_MEMO_MS) {
      const history = this.history?.history();
      this.showbackMemo = { at: now, value: cachedShowback(this.ctx, history) };
    }
    return this.showbackMemo.value;
  }

  private enqueue(kind: ControllerKind, namespace: string | undefined, name: string): void {
    this.controllers[kind].enqueue(hubKey(namespace, name));
  }

  /**
   * Everything of a kind, after a short delay: a burst of changes (a GitOps merge of many
   * agencies) then costs one more reconcile per object instead of one per change, since a
   * key already waiting keeps its earliest time.
   */
  private enqueueAll(kind: ControllerKind): void {
    const hub = this.opts.hub;
    const informer = {
      DataCentre: hub.dataCentres,
      Agency: hub.agencies,
      NetworkLink: hub.links,
      SharedDataService: hub.services,
      MigrationPlan: hub.plans,
      ConsolidationTarget: hub.targets,
    }[kind];
    const queue = this.controllers[kind].queue;
    for (const o of informer.list() as KubernetesObject[]) queue.addAfter(hubKey(o.metadata?.namespace, o.metadata?.name ?? ''), FAN_OUT_DELAY_MS);
  }

  /** Each controller's watches on the hub's informers, the rules' verdicts, and the cache catching up with the statuses written. */
  private watchHub(): void {
    const hub = this.opts.hub;
    this.removers.push(hub.onVerdictsChanged((objects) => this.verdictsChanged(objects)));
    const status = this.ctx.status;
    this.removers.push(hub.onGovcloudObjects({ add: (o) => status.observe(o), update: (_, o) => status.observe(o), delete: (o) => status.forget(o) }));
    for (const setup of Object.values(CONTROLLERS)) {
      for (const w of setup.watches) this.removers.push((hub[w.source] as Informer<KubernetesObject>).addHandlers(this.handlersOf(setup.kind, w)));
    }
  }

  /**
   * One watch's handlers: the keys of the object of each event (the old and the new one of a
   * spec change: status-only updates of the govcloud kinds are not worth a reconcile), then
   * the rules judged again once the burst has settled.
   */
  private handlersOf(kind: ControllerKind, w: Watch): InformerHandlers<KubernetesObject> {
    const route = (o: KubernetesObject) => {
      if (w.keys === 'every') this.enqueueAll(kind);
      else this.enqueueKeys(kind, w.keys(this.opts.hub, o));
    };
    return {
      add: (o) => {
        route(o);
        this.publishVerdictsSoon();
      },
      update: (old, o) => {
        if (!specChanged(old, o)) return;
        route(old);
        route(o);
        this.publishVerdictsSoon();
      },
      delete: (o) => {
        route(o);
        w.deleted?.(this.ctx, o);
        this.publishVerdictsSoon();
      },
    };
  }

  private enqueueKeys(kind: ControllerKind, keys: readonly ObjectKey[]): void {
    for (const k of keys) this.enqueue(kind, k.namespace, k.name);
  }

  /**
   * The agency, and what it is a party to: its links (those in its hub namespace and those
   * naming it as peer), and every service's consumers (also when only its rule verdict
   * changed: a rejected agency opens nothing, refusal.ts).
   */
  private agencyChanged(agency: Agency & KubernetesObject): void {
    this.enqueue('Agency', undefined, agency.metadata.name);
    this.enqueueKeys('NetworkLink', linksForAgency(this.opts.hub, agency));
    this.enqueueAll('SharedDataService');
    this.enqueueKeys('MigrationPlan', plansForAgency(this.opts.hub, agency));
  }

  /**
   * After a spec change, once a burst has settled: judge the platform again; the hub cache
   * then re-queues (verdictsChanged) only the objects whose rule verdict changed.
   */
  private publishVerdictsSoon(): void {
    if (this.verdictTimer || this.stopped) return;
    this.verdictTimer = this.ctx.clock.setTimeout(() => {
      this.verdictTimer = undefined;
      if (!this.stopped) this.opts.hub.publishVerdicts();
    }, FAN_OUT_DELAY_MS);
  }

  /**
   * Objects whose rule verdict changed: the reconcile that reports it, and those of the
   * objects that count on it (a rejected object counts for nothing in their renders).
   */
  private verdictsChanged(objects: PlatformObject[]): void {
    const hub = this.opts.hub;
    for (const o of objects) {
      if (o.kind === 'Agency') this.agencyChanged(o as Agency & KubernetesObject);
      else if (o.kind === 'NetworkLink') this.enqueueKeys('NetworkLink', linksForLink(hub, o as NetworkLink & KubernetesObject));
      else if (o.kind === 'DataCentre' || o.kind === 'SharedDataService' || o.kind === 'MigrationPlan')
        this.enqueue(o.kind, o.metadata.namespace, o.metadata.name);
      else if (o.kind === 'AccessRequest') this.enqueueKeys('SharedDataService', serviceForRequest(hub, o as AccessRequest));
      else if (o.kind === 'AccessGrant') this.enqueueKeys('SharedDataService', serviceForGrant(hub, o as AccessGrant));
    }
  }

  /** A child object in a data centre changed: reconcile its owner (drift is repaired at once). */
  private memberObject(member: Member, type: 'add' | 'update' | 'delete', obj: KubernetesObject, old?: KubernetesObject): void {
    for (const o of old ? [old, obj] : [obj]) this.enqueueOwner(o);
    if (obj.kind !== 'Namespace') return;
    // A namespace an agency wants but may not take (another owner's, or unlabelled) came, went
    // or changed hands: the agency waiting for it tries again.
    for (const agency of this.opts.hub.agenciesWanting(obj.metadata?.name ?? '')) this.enqueue('Agency', undefined, agency);
    const previous = type === 'add' ? undefined : (old ?? obj);
    const current = type === 'delete' ? undefined : obj;
    // A hub namespace retained or adopted: the objects in it stop or start acting, verdicts
    // change. Only that: a new agency's hub namespace changes no verdict, and judging the whole
    // platform again for each of thousands of them was most of a large convergence's work.
    const retained = (o?: KubernetesObject) => o?.metadata?.labels?.[LABELS.orphaned] === 'true';
    if (agencyNameOfHubNamespace(obj.metadata?.name) !== undefined && retained(previous) !== retained(current)) {
      this.opts.hub.invalidate();
      this.publishVerdictsSoon();
    }
    const managed = (o?: KubernetesObject) => o?.metadata?.labels?.[LABELS.managedBy] === MANAGED_BY && !o.metadata.deletionTimestamp;
    // Links and services write only into existing govcloud namespaces: one came or went.
    if (managed(previous) !== managed(current)) {
      // An agency arriving in or leaving a cordoned data centre (who may stay there): verdicts change.
      if (this.cordoned(member.name)) {
        this.opts.hub.invalidate();
        this.publishVerdictsSoon();
      }
      // A drain's status lists whose namespaces are still there.
      if (this.cordoned(member.name)) this.enqueue('DataCentre', undefined, member.name);
      this.enqueueAll('NetworkLink');
      this.enqueueAll('SharedDataService');
    }
  }

  private cordoned(dataCentre: string): boolean {
    return this.opts.hub.dataCentre(dataCentre)?.spec.cordoned === true;
  }

  /** The agencies with workspace namespaces of theirs in the data centre; undefined while it is not reached. */
  private agenciesIn(dataCentre: string): ReadonlySet<string> | undefined {
    const member = this.ctx.members.get(dataCentre);
    if (!member?.ready()) return undefined;
    const names = new Set<string>();
    for (const ns of member.managedNamespaces()) {
      if (ns.metadata?.deletionTimestamp) continue;
      const owner = ownerFromLabels(ns.metadata);
      if (owner?.kind === 'Agency' && agencyNameOfHubNamespace(ns.metadata?.name) === undefined) names.add(owner.name);
    }
    return names;
  }

  /** A hub namespace left behind under Retain and not adopted since (its objects are inert). */
  private retainedHubNamespace(namespace: string): boolean {
    if (agencyNameOfHubNamespace(namespace) === undefined) return false;
    const hub = this.opts.hub.dataCentres.list().find((dc) => dc.spec.connection.thisCluster === true);
    const live = hub ? this.ctx.members.get(hub.metadata.name)?.namespace(namespace) : undefined;
    return live?.metadata?.labels?.[LABELS.orphaned] === 'true';
  }

  private enqueueOwner(obj: KubernetesObject): void {
    const owner = ownerFromLabels(obj.metadata);
    if (!owner || !(owner.kind in this.controllers)) return;
    this.enqueue(owner.kind as ControllerKind, owner.namespace, owner.name);
  }

  /**
   * Readiness or version changed: report it; on (re)connection reconcile everything, orphans
   * included; once it is dark (unreachable, or its caches too stale to act on; not while a new
   * connection is being made) reconcile what is placed there, whose status then says so.
   */
  private memberChanged(member: Member): void {
    this.enqueue('DataCentre', undefined, member.name);
    const ready = member.ready();
    if (ready && this.wasReady.get(member.name) !== true) {
      this.enqueueAll('Agency');
      this.enqueueAll('NetworkLink');
      this.enqueueAll('SharedDataService');
      this.enqueueOwnersIn(member);
    }
    // Who is in a cordoned data centre is known only while it is reached.
    if (this.wasReady.get(member.name) !== ready && this.cordoned(member.name)) {
      this.opts.hub.invalidate();
      this.publishVerdictsSoon();
    }
    this.wasReady.set(member.name, ready);
    const dark = !ready && member.state() !== 'connecting';
    if (dark && this.wasDark.get(member.name) !== true) this.enqueuePlacedIn(member);
    this.wasDark.set(member.name, dark);
  }

  /**
   * What is placed in the data centre: the owners of what it holds, and the agencies and
   * services placed there that hold nothing there yet. Nothing else: a status that does not
   * depend on the data centre is not even recomputed.
   */
  private enqueuePlacedIn(member: Member): void {
    const hub = this.opts.hub;
    this.enqueueOwnersIn(member);
    for (const a of hub.agencies.list()) if (a.spec.placement.dataCentres.includes(member.name)) this.enqueue('Agency', undefined, a.metadata.name);
    for (const s of hub.services.list())
      if (s.spec.placement.dataCentres.includes(member.name)) this.enqueue('SharedDataService', s.metadata.namespace, s.metadata.name);
  }

  private enqueueOwnersIn(member: Member): void {
    for (const value of member.owners()) {
      const obj = member.owned(value)[0];
      if (obj) this.enqueueOwner(obj);
    }
  }
}
