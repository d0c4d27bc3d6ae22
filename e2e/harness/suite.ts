// An uvu suite for e2e tests: the clusters of the kubeconfig in its context, a namespace
// factory whose namespaces are deleted after each test (pass or fail), a bounded time per test.
import { suite } from 'uvu';
import { loadClusters } from './clusters.ts';
import type { Cluster } from './clusters.ts';
import { Namespaces } from './namespaces.ts';

export interface E2EContext {
  clusters: Cluster[];
  hub: Cluster;
  ns: Namespaces;
}

export interface E2ETestOptions {
  /** Fail the test after this long (default GOVCLOUD_E2E_TEST_TIMEOUT_MS or 5 minutes). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = Number(process.env.GOVCLOUD_E2E_TEST_TIMEOUT_MS ?? 300_000);

function withTimeout<T>(what: string, ms: number, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([run(), timeout]).finally(() => clearTimeout(timer));
}

export interface E2ESuite {
  (name: string, fn: (ctx: E2EContext) => Promise<void>, opts?: E2ETestOptions): void;
  /** A test that cannot run here: uvu counts it as skipped, and the log says why. */
  skip(name: string, why: string): void;
  run(): void;
}

export function e2eSuite(title: string): E2ESuite {
  const s = suite<E2EContext>(title, {} as E2EContext);
  s.before((ctx) => {
    ctx.clusters = loadClusters();
    ctx.hub = ctx.clusters[0]!;
    ctx.ns = new Namespaces();
  });
  // Runs after a failed test too (uvu calls after.each hooks in its catch).
  s.after.each(async (ctx) => {
    await ctx.ns?.cleanup();
  });
  s.after(async (ctx) => {
    await ctx.ns?.awaitGone(120_000);
  });
  const test = ((name, fn, opts = {}) => {
    s(name, (ctx) => withTimeout(`${title} > ${name}`, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => fn(ctx)));
  }) as E2ESuite;
  test.skip = (name, why) => {
    console.log(`${title} > ${name}: skipped (${why})`);
    s.skip(name, () => {});
  };
  test.run = () => s.run();
  return test;
}
