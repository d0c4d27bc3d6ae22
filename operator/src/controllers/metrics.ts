// The platform's own gauges, beside the controller-runtime metrics of the runtime:
//   govcloud_agencies                                  Agencies on the hub (not being deleted)
//   govcloud_datacentre_connected{datacentre}          1 when the data centre's cluster answers and its caches are usable
//   govcloud_namespaces{datacentre}                    namespaces labelled managed-by=govcloud there
//   govcloud_quota_allocated{datacentre,resource}      sum of the quotas of agencies placed there (cpu in cores, memory and storage in bytes)
//   govcloud_access_grant_expiry_timestamp_seconds{agency,accessgrant}  validUntil of each AccessGrant (agency: the provider, from the namespace)
//   govcloud_object_writes_total{cluster,controller,action}            writes each controller made (apply, delete in a data centre; status, finalizer on the hub)
// Gauges that describe caches are computed when scraped, so they are never stale. All are
// registered through the runtime's gauge and counter, in its registry.
import type { Counter, Gauge } from 'prom-client';
import type { RuntimeMetrics } from '../runtime/index.ts';

export interface MetricsSources {
  agencies(): number;
  /** Every registered DataCentre with whether it is usable now and its managed namespaces. */
  dataCentres(): { name: string; connected: boolean; namespaces: number }[];
}

export class PlatformMetrics {
  readonly quotaAllocated: Gauge<'datacentre' | 'resource'>;
  readonly grantExpiry: Gauge<'agency' | 'accessgrant'>;
  readonly writes: Counter<'cluster' | 'controller' | 'action'>;
  private sources: MetricsSources = { agencies: () => 0, dataCentres: () => [] };

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
    this.writes = runtime.counter({
      name: 'govcloud_object_writes_total',
      help: 'Writes each controller made: apply and delete of objects in a data centre (cluster = the data centre), status and finalizer on the hub (cluster = hub)',
      labelNames: ['cluster', 'controller', 'action'],
    });
  }

  /** Where the scrape-time gauges read from (the running controllers, once leading). */
  bind(sources: MetricsSources): void {
    this.sources = sources;
  }
}
