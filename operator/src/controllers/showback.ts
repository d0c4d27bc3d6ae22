// Showback in the operator: the same computation as `govcloud showback` (showback/compute.ts)
// from the hub's caches and the members' (which keep each ResourceQuota's hard and used), for
// the metrics at scrape time; and the month's history, sampled at a bounded rate into the
// month's ConfigMaps (an index and shards, showback/shards.ts) in the operator's namespace,
// read back before each write, so it goes on across restarts and leader changes
// (docs/architecture.md, "Showback history"); and with each sample, the use now in the
// ConfigMaps the dashboard reads (usage.ts), written only when a figure changed. Only the
// shards whose entries changed are written.
import { workspaceNamespaces } from '../api/index.ts';
import { QUOTA_NAME } from '../render/index.ts';
import { isNotFound, sleep, withDeadline, type ClusterClient, type Logger } from '../runtime/index.ts';
import { showback, type ObservedQuota, type Showback } from '../showback/compute.ts';
import { accumulate, decodeHistory, encodeHistory, historyName, monthOf, type MonthHistory } from '../showback/history.ts';
import { readSet, writeSet, type SetWriter } from '../showback/shards.ts';
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

/** Where the history and the use now are kept: ConfigMaps by name, each created or replaced on the resourceVersion read (409 if it changed). */
export type HistoryStore = SetWriter;

/** The ConfigMap the operator writes: a replace carries the resourceVersion read. */
export function showbackConfigMap(name: string, namespace: string, data: Record<string, string>, resourceVersion: string | undefined) {
  const labels = { 'app.kubernetes.io/managed-by': 'govcloud', 'app.kubernetes.io/component': 'showback' };
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels, ...(resourceVersion ? { resourceVersion } : {}) }, data };
}

export function kubeHistoryStore(client: ClusterClient, namespace: string, timeoutMs: number): HistoryStore {
  const path = (name?: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps${name ? `/${encodeURIComponent(name)}` : ''}`;
  return {
    async read(name) {
      try {
        const cm = await withDeadline(timeoutMs, undefined, (signal) =>
          client.request<{ data?: Record<string, string>; metadata?: { resourceVersion?: string } }>('GET', path(name), { signal }),
        );
        return { ...(cm.data ? { data: cm.data } : {}), ...(cm.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}) };
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    async write(name, data, resourceVersion) {
      const body = showbackConfigMap(name, namespace, data, resourceVersion);
      await withDeadline(timeoutMs, undefined, (signal) =>
        resourceVersion === undefined ? client.request('POST', path(), { body, signal }) : client.request('PUT', path(name), { body, signal }),
      );
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

  /** One sample: read the month's ConfigMaps, add the caches' showback, write back what changed; publish the use now if it changed. */
  async sample(): Promise<MonthHistory> {
    const now = new Date(this.ctx.clock.now());
    const name = historyName(monthOf(now));
    const stored = await readSet((n) => this.store.read(n), name);
    const read = decodeHistory(stored);
    const showback = cachedShowback(this.ctx);
    // A gap longer than two intervals (no leader, a restart) counts only two.
    const next = accumulate(read.history, showback, now, 2 * this.intervalMs);
    await writeSet(this.store, name, stored, encodeHistory(next, read));
    this.latest = next;
    const usage = usageOf(showback, now);
    const published = await readSet((n) => this.store.read(n), USAGE_NAME);
    const previous = decodeUsage(published);
    if (!previous.usage || !sameUsage(previous.usage, usage)) await writeSet(this.store, USAGE_NAME, published, encodeUsage(usage, previous.layout));
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
