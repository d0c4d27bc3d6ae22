// `make bench`: the operator against the real local platform (three clusters), measured.
// A benchmark, not a test: it reports numbers and which targets they meet, and exits 0 when
// the measurement ran (whatever the numbers), non-zero only when it could not measure.
//
//   node bench/run.ts            the whole run (docs/benchmarks.md says what it does)
//   node bench/run.ts --plan     generate, validate and render the agencies; no cluster
//   node bench/run.ts --clean    remove what an interrupted run left (agencies, namespaces)
//
// Environment: BENCH_AGENCIES (200), BENCH_SEED, BENCH_STEADY_SECONDS (60),
// BENCH_DRIFT_REPEATS (5), BENCH_BACKGROUND_SECONDS (30), BENCH_BASELINE (1; 0 skips it),
// BENCH_IDLE_TIMEOUT (3600 s: waiting for e2e runs to finish), BENCH_READY_TIMEOUT,
// BENCH_DELETE_TIMEOUT (seconds; defaults grow with the number of agencies).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Agency, DataCentre } from '../operator/src/api/index.ts';
import { checkPlatform } from '../operator/src/model/rules.ts';
import { emptyPlatform, type Platform } from '../operator/src/model/platform.ts';
import { objectPath } from '../operator/src/controllers/resources.ts';
import { renderPlatform } from '../operator/src/render/index.ts';
import type { DesiredObject } from '../operator/src/render/index.ts';
import { BENCH_CAPACITY, BENCH_LABEL, BENCH_NAME, generateAgencies } from './agencies.ts';
import { HttpError, Kube } from './kube.ts';
import { metricSamples, metricSum } from '../e2e/harness/prometheus.ts';
import { sleep } from '../e2e/harness/operator-child.ts';
import { Operator } from './operator.ts';
import { printReport, type Result, type RequestReport } from './report.ts';
import { backgroundFrom, isSideEffect, operatorObjectWrite, merge, notSideEffect, snapshot, summarise, toObject, topSeries, unexpectedErrors, windowBetween, type Background, type Snapshot, type Window } from './requests.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOCAL = path.join(ROOT, '.local');
const OUT_DIR = path.join(LOCAL, 'bench');
const KUBECONFIG = path.join(LOCAL, 'kubeconfig');
const G = '/apis/govcloud.dev/v1alpha1';
const FIELD_MANAGER = 'govcloud-bench';
const KUBECTL_FIELD_MANAGER = 'govcloud-bench-kubectl';
const AGENCY_NAME_LABEL = 'govcloud.dev/agency-name';
const DRIFT_POLICY = 'govcloud-default-deny';

const envInt = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v} is not a non-negative number`);
  return n;
};

const N = envInt('BENCH_AGENCIES', 200);

/** The NODE_OPTIONS the chart runs the operator with (its heap limits): what is measured unless told otherwise. */
function shippedNodeOptions(): string {
  const values = parseYaml(readFileSync(path.join(ROOT, 'charts', 'govcloud-operator', 'values.yaml'), 'utf8')) as { nodeOptions?: string };
  return values.nodeOptions ?? '';
}
const SHIPPED_NODE_OPTIONS = shippedNodeOptions();
const CONFIG = {
  agencies: N,
  seed: envInt('BENCH_SEED', 20_250_701),
  steadySeconds: envInt('BENCH_STEADY_SECONDS', 60),
  driftRepeats: envInt('BENCH_DRIFT_REPEATS', 5),
  backgroundSeconds: envInt('BENCH_BACKGROUND_SECONDS', 30),
  baseline: envInt('BENCH_BASELINE', 1) !== 0,
  idleTimeoutS: envInt('BENCH_IDLE_TIMEOUT', 3600),
  readyTimeoutS: envInt('BENCH_READY_TIMEOUT', 300 + 3 * N),
  deleteTimeoutS: envInt('BENCH_DELETE_TIMEOUT', 600 + 3 * N),
  applyConcurrency: 16,
  /** NODE_OPTIONS of the operator under test: the chart's, unless an experiment (bench/experiments/) sets others. */
  operatorNodeOptions: process.env.BENCH_OPERATOR_NODE_OPTIONS ?? SHIPPED_NODE_OPTIONS,
  shippedNodeOptions: SHIPPED_NODE_OPTIONS,
};

// ------------------------------------------------------------------ output
const started = Date.now();
function say(msg: string): void {
  const s = Math.round((Date.now() - started) / 1000);
  console.log(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${msg}`);
}
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

let interrupted = false;
function checkInterrupted(): void {
  if (interrupted) throw new Error('interrupted');
}

async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, opts: { timeoutMs: number; intervalMs?: number; progress?: () => string; progressEveryMs?: number }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastProgress = Date.now();
  for (;;) {
    checkInterrupted();
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() >= deadline) throw new Error(`timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${what}${opts.progress ? `: ${opts.progress()}` : ''}`);
    if (opts.progress && Date.now() - lastProgress >= (opts.progressEveryMs ?? 10_000)) {
      say(`    ${opts.progress()}`);
      lastProgress = Date.now();
    }
    await sleep(opts.intervalMs ?? 1000);
  }
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        await fn(item);
      }
    }),
  );
}

// ------------------------------------------------------------------ the generated platform
function sampleDataCentres(): DataCentre[] {
  const dir = path.join(ROOT, 'samples', 'platform');
  return ['dc-hanoi.yaml', 'dc-hcm.yaml', 'dc-danang.yaml'].map((f) => parseYaml(readFileSync(path.join(dir, f), 'utf8')) as DataCentre);
}

interface Generated {
  agencies: Agency[];
  /** The platform as the operator will see it: what is on the hub plus the bench agencies. */
  platform: Platform;
  /**
   * Per data centre: what the bench agencies add to the rendered platform, namespaces first:
   * every object that is new (the agencies' own, and what other owners render for them, e.g.
   * the consumers' egress policies of `default` services) or different (e.g. a service's
   * ingress policy that now admits them).
   */
  objects: Map<string, DesiredObject[]>;
  /** Objects that exist before and that the bench agencies change, as rendered without them (to restore). */
  changed: Map<string, DesiredObject[]>;
  stats: Record<string, unknown>;
}

