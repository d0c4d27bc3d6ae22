// The platform's own gauges, beside the controller-runtime metrics of the runtime:
//   govcloud_agencies                                  Agencies on the hub (not being deleted)
//   govcloud_datacentre_connected{datacentre}          1 when the data centre's cluster answers and its caches are usable
//   govcloud_namespaces{datacentre}                    namespaces labelled managed-by=govcloud there
//   govcloud_quota_allocated{datacentre,resource}      sum of the quotas of agencies placed there (cpu in cores, memory and storage in bytes)
//   govcloud_access_grant_expiry_timestamp_seconds{agency,accessgrant}  validUntil of each AccessGrant (agency: the provider, from the namespace)
//   govcloud_object_writes_total{cluster,controller,action}            writes each controller made (apply, delete in a data centre; status, finalizer on the hub)
//   govcloud_agency_quota_allocated{agency,datacentre,resource}         showback: the agency's ResourceQuotas' hard there (cpu in cores, memory and storage in bytes, pods)
//   govcloud_agency_quota_used{agency,datacentre,resource}              showback: their status.used
//   govcloud_agency_quota_used_month_mean{agency,datacentre,resource}   showback: mean use since the month began (the history ConfigMap)
//   govcloud_agency_services{agency,role}                               shared data services the agency owns (role=owned) and may reach now (role=consumed)
//   govcloud_migration_systems{agency,state}                            systems in the agency's MigrationPlans, by state
//   govcloud_migration_systems_overdue{agency}                          of those, past their target date and not migrated or retired
//   govcloud_consolidation_target_share_percent{consolidationtarget}    share of systems migrated or retired among the agencies a target covers
//   govcloud_consolidation_target_due_percent{consolidationtarget}      the share the target asks for by its date
// Gauges that describe caches are computed when scraped, so they are never stale. All are
// registered through the runtime's gauge and counter, in its registry, except the series kept
// for every agency (showback, migration systems): agencyGauge, served at /metrics/agencies.
import type { Counter, Gauge } from 'prom-client';
import type { RuntimeMetrics } from '../runtime/index.ts';
import type { AgencyProgress } from '../roadmap/progress.ts';
import { SHOWBACK_RESOURCES, type Showback } from '../showback/compute.ts';
import type { MonthHistory } from '../showback/history.ts';

export interface MetricsSources {
  agencies(): number;
  /** Every registered DataCentre with whether it is usable now and its managed namespaces. */
  dataCentres(): { name: string; connected: boolean; namespaces: number }[];
  /** Showback from the caches, with the month's history when there is one. */
  showback(): { showback: Showback; history?: MonthHistory } | undefined;
  /** Roadmap progress per agency, by state, and each target's share against its due share. */
  roadmap(): { agencies: (AgencyProgress & { byState: Record<string, number> })[]; targets: { name: string; sharePercent: number; duePercent: number }[] };
}

export class PlatformMetrics {
  readonly quotaAllocated: Gauge<'datacentre' | 'resource'>;
  readonly grantExpiry: Gauge<'agency' | 'accessgrant'>;
  readonly writes: Counter<'cluster' | 'controller' | 'action'>;
  private sources: MetricsSources = {
    agencies: () => 0,
    dataCentres: () => [],
    showback: () => undefined,
    roadmap: () => ({ agencies: [], targets: [] }),
  };

