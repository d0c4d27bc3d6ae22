// An uvu suite for the operator e2e tests: before all, the data centres are registered and
// (unless the suite manages its own) an operator replica is started and waited for as the
// leader; every test is bounded in time, prints its duration, and on failure the operator's
// last log lines; the agencies a test made are deleted after it, their namespaces too.
import { suite } from 'uvu';
import { loadClusters, waitFor, type Cluster } from '../harness/index.ts';
import { deleteAgencies, get, NAMESPACE, readState, platformDataCentres, registerDataCentres } from './platform.ts';
import { OperatorProcess } from './process.ts';

export interface OperatorContext {
  clusters: Cluster[];
  hub: Cluster;
  /** The suite's operator (undefined in suites that start their own). */
  op: OperatorProcess | undefined;
  /** Operators a test started itself: stopped after it. */
  extra: OperatorProcess[];
  /** Agencies to delete after the test. */
  agencies: string[];
}

type Test = (name: string, fn: (ctx: OperatorContext) => Promise<void>, timeoutMs?: number) => void;

/** Fails early when another operator (`make up`'s) holds the lease: two would fight. */
async function checkNoOtherOperator(hub: Cluster): Promise<void> {
  const pid = readState('operator.pid');
  if (pid && /^\d+$/.test(pid)) {
    try {
      process.kill(Number(pid), 0);
      throw new Error(`an operator started by \`make up\` runs (pid ${pid}): stop it first (e2e/operator/local.sh stop, or make down)`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  // A replica killed by an earlier suite holds the lease until it expires (15 s).
  let holder = '';
  await waitFor(
    'the lease govcloud-operator to be free or expired',
    async () => {
      const res = await hub.request('GET', `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/govcloud-operator`);
      if (res.status === 404) return true;
      const spec = (res.body as { spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number } }).spec ?? {};
      holder = spec.holderIdentity ?? '';
      const renewed = spec.renewTime ? Date.parse(spec.renewTime) : 0;
      return !holder || Date.now() - renewed > (spec.leaseDurationSeconds ?? 15) * 1000;
    },
    { timeoutMs: 25_000, describe: () => `held by ${holder}` },
  );
}

export interface OperatorSuiteOptions {
  startOperator?: boolean;
  /** Runs once after the data centres are registered and the operator leads (e.g. starts Flux). */
  setUp?: (ctx: OperatorContext) => Promise<void>;
  /** Runs once after every test, before the operator stops. */
  tearDown?: (ctx: OperatorContext) => Promise<void>;
}

export function operatorSuite(title: string, opts: OperatorSuiteOptions = {}): Test & { run(): void } {
  const s = suite<OperatorContext>(title, {} as OperatorContext);
  // uvu reports no error of a before hook (its runner's finally returns over it): print it.
  s.before(async (ctx) => {
    try {
      await setUpSuite(ctx);
    } catch (err) {
      console.error(`${title}: setting up the suite failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      throw err;
    }
  });
  const setUpSuite = async (ctx: OperatorContext): Promise<void> => {
    ctx.clusters = loadClusters();
    ctx.hub = ctx.clusters[0]!;
    ctx.extra = [];
    ctx.agencies = [];
    await registerDataCentres(ctx.clusters);
    await checkNoOtherOperator(ctx.hub);
    if (opts.startOperator ?? true) {
      ctx.op = await OperatorProcess.start(title.replace(/\W+/g, '-'));
      await ctx.op.waitLeader();
      await waitFor(
        'every DataCentre connected',
        async () => {
          for (const c of platformDataCentres(ctx.clusters).map((d) => d.metadata.name)) {
            const dc = await get(ctx.hub, 'DataCentre', undefined, c);
            if ((dc?.status as { connected?: boolean } | undefined)?.connected !== true) return false;
          }
          return true;
        },
        { timeoutMs: 60_000 },
      );
    }
    await opts.setUp?.(ctx);
  };
  s.after.each(async (ctx) => {
    const running = ctx.op?.running() === true || ctx.extra.some((o) => o.running());
    await deleteAgencies(ctx.hub, ctx.clusters, ctx.agencies.splice(0), running);
    for (const o of ctx.extra.splice(0)) await o.stop().catch(() => o.kill('SIGKILL'));
  });
  s.after(async (ctx) => {
    // The operator stops even when the tear-down fails: an orphan would hold the lease.
    let code: number | null | undefined;
    try {
      await opts.tearDown?.(ctx);
    } finally {
      code = await ctx.op?.stop();
    }
    if (ctx.op && code !== 0) throw new Error(`the suite's operator exited with ${code} on SIGTERM (log ${ctx.op.logFile})`);
  });
  const test: Test = (name, fn, timeoutMs = 180_000) => {
    s(name, async (ctx) => {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          fn(ctx),
          new Promise<never>(
            (_, reject) => (timer = setTimeout(() => reject(new Error(`${title} > ${name}: timed out after ${timeoutMs / 1000} s`)), timeoutMs)),
          ),
        ]);
        console.log(`    ${title} > ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } catch (err) {
        for (const o of [ctx.op, ...ctx.extra]) if (o) console.log(`--- operator ${o.label} (log ${o.logFile}):\n${o.tail(25)}`);
        throw err;
      } finally {
        clearTimeout(timer);
      }
    });
  };
  return Object.assign(test, { run: () => s.run() });
}