const objectKey = (o: DesiredObject) => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const ownerKind = (o: DesiredObject) => (o.metadata.labels['govcloud.dev/owner'] ?? '').split('.')[0] ?? '';

function generate(run: string, before: Platform): Generated {
  const agencies = generateAgencies({ count: CONFIG.agencies, seed: CONFIG.seed, run, deletionPolicy: 'Delete' });
  const platform: Platform = { ...before, agencies: [...before.agencies, ...agencies] };
  const names = new Set(agencies.map((a) => a.metadata.name));
  const problems = checkPlatform(platform).filter((p) => p.severity === 'error' && p.object.kind === 'Agency' && names.has(p.object.metadata.name));
  if (problems.length > 0) {
    throw new Error(`the generated agencies break the platform's rules:\n${problems.slice(0, 10).map((p) => `  Agency/${p.object.metadata.name} ${p.path.join('.')}: ${p.message}`).join('\n')}`);
  }
  const now = new Date();
  const without = renderPlatform(before, now);
  const rendered = renderPlatform(platform, now);
  const issues = rendered.issues.filter((i) => i.owner.kind === 'Agency' && names.has(i.owner.name));
  if (issues.length > 0) throw new Error(`the renderers refuse generated agencies:\n${issues.slice(0, 10).map((i) => `  Agency/${i.owner.name}: ${i.reason}: ${i.message}`).join('\n')}`);
  const objects = new Map<string, DesiredObject[]>();
  const changed = new Map<string, DesiredObject[]>();
  const byKind: Record<string, number> = {};
  const byOwnerKind: Record<string, number> = {};
  const perDc: Record<string, number> = {};
  let changedCount = 0;
  for (const r of rendered.perDataCentre) {
    const old = new Map((without.perDataCentre.find((w) => w.dataCentre === r.dataCentre)?.objects ?? []).map((o) => [objectKey(o), o]));
    const delta: DesiredObject[] = [];
    const restore: DesiredObject[] = [];
    for (const o of r.objects) {
      const was = old.get(objectKey(o));
      if (was && JSON.stringify(was) === JSON.stringify(o)) continue;
      delta.push(o);
      if (was) restore.push(was);
      byKind[o.kind] = (byKind[o.kind] ?? 0) + 1;
      const ok = `${ownerKind(o)}${was ? ' (changed)' : ''}`;
      byOwnerKind[ok] = (byOwnerKind[ok] ?? 0) + 1;
    }
    delta.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
    objects.set(r.dataCentre, delta);
    changed.set(r.dataCentre, restore);
    changedCount += restore.length;
    perDc[r.dataCentre] = delta.length;
  }
  const levels: Record<string, number> = {};
  const placements: Record<string, number> = {};
  let workspaces = 0;
  for (const a of agencies) {
    levels[a.spec.securityLevel] = (levels[a.spec.securityLevel] ?? 0) + 1;
    const p = a.spec.placement.dataCentres.join('+');
    placements[p] = (placements[p] ?? 0) + 1;
    workspaces += a.spec.workspaces.length;
  }
  const total = Object.values(perDc).reduce((s, n) => s + n, 0);
  const others = { agencies: before.agencies.length, services: before.services.length, links: before.links.length };
  return {
    agencies,
    platform,
    objects,
    changed,
    stats: { agencies: agencies.length, workspaces, objects: total, changedObjects: changedCount, objectsPerDataCentre: perDc, byKind, byOwnerKind, levels, placements, alreadyOnTheHub: others },
  };
}

/** Every govcloud object on the hub but the bench's agencies: the platform the bench adds to. */
async function hubPlatform(hub: Kube): Promise<Platform> {
  const list = async (plural: string) => ((await hub.call('GET', `${G}/${plural}`)).items as any[]).filter((o) => !o.metadata.deletionTimestamp);
  return {
    dataCentres: await list('datacentres'),
    agencies: (await list('agencies')).filter((a) => !BENCH_NAME.test(a.metadata.name)),
    links: await list('networklinks'),
    services: await list('shareddataservices'),
    requests: await list('accessrequests'),
    grants: await list('accessgrants'),
  };
}

function plan(): void {
  const dcs = sampleDataCentres().map((d) => ({ ...d, spec: { ...d.spec, capacity: { ...BENCH_CAPACITY } } }));
  const g = generate('plan', { ...emptyPlatform(), dataCentres: dcs });
  console.log(JSON.stringify(g.stats, null, 2));
  // The same files a GitOps repository would hold, checked as `govcloud validate` checks them.
  const dir = path.join(OUT_DIR, 'plan');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const d of dcs) writeFileSync(path.join(dir, `${d.metadata.name}.yaml`), stringifyYaml(d));
  for (const a of g.agencies) writeFileSync(path.join(dir, `${a.metadata.name}.yaml`), stringifyYaml(a));
  const v = spawnSync(process.execPath, [path.join(ROOT, 'operator/bin/govcloud.ts'), 'validate', dir], { encoding: 'utf8' });
  console.log(`\ngovcloud validate ${path.relative(ROOT, dir)}: exit ${v.status}\n${(v.stdout + v.stderr).trim().split('\n').slice(-5).join('\n')}`);
  if (v.status !== 0) process.exitCode = 1;
  console.log('\nfirst agencies:');
  for (const a of g.agencies.slice(0, 8)) {
    console.log(`  ${a.metadata.name.padEnd(30)} ${a.spec.code.padEnd(10)} L${a.spec.securityLevel} ${a.spec.placement.dataCentres.join(',').padEnd(26)} ${a.spec.workspaces.map((w) => w.name).join(',').padEnd(40)} ${a.spec.displayName}`);
  }
}

