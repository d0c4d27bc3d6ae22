/**
 * The showback ConfigMaps (the month's history, the use now) split so that no object passes
 * SHARD_BYTES whatever the platform's size: an index of a fixed name (the name a single
 * ConfigMap had before) listing numbered shards `NAME-0`, `NAME-1`, …, each holding the
 * entries of one data centre. A key (an agency) stays in the shard it was first put in; a new
 * one goes to its data centre's first shard with room, else to the lowest free number. So a
 * sample rewrites only the shards whose entries changed, and a data centre that was not read
 * (nothing of it changed) costs no write. Shard names are numbers, not data centres, so that
 * a Role can name every shard the dashboard may read (docs/architecture.md, "Showback
 * history").
 *
 * Room is counted with every number at its widest JSON text, so a shard placed within the
 * budget stays within it whatever its figures become.
 */

/** The most bytes a showback ConfigMap takes, serialised as the API server stores it. */
export const SHARD_BYTES = 256 * 1024;
/** What a ConfigMap may take besides its entries: metadata, labels, managedFields, the shard's own fields. */
const ENVELOPE_BYTES = 8 * 1024;
/** The entries' share of SHARD_BYTES. */
export const SHARD_BUDGET = SHARD_BYTES - ENVELOPE_BYTES;

export const INDEX_KEY = 'index.json';
export const SHARD_KEY = 'shard.json';

/** The longest text a JSON number takes. */
export const WIDEST_NUMBER = '-1.7976931348623157e+308';

/** One shard: the data centre its entries are of, and their keys in the order kept. */
export interface Shard {
  dataCentre: string;
  keys: string[];
}

/** Shards by number. */
export type Layout = Map<number, Shard>;

/** A ConfigMap as read: its data and the resourceVersion a replace goes on. */
export interface Stored {
  data?: Record<string, string>;
  resourceVersion?: string;
}

/** Reads a ConfigMap by name; undefined when there is none. */
export type ReadConfigMap = (name: string) => Promise<Stored | undefined>;

/** An index and the shards it lists, as read. */
export interface StoredSet {
  index?: Stored;
  shards: Map<number, Stored>;
}

export function shardName(indexName: string, n: number): string {
  return `${indexName}-${n}`;
}

/** Bytes a fragment of a shard's JSON takes in the serialised ConfigMap, where it is a JSON string again. */
export function serialisedBytes(fragment: string): number {
  return Buffer.byteLength(JSON.stringify(fragment)) - 2;
}

/** The shard numbers an index lists (none when it is not an index). */
export function listedShards(data: Record<string, string> | undefined): number[] {
  const text = data?.[INDEX_KEY];
  if (text === undefined) return [];
  try {
    const shards = (JSON.parse(text) as { shards?: unknown }).shards;
    return Array.isArray(shards) ? shards.filter((n): n is number => Number.isSafeInteger(n) && n >= 0) : [];
  } catch {
    return [];
  }
}

/** The index `name` and every shard it lists (a listed shard not found is left out). */
export async function readSet(read: ReadConfigMap, name: string): Promise<StoredSet> {
  const index = await read(name);
  const numbers = listedShards(index?.data);
  const found = await Promise.all(numbers.map(async (n) => [n, await read(shardName(name, n))] as const));
  const shards = new Map<number, Stored>();
  for (const [n, s] of found) if (s) shards.set(n, s);
  return { ...(index ? { index } : {}), shards };
}

/** Parses one shard's JSON, or undefined when it does not read. */
export function shardJson(stored: Stored | undefined): Record<string, unknown> | undefined {
  const text = stored?.data?.[SHARD_KEY];
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The next layout: the keys wanted per data centre, kept where they were, new ones placed
 * first-fit in their data centre's shards by `cost` (bytes), then in the lowest free number.
 * Shards left empty are dropped; a shard over the budget (a smaller budget than it was
 * written with) gives up its last keys to be placed again.
 */
export function place(previous: Layout, wanted: ReadonlyMap<string, readonly string[]>, cost: (key: string) => number, budget = SHARD_BUDGET): Layout {
  const next: Layout = new Map();
  const bytes = new Map<number, number>();
  const placed = new Map<string, Set<string>>();
  for (const [n, shard] of [...previous].sort(([a], [b]) => a - b)) {
    const want = new Set(wanted.get(shard.dataCentre) ?? []);
    const done = placed.get(shard.dataCentre) ?? new Set<string>();
    placed.set(shard.dataCentre, done);
    const keys: string[] = [];
    let size = 0;
    for (const key of shard.keys) {
      if (!want.has(key) || done.has(key) || size + cost(key) > budget) continue;
      keys.push(key);
      done.add(key);
      size += cost(key);
    }
    if (keys.length === 0) continue;
    next.set(n, { dataCentre: shard.dataCentre, keys });
    bytes.set(n, size);
  }
  let free = 0;
  for (const dataCentre of [...wanted.keys()].sort()) {
    const done = placed.get(dataCentre) ?? new Set<string>();
    for (const key of wanted.get(dataCentre)!) {
      if (done.has(key)) continue;
      done.add(key);
      const c = cost(key);
      let target = [...next].find(([n, s]) => s.dataCentre === dataCentre && bytes.get(n)! + c <= budget)?.[0];
      if (target === undefined) {
        while (next.has(free)) free++;
        target = free;
        next.set(target, { dataCentre, keys: [] });
        bytes.set(target, 0);
      }
      next.get(target)!.keys.push(key);
      bytes.set(target, bytes.get(target)! + c);
    }
  }
  return next;
}

/** A set to write: the index's data and each shard's. */
export interface EncodedSet {
  index: Record<string, string>;
  shards: Map<number, Record<string, string>>;
}

/** Where sets are written: a ConfigMap created (no resourceVersion) or replaced on the resourceVersion read. */
export interface SetWriter {
  read: ReadConfigMap;
  write(name: string, data: Record<string, string>, resourceVersion: string | undefined): Promise<void>;
}

/**
 * Writes the shards whose data differ from what was read, then the index if it differs: a
 * reader never finds a listed shard older than the index says. A shard number not listed
 * before may still name an object (a shard given up earlier): it is read for its version.
 */
export async function writeSet(store: SetWriter, name: string, stored: StoredSet, next: EncodedSet): Promise<void> {
  for (const [n, data] of [...next.shards].sort(([a], [b]) => a - b)) {
    const shard = shardName(name, n);
    const current = stored.shards.get(n) ?? (await store.read(shard));
    if (sameData(current?.data, data)) continue;
    await store.write(shard, data, current?.resourceVersion);
  }
  if (sameData(stored.index?.data, next.index)) return;
  await store.write(name, next.index, stored.index?.resourceVersion);
}

function sameData(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const keys = Object.keys(b);
  return a !== undefined && Object.keys(a).length === keys.length && keys.every((k) => a[k] === b[k]);
}

/** The data centre and key of a `key/dataCentre` pair (showback's historyKey). */
export function splitPair(pair: string): { key: string; dataCentre: string } | undefined {
  const at = pair.indexOf('/');
  return at <= 0 || at === pair.length - 1 ? undefined : { key: pair.slice(0, at), dataCentre: pair.slice(at + 1) };
}

/** The keys per data centre of `agency/dataCentre` pairs, in their order. */
export function pairsByDataCentre(pairs: Iterable<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const pair of pairs) {
    const p = splitPair(pair);
    if (!p) continue;
    const keys = out.get(p.dataCentre) ?? [];
    keys.push(p.key);
    out.set(p.dataCentre, keys);
  }
  return out;
}
