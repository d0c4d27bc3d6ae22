/**
 * The capacity in use now, as the operator publishes it for the dashboard: per data centre
 * and per agency in each, the sum of the `status.used` of the ResourceQuotas it manages, from
 * the data centres it could read. An index of a fixed name (`govcloud-showback-usage`, in the
 * operator's namespace: the time and each data centre's total) and its numbered shards
 * (`govcloud-showback-usage-N`, the agencies of one data centre each: shards.ts), so the
 * dashboard's ServiceAccount may `get` those names and nothing else: no Secret, no member
 * credential, not the history (docs/operations.md, "The dashboard"). Pure: a showback in, the
 * published figures out; the ConfigMaps' data in, the figures out, and back.
 */
import { historyKey, SHOWBACK_RESOURCES, type Amounts, type Showback } from './compute.ts';
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

export const USAGE_NAME = 'govcloud-showback-usage';
/** The key of the single ConfigMap the use was published in before it was split: read, and replaced at the first write. */
export const LEGACY_USAGE_KEY = 'usage.json';

export interface PublishedUsage {
  /** Since when these figures hold: the sample at which they last changed (RFC 3339). */
  since: string;
  /** Data centres whose quotas were read, with their use. */
  dataCentres: Record<string, Amounts>;
  /** `agency/dataCentre` (historyKey) of the data centres read. */
  agencies: Record<string, Amounts>;
}

export function usageOf(s: Showback, now: Date): PublishedUsage {
  const dataCentres: Record<string, Amounts> = {};
  for (const d of s.dataCentres) if (d.live) dataCentres[d.dataCentre] = { ...d.used };
  const agencies: Record<string, Amounts> = {};
  for (const a of s.agencies) for (const row of a.dataCentres) if (row.live) agencies[historyKey(a.agency, row.dataCentre)] = { ...row.used };
  return { since: now.toISOString(), dataCentres, agencies };
}

const sameAmounts = (a: Record<string, Amounts>, b: Record<string, Amounts>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && SHOWBACK_RESOURCES.every((r) => a[k]![r] === b[k]![r]));
};

/** The same figures (the time aside): nothing to write. */
export function sameUsage(a: PublishedUsage, b: PublishedUsage): boolean {
  return sameAmounts(a.dataCentres, b.dataCentres) && sameAmounts(a.agencies, b.agencies);
}

const isAmountsMap = (v: unknown): v is Record<string, Amounts> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The single ConfigMap of before the split, or undefined when it is not one that reads. */
function decodeLegacy(text: string): PublishedUsage | undefined {
  try {
    const v = JSON.parse(text) as Partial<PublishedUsage>;
    if (typeof v.since !== 'string' || !isAmountsMap(v.dataCentres) || !isAmountsMap(v.agencies)) return undefined;
    return { since: v.since, dataCentres: v.dataCentres, agencies: v.agencies };
  } catch {
    return undefined;
  }
}

/** The published figures as read, with where each pair was kept. */
export interface ReadUsage {
  usage?: PublishedUsage;
  layout: Layout;
}

/** The published figures from the index and its shards (or from the single ConfigMap of before the split). */
export function decodeUsage(set: StoredSet): ReadUsage {
  const layout: Layout = new Map();
  const legacy = set.index?.data?.[LEGACY_USAGE_KEY];
  if (legacy !== undefined) {
    const usage = decodeLegacy(legacy);
    return { ...(usage ? { usage } : {}), layout };
  }
  let index: { since?: unknown; dataCentres?: unknown };
  try {
    index = JSON.parse(set.index?.data?.[INDEX_KEY] ?? 'null') as typeof index;
  } catch {
    return { layout };
  }
  if (typeof index?.since !== 'string' || !isAmountsMap(index.dataCentres)) return { layout };
  const usage: PublishedUsage = { since: index.since, dataCentres: index.dataCentres, agencies: {} };
  for (const [n, stored] of set.shards) {
    const v = shardJson(stored);
    if (!v || typeof v.dataCentre !== 'string' || !isAmountsMap(v.agencies)) continue;
    layout.set(n, { dataCentre: v.dataCentre, keys: Object.keys(v.agencies) });
    for (const [agency, amounts] of Object.entries(v.agencies)) usage.agencies[historyKey(agency, v.dataCentre)] = amounts;
  }
  return { usage, layout };
}

/** Bytes one agency's figures can take in a shard, its numbers at their widest. */
function entryBytes(agency: string): number {
  const w = WIDEST_NUMBER;
  return serialisedBytes(`${JSON.stringify(agency)}:{"cpu":${w},"memory":${w},"storage":${w},"pods":${w}},`);
}

/** The index and shards of `u`, each agency kept in the shard it was read from. */
export function encodeUsage(u: PublishedUsage, layoutRead: Layout): EncodedSet {
  const layout = place(layoutRead, pairsByDataCentre(Object.keys(u.agencies)), entryBytes);
  const shards = new Map<number, Record<string, string>>();
  for (const [n, { dataCentre, keys }] of layout) {
    const agencies: Record<string, Amounts> = {};
    for (const agency of keys) agencies[agency] = u.agencies[historyKey(agency, dataCentre)]!;
    shards.set(n, { [SHARD_KEY]: JSON.stringify({ dataCentre, agencies }) });
  }
  const index = { since: u.since, dataCentres: u.dataCentres, shards: [...layout.keys()].sort((a, b) => a - b) };
  return { index: { [INDEX_KEY]: JSON.stringify(index) }, shards };
}
