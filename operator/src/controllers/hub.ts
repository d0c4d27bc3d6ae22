// The hub's caches: one informer per govcloud kind, and one for the Secrets in the
// operator's namespace (the data centres' kubeconfigs). Controllers read the whole desired
// platform from here, the same `Platform` value `govcloud plan` builds from files, so the
// operator and the preview decide alike. The platform is computed once per change of some
// spec, not once per reconcile.
//
// The rules across objects (model/rules.ts) are the only way one agency's spec reaches
// another agency's status, so their verdicts are published rather than recomputed on
// demand: `publishVerdicts()` checks the whole platform, tells the listener which objects'
// verdicts changed (the operator re-queues exactly those), and controllers read verdicts
// from that publication. A controller asking about an object newer than the publication
// publishes first, so no object is ever judged by rules that did not see it. The operator's
// own namespace is one of the platform's: no agency may have it, whatever it is called.
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import {
  agencyNameOfHubNamespace,
  type AccessGrant,
  type AccessRequest,
  type Agency,
  type ConsolidationTarget,
  type DataCentre,
  type MigrationPlan,
  type NetworkLink,
  type SharedDataService,
} from '../api/index.ts';
import type { Platform } from '../model/platform.ts';
import { checkPlatform, type PlatformObject, type RuleProblem } from '../model/rules.ts';
import { Informer, withoutFieldBookkeeping, type Clock, type InformerHandlers, type ListWatchSource, type Logger } from '../runtime/index.ts';
import { NamespaceWanters } from './namespace-wanters.ts';
import { GOVCLOUD_RESOURCES, SECRET, type ResourceType } from './resources.ts';

export type SecretObject = V1Secret & KubernetesObject;

/** Where the hub's informers read from: the API server, or memory in tests. */
export type SourceFactory = (resource: ResourceType, opts: { namespace?: string }) => ListWatchSource<KubernetesObject>;

export interface HubCacheOptions {
  sources: SourceFactory;
  /** The operator's namespace: the only one whose Secrets are read. */
  namespace: string;
  clock?: Clock;
  logger?: Logger;
}

/** Whether an update matters to rendering: a new generation, deletion started, or (Secrets) new data. */
export function specChanged(oldObj: KubernetesObject | undefined, newObj: KubernetesObject): boolean {
  if (!oldObj) return true;
  const o = oldObj.metadata ?? {};
  const n = newObj.metadata ?? {};
  if (newObj.kind === 'Secret') return o.resourceVersion !== n.resourceVersion;
  return o.generation !== n.generation || o.deletionTimestamp !== n.deletionTimestamp;
}

