/**
 * Runs a probe plan against a cluster, round by round: start the round's server pods, wait for
 * their addresses, run its client pods (a bounded number at once), read their reports, delete
 * the round's pods. Whatever happens (an error, a time limit, SIGINT through `signal`), every
 * pod of the run is deleted before the promise settles.
 */
import { parseReport, type Outcome } from './agent.ts';
import { PROBE_LABEL, type ProbePlan, type ProbePair } from './plan.ts';
import { clientPod, serverPod, targetsOf, type PodManifest, type PodPlacement } from './pods.ts';

/** What the run needs of a cluster. */
export interface ProbeApi {
  createPod(pod: PodManifest, signal: AbortSignal): Promise<void>;
  readPod(namespace: string, name: string, signal: AbortSignal): Promise<PodState>;
  deletePod(namespace: string, name: string): Promise<void>;
  /** Deletes every pod labelled `govcloud.dev/probe=<runId>` in the namespace. */
  deleteProbePods(namespace: string, runId: string): Promise<void>;
}

export interface PodState {
  phase: string;
  podIP?: string;
  /** The container's termination message, once it terminated. */
  message?: string;
  exitCode?: number;
  /** Why the container waits (ImagePullBackOff, ImageNotRunnableLocally, ...). */
  waitingReason?: string;
  /** Why the scheduler has not placed it (PodScheduled False). */
  unscheduled?: string;
}

export interface Measurement {
  outcome: Outcome | 'not-probed';
  /** Why no outcome was measured, or what went wrong. */
  note?: string;
}

export interface RunOptions {
  placement: PodPlacement;
  /** Per target, in the client. */
  connectTimeoutMs: number;
  /** How long a client waits before its first attempt, for the network plugin to program it. */
  settleMs: number;
  /** Probe pods alive at once: the round's servers and at most (parallel - servers) clients. */
  parallel: number;
  pollMs?: number;
  /** How long a pod may take to start before its pairs are given up (default 60 s). */
  startTimeoutMs?: number;
  signal: AbortSignal;
  progress?: (line: string) => void;
}

const FAILED_WAITING = /ImagePullBackOff|ErrImagePull|InvalidImageName|CreateContainerConfigError|CreateContainerError|ImageNotRunnableLocally/;

export async function runProbe(api: ProbeApi, plan: ProbePlan, options: RunOptions): Promise<Measurement[]> {
  const measured: Measurement[] = plan.pairs.map(() => ({ outcome: 'not-probed' }));
  const wait = { pollMs: options.pollMs ?? 500, startTimeoutMs: options.startTimeoutMs ?? 60_000, signal: options.signal };
  const say = options.progress ?? (() => undefined);
  for (const [r, round] of plan.rounds.entries()) {
    options.signal.throwIfAborted();
    say(`round ${r + 1}/${plan.rounds.length}: ${round.servers.length} server pod(s), ${round.clients.length} client pod(s)`);
    const ips = new Map<string, string>();
    const namespaces = new Set<string>();
    try {
      await Promise.all(
        round.servers.map(async (s) => {
          namespaces.add(s.namespace);
          await api.createPod(serverPod(s, options.placement), options.signal);
        }),
      );
      const failedServers = new Map<string, string>();
      await Promise.all(
        round.servers.map(async (s) => {
          const state = await waitFor(api, s.namespace, s.name, (p) => (p.phase === 'Running' && p.podIP ? true : undefined), wait);
          if (typeof state === 'string') failedServers.set(s.name, state);
          else ips.set(s.name, state.podIP as string);
        }),
      );
      const limit = Math.max(1, options.parallel - round.servers.length);
      await bounded(round.clients, limit, async (client) => {
        const runnable = client.pairs.filter((i) => !failedServers.has((plan.pairs[i] as ProbePair).server));
        for (const i of client.pairs) {
          const why = failedServers.get((plan.pairs[i] as ProbePair).server);
          if (why !== undefined) measured[i] = { outcome: 'not-probed', note: `server pod: ${why}` };
        }
        if (runnable.length === 0) return;
        const spec = { ...client, pairs: runnable };
        namespaces.add(spec.namespace);
        await api.createPod(
          clientPod(spec, targetsOf(spec, plan.pairs, ips), { timeoutMs: options.connectTimeoutMs, delayMs: options.settleMs }, options.placement),
          options.signal,
        );
        const state = await waitFor(api, spec.namespace, spec.name, (p) => (p.phase === 'Succeeded' || p.phase === 'Failed' ? true : undefined), wait);
        // A finished client still counts against the bound until it is gone.
        await api.deletePod(spec.namespace, spec.name);
        const parsed = typeof state === 'string' ? ({ ok: false, message: `client pod: ${state}` } as const) : reportOf(state, runnable.length);
        runnable.forEach((pairIndex, k) => {
          measured[pairIndex] = parsed.ok ? { outcome: parsed.outcomes[k] as Outcome } : { outcome: 'not-probed', note: parsed.message };
        });
      });
    } finally {
      await cleanup(api, namespaces, plan.runId);
    }
  }
  return measured;
}

function reportOf(state: PodState, count: number): ReturnType<typeof parseReport> {
  if (state.message === undefined || state.message === '')
    return { ok: false, message: `client pod ${state.phase} (exit ${state.exitCode ?? '?'}) without a report` };
  return parseReport(state.message, count);
}

/** The pod once `ready` says so, or why it never will be (a string). */
async function waitFor(
  api: ProbeApi,
  namespace: string,
  name: string,
  ready: (p: PodState) => true | undefined,
  o: { pollMs: number; startTimeoutMs: number; signal: AbortSignal },
): Promise<PodState | string> {
  const started = Date.now();
  for (;;) {
    o.signal.throwIfAborted();
    const state = await api.readPod(namespace, name, o.signal);
    if (ready(state)) return state;
    if (state.waitingReason && FAILED_WAITING.test(state.waitingReason)) return `${namespace}/${name} cannot start: ${state.waitingReason}`;
    if (state.phase === 'Failed' || state.phase === 'Succeeded') return `${namespace}/${name} ended (${state.phase}) before it was used`;
    if (state.phase === 'Pending' && Date.now() - started > o.startTimeoutMs) {
      return `${namespace}/${name} did not start within ${Math.round(o.startTimeoutMs / 1000)} s${state.unscheduled ? `: ${state.unscheduled}` : ''}`;
    }
    await sleep(o.pollMs, o.signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller's throwIfAborted then throws its reason). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function cleanup(api: ProbeApi, namespaces: Set<string>, runId: string): Promise<void> {
  // Every namespace is tried even when one fails; the first failure is reported after.
  const results = await Promise.allSettled([...namespaces].map((ns) => api.deleteProbePods(ns, runId)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed)
    throw new Error(
      `could not delete the probe pods (label ${PROBE_LABEL}=${runId}): ${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}`,
    );
}

/** Runs `fn` on every item, at most `limit` at a time; the first failure is thrown once all settled. */
export async function bounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (err) {
        errors.push(err);
        next = items.length;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
