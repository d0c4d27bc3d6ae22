// The operator's turn: started as a child process, the agencies applied until every one is
// Ready and the operator quiet (converge), a flush window, a steady-state window counting
// writes, drift repair (drift.ts), a grant's expiry (expiry.ts), some agencies deleted through
// it (deletion.ts), then the rest deleted through it, or gone with a fresh platform.
import * as os from 'node:os';
import * as path from 'node:path';
import { sleep } from '../e2e/harness/operator-child.ts';
import { deleteBenchNamespaces, listBenchAgencies, msSinceNamespaceDelete, NAMESPACE_LIVE_LOOKUP_MS } from './bench-objects.ts';
import { CONFIG, FIELD_MANAGER, G, KUBECONFIG, OUT_DIR, ROOT } from './config.ts';
import { measuredDeletion } from './deletion.ts';
import { driftRepair } from './drift.ts';
import { expiry } from './expiry.ts';
import type { Generated } from './generated.ts';
import { HttpError, type Kube } from './kube.ts';
import { controllerBreakdown, heapOf, operatorState, percentile, requestsBreakdown, waitOperatorQuiet, writesBreakdown } from './operator-metrics.ts';
import { failOnErrorAnswers, requestReport } from './phase-requests.ts';
import { agenciesToDelete } from './deletion-summary.ts';
import { checkInterrupted, mb, pool, say, waitUntil } from './progress.ts';
import { ReadyWatch } from './ready-watch.ts';
import type { Result } from './report.ts';
import { merge, operatorObjectWrite, snapshot, topSeries, windowBetween, type Background, type Snapshot } from './requests.ts';
import { awaitQuiet, nodeBinary, noteDisturbance } from './shared-platform.ts';
import { countFrom, grew, Supervisor } from './supervisor.ts';

let running: Supervisor | undefined;

/** Stops the operator of a phase that did not finish (a failure or an interruption); no replacement after it. */
export async function stopRunningOperator(): Promise<void> {
  const op = running;
  running = undefined;
  if (op?.running()) say('stopping the bench operator');
  await op?.stop(15_000);
}

/**
 * `freshPlatform`: starts a fresh platform instead of deleting the agencies left after the measured deletion.
 * `soFar`: filled in as the sub-phases are measured, `measured` called after each (the results file is written as it goes).
 */
