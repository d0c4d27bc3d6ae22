/**
 * The month's showback history, for month-to-date figures: per agency and data centre, the
 * mean use over the time the operator observed it since the month began. Kept on the hub per
 * month in ConfigMaps of the operator's namespace: an index `govcloud-showback-YYYY-MM` and
 * its numbered shards, one data centre each (shards.ts), written by the operator at most once
 * per sampling interval, so it survives restarts and leader changes: the next leader reads
 * it back and goes on. Why ConfigMaps rather than a Prometheus recording rule:
 * docs/architecture.md ("Showback history").
 *
 * A gap longer than `maxGapMs` between samples (the operator down, no leader) counts only
 * `maxGapMs`: the mean is over observed time, never extrapolated across an outage.
 * Pure: a history, a showback and an instant in, the next history out; the ConfigMaps' data
 * in, the history out, and back.
 */
import { SHOWBACK_RESOURCES, historyKey, type Amounts, type Showback } from './compute.ts';
import {
  INDEX_KEY,
  pairsByDataCentre,
  place,
  serialisedBytes,
  SHARD_KEY,
  shardJson,
  WIDEST_NUMBER,
  type EncodedSet,
  type Layout,
  type StoredSet,
} from './shards.ts';

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
  /**
   * Pairs whose shard was written after the index (a sample cut short between the two): their
   * last interval is counted up to this instant, not again.
   */
  advanced?: Record<string, string>;
}

export const HISTORY_PREFIX = 'govcloud-showback-';
/** The key of the single ConfigMap a month's history was before it was split: read, and replaced at the first write. */
export const LEGACY_HISTORY_KEY = 'history.json';

export function monthOf(now: Date): string {
  return now.toISOString().slice(0, 7);
}

/** The name of a month's index ConfigMap (its shards are NAME-0, NAME-1, …). */
export function historyName(month: string): string {
  return `${HISTORY_PREFIX}${month}`;
}

/** The history with one more sample: a new month starts afresh. */
export function accumulate(history: MonthHistory | undefined, sample: Showback, now: Date, maxGapMs: number): MonthHistory {
  const month = monthOf(now);
  const fresh = history === undefined || history.month !== month;
  const entries: Record<string, HistoryEntry> = fresh ? {} : structuredClone(history.entries);
  // The first sample of a month has no interval yet: it only sets the clock.
  const interval = (key: string): number => {
    if (fresh) return 0;
    const since = Date.parse(history.advanced?.[key] ?? history.lastSample);
    return Number.isFinite(since) ? Math.max(0, Math.min(now.getTime() - since, maxGapMs)) / 1000 : 0;
  };
  for (const agency of sample.agencies) {
    for (const row of agency.dataCentres) {
      if (!row.live) continue;
      const key = historyKey(agency.agency, row.dataCentre);
      const dt = interval(key);
      if (dt <= 0) continue;
      const entry = entries[key] ?? { seconds: 0, used: { cpu: 0, memory: 0, storage: 0, pods: 0 } };
      const seconds = entry.seconds + dt;
      const used = { ...entry.used };
      for (const r of SHOWBACK_RESOURCES) used[r] = (entry.used[r] * entry.seconds + row.used[r] * dt) / seconds;
      entries[key] = { seconds, used };
    }
  }
  return { month, lastSample: now.toISOString(), entries };
}

interface HistoryShard {
  month: string;
  dataCentre: string;
  /** The sample at which its entries last changed. */
  lastSample: string;
  entries: Record<string, HistoryEntry>;
}

/** A month's history as read, with where each pair was kept. */
export interface ReadHistory {
  history?: MonthHistory;
  layout: Layout;
  shards: Map<number, HistoryShard>;
}

