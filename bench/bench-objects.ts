// What the bench creates in the clusters: its agencies on the hub and their namespaces in every
// data centre, listed and removed.
import { BENCH_NAME } from './agencies.ts';
import { AGENCY_NAME_LABEL, CONFIG, G } from './config.ts';
import { HttpError, type Kube, type Listed, type Meta } from './kube.ts';
import { pool, say, waitUntil } from './progress.ts';

/** What the bench reads of an Agency. */
export interface AgencyState {
  metadata: Meta;
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

export function agencyReady(a: AgencyState): boolean {
  const ready = (a.status?.conditions ?? []).find((c) => c.type === 'Ready');
  return ready?.status === 'True' && a.status?.observedGeneration === a.metadata?.generation;
}

export async function listBenchAgencies(hub: Kube): Promise<AgencyState[]> {
  const list = await hub.call<Listed<AgencyState>>('GET', `${G}/agencies`);
  return list.items.filter((a) => BENCH_NAME.test(a.metadata.name));
}

export async function benchNamespaces(k: Kube): Promise<{ name: string; terminating: boolean }[]> {
  const list = await k.call<Listed<{ metadata: Meta }>>('GET', `/api/v1/namespaces?labelSelector=${encodeURIComponent(AGENCY_NAME_LABEL)}`);
  return list.items
    .filter((ns) => BENCH_NAME.test(ns.metadata.labels?.[AGENCY_NAME_LABEL] ?? ''))
    .map((ns) => ({ name: ns.metadata.name, terminating: !!ns.metadata.deletionTimestamp }));
}

/**
 * When the bench last asked for a namespace to be deleted. For 30 s after that, the API
 * server's NamespaceLifecycle admission looks the namespace up live (a GET it counts) for
 * every object created in a namespace of that name: the operator must not start on the same
 * names before that has passed, or those GETs would be counted as its requests.
 */
let lastNamespaceDelete = 0;
export const NAMESPACE_LIVE_LOOKUP_MS = 30_000;
export const msSinceNamespaceDelete = () => Date.now() - lastNamespaceDelete;

/** Deletes every namespace of a bench agency in every cluster and waits (bounded) until they are gone. */
export async function deleteBenchNamespaces(clusters: Kube[], what: string): Promise<number> {
  const t0 = Date.now();
  let initial = 0;
  for (const k of clusters) {
    const live = await benchNamespaces(k);
    initial += live.length;
    await pool(
      live.filter((n) => !n.terminating),
      16,
      async (n) => {
        lastNamespaceDelete = Date.now();
        const r = await k.request('DELETE', `/api/v1/namespaces/${n.name}`);
        if (r.status >= 300 && r.status !== 404 && r.status !== 409) throw new HttpError(r.status, `${k.name}: DELETE namespace ${n.name} -> ${r.status}`);
      },
    );
  }
  if (initial === 0) return 0;
  say(`${what}: ${initial} namespaces deleting; waiting until the clusters' namespace controllers have removed them`);
  let left = initial;
  await waitUntil(
    `${what}: namespaces gone`,
    async () => {
      left = 0;
      for (const k of clusters) left += (await benchNamespaces(k)).length;
      return left === 0;
    },
    {
      timeoutMs: CONFIG.deleteTimeoutS * 1000,
      intervalMs: 3000,
      progress: () => `${left}/${initial} namespaces left (${Math.round((Date.now() - t0) / 1000)} s)`,
      progressEveryMs: 15_000,
    },
  );
  return (Date.now() - t0) / 1000;
}

/** Without an operator: finalizers dropped, agencies deleted, namespaces deleted. */
export async function removeLeftovers(hub: Kube, clusters: Kube[]): Promise<void> {
  const agencies = await listBenchAgencies(hub);
  if (agencies.length > 0) say(`removing ${agencies.length} bench agencies left by an earlier run`);
  await pool(agencies, 16, async (a) => {
    const p = `${G}/agencies/${a.metadata.name}`;
    if (a.metadata.finalizers?.length) await hub.request('PATCH', p, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    await hub.request('DELETE', p);
  });
  await deleteBenchNamespaces(clusters, 'leftovers');
}
