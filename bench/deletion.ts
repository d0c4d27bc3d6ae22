// Deleting some of the agencies (deletionPolicy Delete) while the rest stay: the operator's
// share (agency deleted until its finalizer is removed, its namespaces' deletion issued) apart
// from the clusters' (namespace deleted until gone), each seen by a watch.
import { BENCH_LABEL } from './agencies.ts';
import { AGENCY_NAME_LABEL, CONFIG, G } from './config.ts';
import { agenciesToDelete, deletionSummary, type DeletionMoments } from './deletion-summary.ts';
import type { Generated } from './generated.ts';
import { HttpError, type Kube } from './kube.ts';
import { writesBreakdown } from './operator-metrics.ts';
import { isInterrupted, pool, say, waitUntil } from './progress.ts';
import type { Result } from './report.ts';
import { awaitQuiet, noteDisturbance } from './shared-platform.ts';
import { countFrom, grew, type Supervisor } from './supervisor.ts';
import { WatchLoop, type Watched } from './watch-loop.ts';

export async function measuredDeletion(clusters: Kube[], g: Generated, run: string, op: Supervisor): Promise<Result['operator']['deletion']> {
  const hub = clusters[0]!;
  const targets = agenciesToDelete(g.agencies, CONFIG.deleteAgencies);
  const names = new Set(targets.map((a) => a.metadata.name));
  const moments: DeletionMoments = { start: 0, agencyGone: new Map(), namespaceDeleting: new Map(), namespaceGone: new Map(), namespaces: 0 };
  const agencyWatch = new WatchLoop<Watched>(hub, `${G}/agencies?labelSelector=${encodeURIComponent(`${BENCH_LABEL}=${run}`)}`, (type, o, at) => {
    if (type === 'DELETED' && names.has(o.metadata.name) && !moments.agencyGone.has(o.metadata.name)) moments.agencyGone.set(o.metadata.name, at);
  });
  const expected = new Set<string>();
  const nsWatches = clusters.map(
    (k) =>
      new WatchLoop<Watched>(k, `/api/v1/namespaces?labelSelector=${encodeURIComponent(AGENCY_NAME_LABEL)}`, (type, o, at) => {
        const key = `${k.name}/${o.metadata.name}`;
        if (!expected.has(key)) return;
        if (o.metadata.deletionTimestamp && !moments.namespaceDeleting.has(key)) moments.namespaceDeleting.set(key, at);
        if (type === 'DELETED' && !moments.namespaceGone.has(key)) moments.namespaceGone.set(key, at);
      }),
  );
  await awaitQuiet('deletion');
  await agencyWatch.start();
  for (const [i, w] of nsWatches.entries())
    for (const ns of await w.start())
      if (names.has(ns.metadata.labels?.[AGENCY_NAME_LABEL] ?? '') && !ns.metadata.deletionTimestamp) expected.add(`${clusters[i]!.name}/${ns.metadata.name}`);
  moments.namespaces = expected.size;
  say(
    `deletion: deleting ${targets.length} of the ${g.agencies.length} agencies (deletionPolicy Delete; ${expected.size} namespaces in all clusters), the rest stay`,
  );
  noteDisturbance('deletion');
  const m0 = await op.scrape();
  moments.start = performance.now();
  try {
    await pool(targets, CONFIG.applyConcurrency, async (a) => {
      const r = await hub.request('DELETE', `${G}/agencies/${a.metadata.name}`);
      if (r.status >= 300 && r.status !== 404) throw new HttpError(r.status, `DELETE agency ${a.metadata.name} -> ${r.status}`);
    });
    const since = () => Math.round((performance.now() - moments.start) / 1000);
    await waitUntil('the operator to finish deleting the agencies', () => moments.agencyGone.size === targets.length, {
      timeoutMs: CONFIG.deleteTimeoutS * 1000,
      intervalMs: 500,
      progressEveryMs: 15_000,
      progress: () =>
        `${targets.length - moments.agencyGone.size} of ${targets.length} agencies left, ${moments.namespaceDeleting.size}/${expected.size} namespaces deleting, ${moments.namespaceGone.size} gone (${since()} s)`,
    });
    const m1 = await op.scrape();
    say(`deletion: the operator is done with ${targets.length} agencies after ${since()} s; waiting for the clusters to remove their namespaces`);
    try {
      await waitUntil("the deleted agencies' namespaces gone", () => moments.namespaceGone.size === expected.size, {
        timeoutMs: CONFIG.namespaceGoneTimeoutS * 1000,
        intervalMs: 1000,
        progressEveryMs: 15_000,
        progress: () => `${expected.size - moments.namespaceGone.size} of ${expected.size} namespaces left (${since()} s)`,
      });
    } catch (err) {
      if (isInterrupted()) throw err;
      say(
        `deletion: ${expected.size - moments.namespaceGone.size} of ${expected.size} namespaces still there after BENCH_NAMESPACE_GONE_TIMEOUT (${CONFIG.namespaceGoneTimeoutS} s); the clusters' rate is that of the part seen`,
      );
    }
    noteDisturbance('deletion');
    const summary = deletionSummary(targets.length, moments);
    const f = (n: number | null, d = 1) => (n === null ? 'n/a' : n.toFixed(d));
    say(
      `deletion: operator ${f(summary.operator.seconds)} s (${f(summary.operator.agenciesPerSecond)} agencies/s), the clusters' namespace controllers ${f(summary.clusters.seconds)} s for ${summary.clusters.namespacesGone} of ${summary.namespaces} namespaces (${f(summary.clusters.agenciesPerSecond)} agencies/s, ${f(summary.clusters.namespacesPerSecond)} namespaces/s)`,
    );
    const from = countFrom(m0, m1);
    return {
      ...summary,
      operatorWrites: writesBreakdown(from, m1.text),
      reconciles: grew(m0, m1, 'controller_runtime_reconcile_total'),
      reconcileErrors: grew(m0, m1, 'controller_runtime_reconcile_errors_total'),
      replacedDuring: m0.replica !== m1.replica,
    };
  } finally {
    await agencyWatch.stop();
    for (const w of nsWatches) await w.stop();
  }
}
