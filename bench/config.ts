// The bench's places and knobs: where it writes, what it names, and the BENCH_* environment
// variables (defaults grow with the number of agencies).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL = path.join(ROOT, '.local');
export const OUT_DIR = path.join(LOCAL, 'bench');
export const KUBECONFIG = path.join(LOCAL, 'kubeconfig');
export const G = '/apis/govcloud.dev/v1alpha1';
export const FIELD_MANAGER = 'govcloud-bench';
export const KUBECTL_FIELD_MANAGER = 'govcloud-bench-kubectl';
export const AGENCY_NAME_LABEL = 'govcloud.dev/agency-name';
export const DRIFT_POLICY = 'govcloud-default-deny';

export const envInt = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v} is not a non-negative number`);
  return n;
};

export const N = envInt('BENCH_AGENCIES', 200);

/** install.md's leader-election timings for thousands of agencies (docs/benchmarks.md, "5,000 agencies"). */
const LARGE_PLATFORM_LEADER_ELECTION = '--leader-elect-lease-duration=60 --leader-elect-renew-deadline=40 --leader-elect-retry-period=5';

/** The NODE_OPTIONS the chart runs the operator with (its heap limits): what is measured unless told otherwise. */
export function shippedNodeOptions(): string {
  const values = parseYaml(readFileSync(path.join(ROOT, 'charts', 'govcloud-operator', 'values.yaml'), 'utf8')) as { nodeOptions?: string };
  return values.nodeOptions ?? '';
}
export const SHIPPED_NODE_OPTIONS = shippedNodeOptions();
export const CONFIG = {
  agencies: N,
  seed: envInt('BENCH_SEED', 20_250_701),
  steadySeconds: envInt('BENCH_STEADY_SECONDS', 60),
  /** 100 from 1000 agencies: enough for a p99 (the second-largest of 100). */
  driftRepeats: envInt('BENCH_DRIFT_REPEATS', N >= 1000 ? 100 : 5),
  /** After the operator is quiet and before the steady state is counted: the Event recorder flushes series counts every 30 s. */
  flushSeconds: envInt('BENCH_FLUSH_SECONDS', 35),
  expiryRepeats: envInt('BENCH_EXPIRY_REPEATS', 5),
  expiryLeadSeconds: envInt('BENCH_EXPIRY_LEAD_SECONDS', 10),
  /** How many agencies the measured deletion deletes (the others stay). */
  deleteAgencies: envInt('BENCH_DELETE_AGENCIES', Math.min(N, 1000)),
  /** BENCH_FRESH_PLATFORM: 1, 0, or unset (by size: fresh-platform.ts). */
  freshPlatform: process.env.BENCH_FRESH_PLATFORM ?? '',
  freshPlatformTimeoutS: envInt('BENCH_FRESH_PLATFORM_TIMEOUT', 900),
  backgroundSeconds: envInt('BENCH_BACKGROUND_SECONDS', 30),
  baseline: envInt('BENCH_BASELINE', 1) !== 0,
  idleTimeoutS: envInt('BENCH_IDLE_TIMEOUT', 3600),
  readyTimeoutS: envInt('BENCH_READY_TIMEOUT', 300 + 3 * N),
  deleteTimeoutS: envInt('BENCH_DELETE_TIMEOUT', 600 + 3 * N),
  /** How long the measured deletion waits for the namespaces to be gone; then it goes on with the rate of the part seen. */
  namespaceGoneTimeoutS: envInt('BENCH_NAMESPACE_GONE_TIMEOUT', 600 + 3 * N),
  applyConcurrency: 16,
  /** NODE_OPTIONS of the operator under test: the chart's, unless an experiment (bench/experiments/) sets others. */
  operatorNodeOptions: process.env.BENCH_OPERATOR_NODE_OPTIONS ?? SHIPPED_NODE_OPTIONS,
  shippedNodeOptions: SHIPPED_NODE_OPTIONS,
  /**
   * More arguments of `govcloud operator`; the report prints them. From 2,000 agencies, the
   * leader-election timings install.md advises for thousands of agencies (set it empty for
   * the defaults).
   */
  operatorArgs: (process.env.BENCH_OPERATOR_ARGS ?? (N >= 2000 ? LARGE_PLATFORM_LEADER_ELECTION : '')).split(/\s+/).filter(Boolean),
  /** When the operator runs out of heap while converging: restarted with these (reported as an experiment); unset: the run fails. */
  fallbackNodeOptions: process.env.BENCH_OPERATOR_FALLBACK_NODE_OPTIONS ?? '',
};
