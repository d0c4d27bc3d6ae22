/**
 * `govcloud connectivity --probe`: the evaluator's prediction for a live cluster checked with
 * real connections between short-lived probe pods (operator/src/connectivity/probe), and the
 * two programs those pods run (`--probe-serve`, `--probe-connect`).
 */
import { randomBytes } from 'node:crypto';
import { parseTargetSpec, parsePortSpec, runClient, serve, type Target } from '../../connectivity/probe/agent.ts';
import { compare, comparisonRows, PROBE_HEADERS, type Comparison } from '../../connectivity/probe/compare.ts';
import { planProbe, type ProbePlan } from '../../connectivity/probe/plan.ts';
import type { PodPlacement } from '../../connectivity/probe/pods.ts';
import { runProbe, type ProbeApi } from '../../connectivity/probe/run.ts';
import type { View } from '../../connectivity/view.ts';
import { UsageError } from '../command.ts';
import type { Io } from '../io.ts';
import { paint, renderTable } from '../table.ts';

/** The operator image of the chart's appVersion (a unit test keeps them equal). */
export const DEFAULT_PROBE_IMAGE = 'registry.govcloud.local/govcloud/operator:0.1.0';
/** Exit code when a measured path differs from the prediction, or a pair could not be probed. */
export const EXIT_MISMATCH = 3;

export interface ProbeSettings {
  workspaces?: string[];
  placement: PodPlacement;
  closedPerSource: number;
  parallel: number;
  connectTimeoutMs: number;
  settleMs: number;
  timeoutSeconds: number;
}

export interface ProbeSession {
  api: ProbeApi;
  close(): Promise<void>;
}

function positiveInt(name: string, text: string | undefined, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, not "${text}"`);
  return Number(text);
}

/** `KEY=VALUE:EFFECT`, `KEY:EFFECT` (Exists), as kubectl taint writes them. */
function parseToleration(text: string): NonNullable<PodPlacement['tolerations']>[number] {
  const m = /^([^=:]+)(?:=([^:]*))?(?::(NoSchedule|PreferNoSchedule|NoExecute))?$/.exec(text);
  if (!m) throw new UsageError(`--toleration must look like KEY[=VALUE][:EFFECT], not "${text}"`);
  const [, key, value, effect] = m as unknown as [string, string, string | undefined, string | undefined];
  return { key, operator: value === undefined ? 'Exists' : 'Equal', ...(value !== undefined ? { value } : {}), ...(effect ? { effect } : {}) };
}

export function probeSettings(
  values: Record<string, string | boolean | undefined>,
  multi: { workspaces: string[]; nodeSelectors: string[]; tolerations: string[] },
): ProbeSettings {
  const nodeSelector: Record<string, string> = {};
  for (const s of multi.nodeSelectors) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--node-selector must look like KEY=VALUE, not "${s}"`);
    nodeSelector[s.slice(0, eq)] = s.slice(eq + 1);
  }
  const timeoutSeconds = positiveInt('timeout', values.timeout as string | undefined, 300);
  const placement: PodPlacement = {
    image: (values.image as string | undefined) ?? DEFAULT_PROBE_IMAGE,
    deadlineSeconds: timeoutSeconds,
    ...(multi.nodeSelectors.length > 0 ? { nodeSelector } : {}),
    ...(multi.tolerations.length > 0 ? { tolerations: multi.tolerations.map(parseToleration) } : {}),
  };
  return {
    ...(multi.workspaces.length > 0 ? { workspaces: multi.workspaces } : {}),
    placement,
    closedPerSource: positiveInt('closed-per-workspace', values['closed-per-workspace'] as string | undefined, 3, 0),
    parallel: positiveInt('parallel', values.parallel as string | undefined, 8, 2),
    connectTimeoutMs: positiveInt('connect-timeout', values['connect-timeout'] as string | undefined, 2000, 100),
    settleMs: positiveInt('settle', values.settle as string | undefined, 3000, 0),
    timeoutSeconds,
  };
}

export interface ProbeOutcome {
  plan: ProbePlan;
  comparison: Comparison;
}

/**
 * Plans, runs and compares. SIGINT and the time limit abort the run; the probe pods are
 * deleted before this returns or throws.
 */
