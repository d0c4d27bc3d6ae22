// `make bench`: the operator against the real local platform (its N clusters), measured.
// A benchmark, not a test: it reports numbers and which targets they meet, and exits 0 when
// the measurement ran (whatever the numbers), non-zero only when it could not measure.
//
//   node bench/run.ts            the whole run (docs/benchmarks.md says what it does)
//   node bench/run.ts --plan     generate, validate and render the agencies; no cluster
//   node bench/run.ts --clean    remove what an interrupted run left (agencies, namespaces)
//
// Environment: BENCH_AGENCIES (200), BENCH_SEED, BENCH_STEADY_SECONDS (60),
// BENCH_DRIFT_REPEATS (5; 100 from 1000 agencies), BENCH_BACKGROUND_SECONDS (30), BENCH_BASELINE
// (1; 0 skips it), BENCH_IDLE_TIMEOUT (3600 s: waiting for e2e runs to finish),
// BENCH_READY_TIMEOUT, BENCH_DELETE_TIMEOUT (seconds; defaults grow with the number of
// agencies), BENCH_FLUSH_SECONDS (35), BENCH_EXPIRY_REPEATS (5), BENCH_EXPIRY_LEAD_SECONDS (10),
// BENCH_DELETE_AGENCIES (1000), BENCH_FRESH_PLATFORM (from 2000 agencies), docs/benchmarks.md.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { DataCentre } from '../operator/src/api/index.ts';
import { BENCH_CAPACITY, benchDataCentres } from './agencies.ts';
import { baseline } from './baseline.ts';
import { removeLeftovers } from './bench-objects.ts';
import { CONFIG, FIELD_MANAGER, G, KUBECONFIG, OUT_DIR, ROOT } from './config.ts';
import { freshPlatformChoice, restartPlatform } from './fresh-platform.ts';
import { generate, hubPlatform, plan } from './generated.ts';
import { Kube, type Listed } from './kube.ts';
import { machine, revision } from './machine.ts';
import { operatorPhase, stopRunningOperator } from './operator-phase.ts';
import { measureBackground } from './phase-requests.ts';
import { interrupt, isInterrupted, resumeAfterInterrupt, say, started } from './progress.ts';
import { printReport, type PartialResult, type Result } from './report.ts';
import { awaitQuiet, claimPlatform, disturbances, register, restartMakeUpOperator } from './shared-platform.ts';