const byAge = (a: KubernetesObject, b: KubernetesObject): number => {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const kb = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Kind, namespace and name of a govcloud object. */
export function objectKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

const keyOf = (o: KubernetesObject): string => objectKey(o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? '');
/** Which version of an object a publication judged. */
const stampOf = (o: KubernetesObject): string => `${o.metadata?.uid ?? ''}/${o.metadata?.generation ?? ''}`;

interface Verdicts {
  revision: number;
  /** The judged version of every object of the platform, by key. */
  stamps: Map<string, string>;
  /** The platform as this publication judged it, without what it rejects (see admitted()). */
  admitted?: Platform;
  errors: Map<string, RuleProblem[]>;
  /** The errors as one text per object, for comparing publications. */
  texts: Map<string, { object: PlatformObject; text: string }>;
}

export class HubCache {
  readonly namespace: string;
  readonly dataCentres: Informer<DataCentre & KubernetesObject>;
  readonly agencies: Informer<Agency & KubernetesObject>;
  readonly links: Informer<NetworkLink & KubernetesObject>;
  readonly services: Informer<SharedDataService & KubernetesObject>;
  readonly requests: Informer<AccessRequest & KubernetesObject>;
  readonly grants: Informer<AccessGrant & KubernetesObject>;
  readonly plans: Informer<MigrationPlan & KubernetesObject>;
  readonly targets: Informer<ConsolidationTarget & KubernetesObject>;
  readonly secrets: Informer<SecretObject>;
  private revision = 0;
  private memo: { revision: number; platform: Platform; problems?: RuleProblem[] } | undefined;
  private readonly wanters = new NamespaceWanters();
  private verdicts: Verdicts | undefined;
  private readonly verdictListeners = new Set<(objects: PlatformObject[]) => void>();
  private inertNamespaces: (namespace: string) => boolean = () => false;
  private presentIn: (dataCentre: string) => ReadonlySet<string> | undefined = () => undefined;

  constructor(opts: HubCacheOptions) {
    this.namespace = opts.namespace;
    const make = <T extends KubernetesObject>(resource: ResourceType, namespace?: string): Informer<T> => {
      const informer = new Informer<T>({
        name: `hub/${resource.plural}`,
        source: opts.sources(resource, namespace === undefined ? {} : { namespace }) as ListWatchSource<T>,
        transform: withoutFieldBookkeeping,
        ...(opts.clock ? { clock: opts.clock } : {}),
        ...(opts.logger ? { logger: opts.logger } : {}),
      });
      informer.addHandlers({
        add: () => this.revision++,
        update: (o, n) => {
          if (specChanged(o, n)) this.revision++;
        },
        delete: () => this.revision++,
      });
      return informer;
    };
    const kind = (k: string): ResourceType => GOVCLOUD_RESOURCES[k]!;
    this.dataCentres = make(kind('DataCentre'));
    this.agencies = make(kind('Agency'));
    this.agencies.addHandlers({
      add: (a) => this.wanters.set(a),
      update: (old, a) => {
        if (specChanged(old, a)) this.wanters.set(a);
      },
      delete: (a) => this.wanters.remove(a.metadata.name),
    });
    this.links = make(kind('NetworkLink'));
    this.services = make(kind('SharedDataService'));
    this.requests = make(kind('AccessRequest'));
    this.grants = make(kind('AccessGrant'));
    this.plans = make(kind('MigrationPlan'));
    this.targets = make(kind('ConsolidationTarget'));
    this.secrets = make(SECRET, opts.namespace);
  }

  informers(): Informer<KubernetesObject>[] {
    return [
      this.dataCentres,
      this.agencies,
      this.links,
      this.services,
      this.requests,
      this.grants,
      this.plans,
      this.targets,
      this.secrets,
    ] as Informer<KubernetesObject>[];
  }

  start(): void {
    for (const i of this.informers()) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers().map((i) => i.stop()));
  }

  /** True once every informer has listed; false if stopped or aborted first. */
  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all(this.informers().map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  hasSynced(): boolean {
    return this.informers().every((i) => i.hasSynced());
  }

  /** Handlers on every govcloud kind (not Secrets). */
  onGovcloudObjects(handlers: InformerHandlers<KubernetesObject>): () => void {
    const removers = this.informers()
      .filter((i) => i !== (this.secrets as Informer<KubernetesObject>))
      .map((i) => i.addHandlers(handlers));
    return () => removers.forEach((r) => r());
  }

  /**
   * Hub namespaces whose objects take no effect: one retained from a deleted agency and not
   * adopted (controllers/namespaces.ts). The links, services, requests and grants in it stay
   * out of the platform until it is adopted, so the old tenant's agreements never act for
   * an Agency that only reuses its name.
   */
  setInertNamespaces(inert: (namespace: string) => boolean): void {
    this.inertNamespaces = inert;
    this.invalidate();
  }

  /**
   * Who is in a cordoned data centre, as the members' caches show it (Platform.present):
   * undefined for a data centre not reached. Only cordoned ones are asked, so a namespace
   * coming or going elsewhere changes nothing here.
   */
  setPresence(present: (dataCentre: string) => ReadonlySet<string> | undefined): void {
    this.presentIn = present;
    this.invalidate();
  }

  /** Whether objects in this hub namespace take no effect now. */
  isInert(namespace: string | undefined): boolean {
    return namespace !== undefined && this.inertNamespaces(namespace);
  }

  /** What setInertNamespaces reads changed: the platform is computed again. */
  invalidate(): void {
    this.revision++;
  }

  /**
   * The desired platform: every object not being deleted, oldest first (so that of two
   * agencies claiming one code, the newcomer is the one told so). Objects are the cached ones:
   * read-only.
   */
  platform(): Platform {
    if (this.memo?.revision === this.revision) return this.memo.platform;
    const live = <T extends KubernetesObject>(i: Informer<T>): T[] =>
      i
        .list()
        .filter((o) => !o.metadata?.deletionTimestamp)
        .sort(byAge);
    const acting = <T extends KubernetesObject>(i: Informer<T>): T[] => live(i).filter((o) => !this.isInert(o.metadata?.namespace));
    const platform: Platform = {
      dataCentres: live(this.dataCentres),
      agencies: live(this.agencies),
      links: acting(this.links),
      services: acting(this.services),
      requests: acting(this.requests),
      grants: acting(this.grants),
      plans: acting(this.plans),
      targets: live(this.targets),
    };
    const present = new Map<string, ReadonlySet<string>>();
    for (const dc of platform.dataCentres) {
      const there = dc.spec.cordoned === true ? this.presentIn(dc.metadata.name) : undefined;
      if (there) present.set(dc.metadata.name, there);
    }
    if (present.size > 0) platform.present = present;
    this.memo = { revision: this.revision, platform };
    return platform;
  }

  /** Rule problems across the platform (model/rules.ts), computed once per revision. */
  problems(): RuleProblem[] {
    const platform = this.platform();
    const memo = this.memo!;
    memo.problems ??= checkPlatform(platform, { platformNamespaces: [this.namespace] });
    return memo.problems;
  }

  /** Whether a spec changed since the last publication of verdicts. */
  private verdictsStale(): boolean {
    return this.verdicts?.revision !== this.revision;
  }

  /**
   * Judges the platform as it is now and publishes the verdicts; the listener hears which
   * present objects' errors differ from the previous publication.
   */
  publishVerdicts(): void {
    if (!this.verdictsStale()) return;
    const platform = this.platform();
    const problems = this.problems();
    const stamps = new Map<string, string>();
    const lists = [
      platform.dataCentres,
      platform.agencies,
      platform.links,
      platform.services,
      platform.requests,
      platform.grants,
    ] as unknown as KubernetesObject[][];
    for (const list of lists) for (const o of list) stamps.set(keyOf(o), stampOf(o));
    const errors = new Map<string, RuleProblem[]>();
    for (const p of problems) {
      if (p.severity !== 'error') continue;
      const key = keyOf(p.object as KubernetesObject);
      const list = errors.get(key);
      if (list) list.push(p);
      else errors.set(key, [p]);
    }
    const texts = new Map<string, { object: PlatformObject; text: string }>();
    for (const [key, list] of errors) texts.set(key, { object: list[0]!.object, text: list.map((p) => `${p.path.join('.')}: ${p.message}`).join('\n') });
    const previous = this.verdicts?.texts ?? new Map<string, { object: PlatformObject; text: string }>();
    const changed: PlatformObject[] = [];
    for (const [key, now] of texts) if (previous.get(key)?.text !== now.text) changed.push(now.object);
    for (const [key, before] of previous) if (!texts.has(key) && stamps.has(key)) changed.push(before.object);
    this.verdicts = { revision: this.revision, stamps, errors, texts };
    if (changed.length > 0) for (const listener of this.verdictListeners) listener(changed);
  }

  /** Tells `listener`, at each publication, the present objects whose rule verdict changed. */
  onVerdictsChanged(listener: (objects: PlatformObject[]) => void): () => void {
    this.verdictListeners.add(listener);
    return () => this.verdictListeners.delete(listener);
  }

  /**
   * Errors the rules report about one object, from the latest publication; published first
   * when that publication did not judge this version of the object.
   */
  errorsOf(kind: string, namespace: string | undefined, name: string): RuleProblem[] {
    const key = objectKey(kind, namespace, name);
    const live = this.objectOf(kind, namespace, name);
    if (!this.verdicts || (live !== undefined && this.verdicts.stamps.get(key) !== stampOf(live))) this.publishVerdicts();
    return this.verdicts?.errors.get(key) ?? [];
  }

  /**
   * The platform without the objects the rules reject, nor those written in the hub namespace
   * of a rejected agency: what other objects' renders may count on (controllers/refusal.ts).
   * DataCentres stay whatever their verdict: every agency placed in one depends on it.
   */
  admitted(): Platform {
    this.publishVerdicts();
    const verdicts = this.verdicts!;
    if (verdicts.admitted) return verdicts.admitted;
    const platform = this.platform();
    const rejectedAgencies = new Set(platform.agencies.filter((a) => verdicts.errors.has(keyOf(a as KubernetesObject))).map((a) => a.metadata.name));
    const keep = <T extends { metadata: { namespace?: string } }>(list: T[]): T[] =>
      list.filter((o) => {
        if (verdicts.errors.has(keyOf(o as unknown as KubernetesObject))) return false;
        const acting = agencyNameOfHubNamespace(o.metadata.namespace);
        return acting === undefined || !rejectedAgencies.has(acting);
      });
    verdicts.admitted = {
      dataCentres: platform.dataCentres,
      agencies: platform.agencies.filter((a) => !rejectedAgencies.has(a.metadata.name)),
      links: keep(platform.links),
      services: keep(platform.services),
      requests: keep(platform.requests),
      grants: keep(platform.grants),
      plans: keep(platform.plans),
      targets: platform.targets,
    };
    return verdicts.admitted;
  }

  /** The agencies whose workspaces or hub namespace would be a namespace of this name. */
  agenciesWanting(namespace: string): string[] {
    return this.wanters.of(namespace);
  }

  private objectOf(kind: string, namespace: string | undefined, name: string): KubernetesObject | undefined {
    const informer = {
      DataCentre: this.dataCentres,
      Agency: this.agencies,
      NetworkLink: this.links,
      SharedDataService: this.services,
      AccessRequest: this.requests,
      AccessGrant: this.grants,
      MigrationPlan: this.plans,
      ConsolidationTarget: this.targets,
    }[kind] as Informer<KubernetesObject> | undefined;
    return informer?.get(namespace, name);
  }

  agency(name: string): (Agency & KubernetesObject) | undefined {
    return this.agencies.get(undefined, name);
  }

  dataCentre(name: string): (DataCentre & KubernetesObject) | undefined {
    return this.dataCentres.get(undefined, name);
  }

  secret(name: string): SecretObject | undefined {
    return this.secrets.get(this.namespace, name);
  }
}
