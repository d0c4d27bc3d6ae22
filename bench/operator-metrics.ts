// What the bench reads from the operator's own /metrics: its heap, whether it is idle, and how
// counters grew between two scrapes; and the percentiles the phases report.
import { metricSamples, metricSum } from '../e2e/harness/prometheus.ts';
import type { Supervisor } from './supervisor.ts';
import { waitUntil } from './progress.ts';

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** The V8 heap from the operator's own metrics (prom-client's default metrics), in bytes. */
export function heapOf(metricsText: string): { usedBytes: number; totalBytes: number; externalBytes: number } {
  return {
    usedBytes: metricSum(metricsText, 'nodejs_heap_size_used_bytes'),
    totalBytes: metricSum(metricsText, 'nodejs_heap_size_total_bytes'),
    externalBytes: metricSum(metricsText, 'nodejs_external_memory_bytes'),
  };
}

export interface OperatorState {
  writes: number;
  reconciles: number;
  depth: number;
  active: number;
  connected: number;
  /** Whether it holds the Lease (a replacement waits for the old one's to expire). */
  leading: boolean;
  /** The replica read (a replacement's counters start again from zero). */
  replica: number;
}

export async function operatorState(op: Supervisor): Promise<OperatorState> {
  const { text, replica } = await op.scrape();
  return {
    replica,
    writes: metricSum(text, 'govcloud_object_writes_total'),
    reconciles: metricSum(text, 'controller_runtime_reconcile_total'),
    depth: metricSum(text, 'workqueue_depth'),
    active: metricSum(text, 'controller_runtime_active_workers'),
    connected: metricSum(text, 'govcloud_datacentre_connected'),
    leading: metricSum(text, 'leader_election_master_status') > 0,
  };
}

/** Until the operator leads, has nothing queued, nothing in flight and has written nothing for `quietMs` (a replacement's start counts as a write). */
export async function waitOperatorQuiet(op: Supervisor, what: string, timeoutMs: number, quietMs = 5000): Promise<OperatorState> {
  let last: OperatorState | undefined;
  let quietSince = Date.now();
  return waitUntil(
    what,
    async () => {
      const s = await operatorState(op);
      if (!last || !s.leading || s.replica !== last.replica || s.writes !== last.writes || s.depth > 0 || s.active > 0) quietSince = Date.now();
      last = s;
      return Date.now() - quietSince >= quietMs ? s : undefined;
    },
    { timeoutMs, intervalMs: 500, progress: () => `queue ${last?.depth}, in flight ${last?.active}, writes ${last?.writes}` },
  );
}

/** Per controller over a window: reconciles, errors, seconds spent reconciling (sum of the histogram). */
export function controllerBreakdown(before: string, after: string): Record<string, { reconciles: number; errors: number; seconds: number }> {
  const out: Record<string, { reconciles: number; errors: number; seconds: number }> = {};
  const get = (c: string) => (out[c] ??= { reconciles: 0, errors: 0, seconds: 0 });
  for (const s of metricSamples(after, 'controller_runtime_reconcile_total')) get(s.labels.controller!).reconciles += s.value;
  for (const s of metricSamples(before, 'controller_runtime_reconcile_total')) get(s.labels.controller!).reconciles -= s.value;
  for (const s of metricSamples(after, 'controller_runtime_reconcile_errors_total')) get(s.labels.controller!).errors += s.value;
  for (const s of metricSamples(before, 'controller_runtime_reconcile_errors_total')) get(s.labels.controller!).errors -= s.value;
  for (const s of metricSamples(after, 'controller_runtime_reconcile_time_seconds_sum')) get(s.labels.controller!).seconds += s.value;
  for (const s of metricSamples(before, 'controller_runtime_reconcile_time_seconds_sum')) get(s.labels.controller!).seconds -= s.value;
  for (const v of Object.values(out)) v.seconds = Math.round(v.seconds * 10) / 10;
  return out;
}

/** How much each series of an operator counter grew between two scrapes, keyed by its labels. */
export function counterGrowth(before: string, after: string, name: string, keyOf: (labels: Record<string, string>) => string): Record<string, number> {
  const totals = (text: string) => {
    const sums = new Map<string, number>();
    for (const s of metricSamples(text, name)) sums.set(keyOf(s.labels), (sums.get(keyOf(s.labels)) ?? 0) + s.value);
    return sums;
  };
  const b = totals(before);
  const out: Record<string, number> = {};
  for (const [k, v] of totals(after)) if (v !== (b.get(k) ?? 0)) out[k] = v - (b.get(k) ?? 0);
  return out;
}

export const writesBreakdown = (before: string, after: string) =>
  counterGrowth(before, after, 'govcloud_object_writes_total', (l) => `${l.cluster}/${l.controller}/${l.action}`);
/** The operator's own requests by method and answer (rest_client_requests_total), all clusters together. */
export const requestsBreakdown = (before: string, after: string) => counterGrowth(before, after, 'rest_client_requests_total', (l) => `${l.method} ${l.code}`);