const isEntries = (v: unknown): v is Record<string, HistoryEntry> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The single ConfigMap of before the split, or undefined when it is not one that reads. */
function decodeLegacy(text: string): MonthHistory | undefined {
  try {
    const v = JSON.parse(text) as Partial<MonthHistory>;
    if (typeof v.month !== 'string' || typeof v.lastSample !== 'string' || !isEntries(v.entries)) return undefined;
    return { month: v.month, lastSample: v.lastSample, entries: v.entries };
  } catch {
    return undefined;
  }
}

/** The month's history from its index and shards (or from the single ConfigMap of before the split). */
export function decodeHistory(set: StoredSet): ReadHistory {
  const layout: Layout = new Map();
  const shards = new Map<number, HistoryShard>();
  const legacy = set.index?.data?.[LEGACY_HISTORY_KEY];
  if (legacy !== undefined) {
    const history = decodeLegacy(legacy);
    return { ...(history ? { history } : {}), layout, shards };
  }
  let index: { month?: unknown; lastSample?: unknown };
  try {
    index = JSON.parse(set.index?.data?.[INDEX_KEY] ?? 'null') as typeof index;
  } catch {
    return { layout, shards };
  }
  if (typeof index?.month !== 'string' || typeof index.lastSample !== 'string') return { layout, shards };
  const history: MonthHistory = { month: index.month, lastSample: index.lastSample, entries: {} };
  const advanced: Record<string, string> = {};
  for (const [n, stored] of set.shards) {
    const v = shardJson(stored);
    if (!v || v.month !== history.month || typeof v.dataCentre !== 'string' || typeof v.lastSample !== 'string' || !isEntries(v.entries)) continue;
    const shard: HistoryShard = { month: v.month, dataCentre: v.dataCentre, lastSample: v.lastSample, entries: v.entries };
    shards.set(n, shard);
    layout.set(n, { dataCentre: shard.dataCentre, keys: Object.keys(shard.entries) });
    const ahead = Date.parse(shard.lastSample) > Date.parse(history.lastSample);
    for (const [agency, entry] of Object.entries(shard.entries)) {
      const key = historyKey(agency, shard.dataCentre);
      // Written twice (a sample cut short while a shard gave up keys): the longer observed wins.
      if ((history.entries[key]?.seconds ?? -1) >= entry.seconds) continue;
      history.entries[key] = entry;
      if (ahead) advanced[key] = shard.lastSample;
    }
  }
  return { history: Object.keys(advanced).length > 0 ? { ...history, advanced } : history, layout, shards };
}

/** Bytes one history entry of `agency` can take in a shard, its numbers at their widest. */
function entryBytes(agency: string): number {
  const w = WIDEST_NUMBER;
  return serialisedBytes(`${JSON.stringify(agency)}:{"seconds":${w},"used":{"cpu":${w},"memory":${w},"storage":${w},"pods":${w}}},`);
}

/** The index and shards of `history`, each pair kept in the shard it was read from; a shard whose entries did not change keeps its data as it was. */
export function encodeHistory(history: MonthHistory, read: ReadHistory): EncodedSet {
  const layout = place(read.layout, pairsByDataCentre(Object.keys(history.entries)), entryBytes);
  const shards = new Map<number, Record<string, string>>();
  for (const [n, { dataCentre, keys }] of layout) {
    const entries: Record<string, HistoryEntry> = {};
    for (const agency of keys) entries[agency] = history.entries[historyKey(agency, dataCentre)]!;
    const before = read.shards.get(n);
    const same = before?.dataCentre === dataCentre && before.month === history.month && JSON.stringify(before.entries) === JSON.stringify(entries);
    const shard: HistoryShard = { month: history.month, dataCentre, lastSample: same ? before.lastSample : history.lastSample, entries };
    shards.set(n, { [SHARD_KEY]: JSON.stringify(shard) });
  }
  const index = { month: history.month, lastSample: history.lastSample, shards: [...layout.keys()].sort((a, b) => a - b) };
  return { index: { [INDEX_KEY]: JSON.stringify(index) }, shards };
}
