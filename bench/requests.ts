// Requests counted by the API servers themselves: apiserver_request_total from each API
// server's /metrics, summed by (verb, resource, subresource) over codes, scopes and versions.
// A window's count is the difference of two scrapes, minus the bench's own requests (counted
// by its client), minus the idle background of the clusters' own components (node heartbeats,
// leases) measured beforehand as a rate.
import { metricSamples } from '../e2e/harness/prometheus.ts';
import type { Kube, SeriesKey } from './kube.ts';

export type Counts = Map<SeriesKey, number>;

export const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);
export const READS = new Set(['GET', 'LIST']);
export const WATCHES = new Set(['WATCH', 'WATCHLIST']);

/**
 * What the clusters' own controllers do because namespaces and quotas appeared, whoever made
 * them: kube-controller-manager creates each namespace's `default` ServiceAccount and
 * `kube-root-ca.crt` ConfigMap and writes each ResourceQuota's status. They follow the
 * operator's and kubectl's writes alike, lagging behind by the controller manager's own
 * client rate limit, so they are reported apart and left out of the comparison.
 */
export const SIDE_EFFECTS = new Set<SeriesKey>(['POST|serviceaccounts|', 'POST|configmaps|', 'PUT|resourcequotas|status', 'PATCH|resourcequotas|status']);

/**
 * Sums apiserver_request_total by the key `keyOf` gives a sample's series (`VERB|resource|subresource`,
 * collection deletes counted as DELETE) and code; samples it gives no key are left out.
 */
function sumRequestTotals(text: string, keyOf: (series: SeriesKey, code: number) => string | undefined): Counts {
  const out: Counts = new Map();
  for (const { labels, value } of metricSamples(text, 'apiserver_request_total')) {
    const verb = labels.verb === 'DELETECOLLECTION' ? 'DELETE' : (labels.verb ?? '');
    const res = labels.group ? `${labels.group}/${labels.resource ?? ''}` : (labels.resource ?? '');
    const key = keyOf(`${verb}|${res}|${labels.subresource ?? ''}`, Number(labels.code));
    if (key !== undefined) out.set(key, (out.get(key) ?? 0) + value);
  }
  return out;
}

/**
 * Error answers that belong to ordinary work: 404 (deleting or reading what is already gone),
 * 409 (a write on a stale resourceVersion, retried on fresh data), 429 (the API server's
 * priority and fairness asking a client to come back). Any other is a failure of the run.
 */
export const EXPECTED_ERROR_CODES = new Set([404, 409, 429]);

/**
 * A window's error answers that are not expected ones, as `cluster: VERB resource[/sub] code: count`.
 * The clusters' own side effects are left out: kube-controller-manager's publisher of
 * kube-root-ca.crt is refused (403) in every namespace that is being deleted.
 */
export function unexpectedErrors(w: Window): string[] {
  const out: string[] = [];
  for (const [cluster, counts] of w.failed) {
    for (const [key, n] of counts) {
      const [verb, res, sub, code] = key.split('|');
      if (n > 0 && !EXPECTED_ERROR_CODES.has(Number(code)) && !SIDE_EFFECTS.has(`${verb}|${res}|${sub}`))
        out.push(`${cluster}: ${verb} ${res || '(non-resource)'}${sub ? `/${sub}` : ''} ${code}: ${n}`);
    }
  }
  return out;
}

/** Requests the API server answered with an error (code 400 and above), by `series|code`. */
export function parseFailedTotals(text: string): Counts {
  return sumRequestTotals(text, (series, code) => (code >= 400 ? `${series}|${code}` : undefined));
}

export function parseRequestTotals(text: string): Counts {
  return sumRequestTotals(text, (series) => series);
}

/** Our own requests in the API server's terms (collection deletes are reported as DELETE). */
function normalised(own: Counts): Counts {
  const out: Counts = new Map();
  for (const [k, v] of own) {
    const key = k.startsWith('DELETECOLLECTION|') ? `DELETE|${k.slice('DELETECOLLECTION|'.length)}` : k;
    out.set(key, (out.get(key) ?? 0) + v);
  }
  return out;
}

export interface Snapshot {
  at: number;
  /** Per cluster: the API server's totals. */
  servers: Map<string, Counts>;
  /** Per cluster: the bench's own requests so far (the scrape itself included). */
  own: Map<string, Counts>;
  /** Per cluster: requests answered with an error, by `series|code` (the bench's own included). */
  failed: Map<string, Counts>;
}

export async function snapshot(clusters: Kube[]): Promise<Snapshot> {
  const servers = new Map<string, Counts>();
  const own = new Map<string, Counts>();
  const failed = new Map<string, Counts>();
  await Promise.all(
    clusters.map(async (k) => {
      const res = await k.request('GET', '/metrics', { accept: 'text/plain', timeoutMs: 30_000 });
      if (res.status !== 200) throw new Error(`${k.name}: GET /metrics -> ${res.status}`);
      // Copy after the scrape: the scrape is counted by the server it went to only afterwards,
      // and counted by us before; the next window's difference takes both into account.
      servers.set(k.name, parseRequestTotals(String(res.body)));
      failed.set(k.name, parseFailedTotals(String(res.body)));
      own.set(k.name, new Map(k.counts));
    }),
  );
  return { at: Date.now(), servers, own, failed };
}

