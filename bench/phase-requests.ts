// The API servers' requests of a phase: the clusters' own background rate measured first, a
// phase's window reported net of it, and a run that fails on an unexpected error answer.
import { sleep } from '../e2e/harness/operator-child.ts';
import { CONFIG } from './config.ts';
import type { Kube } from './kube.ts';
import { say } from './progress.ts';
import type { RequestReport } from './report.ts';
import {
  backgroundFrom,
  isSideEffect,
  merge,
  notSideEffect,
  snapshot,
  summarise,
  toObject,
  topSeries,
  unexpectedErrors,
  type Background,
  type Window,
} from './requests.ts';

export async function measureBackground(clusters: Kube[]): Promise<{ background: Background; report: Record<string, unknown> }> {
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
export function failOnErrorAnswers(phase: string, w: Window): void {
  const errors = unexpectedErrors(w);
  if (errors.length > 0) throw new Error(`${phase}: the API servers answered with errors:\n  ${errors.join('\n  ')}`);
}

export function requestReport(w: Window): RequestReport {
  const perCluster: RequestReport['perCluster'] = {};
  for (const [c, counts] of w.net) {
    perCluster[c] = {
      client: summarise(counts, notSideEffect),
      sideEffects: summarise(counts, isSideEffect),
      observed: summarise(w.observed.get(c) ?? new Map<string, number>()),
    };
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
