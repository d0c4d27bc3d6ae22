/**
 * The dashboard's read of the hub: one informer per govcloud kind (runtime/informer.ts, as
 * the operator's HubCache), list and watch only. Unlike the operator it reads no Secret: the
 * dashboard's ServiceAccount may read the govcloud kinds and nothing else.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { AccessGrant, AccessRequest, Agency, ConsolidationTarget, DataCentre, MigrationPlan, NetworkLink, SharedDataService } from '../api/index.ts';
import { GOVCLOUD_RESOURCES } from '../controllers/resources.ts';
import type { Platform } from '../model/platform.ts';
import { Informer, kubeListWatch, withoutFieldBookkeeping, type ClusterClient, type Logger } from '../runtime/index.ts';

export class DashboardCache {
  private readonly byKind: Record<string, Informer<KubernetesObject>>;

  constructor(client: ClusterClient, logger?: Logger) {
    this.byKind = Object.fromEntries(
      Object.values(GOVCLOUD_RESOURCES).map((r) => [
        r.kind,
        new Informer<KubernetesObject>({
          name: `dashboard/${r.plural}`,
          source: kubeListWatch(client, { apiVersion: r.apiVersion, kind: r.kind, plural: r.plural }),
          transform: withoutFieldBookkeeping,
          ...(logger ? { logger } : {}),
        }),
      ]),
    );
  }

  informers(): Informer<KubernetesObject>[] {
    return Object.values(this.byKind);
  }

  start(): void {
    for (const i of this.informers()) i.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.informers().map((i) => i.stop()));
  }

  async waitForSync(signal?: AbortSignal): Promise<boolean> {
    return (await Promise.all(this.informers().map((i) => i.waitForSync(signal)))).every(Boolean);
  }

  hasSynced(): boolean {
    return this.informers().every((i) => i.hasSynced());
  }

  /** The platform as the caches hold it now, without objects being deleted. */
  platform(): Platform {
    const live = <T>(kind: string): T[] =>
      this.byKind[kind]!.list()
        .filter((o) => !o.metadata?.deletionTimestamp)
        .sort((a, b) => ((a.metadata?.creationTimestamp ?? '') < (b.metadata?.creationTimestamp ?? '') ? -1 : 1)) as T[];
    return {
      dataCentres: live<DataCentre>('DataCentre'),
      agencies: live<Agency>('Agency'),
      links: live<NetworkLink>('NetworkLink'),
      services: live<SharedDataService>('SharedDataService'),
      requests: live<AccessRequest>('AccessRequest'),
      grants: live<AccessGrant>('AccessGrant'),
      plans: live<MigrationPlan>('MigrationPlan'),
      targets: live<ConsolidationTarget>('ConsolidationTarget'),
    };
  }
}