export async function probeView(
  view: View,
  session: ProbeSession,
  settings: ProbeSettings,
  io: Io,
  runId = randomBytes(3).toString('hex'),
): Promise<ProbeOutcome> {
  const plan = planProbe(view.input, {
    runId,
    closedPerSource: settings.closedPerSource,
    parallel: settings.parallel,
    ...(settings.workspaces ? { workspaces: settings.workspaces } : {}),
  });
  const interrupted = new AbortController();
  const onSigint = () => interrupted.abort(new Error('interrupted (SIGINT): probe pods deleted'));
  process.once('SIGINT', onSigint);
  const signal = AbortSignal.any([interrupted.signal, AbortSignal.timeout(settings.timeoutSeconds * 1000)]);
  io.stderr(
    `probe run ${runId}: ${plan.pairs.length} pairs (${plan.pairs.filter((p) => p.predicted === 'open').length} predicted open), ${plan.rounds.length} round(s), at most ${settings.parallel} probe pods at once\n`,
  );
  try {
    const measured = await runProbe(session.api, plan, {
      placement: settings.placement,
      connectTimeoutMs: settings.connectTimeoutMs,
      settleMs: settings.settleMs,
      parallel: settings.parallel,
      signal,
      progress: (line) => io.stderr(`  ${line}\n`),
    });
    return { plan, comparison: compare(plan.pairs, measured) };
  } catch (err) {
    if (signal.aborted && err === signal.reason) {
      const why =
        err instanceof Error && err.name === 'TimeoutError'
          ? `the time limit (--timeout ${settings.timeoutSeconds}) passed; probe pods deleted`
          : (err as Error).message;
      throw new ProbeAborted(why);
    }
    throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await session.close();
  }
}

export class ProbeAborted extends Error {}

export function probeJson(outcome: ProbeOutcome): Record<string, unknown> {
  const c = outcome.comparison;
  return { runId: outcome.plan.runId, matches: c.matches, mismatches: c.mismatches, notProbed: c.notProbed, skipped: outcome.plan.skipped, pairs: c.pairs };
}

export function probeText(outcome: ProbeOutcome, all: boolean, colour: boolean): string {
  const c = outcome.comparison;
  const out = [
    paint(
      `Probed ${c.pairs.length} pairs: ${c.matches} as predicted, ${c.mismatches} mismatch${c.mismatches === 1 ? '' : 'es'}, ${c.notProbed} not probed`,
      'bold',
      colour,
    ) + '\n',
  ];
  const rows = comparisonRows(c, all).map((r) => r.map((cell, i) => (i === 5 ? paint(cell, cell === 'match' ? 'green' : 'red', colour) : cell)));
  if (rows.length > 0)
    out.push(
      '\n' +
        renderTable(
          PROBE_HEADERS.map((header) => ({ header })),
          rows,
          { colour },
        ),
    );
  for (const s of outcome.plan.skipped) out.push(`skipped: ${s}\n`);
  return out.join('');
}

/** `connectivity --probe-serve PORT/PROTO...`: the server pod's program; runs until SIGTERM. */
export async function runProbeServer(argv: readonly string[], io: Io): Promise<number> {
  const ports = argv.map((a) => {
    const p = parsePortSpec(a);
    if (!p) throw new UsageError(`--probe-serve takes PORT/TCP or PORT/UDP, not "${a}"`);
    return p;
  });
  if (ports.length === 0) throw new UsageError('--probe-serve needs at least one PORT/PROTO');
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  await serve(ports, stop.signal);
  io.stdout(`serving ${argv.join(' ')}\n`);
  await new Promise((resolve) => stop.signal.addEventListener('abort', resolve, { once: true }));
  return 0;
}

/** `connectivity --probe-connect [--probe-timeout MS] [--probe-delay MS] IP:PORT/PROTO...`: the client pod's program. */
export async function runProbeClient(argv: readonly string[], io: Io): Promise<number> {
  let timeoutMs = 2000;
  let delayMs = 0;
  const targets: Target[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--probe-timeout') {
      timeoutMs = positiveInt('probe-timeout', argv[++i], 2000, 100);
      continue;
    }
    if (a === '--probe-delay') {
      delayMs = positiveInt('probe-delay', argv[++i], 0, 0);
      continue;
    }
    const t = parseTargetSpec(a);
    if (!t) throw new UsageError(`--probe-connect takes IP:PORT/TCP or IP:PORT/UDP, not "${a}"`);
    targets.push(t);
  }
  const report = await runClient(targets, timeoutMs, delayMs);
  io.stdout(report + '\n');
  return 0;
}
