/**
 * The month's showback history, for month-to-date figures: per agency and data centre, the
 * mean use over the time the operator observed it since the month began. Kept on the hub in
 * one ConfigMap per month (`govcloud-showback-YYYY-MM` in the operator's namespace), written
 * by the operator at most once per sampling interval, so it survives restarts and leader
 * changes: the next leader reads it back and goes on. Why a ConfigMap rather than a
 * Prometheus recording rule: docs/architecture.md ("Showback history").
 *
 * A gap longer than `maxGapMs` between samples (the operator down, no leader) counts only
 * `maxGapMs`: the mean is over observed time, never extrapolated across an outage.
 * Pure: a history, a showback and an instant in, the next history out.
 */
import { SHOWBACK_RESOURCES, historyKey, type Amounts, type Showback } from './compute.ts';

export interface HistoryEntry {
  /** Seconds observed this month. */
  seconds: number;
  /** Mean use over those seconds. */
  used: Amounts;
}

export interface MonthHistory {
  /** YYYY-MM, UTC. */
  month: string;
  /** When the last sample was taken (RFC 3339). */
  lastSample: string;
  entries: Record<string, HistoryEntry>;
}

export const HISTORY_PREFIX = 'govcloud-showback-';
export const HISTORY_KEY = 'history.json';

export function monthOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** The ConfigMap name of a month's history. */
export function historyName(month: string): string {
  return `${HISTORY_PREFIX}${month}`;
}

/** The history with one more sample: a new month starts afresh. */
export function accumulate(history: MonthHistory | undefined, sample: Showback, now: Date, maxGapMs: number): MonthHistory {
  const month = monthOf(now);
  const fresh = history === undefined || history.month !== month;
  const entries: Record<string, HistoryEntry> = fresh ? {} : structuredClone(history.entries);
  const since = fresh ? undefined : Date.parse(history.lastSample);
  // The first sample of a month has no interval yet: it only sets the clock.
  const dt = since === undefined || !Number.isFinite(since) ? 0 : Math.max(0, Math.min(now.getTime() - since, maxGapMs)) / 1000;
  if (dt > 0) {
    for (const agency of sample.agencies) {
      for (const row of agency.dataCentres) {
        if (!row.live) continue;
        const key = historyKey(agency.agency, row.dataCentre);
        const entry = entries[key] ?? { seconds: 0, used: { cpu: 0, memory: 0, storage: 0, pods: 0 } };
        const seconds = entry.seconds + dt;
        const used = { ...entry.used };
        for (const r of SHOWBACK_RESOURCES) used[r] = (entry.used[r] * entry.seconds + row.used[r] * dt) / seconds;
        entries[key] = { seconds, used };
      }
    }
  }
  return { month, lastSample: now.toISOString(), entries };
}

/** The history in a ConfigMap's data, or undefined when it holds none that reads. */
export function decodeHistory(data: Record<string, string> | undefined): MonthHistory | undefined {
  const text = data?.[HISTORY_KEY];
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<MonthHistory>;
    if (typeof v.month !== 'string' || typeof v.lastSample !== 'string' || typeof v.entries !== 'object' || v.entries === null) return undefined;
    return { month: v.month, lastSample: v.lastSample, entries: v.entries };
  } catch {
    return undefined;
  }
}

export function encodeHistory(history: MonthHistory): Record<string, string> {
  return { [HISTORY_KEY]: JSON.stringify(history) };
}