let restoreCapacity: (() => Promise<void>) | undefined;
/** Set once the bench may have created something: on failure, finish() removes it. */
let leftovers: (() => Promise<void>) | undefined;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--plan')) {
    plan();
    return 0;
  }
  if (!existsSync(KUBECONFIG)) throw new Error(`no ${path.relative(ROOT, KUBECONFIG)}: run \`make cluster-up\` first`);
  const kc = new KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  const contexts = kc.getContexts().map((c) => c.name);
  const clusters = contexts.map((c) => new Kube(KUBECONFIG, c));
  const hub = clusters[0]!;
  if (args.includes('--clean')) {
    await claimPlatform();
    register();
    await removeLeftovers(hub, clusters);
    say('nothing of the bench is left; the DataCentres are those of samples/platform');
    return 0;
  }

  mkdirSync(OUT_DIR, { recursive: true });
  const ts = new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  const run = ts.toLowerCase().replace(/[^a-z0-9]/g, '');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'govcloud-bench-'));
  say(`govcloud bench: ${CONFIG.agencies} agencies over ${contexts.join(', ')} (hub ${hub.name}); results .local/bench/${ts}.json`);

  await claimPlatform();
  const versions: Record<string, string> = {};
  for (const k of clusters) versions[k.name] = (await k.call<{ gitVersion: string }>('GET', '/version')).gitVersion;

  say("registering: CRDs, govcloud-system, the members' kubeconfig Secrets, the DataCentres of samples/platform (e2e/operator/local.sh register)");
  register();
  await removeLeftovers(hub, clusters);
  leftovers = () => removeLeftovers(clusters[0]!, clusters);

  const dcList = (await hub.call<Listed<DataCentre>>('GET', `${G}/datacentres`)).items;
  const saved = new Map(dcList.map((d) => [d.metadata.name, d.spec.capacity]));
  restoreCapacity = async () => {
    for (const [name, capacity] of saved)
      await clusters[0]!.apply(
        `${G}/datacentres/${name}`,
        { apiVersion: 'govcloud.dev/v1alpha1', kind: 'DataCentre', metadata: { name }, spec: { capacity } },
        FIELD_MANAGER,
      );
    say(`restored the DataCentres' capacity (${[...saved.keys()].join(', ')})`);
  };
  const used = benchDataCentres(dcList, contexts);
  say(
    `bench DataCentres: capacity cpu ${BENCH_CAPACITY.cpu}, memory ${BENCH_CAPACITY.memory}, storage ${BENCH_CAPACITY.storage}; agencies placed over ${used
      .map((d) => `${d.name} (level ${d.accreditedLevel})`)
      .join(', ')}`,
  );
  const raiseCapacity = async () => {
    for (const d of dcList)
      await clusters[0]!.apply(
        `${G}/datacentres/${d.metadata.name}`,
        { apiVersion: 'govcloud.dev/v1alpha1', kind: 'DataCentre', metadata: { name: d.metadata.name }, spec: { capacity: BENCH_CAPACITY } },
        FIELD_MANAGER,
      );
  };
  await raiseCapacity();
  const before = await hubPlatform(hub);
  const others = Object.entries(before)
    .filter(([kind]) => kind !== 'dataCentres')
    .reduce((n, [, items]) => n + (items as unknown[]).length, 0);
  const choice = freshPlatformChoice(CONFIG.agencies, CONFIG.freshPlatform, others);
  const fresh = { ...choice, restarts: [] as { after: string; seconds: number }[] };
  say(
    choice.fresh
      ? `a fresh platform after the baseline and after the measured deletion, instead of waiting for the clusters to delete the namespaces (${choice.why})`
      : `no fresh platform: the clusters delete the namespaces between phases (${choice.why})`,
  );
  const restart = async (after: string) => {
    fresh.restarts.push({ after, seconds: restartPlatform(clusters, after) });
    await raiseCapacity();
  };
  const g = generate(run, before, contexts);
  say(
    `generated: ${g.stats.agencies} agencies, ${g.stats.workspaces} workspaces; they add ${g.stats.objects} objects to the rendered platform (${Object.entries(
      g.stats.objectsPerDataCentre,
    )
      .map(([d, n]) => `${d} ${n}`)
      .join(', ')}; by owner ${JSON.stringify(g.stats.byOwnerKind)})`,
  );

  await awaitQuiet('background');
  const bg = await measureBackground(clusters);
  const result: Omit<PartialResult, 'incomplete' | 'lastPhaseCompleted'> = {
    startedAt: new Date(started).toISOString(),
    revision: revision(),
    config: { ...CONFIG },
    machine: machine(versions),
    generated: g.stats,
    background: bg.report,
    freshPlatform: fresh,
  };
  // Written after each phase, so that a run that fails or is stopped keeps what it measured.
  const file = path.join(OUT_DIR, `${ts}.json`);
  let lastPhaseCompleted = 'background';
  const writeSoFar = (failure?: string) => {
    const partial: PartialResult = { ...result, disturbances, incomplete: true, lastPhaseCompleted, ...(failure ? { failure } : {}) };
    writeFileSync(file, JSON.stringify(partial, null, 2) + '\n');
  };
  const measured = (phase: string) => {
    lastPhaseCompleted = phase;
    writeSoFar();
  };
  if (choice.fresh)
    // A failed run leaves thousands of namespaces: a fresh platform removes them faster than the clusters would.
    leftovers = async () => {
      await stopRunningOperator();
      await restart('a failure');
    };
  try {
    if (CONFIG.baseline) {
      result.baseline = await baseline(clusters, g, bg.background, tmp, choice.fresh);
      measured('baseline');
      if (choice.fresh) await restart('the baseline');
    }
    // Filled in as the operator's sub-phases are measured: what a failure in them leaves.
    const operator: Partial<Result['operator']> = {};
    result.operator = operator;
    result.operator = await operatorPhase(
      clusters,
      g,
      run,
      bg.background,
      ts,
      operator,
      measured,
      choice.fresh ? () => restart('the measured deletion') : undefined,
    );
  } catch (err) {
    result.finishedAt = new Date().toISOString();
    writeSoFar((err as Error).message);
    throw new Error(`${(err as Error).message}; what was measured before: ${path.relative(ROOT, file)} (incomplete, after ${lastPhaseCompleted})`);
  } finally {
    result.disturbances = disturbances;
    result.finishedAt = new Date().toISOString();
    rmSync(tmp, { recursive: true, force: true });
  }
  const full = printReport(result as Result);
  writeFileSync(file, JSON.stringify(full, null, 2) + '\n');
  say(`results: ${path.relative(ROOT, file)}`);
  return 0;
}

async function finish(failed: boolean): Promise<void> {
  await stopRunningOperator();
  if (failed && leftovers) {
    resumeAfterInterrupt();
    say('removing what the bench created (agencies, their namespaces)');
    try {
      await leftovers();
    } catch (err) {
      say(`could not remove everything: ${(err as Error).message}; run \`make bench-clean\``);
    }
  }
  if (restoreCapacity) {
    try {
      await restoreCapacity();
    } catch (err) {
      say(`could not restore the DataCentres' capacity: ${(err as Error).message}`);
    }
  }
  restartMakeUpOperator();
}

process.on('SIGINT', () => {
  if (isInterrupted()) {
    say('quitting at once: `make bench-clean` removes what is left');
    process.exit(130);
  }
  interrupt();
  say('interrupted: stopping and cleaning up (Ctrl-C again to quit at once)');
});
process.on('SIGTERM', () => {
  interrupt();
});

let finishing = false;
process.on('uncaughtException', (err) => {
  console.error(`bench: ${err.stack ?? err.message}`);
  if (finishing) process.exit(1);
  finishing = true;
  void finish(true).finally(() => process.exit(1));
});

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`bench: ${(err as Error).message}`);
  code = 1;
} finally {
  if (!finishing) {
    finishing = true;
    await finish(code !== 0);
  }
}
process.exit(code);