function diff(after: Counts, before: Counts | undefined): Counts {
  const out: Counts = new Map();
  for (const [k, v] of after) {
    const d = v - (before?.get(k) ?? 0);
    if (d !== 0) out.set(k, d);
  }
  return out;
}

/** Per cluster and series: requests per second, from two snapshots with nothing but the clusters' own components running. */
export type Background = Map<string, Map<SeriesKey, number>>;

export interface Window {
  seconds: number;
  /** Per cluster: API server count minus the bench's own requests. */
  observed: Map<string, Counts>;
  /** Per cluster: observed minus background (rate times the window), rounded; never below zero per series. */
  net: Map<string, Counts>;
  /** Per cluster: requests answered with an error, by `series|code`. */
  failed: Map<string, Counts>;
}

export function windowBetween(before: Snapshot, after: Snapshot, background?: Background): Window {
  const seconds = (after.at - before.at) / 1000;
  const observed = new Map<string, Counts>();
  const net = new Map<string, Counts>();
  const failed = new Map<string, Counts>();
  for (const [cluster, counts] of after.failed) failed.set(cluster, diff(counts, before.failed.get(cluster)));
  for (const [cluster, counts] of after.servers) {
    const server = diff(counts, before.servers.get(cluster));
    const own = normalised(diff(after.own.get(cluster) ?? new Map<SeriesKey, number>(), before.own.get(cluster)));
    const obs: Counts = new Map();
    for (const [k, v] of server) {
      const d = v - (own.get(k) ?? 0);
      if (d !== 0) obs.set(k, d);
    }
    observed.set(cluster, obs);
    const bg = background?.get(cluster);
    const n: Counts = new Map();
    for (const [k, v] of obs) {
      const d = Math.max(0, Math.round(v - (bg?.get(k) ?? 0) * seconds));
      if (d !== 0) n.set(k, d);
    }
    net.set(cluster, n);
  }
  return { seconds, observed, net, failed };
}

export function backgroundFrom(before: Snapshot, after: Snapshot): Background {
  const w = windowBetween(before, after);
  const out: Background = new Map();
  for (const [cluster, counts] of w.observed) {
    const rates = new Map<SeriesKey, number>();
    for (const [k, v] of counts) if (v > 0) rates.set(k, v / w.seconds);
    out.set(cluster, rates);
  }
  return out;
}

export interface Summary {
  total: number;
  mutating: number;
  reads: number;
  watches: number;
  other: number;
  byVerb: Record<string, number>;
}

export function summarise(counts: Counts, filter: (key: SeriesKey) => boolean = () => true): Summary {
  const s: Summary = { total: 0, mutating: 0, reads: 0, watches: 0, other: 0, byVerb: {} };
  for (const [k, v] of counts) {
    if (!filter(k)) continue;
    const verb = k.slice(0, k.indexOf('|'));
    s.total += v;
    s.byVerb[verb] = (s.byVerb[verb] ?? 0) + v;
    if (MUTATING.has(verb)) s.mutating += v;
    else if (READS.has(verb)) s.reads += v;
    else if (WATCHES.has(verb)) s.watches += v;
    else s.other += v;
  }
  return s;
}

export function merge(all: Iterable<Counts>): Counts {
  const out: Counts = new Map();
  for (const c of all) for (const [k, v] of c) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

/**
 * Resources the operator may write (its child kinds, the govcloud kinds' status and
 * finalizers, Events, its Lease). Mutating requests on anything else (Nodes and their status,
 * node Leases are in the background) come from the clusters' own components.
 */
const OPERATOR_WRITES = new Set([
  'namespaces',
  'resourcequotas',
  'limitranges',
  'serviceaccounts',
  'services',
  'apps/deployments',
  'policy/poddisruptionbudgets',
  'rbac.authorization.k8s.io/rolebindings',
  'rbac.authorization.k8s.io/clusterroles',
  'networking.k8s.io/networkpolicies',
  'admissionregistration.k8s.io/validatingadmissionpolicies',
  'admissionregistration.k8s.io/validatingadmissionpolicybindings',
  'events',
  'events.k8s.io/events',
  'coordination.k8s.io/leases',
]);

export function verbOf(key: SeriesKey): string {
  return key.slice(0, key.indexOf('|'));
}

/** A mutating request on an object the operator manages: its children, govcloud status and finalizers (side effects, Events and Leases apart). */
export function operatorObjectWrite(key: SeriesKey): boolean {
  const [verb = '', res = ''] = key.split('|');
  if (!MUTATING.has(verb) || SIDE_EFFECTS.has(key) || res === 'coordination.k8s.io/leases' || res === 'events' || res === 'events.k8s.io/events') return false;
  return OPERATOR_WRITES.has(res) || res.startsWith('govcloud.dev/');
}

export const notSideEffect = (k: SeriesKey): boolean => !SIDE_EFFECTS.has(k);
export const isSideEffect = (k: SeriesKey): boolean => SIDE_EFFECTS.has(k);

/** Series sorted by count, as `VERB resource[/sub] n`. */
export function topSeries(counts: Counts, n = 12, filter: (key: SeriesKey) => boolean = () => true): { series: string; count: number }[] {
  return [...counts]
    .filter(([k]) => filter(k))
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => {
      const [verb, res, sub] = k.split('|');
      return { series: `${verb} ${res || '(non-resource)'}${sub ? `/${sub}` : ''}`, count: v };
    });
}

export function toObject(counts: Counts): Record<string, number> {
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]));
}
