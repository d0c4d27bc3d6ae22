/**
 * Predicted against measured, per probed pair. A pair matches when the prediction says open
 * and the probe connected, or says closed and it did not (timeout or refusal: an enforcer
 * may drop or reject). A pair not probed (its pod could not start, a report that was
 * unreadable) is neither: it fails the run too, since nothing was proved for it.
 */
import type { Outcome } from './agent.ts';
import type { ProbePair } from './plan.ts';
import type { Measurement } from './run.ts';

export interface ComparedPair extends ProbePair {
  measured: Outcome | 'not-probed';
  note?: string;
  result: 'match' | 'mismatch' | 'not-probed';
}

export interface Comparison {
  pairs: ComparedPair[];
  matches: number;
  mismatches: number;
  notProbed: number;
}

export function isOpen(outcome: Outcome): boolean {
  return outcome === 'open';
}

export function compare(pairs: readonly ProbePair[], measured: readonly Measurement[]): Comparison {
  const out: ComparedPair[] = pairs.map((p, i) => {
    const m = measured[i] ?? { outcome: 'not-probed' as const };
    const result = m.outcome === 'not-probed' ? 'not-probed' : isOpen(m.outcome) === (p.predicted === 'open') ? 'match' : 'mismatch';
    return { ...p, measured: m.outcome, ...(m.note ? { note: m.note } : {}), result };
  });
  return {
    pairs: out,
    matches: out.filter((p) => p.result === 'match').length,
    mismatches: out.filter((p) => p.result === 'mismatch').length,
    notProbed: out.filter((p) => p.result === 'not-probed').length,
  };
}

export const PROBE_HEADERS = ['SOURCE', 'DESTINATION', 'PORT', 'PREDICTED', 'MEASURED', 'RESULT'];

/** Table rows: every pair when `all`, else the mismatches and the pairs not probed. */
export function comparisonRows(c: Comparison, all: boolean): string[][] {
  return c.pairs
    .filter((p) => all || p.result !== 'match')
    .map((p) => [p.source, p.destination, p.port, p.predicted, p.measured, p.result === 'not-probed' && p.note ? `not probed: ${p.note}` : p.result]);
}
