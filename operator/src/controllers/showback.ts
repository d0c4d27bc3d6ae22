// Showback in the operator: the same computation as `govcloud showback` (showback/compute.ts)
// from the hub's caches and the members' (which keep each ResourceQuota's hard and used), for
// the metrics at scrape time; and the month's history, sampled at a bounded rate into one
// ConfigMap per month in the operator's namespace, read back before each write, so it goes
// on across restarts and leader changes (docs/architecture.md, "Showback history"); and with
// each sample, the use now in one ConfigMap of a fixed name for the dashboard (usage.ts),
// written only when a figure changed.
import { workspaceNamespaces } from '../api/index.ts';
import { QUOTA_NAME } from '../render/index.ts';
import { isNotFound, sleep, type ClusterClient, type Logger } from '../runtime/index.ts';
import { showback, type ObservedQuota, type Showback } from '../showback/compute.ts';
import { accumulate, decodeHistory, encodeHistory, historyName, monthOf, type MonthHistory } from '../showback/history.ts';
import { decodeUsage, encodeUsage, sameUsage, USAGE_NAME, usageOf } from '../showback/usage.ts';
import type { ControllerContext } from './context.ts';

/** The showback of the platform as the caches hold it now (no history). */
export function cachedShowback(ctx: ControllerContext, history?: MonthHistory): Showback {
  const platform = ctx.hub.platform();
  const quotas: ObservedQuota[] = [];
  const live = new Set<string>();
  for (const member of ctx.members.list()) {
    if (!member.ready()) continue;
    live.add(member.name);
    for (const agency of platform.agencies) {
      for (const namespace of workspaceNamespaces(agency)) {
        const q = member.find({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { namespace, name: QUOTA_NAME } }) as
          { status?: { hard?: Record<string, string>; used?: Record<string, string> } } | undefined;
        if (q) quotas.push({ dataCentre: member.name, namespace, hard: q.status?.hard ?? {}, used: q.status?.used ?? {} });
      }
    }
  }
  return showback({ platform, quotas, liveDataCentres: live, now: new Date(ctx.clock.now()), ...(history ? { history } : {}) });
}

/** Where the month's history is kept: a ConfigMap by name, written on the resourceVersion read. */
export interface HistoryStore {
  read(name: string): Promise<{ data?: Record<string, string>; resourceVersion?: string } | undefined>;
  /** Creates the ConfigMap (no resourceVersion) or replaces it on the resourceVersion read (409 if it changed). */
  write(name: string, data: Record<string, string>, resourceVersion: string | undefined): Promise<void>;
}

export function kubeHistoryStore(client: ClusterClient, namespace: string, timeoutMs: number): HistoryStore {
  const path = (name?: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps${name ? `/${encodeURIComponent(name)}` : ''}`;
  const labels = { 'app.kubernetes.io/managed-by': 'govcloud', 'app.kubernetes.io/component': 'showback' };
  return {
    async read(name) {
      try {
        const cm = await client.request<{ data?: Record<string, string>; metadata?: { resourceVersion?: string } }>('GET', path(name), {
          signal: AbortSignal.timeout(timeoutMs),
        });
        return { ...(cm.data ? { data: cm.data } : {}), ...(cm.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}) };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async write(name, data, resourceVersion) {
      const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels, ...(resourceVersion ? { resourceVersion } : {}) }, data };
      if (resourceVersion === undefined) await client.request('POST', path(), { body, signal: AbortSignal.timeout(timeoutMs) });
      else await client.request('PUT', path(name), { body, signal: AbortSignal.timeout(timeoutMs) });
    },
  };
}

export interface HistoryRecorderOptions {
  store: HistoryStore;
  /** How often a sample is written: the bound on the write rate (default 5 minutes). */
  intervalMs?: number;
  logger?: Logger;
}

/** Samples the showback into the month's history, one write per interval, while leading. */
export class HistoryRecorder {
  private readonly ctx: ControllerContext;
  private readonly store: HistoryStore;
  private readonly intervalMs: number;
  private readonly log: Logger | undefined;
  private latest: MonthHistory | undefined;

  constructor(ctx: ControllerContext, opts: HistoryRecorderOptions) {
    this.ctx = ctx;
    this.store = opts.store;
    this.intervalMs = opts.intervalMs ?? 300_000;
    this.log = opts.logger;
  }

  /** The history last written or read (for the metrics and the dashboard). */
  history(): MonthHistory | undefined {
    return this.latest;
  }

  /** One sample: read the month's ConfigMap, add the caches' showback, write it back; publish the use now if it changed. */
  async sample(): Promise<MonthHistory> {
    const now = new Date(this.ctx.clock.now());
    const name = historyName(monthOf(now));
    const stored = await this.store.read(name);
    const showback = cachedShowback(this.ctx);
    // A gap longer than two intervals (no leader, a restart) counts only two.
    const next = accumulate(decodeHistory(stored?.data), showback, now, 2 * this.intervalMs);
    await this.store.write(name, encodeHistory(next), stored?.resourceVersion);
    this.latest = next;
    const usage = usageOf(showback, now);
    const published = await this.store.read(USAGE_NAME);
    const previous = decodeUsage(published?.data);
    if (!previous || !sameUsage(previous, usage)) await this.store.write(USAGE_NAME, encodeUsage(usage), published?.resourceVersion);
    return next;
  }

  /** Samples every interval until `signal` aborts; a failed sample is logged and tried at the next. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.sample();
      } catch (err) {
        if (!signal.aborted) this.log?.warn({ err }, 'showback history: sample not written');
      }
      await sleep(this.ctx.clock, this.intervalMs, signal);
    }
  }
}