// ------------------------------------------------------------------ the shared platform
interface Proc {
  pid: number;
  cmd: string;
}

function pgrep(pattern: string): Proc[] {
  const r = spawnSync('pgrep', ['-fa', pattern], { encoding: 'utf8' });
  return (r.stdout ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ pid: Number(l.slice(0, l.indexOf(' '))), cmd: l.slice(l.indexOf(' ') + 1) }))
    .filter((p) => p.pid !== process.pid && !ownPids.has(p.pid));
}

const ownPids = new Set<number>();
// Any govcloud operator: the bundle (`make up`, the e2e suite) or the sources run by hand.
const OPERATOR_CMDLINE = 'govcloud\\.(js|ts) operator';

function e2eRunning(): Proc[] {
  return [...pgrep('uvu/bin.js e2e'), ...pgrep('run-e2e')];
}

function makeUpOperatorPid(): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(LOCAL, 'operator.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

let stoppedMakeUpOperator = false;

/** Waits (bounded) until no e2e run and no other operator uses the platform; stops the `make up` operator (restored at the end). */
async function claimPlatform(): Promise<void> {
  let lastSaid = 0;
  await waitUntil('the shared platform to be free of e2e runs and other operators', async () => {
    const e2e = e2eRunning();
    const operators = pgrep(OPERATOR_CMDLINE);
    const makeUp = makeUpOperatorPid();
    const theirs = operators.filter((p) => p.pid !== makeUp);
    if (e2e.length === 0 && theirs.length === 0) {
      if (operators.some((p) => p.pid === makeUp)) {
        say(`stopping the \`make up\` operator (pid ${makeUp}); it is started again at the end`);
        const r = spawnSync('bash', ['e2e/operator/local.sh', 'stop'], { cwd: ROOT, stdio: 'inherit', timeout: 60_000 });
        if (r.status !== 0) throw new Error('could not stop the `make up` operator');
        stoppedMakeUpOperator = true;
      }
      return true;
    }
    if (Date.now() - lastSaid > 60_000) {
      lastSaid = Date.now();
      const busy = [...e2e, ...theirs].map((p) => `${p.pid} ${p.cmd.slice(0, 100)}`);
      say(`waiting for the shared platform (at most ${CONFIG.idleTimeoutS} s in all); running now:\n      ${busy.join('\n      ')}`);
    }
    return false;
  }, { timeoutMs: CONFIG.idleTimeoutS * 1000, intervalMs: 5000 });
}

/**
 * Before each measured phase: waits (bounded) until no test run (e2e or unit, on this
 * platform or another one on this machine) and no other operator is running, so that the
 * phase has the machine's CPUs to itself. After the bound it goes on and notes it.
 */
async function awaitQuiet(phase: string): Promise<void> {
  const busy = () => [...e2eRunning(), ...pgrep('uvu/bin.js'), ...pgrep(OPERATOR_CMDLINE)].filter((p, i, all) => all.findIndex((q) => q.pid === p.pid) === i);
  if (busy().length === 0) return;
  const t0 = Date.now();
  let lastSaid = 0;
  try {
    await waitUntil(`quiet before ${phase}`, () => {
      const now = busy();
      if (now.length === 0) return true;
      if (Date.now() - lastSaid > 60_000) {
        lastSaid = Date.now();
        say(`${phase}: waiting until other test runs finish (they share the CPUs):\n      ${now.map((p) => `${p.pid} ${p.cmd.slice(0, 100)}`).join('\n      ')}`);
      }
      return false;
    }, { timeoutMs: CONFIG.idleTimeoutS * 1000, intervalMs: 2000 });
    // Let the clusters settle after what ran (namespace deletions of a finished suite).
    await sleep(10_000);
    say(`${phase}: quiet after ${Math.round((Date.now() - t0) / 1000)} s`);
  } catch (err) {
    if (interrupted) throw err;
    noteDisturbance(`${phase} (gave up waiting)`);
  }
}

/** What else touched the platform while we measured (recorded in the results). */
const disturbances: string[] = [];
function noteDisturbance(phase: string): void {
  // Other test runs share the machine's CPUs even when they use no cluster of ours.
  const others = [...e2eRunning(), ...pgrep(OPERATOR_CMDLINE), ...pgrep('uvu/bin.js')];
  if (others.length > 0) {
    const msg = `${phase}: other processes ran: ${others.map((p) => `${p.pid} ${p.cmd.slice(0, 80)}`).join('; ')}`;
    if (!disturbances.includes(msg)) {
      disturbances.push(msg);
      say(`WARNING ${msg}`);
    }
  }
}

/**
 * The project's pinned Node (node_modules/node/bin/node). A concurrent `make deps` (npm ci)
 * removes it for a while: wait (bounded) until it is back.
 */
async function nodeBinary(): Promise<string> {
  const pinned = path.join(ROOT, 'node_modules', 'node', 'bin', 'node');
  const stamp = path.join(ROOT, 'node_modules', '.installed');
  return waitUntil('node_modules to be installed (npm ci runs)', () => (existsSync(pinned) && existsSync(stamp) ? pinned : undefined), {
    timeoutMs: 600_000,
    intervalMs: 2000,
    progress: () => 'node_modules/node/bin/node missing: waiting for `make deps` to finish',
    progressEveryMs: 30_000,
  });
}

function kubectlPath(): string {
  const r = spawnSync('bash', ['e2e/platform/build.sh', '--print-path', 'kubectl'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const p = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !existsSync(p)) throw new Error(`no kubectl (e2e/platform/build.sh --print-path kubectl): ${r.stderr}`);
  return p;
}

/** CRDs, govcloud-system, the members' kubeconfig Secrets (current ports), the DataCentres of samples/platform. */
function register(): void {
  const reg = spawnSync('bash', ['e2e/operator/local.sh', 'register'], { cwd: ROOT, stdio: 'inherit', timeout: 180_000 });
  if (reg.status !== 0) throw new Error('registering the data centres (e2e/operator/local.sh register) failed');
}

// ------------------------------------------------------------------ cluster helpers
function agencyReady(a: any): boolean {
  const ready = (a.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
  return ready?.status === 'True' && a.status?.observedGeneration === a.metadata?.generation;
}

async function listBenchAgencies(hub: Kube): Promise<any[]> {
  const list = await hub.call('GET', `${G}/agencies`);
  return (list.items as any[]).filter((a) => BENCH_NAME.test(a.metadata.name));
}

async function benchNamespaces(k: Kube): Promise<{ name: string; terminating: boolean }[]> {
  const list = await k.call('GET', `/api/v1/namespaces?labelSelector=${encodeURIComponent(AGENCY_NAME_LABEL)}`);
  return (list.items as any[])
    .filter((ns) => BENCH_NAME.test(ns.metadata.labels?.[AGENCY_NAME_LABEL] ?? ''))
    .map((ns) => ({ name: ns.metadata.name as string, terminating: !!ns.metadata.deletionTimestamp }));
}

/**
 * When the bench last asked for a namespace to be deleted. For 30 s after that, the API
 * server's NamespaceLifecycle admission looks the namespace up live (a GET it counts) for
 * every object created in a namespace of that name: the operator must not start on the same
 * names before that has passed, or those GETs would be counted as its requests.
 */
let lastNamespaceDelete = 0;
const NAMESPACE_LIVE_LOOKUP_MS = 30_000;

/** Deletes every namespace of a bench agency in every cluster and waits (bounded) until they are gone. */
async function deleteBenchNamespaces(clusters: Kube[], what: string): Promise<number> {
  const t0 = Date.now();
  let initial = 0;
  for (const k of clusters) {
    const live = await benchNamespaces(k);
    initial += live.length;
    await pool(live.filter((n) => !n.terminating), 16, async (n) => {
      lastNamespaceDelete = Date.now();
      const r = await k.request('DELETE', `/api/v1/namespaces/${n.name}`);
      if (r.status >= 300 && r.status !== 404 && r.status !== 409) throw new HttpError(r.status, `${k.name}: DELETE namespace ${n.name} -> ${r.status}`);
    });
  }
  if (initial === 0) return 0;
  say(`${what}: ${initial} namespaces deleting; waiting until the clusters' namespace controllers have removed them`);
  let left = initial;
  await waitUntil(`${what}: namespaces gone`, async () => {
    left = 0;
    for (const k of clusters) left += (await benchNamespaces(k)).length;
    return left === 0;
  }, { timeoutMs: CONFIG.deleteTimeoutS * 1000, intervalMs: 3000, progress: () => `${left}/${initial} namespaces left (${Math.round((Date.now() - t0) / 1000)} s)`, progressEveryMs: 15_000 });
  return (Date.now() - t0) / 1000;
}

/** Without an operator: finalizers dropped, agencies deleted, namespaces deleted. */
async function removeLeftovers(hub: Kube, clusters: Kube[]): Promise<void> {
  const agencies = await listBenchAgencies(hub);
  if (agencies.length > 0) say(`removing ${agencies.length} bench agencies left by an earlier run`);
  await pool(agencies, 16, async (a) => {
    const p = `${G}/agencies/${a.metadata.name}`;
    if (a.metadata.finalizers?.length) await hub.request('PATCH', p, { body: { metadata: { finalizers: null } }, contentType: 'application/merge-patch+json' });
    await hub.request('DELETE', p);
  });
  await deleteBenchNamespaces(clusters, 'leftovers');
}

// ------------------------------------------------------------------ phases
async function measureBackground(clusters: Kube[]): Promise<{ background: Background; report: Record<string, unknown> }> {
  say(`background: ${CONFIG.backgroundSeconds} s with no operator and no kubectl (the clusters' own components)`);
  const a = await snapshot(clusters);
  await sleep(CONFIG.backgroundSeconds * 1000);
  const b = await snapshot(clusters);
  const background = backgroundFrom(a, b);
  const perCluster: Record<string, unknown> = {};
  for (const [c, rates] of background) {
    const per60 = new Map([...rates].map(([k, v]) => [k, Math.round(v * 60)]));
    const s = summarise(per60);
    perCluster[c] = { perMinute: { total: s.total, mutating: s.mutating, reads: s.reads, watches: s.watches }, top: topSeries(per60, 8) };
  }
  return { background, report: { seconds: (b.at - a.at) / 1000, perCluster } };
}

/** Ends the run when an API server answered anything but the expected errors (requests.ts): a refused write is a failure, not a number. */
function failOnErrorAnswers(phase: string, w: Window): void {
  const errors = unexpectedErrors(w);
  if (errors.length > 0) throw new Error(`${phase}: the API servers answered with errors:\n  ${errors.join('\n  ')}`);
}

function requestReport(w: Window): RequestReport {
  const perCluster: RequestReport['perCluster'] = {};
  for (const [c, counts] of w.net) {
    perCluster[c] = { client: summarise(counts, notSideEffect), sideEffects: summarise(counts, isSideEffect), observed: summarise(w.observed.get(c) ?? new Map()) };
  }
  const all = merge(w.net.values());
  return {
    seconds: w.seconds,
    client: summarise(all, notSideEffect),
    sideEffects: summarise(all, isSideEffect),
    observed: summarise(merge(w.observed.values())),
    perCluster,
    top: topSeries(all, 15, notSideEffect),
    series: Object.fromEntries([...w.net].map(([c, counts]) => [c, toObject(counts)])),
    failed: Object.fromEntries([...w.failed].map(([c, counts]) => [c, toObject(counts)])),
  };
}

async function baseline(clusters: Kube[], g: Generated, background: Background, tmp: string): Promise<Result['baseline']> {
  const kubectl = kubectlPath();
  const files = new Map<string, string>();
  for (const [dc, objects] of g.objects) {
    if (objects.length === 0) continue;
    const f = path.join(tmp, `baseline-${dc}.json`);
    writeFileSync(f, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    files.set(dc, f);
  }
  const cache = mkdtempSync(path.join(tmp, 'kubectl-cache-'));
  await awaitQuiet('baseline');
  say(`baseline: kubectl apply --server-side of the same ${g.stats.objects} rendered objects, one kubectl per data centre, the three at once`);
  noteDisturbance('baseline');
  const s0 = await snapshot(clusters);
  const load0 = os.loadavg()[0]!;
  const t0 = performance.now();
  const perDc: Record<string, { objects: number; seconds: number }> = {};
  await Promise.all(
    [...files].map(
      ([dc, file]) =>
        new Promise<void>((resolve, reject) => {
          // --force-conflicts: the few existing objects the agencies change (a service's ingress
          // policy) belong to the operator's field manager; kubectl takes them over (restored below).
          const args = ['--kubeconfig', KUBECONFIG, '--context', dc, 'apply', '--server-side', '--force-conflicts', `--field-manager=${KUBECTL_FIELD_MANAGER}`, '-f', file, '-o', 'name'];
          const child = spawn(kubectl, args, { env: { ...process.env, KUBECACHEDIR: cache }, stdio: ['ignore', 'pipe', 'pipe'] });
          child.on('error', reject);
          if (child.pid) ownPids.add(child.pid);
          let out = 0;
          let err = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8').split('\n').length - 1));
          child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
          const timer = setTimeout(() => child.kill('SIGKILL'), CONFIG.readyTimeoutS * 1000);
          const progress = setInterval(() => say(`    kubectl ${dc}: ${out}/${g.objects.get(dc)!.length} applied`), 15_000);
          child.on('exit', (code) => {
            clearTimeout(timer);
            clearInterval(progress);
            perDc[dc] = { objects: out, seconds: (performance.now() - t0) / 1000 };
            if (code === 0) resolve();
            else reject(new Error(`kubectl apply (${dc}) exited ${code}: ${err.slice(-2000)}`));
          });
        }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const s1 = await snapshot(clusters);
  noteDisturbance('baseline');
  failOnErrorAnswers('baseline', windowBetween(s0, s1));
  const requests = requestReport(windowBetween(s0, s1, background));
  say(`baseline: ${wall.toFixed(1)} s, ${requests.client.total} requests (${requests.client.mutating} mutating)`);
  await restoreChanged(clusters, g);
  const deleteSeconds = await deleteBenchNamespaces(clusters, 'baseline cleanup');
  return {
    method:
      'kubectl apply --server-side --force-conflicts -f <a List of what the agencies add to the rendered platform, namespaces first>, one kubectl per data centre, the three in parallel, fresh discovery cache; then the namespaces deleted and the few changed objects restored before the operator runs on the same names',
    wallSeconds: wall,
    loadAverage: { before: load0, after: os.loadavg()[0]! },
    perDataCentre: perDc,
    requests,
    namespaceDeleteSeconds: deleteSeconds,
  };
}

const MANAGER_OF: Record<string, string> = { Agency: 'govcloud-agency', SharedDataService: 'govcloud-service', NetworkLink: 'govcloud-link', DataCentre: 'govcloud-datacentre' };

/**
 * Puts back the existing objects the baseline changed (as rendered without the bench agencies,
 * under their controller's field manager, as the operator applied them), then drops every
 * field kubectl's field manager still holds in them.
 */
async function restoreChanged(clusters: Kube[], g: Generated): Promise<void> {
  for (const [dc, objects] of g.changed) {
    const k = clusters.find((c) => c.name === dc);
    if (!k || objects.length === 0) continue;
    for (const o of objects) {
      const p = objectPath(o as never);
      const manager = MANAGER_OF[ownerKind(o)];
      if (manager) await k.apply(p, o, manager);
      const bare = { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) } };
      await k.apply(p, bare, KUBECTL_FIELD_MANAGER);
    }
    say(`baseline: restored ${objects.length} existing object(s) in ${dc} it had changed (${objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).join(', ')})`);
  }
}

/** Watches the bench agencies: when each first became Ready (for its generation). */
class ReadyWatch {
  readonly readyAt = new Map<string, number>();
  private readonly abort = new AbortController();
  private done: Promise<void> | undefined;
  private readonly hub: Kube;
  private readonly run: string;
  private readonly t0: number;
  constructor(hub: Kube, run: string, t0: number) {
    this.hub = hub;
    this.run = run;
    this.t0 = t0;
  }

  start(): void {
    const selector = encodeURIComponent(`${BENCH_LABEL}=${this.run}`);
    const loop = async () => {
      while (!this.abort.signal.aborted) {
        try {
          const list = await this.hub.call('GET', `${G}/agencies?labelSelector=${selector}`);
          for (const a of list.items as any[]) this.see(a);
          await this.hub.watch(`${G}/agencies?watch=1&labelSelector=${selector}&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1800`, (e) => {
            if (e.type === 'ADDED' || e.type === 'MODIFIED') this.see(e.object);
          }, this.abort.signal);
        } catch (err) {
          if (!this.abort.signal.aborted) {
            say(`    (agency watch: ${(err as Error).message}; watching again)`);
            await sleep(1000);
          }
        }
      }
    };
    this.done = loop();
  }

  private see(a: any): void {
    if (!this.readyAt.has(a.metadata.name) && agencyReady(a)) this.readyAt.set(a.metadata.name, (performance.now() - this.t0) / 1000);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** The V8 heap from the operator's own metrics (prom-client's default metrics), in bytes. */
function heapOf(metricsText: string): { usedBytes: number; totalBytes: number; externalBytes: number } {
  return {
    usedBytes: metricSum(metricsText, 'nodejs_heap_size_used_bytes'),
    totalBytes: metricSum(metricsText, 'nodejs_heap_size_total_bytes'),
    externalBytes: metricSum(metricsText, 'nodejs_external_memory_bytes'),
  };
}

interface OperatorState {
  writes: number;
  reconciles: number;
  depth: number;
  active: number;
  connected: number;
}

async function operatorState(op: Operator): Promise<OperatorState> {
  const text = await op.metricsText();
  return {
    writes: metricSum(text, 'govcloud_object_writes_total'),
    reconciles: metricSum(text, 'controller_runtime_reconcile_total'),
    depth: metricSum(text, 'workqueue_depth'),
    active: metricSum(text, 'controller_runtime_active_workers'),
    connected: metricSum(text, 'govcloud_datacentre_connected'),
  };
}

/** Until the operator has nothing queued, nothing in flight and has written nothing for `quietMs`. */
async function waitOperatorQuiet(op: Operator, what: string, timeoutMs: number, quietMs = 5000): Promise<OperatorState> {
  let last: OperatorState | undefined;
  let quietSince = Date.now();
  return waitUntil(what, async () => {
    if (!op.running()) throw new Error(`the operator exited; see ${op.logFile}`);
    const s = await operatorState(op);
    if (!last || s.writes !== last.writes || s.depth > 0 || s.active > 0) quietSince = Date.now();
    last = s;
    return Date.now() - quietSince >= quietMs ? s : undefined;
  }, { timeoutMs, intervalMs: 500, progress: () => `queue ${last?.depth}, in flight ${last?.active}, writes ${last?.writes}` });
}

/** Per controller over a window: reconciles, errors, seconds spent reconciling (sum of the histogram). */
function controllerBreakdown(before: string, after: string): Record<string, { reconciles: number; errors: number; seconds: number }> {
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
function counterGrowth(before: string, after: string, name: string, keyOf: (labels: Record<string, string>) => string): Record<string, number> {
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

const writesBreakdown = (before: string, after: string) => counterGrowth(before, after, 'govcloud_object_writes_total', (l) => `${l.cluster}/${l.controller}/${l.action}`);
/** The operator's own requests by method and answer (rest_client_requests_total), all clusters together. */
const requestsBreakdown = (before: string, after: string) => counterGrowth(before, after, 'rest_client_requests_total', (l) => `${l.method} ${l.code}`);

async function operatorPhase(clusters: Kube[], hub: Kube, g: Generated, run: string, background: Background, ts: string): Promise<Result['operator']> {
  const logFile = path.join(OUT_DIR, `${ts}-operator.log`);
  say(`operator: starting (leader election on, --metrics-port 0; log ${path.relative(ROOT, logFile)})`);
  if (CONFIG.operatorNodeOptions !== CONFIG.shippedNodeOptions) say(`operator: EXPERIMENT, NODE_OPTIONS=${CONFIG.operatorNodeOptions} (the chart ships ${CONFIG.shippedNodeOptions || 'none'})`);
  else if (CONFIG.operatorNodeOptions) say(`operator: NODE_OPTIONS=${CONFIG.operatorNodeOptions}, as the chart ships it`);
  const op = await Operator.start({ root: ROOT, node: await nodeBinary(), kubeconfig: KUBECONFIG, context: hub.name, logFile, ...(CONFIG.operatorNodeOptions ? { nodeOptions: CONFIG.operatorNodeOptions } : {}) });
  ownPids.add(op.pid);
  currentOperator = op;
  const tStart = performance.now();
  await waitUntil('the operator to lead and reach every data centre', async () => {
    if (!op.running()) throw new Error(`the operator exited; see ${logFile}`);
    const s = await operatorState(op);
    return op.controllersStarted() && s.connected >= clusters.length;
  }, { timeoutMs: 120_000, intervalMs: 500 });
  const startupSeconds = (performance.now() - tStart) / 1000;
  await waitOperatorQuiet(op, 'the operator to be idle before the agencies are applied', 300_000);
  const idleMemory = op.memory();
  const idleHeap = heapOf(await op.metricsText());
  const idleRss = idleMemory?.rss ?? NaN;
  say(`operator: leading, ${clusters.length} data centres connected, idle (${startupSeconds.toFixed(1)} s after start), RSS ${mb(op.memory()?.rss ?? 0)}`);

  // ---------------------------------------------------------------- converge
  await awaitQuiet('converge');
  const sinceDelete = Date.now() - lastNamespaceDelete;
  if (sinceDelete < NAMESPACE_LIVE_LOOKUP_MS + 5000) {
    const wait = NAMESPACE_LIVE_LOOKUP_MS + 5000 - sinceDelete;
    say(`converge: waiting ${Math.ceil(wait / 1000)} s more: namespaces of these names were deleted less than 35 s ago (the API server would look them up live)`);
    await sleep(wait);
  }
  noteDisturbance('converge');
  const metricsBefore = await op.metricsText();
  const s0 = await snapshot(clusters);
  const cpu0 = op.cpuSeconds();
  const load0 = os.loadavg()[0]!;
  const t0 = performance.now();
  const watch = new ReadyWatch(hub, run, t0);
  watch.start();
  say(`converge: applying ${g.agencies.length} agencies (server-side apply, ${CONFIG.applyConcurrency} at once)`);
  await pool(g.agencies, CONFIG.applyConcurrency, async (a) => {
    await hub.apply(`${G}/agencies/${a.metadata.name}`, a, FIELD_MANAGER);
  });
  const applySeconds = (performance.now() - t0) / 1000;
  say(`converge: applied in ${applySeconds.toFixed(1)} s; waiting until every agency is Ready`);
  let sReady: Snapshot | undefined;
  await waitUntil(`${g.agencies.length} agencies Ready`, async () => {
    if (!op.running()) throw new Error(`the operator exited; see ${logFile}`);
    return watch.readyAt.size >= g.agencies.length;
  }, {
    timeoutMs: CONFIG.readyTimeoutS * 1000,
    intervalMs: 250,
    progressEveryMs: 10_000,
    progress: () => `${watch.readyAt.size}/${g.agencies.length} Ready after ${Math.round((performance.now() - t0) / 1000)} s, operator RSS ${mb(op.memory()?.rss ?? 0)}`,
  });
  const wall = Math.max(...watch.readyAt.values());
  sReady = await snapshot(clusters);
  say(`converge: all ${g.agencies.length} Ready after ${wall.toFixed(1)} s; waiting for the operator to go quiet`);
  await waitOperatorQuiet(op, 'the operator to go quiet after convergence', 300_000);
  const s1 = await snapshot(clusters);
  const metricsAfter = await op.metricsText();
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
    operatorWrites: writesBreakdown(metricsBefore, metricsAfter),
    reconciles: metricSum(metricsAfter, 'controller_runtime_reconcile_total') - metricSum(metricsBefore, 'controller_runtime_reconcile_total'),
    reconcileErrors: metricSum(metricsAfter, 'controller_runtime_reconcile_errors_total') - metricSum(metricsBefore, 'controller_runtime_reconcile_errors_total'),
    controllers: controllerBreakdown(metricsBefore, metricsAfter),
    peakRssBytes: memConverge?.peakRss ?? NaN,
    operatorCpuSeconds: cpuConverge,
    heap: heapOf(metricsAfter),
    loadAverage: { before: load0, after: os.loadavg()[0]! },
  };
  await watch.stop();
  say(`converge: ${converge.requests.client.total} requests (${converge.requests.client.mutating} mutating) until quiet, operator peak RSS ${mb(converge.peakRssBytes)}`);

  // ---------------------------------------------------------------- steady state
  await awaitQuiet('steady state');
  say(`steady state: ${CONFIG.steadySeconds} s after convergence, counting writes`);
  const m0 = await op.metricsText();
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
  const m1 = await op.metricsText();
  noteDisturbance('steady state');
  const steadyWindow = windowBetween(a, b, background);
  const steadyAll = merge(steadyWindow.net.values());
  const mutatingSeries: Record<string, number> = {};
  for (const { series, count } of topSeries(steadyAll, 50, (k) => ['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE'].includes(k.slice(0, k.indexOf('|'))))) mutatingSeries[series] = count;
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
    operatorWrites: writesBreakdown(m0, m1),
    operatorRequests: requestsBreakdown(m0, m1),
    operatorWritesTotal: metricSum(m1, 'govcloud_object_writes_total') - metricSum(m0, 'govcloud_object_writes_total'),
    heap: heapOf(m1),
    rssBytes: op.memory()?.rss ?? NaN,
    reconciles: metricSum(m1, 'controller_runtime_reconcile_total') - metricSum(m0, 'controller_runtime_reconcile_total'),
  };
  say(`steady state: ${objectWrites} object writes in ${steady.seconds.toFixed(0)} s; all mutating ${steady.requests.client.mutating}: ${hubLeases} hub lease renewals, ${eventWrites} event writes; the operator's own write counter: ${steady.operatorWritesTotal}`);

  // ---------------------------------------------------------------- drift
  const drift = await driftRepair(clusters, g);

  // ---------------------------------------------------------------- cleanup
  const memBeforeCleanup = op.memory();
  say(`cleanup: deleting the ${g.agencies.length} agencies (deletionPolicy Delete: the operator deletes their namespaces)`);
  const tc = performance.now();
  await pool(g.agencies, CONFIG.applyConcurrency, async (ag) => {
    const r = await hub.request('DELETE', `${G}/agencies/${ag.metadata.name}`);
    if (r.status >= 300 && r.status !== 404) throw new HttpError(r.status, `DELETE agency ${ag.metadata.name} -> ${r.status}`);
  });
  let left = g.agencies.length;
  await waitUntil('the operator to finish deleting the agencies', async () => {
    left = (await listBenchAgencies(hub)).length;
    return left === 0;
  }, { timeoutMs: CONFIG.deleteTimeoutS * 1000, intervalMs: 2000, progressEveryMs: 15_000, progress: () => `${left} agencies left (${Math.round((performance.now() - tc) / 1000)} s)` });
  const agencyDeleteSeconds = (performance.now() - tc) / 1000;
  failOnErrorAnswers('steady state, drift and cleanup', windowBetween(s1, await snapshot(clusters)));
  const memFinal = op.memory();
  say(`cleanup: agencies gone after ${agencyDeleteSeconds.toFixed(1)} s; stopping the operator`);
  await op.stop();
  currentOperator = undefined;
  const errors = op.errorLines();
  const namespaceDeleteSeconds = await deleteBenchNamespaces(clusters, 'cleanup');
  return {
    logFile: path.relative(ROOT, logFile),
    startupSeconds,
    converge,
    steady,
    drift,
    memory: { idleHeap, idleRssBytes: idleRss, peakRssAtStartBytes: idleMemory?.peakRss ?? NaN, peakRssConvergeBytes: converge.peakRssBytes, peakRssBeforeCleanupBytes: memBeforeCleanup?.peakRss ?? NaN, peakRssBytes: memFinal?.peakRss ?? NaN },
    cleanup: { agencyDeleteSeconds, namespaceDeleteSeconds },
    errorLogLines: errors.length,
    firstErrors: errors.slice(0, 5),
  };
}

async function driftRepair(clusters: Kube[], g: Generated): Promise<Result['operator']['drift']> {
  const members = clusters.slice(1).filter((k) => (g.objects.get(k.name) ?? []).some((o) => o.kind === 'NetworkPolicy'));
  const candidates = members.map((k) => ({ k, namespaces: (g.objects.get(k.name) ?? []).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === DRIFT_POLICY).map((o) => o.metadata.namespace!) }));
  const samples: { cluster: string; namespace: string; seconds: number | null }[] = [];
  await awaitQuiet('drift');
  say(`drift: deleting ${DRIFT_POLICY} in a member cluster and timing until it is back, ${CONFIG.driftRepeats} times`);
  for (let i = 0; i < CONFIG.driftRepeats && candidates.length > 0; i++) {
    checkInterrupted();
    const c = candidates[i % candidates.length]!;
    const ns = c.namespaces[Math.floor(((i + 0.5) / CONFIG.driftRepeats) * c.namespaces.length) % c.namespaces.length]!;
    const p = `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${DRIFT_POLICY}`;
    const before = await c.k.call('GET', p);
    const t0 = performance.now();
    await c.k.call('DELETE', p);
    let seconds: number | null = null;
    const deadline = t0 + 30_000;
    while (performance.now() < deadline) {
      const r = await c.k.request('GET', p);
      if (r.status === 200 && r.body.metadata.uid !== before.metadata.uid) {
        seconds = (performance.now() - t0) / 1000;
        break;
      }
      await sleep(20);
    }
    samples.push({ cluster: c.k.name, namespace: ns, seconds });
    say(`    ${c.k.name} ${ns}/${DRIFT_POLICY}: ${seconds === null ? 'NOT back within 30 s' : `back after ${(seconds * 1000).toFixed(0)} ms`}`);
    await sleep(2000);
  }
  const ok = samples.map((s) => s.seconds).filter((s): s is number => s !== null);
  return { samples, medianSeconds: ok.length ? percentile(ok, 50) : null, maxSeconds: samples.some((s) => s.seconds === null) ? null : Math.max(...ok), failures: samples.length - ok.length };
}

// ------------------------------------------------------------------ machine
/** The commit measured, and whether the operator's code differed from it. */
function revision(): { commit: string; operatorDirty: boolean } {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'operator/', 'package.json', 'package-lock.json'], { cwd: ROOT, encoding: 'utf8' });
  return { commit: head.stdout.trim() || 'unknown', operatorDirty: (dirty.stdout ?? '').trim() !== '' };
}

function machine(versions: Record<string, string>): Result['machine'] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  return {
    nproc: os.availableParallelism(),
    memTotalBytes: Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) * 1024,
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    kubernetes: versions,
  };
}

// ------------------------------------------------------------------ main
let currentOperator: Operator | undefined;
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
  const ts = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  const run = ts.toLowerCase().replace(/[^a-z0-9]/g, '');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'govcloud-bench-'));
  say(`govcloud bench: ${CONFIG.agencies} agencies over ${contexts.join(', ')} (hub ${hub.name}); results .local/bench/${ts}.json`);

  await claimPlatform();
  const versions: Record<string, string> = {};
  for (const k of clusters) versions[k.name] = (await k.call('GET', '/version')).gitVersion;

  say('registering: CRDs, govcloud-system, the members\' kubeconfig Secrets, the DataCentres of samples/platform (e2e/operator/local.sh register)');
  register();
  await removeLeftovers(hub, clusters);
  leftovers = () => removeLeftovers(hub, clusters);

  const dcList = (await hub.call('GET', `${G}/datacentres`)).items as DataCentre[];
  const saved = new Map(dcList.map((d) => [d.metadata.name, d.spec.capacity]));
  restoreCapacity = async () => {
    for (const [name, capacity] of saved) await hub.apply(`${G}/datacentres/${name}`, { apiVersion: 'govcloud.dev/v1alpha1', kind: 'DataCentre', metadata: { name }, spec: { capacity } }, FIELD_MANAGER);
    say(`restored the DataCentres' capacity (${[...saved.keys()].join(', ')})`);
  };
  say(`bench DataCentres: capacity cpu ${BENCH_CAPACITY.cpu}, memory ${BENCH_CAPACITY.memory}, storage ${BENCH_CAPACITY.storage} (accreditation as in samples/platform: dc-hanoi 4, dc-hcm 3, dc-danang 2)`);
  for (const d of dcList) await hub.apply(`${G}/datacentres/${d.metadata.name}`, { apiVersion: 'govcloud.dev/v1alpha1', kind: 'DataCentre', metadata: { name: d.metadata.name }, spec: { capacity: BENCH_CAPACITY } }, FIELD_MANAGER);
  const g = generate(run, await hubPlatform(hub));
  say(`generated: ${g.stats.agencies} agencies, ${g.stats.workspaces} workspaces; they add ${g.stats.objects} objects to the rendered platform (${Object.entries(g.stats.objectsPerDataCentre as Record<string, number>).map(([d, n]) => `${d} ${n}`).join(', ')}; by owner ${JSON.stringify(g.stats.byOwnerKind)})`);

  await awaitQuiet('background');
  const bg = await measureBackground(clusters);
  const result: Partial<Result> = { startedAt: new Date(started).toISOString(), revision: revision(), config: { ...CONFIG }, machine: machine(versions), generated: g.stats, background: bg.report };
  try {
    if (CONFIG.baseline) result.baseline = await baseline(clusters, g, bg.background, tmp);
    result.operator = await operatorPhase(clusters, hub, g, run, bg.background, ts);
  } finally {
    result.disturbances = disturbances;
    result.finishedAt = new Date().toISOString();
    rmSync(tmp, { recursive: true, force: true });
  }
  const file = path.join(OUT_DIR, `${ts}.json`);
  const full = printReport(result as Result);
  writeFileSync(file, JSON.stringify(full, null, 2) + '\n');
  say(`results: ${path.relative(ROOT, file)}`);
  return 0;
}

async function finish(failed: boolean): Promise<void> {
  const op = currentOperator;
  currentOperator = undefined;
  if (op?.running()) {
    say('stopping the bench operator');
    await op.stop(15_000);
  }
  if (failed && leftovers) {
    interrupted = false;
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
  if (stoppedMakeUpOperator) {
    say('starting the `make up` operator again');
    spawnSync('bash', ['e2e/operator/local.sh', 'start'], { cwd: ROOT, stdio: 'inherit', timeout: 120_000 });
  }
}

process.on('SIGINT', () => {
  if (interrupted) {
    say('quitting at once: `make bench-clean` removes what is left');
    process.exit(130);
  }
  interrupted = true;
  say('interrupted: stopping and cleaning up (Ctrl-C again to quit at once)');
});
process.on('SIGTERM', () => {
  interrupted = true;
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
