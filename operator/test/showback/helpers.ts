/** ConfigMaps for the showback tests: what a writer encodes, as a reader reads it, and a store that counts writes. */
import type { SetWriter, EncodedSet, Stored, StoredSet } from '../../src/showback/shards.ts';

/** An encoded set as it reads back from the API server. */
export function stored(set: EncodedSet): StoredSet {
  return { index: { data: set.index }, shards: new Map([...set.shards].map(([n, data]) => [n, { data }])) };
}

export interface MemoryStore extends SetWriter {
  maps: Map<string, Required<Stored>>;
  /** Writes per ConfigMap name. */
  writes: Record<string, number>;
}

/** ConfigMaps in memory, replaced only on the resourceVersion read, as the API server does. */
export function memoryStore(): MemoryStore {
  const maps = new Map<string, Required<Stored>>();
  const writes: Record<string, number> = {};
  let version = 0;
  return {
    maps,
    writes,
    async read(name) {
      return maps.get(name);
    },
    async write(name, data, resourceVersion) {
      const current = maps.get(name);
      if (current?.resourceVersion !== resourceVersion) throw new Error(`409 conflict on ${name}`);
      writes[name] = (writes[name] ?? 0) + 1;
      maps.set(name, { data, resourceVersion: String(++version) });
    },
  };
}