  constructor(runtime: RuntimeMetrics) {
    const self = this;
    runtime.gauge({
      name: 'govcloud_agencies',
      help: 'Agencies on the hub, not counting those being deleted',
      collect() {
        this.set(self.sources.agencies());
      },
    });
    runtime.gauge({
      name: 'govcloud_datacentre_connected',
      help: "1 when the data centre's cluster answers and the operator's caches of it are usable, else 0",
      labelNames: ['datacentre'],
      collect() {
        this.reset();
        for (const dc of self.sources.dataCentres()) this.set({ datacentre: dc.name }, dc.connected ? 1 : 0);
      },
    });
    runtime.gauge({
      name: 'govcloud_namespaces',
      help: 'Namespaces managed by govcloud in the data centre',
      labelNames: ['datacentre'],
      collect() {
        this.reset();
        for (const dc of self.sources.dataCentres()) this.set({ datacentre: dc.name }, dc.namespaces);
      },
    });
    this.quotaAllocated = runtime.gauge({
      name: 'govcloud_quota_allocated',
      help: 'Sum of the quotas of the agencies placed in the data centre: cpu in cores, memory and storage in bytes',
      labelNames: ['datacentre', 'resource'],
    });
    this.grantExpiry = runtime.gauge({
      name: 'govcloud_access_grant_expiry_timestamp_seconds',
      help: 'When an AccessGrant expires (spec.validUntil), in Unix seconds; agency is the provider that wrote it',
      labelNames: ['agency', 'accessgrant'],
    });
    const perAgencyInDataCentre = (name: string, help: string, pick: (s: Showback, h: MonthHistory | undefined) => [Record<string, string>, number][]) =>
      runtime.agencyGauge({
        name,
        help,
        labelNames: ['agency', 'datacentre', 'resource'],
        collect() {
          this.reset();
          const now = self.sources.showback();
          if (!now) return;
          for (const [labels, value] of pick(now.showback, now.history)) this.set(labels, value);
        },
      });
    const rows = (
      s: Showback,
      value: (row: Showback['agencies'][number]['dataCentres'][number], r: (typeof SHOWBACK_RESOURCES)[number]) => number | undefined,
    ) =>
      s.agencies.flatMap((a) =>
        a.dataCentres.flatMap((d) =>
          SHOWBACK_RESOURCES.flatMap((r): [Record<string, string>, number][] => {
            const v = value(d, r);
            return v === undefined ? [] : [[{ agency: a.agency, datacentre: d.dataCentre, resource: r }, v]];
          }),
        ),
      );
    perAgencyInDataCentre(
      'govcloud_agency_quota_allocated',
      "Showback: the hard limits of the agency's ResourceQuotas in the data centre (cpu in cores, memory and storage in bytes, pods)",
      (s) => rows(s, (d, r) => d.allocated[r]),
    );
    perAgencyInDataCentre('govcloud_agency_quota_used', "Showback: the status.used of the agency's ResourceQuotas in the data centre, in the same units", (s) =>
      rows(s, (d, r) => (d.live ? d.used[r] : undefined)),
    );
    perAgencyInDataCentre(
      'govcloud_agency_quota_used_month_mean',
      'Showback: mean use since the month began, over the time the operator observed it (the history ConfigMap)',
      (s) => rows(s, (d, r) => d.monthToDate?.used[r]),
    );
    runtime.agencyGauge({
      name: 'govcloud_agency_services',
      help: 'Shared data services the agency owns (role=owned) and its workspaces may reach now (role=consumed)',
      labelNames: ['agency', 'role'],
      collect() {
        this.reset();
        for (const a of self.sources.showback()?.showback.agencies ?? []) {
          this.set({ agency: a.agency, role: 'owned' }, a.servicesOwned.length);
          this.set({ agency: a.agency, role: 'consumed' }, a.servicesConsumed.length);
        }
      },
    });
    runtime.agencyGauge({
      name: 'govcloud_migration_systems',
      help: "Systems in the agency's MigrationPlans, by state (planned, migrating, migrated, retired)",
      labelNames: ['agency', 'state'],
      collect() {
        this.reset();
        for (const a of self.sources.roadmap().agencies) for (const [state, n] of Object.entries(a.byState)) this.set({ agency: a.agency, state }, n);
      },
    });
    runtime.agencyGauge({
      name: 'govcloud_migration_systems_overdue',
      help: "Systems in the agency's MigrationPlans past their target date and not migrated or retired",
      labelNames: ['agency'],
      collect() {
        this.reset();
        for (const a of self.sources.roadmap().agencies) this.set({ agency: a.agency }, a.overdue);
      },
    });
    runtime.gauge({
      name: 'govcloud_consolidation_target_share_percent',
      help: 'Share of systems migrated or retired among the agencies the ConsolidationTarget covers, in percent',
      labelNames: ['consolidationtarget'],
      collect() {
        this.reset();
        for (const t of self.sources.roadmap().targets) this.set({ consolidationtarget: t.name }, t.sharePercent);
      },
    });
    runtime.gauge({
      name: 'govcloud_consolidation_target_due_percent',
      help: 'The share the ConsolidationTarget asks for by its date, in percent',
      labelNames: ['consolidationtarget'],
      collect() {
        this.reset();
        for (const t of self.sources.roadmap().targets) this.set({ consolidationtarget: t.name }, t.duePercent);
      },
    });
    this.writes = runtime.counter({
      name: 'govcloud_object_writes_total',
      help: 'Writes each controller made: apply and delete of objects in a data centre (cluster = the data centre), status and finalizer on the hub (cluster = hub)',
      labelNames: ['cluster', 'controller', 'action'],
    });
  }

  /** Where the scrape-time gauges read from (the running controllers, once leading). */
  bind(sources: Pick<MetricsSources, 'agencies' | 'dataCentres'> & Partial<MetricsSources>): void {
    this.sources = { ...this.sources, ...sources };
  }
}
