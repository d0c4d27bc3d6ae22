// The hub's caches: one informer per govcloud kind, and one for the Secrets in the
// operator's namespace (the data centres' kubeconfigs). Controllers read the whole desired
// platform from here, the same `Platform` value `govcloud plan` builds from files, so the
// operator and the preview decide alike. The platform and the cross-object rule problems are
// computed once per change of some spec, not once per reconcile.
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import type { AccessGrant, AccessRequest, Agency, DataCentre, NetworkLink, SharedDataService } from '../api/index.ts';
import type { Platform } from '../model/platform.ts';
import { checkPlatform, type RuleProblem } from '../model/rules.ts';
import { Informer, type Clock, type InformerHandlers, type ListWatchSource, type Logger } from '../runtime/index.ts';
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

export class HubCache {
  readonly namespace: string;
  readonly dataCentres: Informer<DataCentre & KubernetesObject>;
  readonly agencies: Informer<Agency & KubernetesObject>;
  readonly links: Informer<NetworkLink & KubernetesObject>;
  readonly services: Informer<SharedDataService & KubernetesObject>;
  readonly requests: Informer<AccessRequest & KubernetesObject>;
  readonly grants: Informer<AccessGrant & KubernetesObject>;
  readonly secrets: Informer<SecretObject>;
  private revision = 0;
  private memo: { revision: number; platform: Platform; problems?: RuleProblem[] } | undefined;

  constructor(opts: HubCacheOptions) {
    this.namespace = opts.namespace;
    const make = <T extends KubernetesObject>(resource: ResourceType, namespace?: string): Informer<T> => {
      const informer = new Informer<T>({
        name: `hub/${resource.plural}`,
        source: opts.sources(resource, namespace === undefined ? {} : { namespace }) as ListWatchSource<T>,
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
    this.links = make(kind('NetworkLink'));
    this.services = make(kind('SharedDataService'));
    this.requests = make(kind('AccessRequest'));
    this.grants = make(kind('AccessGrant'));
    this.secrets = make(SECRET, opts.namespace);
  }

  informers(): Informer<KubernetesObject>[] {
    return [this.dataCentres, this.agencies, this.links, this.services, this.requests, this.grants, this.secrets] as Informer<KubernetesObject>[];
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
   * The desired platform: every object not being deleted, oldest first (so that of two
   * agencies claiming one code, the newcomer is the one told so). Objects are the cached ones:
   * read-only.
   */
  platform(): Platform {
    if (this.memo?.revision === this.revision) return this.memo.platform;
    const live = <T extends KubernetesObject>(i: Informer<T>): T[] => i.list().filter((o) => !o.metadata?.deletionTimestamp).sort(byAge);
    const platform: Platform = {
      dataCentres: live(this.dataCentres),
      agencies: live(this.agencies),
      links: live(this.links),
      services: live(this.services),
      requests: live(this.requests),
      grants: live(this.grants),
    };
    this.memo = { revision: this.revision, platform };
    return platform;
  }

  /** Rule problems across the platform (model/rules.ts), computed once per revision. */
  problems(): RuleProblem[] {
    const platform = this.platform();
    const memo = this.memo!;
    memo.problems ??= checkPlatform(platform);
    return memo.problems;
  }

  /** Errors the rules report about one object. */
  errorsOf(kind: string, namespace: string | undefined, name: string): RuleProblem[] {
    return this.problems().filter(
      (p) => p.severity === 'error' && p.object.kind === kind && p.object.metadata.name === name && (p.object.metadata.namespace ?? '') === (namespace ?? ''),
    );
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