export async function operatorPhase(
  clusters: Kube[],
  g: Generated,
  run: string,
  background: Background,
  ts: string,
  soFar: Partial<Result['operator']>,
  measured: (phase: string) => void,
  freshPlatform?: () => Promise<void>,
): Promise<Result['operator']> {
  const hub = clusters[0]!;
  const logFile = path.join(OUT_DIR, `${ts}-operator.log`);
  say(`operator: starting (leader election on, --metrics-port 0; log ${path.relative(ROOT, logFile)})`);
  if (CONFIG.operatorNodeOptions !== CONFIG.shippedNodeOptions)
    say(`operator: EXPERIMENT, NODE_OPTIONS=${CONFIG.operatorNodeOptions} (the chart ships ${CONFIG.shippedNodeOptions || 'none'})`);
  else if (CONFIG.operatorNodeOptions) say(`operator: NODE_OPTIONS=${CONFIG.operatorNodeOptions}, as the chart ships it`);
  if (CONFIG.operatorArgs.length > 0) say(`operator: with ${CONFIG.operatorArgs.join(' ')}`);
  const op = await Supervisor.start({
    node: await nodeBinary(),
    kubeconfig: KUBECONFIG,
    context: hub.name,
    logFile,
    nodeOptions: CONFIG.operatorNodeOptions,
    args: CONFIG.operatorArgs,
  });
  running = op;
  soFar.logFile = path.relative(ROOT, logFile);
  soFar.replacements = op.replacements;
  const tStart = performance.now();
  await waitUntil(
    'the operator to lead and reach every data centre',
    async () => {
      const s = await operatorState(op);
      return op.controllersStarted() && s.connected >= clusters.length;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  const startupSeconds = (performance.now() - tStart) / 1000;
  await waitOperatorQuiet(op, 'the operator to be idle before the agencies are applied', 300_000);
  const idleMemory = op.memory();
  const idleHeap = heapOf(await op.metricsText());
  const idleRss = idleMemory?.rss ?? NaN;
  const memory = (peakRssBeforeCleanupBytes: number, peakRssBytes: number): Result['operator']['memory'] => ({
    idleHeap,
    idleRssBytes: idleRss,
    peakRssAtStartBytes: idleMemory?.peakRss ?? NaN,
    peakRssConvergeBytes: soFar.converge?.peakRssBytes ?? NaN,
    peakRssBeforeCleanupBytes,
    peakRssBytes,
    outOfHeap: op.outOfHeap,
  });
  /** What is known of the operator's memory and errors at the end of a sub-phase (peaks so far). */
  const done = (phase: string) => {
    const errors = op.errorLines();
    soFar.memory = memory(NaN, op.memory()?.peakRss ?? NaN);
    soFar.errorLogLines = errors.length;
    soFar.firstErrors = errors.slice(0, 5);
    measured(phase);
  };
  say(`operator: leading, ${clusters.length} data centres connected, idle (${startupSeconds.toFixed(1)} s after start), RSS ${mb(op.memory()?.rss ?? 0)}`);

  // ---------------------------------------------------------------- converge
  await awaitQuiet('converge');
  const sinceDelete = msSinceNamespaceDelete();
  if (sinceDelete < NAMESPACE_LIVE_LOOKUP_MS + 5000) {
    const wait = NAMESPACE_LIVE_LOOKUP_MS + 5000 - sinceDelete;
    say(
      `converge: waiting ${Math.ceil(wait / 1000)} s more: namespaces of these names were deleted less than 35 s ago (the API server would look them up live)`,
    );
    await sleep(wait);
  }
  noteDisturbance('converge');
  const metricsBefore = await op.scrape();
  const s0 = await snapshot(clusters);
  const cpu0 = op.cpuSeconds();
  const load0 = os.loadavg()[0]!;
  const t0 = performance.now();
  const watch = new ReadyWatch(hub, run, t0);
  op.enter('converge', () => watch.readyAt.size);
  watch.start();
  say(`converge: applying ${g.agencies.length} agencies (server-side apply, ${CONFIG.applyConcurrency} at once)`);
  await pool(g.agencies, CONFIG.applyConcurrency, async (a) => {
    await hub.apply(`${G}/agencies/${a.metadata.name}`, a, FIELD_MANAGER);
  });
  const applySeconds = (performance.now() - t0) / 1000;
  say(`converge: applied in ${applySeconds.toFixed(1)} s; waiting until every agency is Ready`);
  let sReady: Snapshot | undefined;
  await waitUntil(`${g.agencies.length} agencies Ready`, () => watch.readyAt.size >= g.agencies.length, {
    timeoutMs: CONFIG.readyTimeoutS * 1000,
    intervalMs: 250,
    progressEveryMs: 10_000,
    progress: () =>
      `${watch.readyAt.size}/${g.agencies.length} Ready after ${Math.round((performance.now() - t0) / 1000)} s, operator RSS ${mb(op.memory()?.rss ?? 0)} (peak ${mb(op.memory()?.peakRss ?? 0)}), load ${os.loadavg()[0]!.toFixed(1)}`,
  });
  const wall = Math.max(...watch.readyAt.values());
  sReady = await snapshot(clusters);
  say(`converge: all ${g.agencies.length} Ready after ${wall.toFixed(1)} s; waiting for the operator to go quiet`);
  await waitOperatorQuiet(op, 'the operator to go quiet after convergence', 300_000);
  const s1 = await snapshot(clusters);
  const after = await op.scrape();
  const metricsAfter = after.text;
  const convergeFrom = countFrom(metricsBefore, after);
  noteDisturbance('converge');
  const memConverge = op.memory();
  const cpuConverge = op.cpuSeconds() - cpu0;
  const times = [...watch.readyAt.values()];
  const toReady = windowBetween(s0, sReady, background);
  const toQuiet = windowBetween(s0, s1, background);
  failOnErrorAnswers('converge', toQuiet);
  const converge = {
    applySeconds,
    wallSeconds: wall,
    quietSeconds: toQuiet.seconds,
    timeToReady: { p50: percentile(times, 50), p90: percentile(times, 90), max: Math.max(...times) },
    requestsUntilReady: requestReport(toReady),
    requests: requestReport(toQuiet),
    operatorWrites: writesBreakdown(convergeFrom, metricsAfter),
    reconciles: grew(metricsBefore, after, 'controller_runtime_reconcile_total'),
    reconcileErrors: grew(metricsBefore, after, 'controller_runtime_reconcile_errors_total'),
    controllers: controllerBreakdown(convergeFrom, metricsAfter),
    replacedDuring: metricsBefore.replica !== after.replica,
    peakRssBytes: memConverge?.peakRss ?? NaN,
    operatorCpuSeconds: cpuConverge,
    heap: heapOf(metricsAfter),
    loadAverage: { before: load0, after: os.loadavg()[0]! },
  };
  await watch.stop();
  say(
    `converge: ${converge.requests.client.total} requests (${converge.requests.client.mutating} mutating) until quiet, operator peak RSS ${mb(converge.peakRssBytes)}`,
  );
  soFar.startupSeconds = startupSeconds;
  soFar.converge = converge;
  done('converge');

  // ---------------------------------------------------------------- flush
  // Quiet means nothing queued and no write for 5 s; the Event recorder still writes the
  // series counts of the burst's Events up to 30 s after their last occurrence. Those writes
  // belong to the burst: they are counted here, shown, and not judged.
  say(`flush: ${CONFIG.flushSeconds} s for what the convergence burst still writes (Event series counts are flushed every 30 s)`);
  op.enter('flush');
  const fm0 = await op.scrape();
  const fa = await snapshot(clusters);
  await sleep(CONFIG.flushSeconds * 1000);
  checkInterrupted();
  const fb = await snapshot(clusters);
  const fm1 = await op.scrape();
  const flushAll = merge(windowBetween(fa, fb, background).net.values());
  let flushObjectWrites = 0;
  for (const [k, v] of flushAll) if (operatorObjectWrite(k)) flushObjectWrites += v;
  const flush = {
    seconds: (fb.at - fa.at) / 1000,
    objectWrites: flushObjectWrites,
    eventWrites: (flushAll.get('PATCH|events.k8s.io/events|') ?? 0) + (flushAll.get('POST|events.k8s.io/events|') ?? 0),
    operatorWritesTotal: grew(fm0, fm1, 'govcloud_object_writes_total'),
    replacedDuring: fm0.replica !== fm1.replica,
  };
  say(`flush: ${flush.objectWrites} object writes, ${flush.eventWrites} Event writes in ${flush.seconds.toFixed(0)} s`);
  soFar.flush = flush;
  done('flush');

  // ---------------------------------------------------------------- steady state
  await awaitQuiet('steady state');
  say(`steady state: ${CONFIG.steadySeconds} s after the flush, counting writes`);
  op.enter('steady state');
  const m0 = await op.scrape();
  const a = await snapshot(clusters);
  // In slices of 15 s, to show when writes happen (a trailing flush, or all along).
  const slices: { fromSeconds: number; objectWrites: number; events: number; leases: number }[] = [];
  let prev = a;
  while ((Date.now() - a.at) / 1000 < CONFIG.steadySeconds - 0.5) {
    await sleep(Math.min(15_000, CONFIG.steadySeconds * 1000 - (Date.now() - a.at)));
    checkInterrupted();
    const cur = await snapshot(clusters);
    const w = merge(windowBetween(prev, cur, background).net.values());
    let objectWrites = 0;
    for (const [k, v] of w) if (operatorObjectWrite(k)) objectWrites += v;
    slices.push({
      fromSeconds: Math.round((prev.at - a.at) / 1000),
      objectWrites,
      events: (w.get('PATCH|events.k8s.io/events|') ?? 0) + (w.get('POST|events.k8s.io/events|') ?? 0),
      leases: w.get('PUT|coordination.k8s.io/leases|') ?? 0,
    });
    prev = cur;
  }
  const b = prev;
  const m1scrape = await op.scrape();
  const m1 = m1scrape.text;
  const steadyFrom = countFrom(m0, m1scrape);
  noteDisturbance('steady state');
  const steadyWindow = windowBetween(a, b, background);
  const steadyAll = merge(steadyWindow.net.values());
  const mutatingSeries: Record<string, number> = {};
  for (const { series, count } of topSeries(steadyAll, 50, (k) => ['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE'].includes(k.slice(0, k.indexOf('|')))))
    mutatingSeries[series] = count;
  const hubLeases = steadyWindow.net.get(hub.name)?.get('PUT|coordination.k8s.io/leases|') ?? 0;
  let objectWrites = 0;
  for (const [k, v] of steadyAll) if (operatorObjectWrite(k)) objectWrites += v;
  const eventWrites = (steadyAll.get('PATCH|events.k8s.io/events|') ?? 0) + (steadyAll.get('POST|events.k8s.io/events|') ?? 0);
  const steady = {
    seconds: steadyWindow.seconds,
    requests: requestReport(steadyWindow),
    mutatingSeries,
    /** Mutating requests on what the operator writes (leases apart), net of background. */
    objectWrites,
    /** Events written (new Events, and series counts flushed at most every 30 s). */
    eventWrites,
    slices,
    /** Lease renewals on the hub over the window (the operator renews every 2 s): leader election, not reconciling. */
    hubLeaseRenewals: hubLeases,
    operatorWrites: writesBreakdown(steadyFrom, m1),
    operatorRequests: requestsBreakdown(steadyFrom, m1),
    operatorWritesTotal: grew(m0, m1scrape, 'govcloud_object_writes_total'),
    heap: heapOf(m1),
    rssBytes: op.memory()?.rss ?? NaN,
    reconciles: grew(m0, m1scrape, 'controller_runtime_reconcile_total'),
    replacedDuring: m0.replica !== m1scrape.replica,
  };
  say(
    `steady state: ${objectWrites} object writes in ${steady.seconds.toFixed(0)} s; all mutating ${steady.requests.client.mutating}: ${hubLeases} hub lease renewals, ${eventWrites} event writes; the operator's own write counter: ${steady.operatorWritesTotal}`,
  );

  soFar.steady = steady;
  done('steady state');

  // ---------------------------------------------------------------- drift
  op.enter('drift');
  const drift = await driftRepair(clusters, g);
  soFar.drift = drift;
  done('drift');

  // ---------------------------------------------------------------- expiry
  op.enter('expiry');
  const expiryResult = await expiry(clusters, g);
  soFar.expiry = expiryResult;
  done('expiry');

  // ---------------------------------------------------------------- measured deletion
  const memBeforeCleanup = op.memory();
  op.enter('deletion');
  const deletion = await measuredDeletion(clusters, g, run, op);
  soFar.deletion = deletion;
  done('deletion');
  failOnErrorAnswers('steady state, drift, expiry and deletion', windowBetween(s1, await snapshot(clusters)));

  // ---------------------------------------------------------------- cleanup
  const deleted = new Set(agenciesToDelete(g.agencies, CONFIG.deleteAgencies).map((a) => a.metadata.name));
  const rest = g.agencies.filter((a) => !deleted.has(a.metadata.name));
  let agencyDeleteSeconds: number | null = null;
  let namespaceDeleteSeconds: number | null = null;
  let freshPlatformSeconds: number | null = null;
  op.enter('cleanup');
  let memFinal = op.memory();
  if (freshPlatform || rest.length === 0) {
    say(`cleanup: stopping the operator${rest.length ? `; the ${rest.length} agencies left go with the platform` : ''}`);
    await op.stop();
    running = undefined;
  } else {
    say(`cleanup: deleting the ${rest.length} agencies left (deletionPolicy Delete: the operator deletes their namespaces)`);
    const tc = performance.now();
    await pool(rest, CONFIG.applyConcurrency, async (ag) => {
      const r = await hub.request('DELETE', `${G}/agencies/${ag.metadata.name}`);
      if (r.status >= 300 && r.status !== 404) throw new HttpError(r.status, `DELETE agency ${ag.metadata.name} -> ${r.status}`);
    });
    let left = rest.length;
    await waitUntil(
      'the operator to finish deleting the agencies',
      async () => {
        left = (await listBenchAgencies(hub)).length;
        return left === 0;
      },
      {
        timeoutMs: CONFIG.deleteTimeoutS * 1000,
        intervalMs: 2000,
        progressEveryMs: 15_000,
        progress: () => `${left} agencies left (${Math.round((performance.now() - tc) / 1000)} s)`,
      },
    );
    agencyDeleteSeconds = (performance.now() - tc) / 1000;
    memFinal = op.memory();
    say(`cleanup: agencies gone after ${agencyDeleteSeconds.toFixed(1)} s; stopping the operator`);
    await op.stop();
    running = undefined;
  }
  const errors = op.errorLines();
  if (freshPlatform && rest.length) {
    const tf = performance.now();
    await freshPlatform();
    freshPlatformSeconds = (performance.now() - tf) / 1000;
  } else namespaceDeleteSeconds = await deleteBenchNamespaces(clusters, 'cleanup');
  return {
    logFile: path.relative(ROOT, logFile),
    startupSeconds,
    converge,
    flush,
    steady,
    drift,
    expiry: expiryResult,
    deletion,
    memory: memory(memBeforeCleanup?.peakRss ?? NaN, memFinal?.peakRss ?? NaN),
    replacements: op.replacements,
    cleanup: { agencyDeleteSeconds, namespaceDeleteSeconds, freshPlatformSeconds },
    errorLogLines: errors.length,
    firstErrors: errors.slice(0, 5),
  };
}
