// An informer's objects by namespace and name, without a key string per object. A member
// cluster's caches hold hundreds of thousands of objects at national scale, and a key
// `namespace/name` costs as much as a small object (about 100 bytes with its table entry).
// Most names repeat in every namespace (each workspace has its `govcloud-default-deny`), so
// the objects are held by name first and then by namespace: the strings used as keys are the
// objects' own (pooled) name and namespace, and a name shared by thousands of namespaces costs
// one table entry per object. A name held in one namespace only keeps its object directly.
import type { KubernetesObject } from '@kubernetes/client-node';

type Slot<T> = T | Map<string, T>;

const nameOf = (obj: KubernetesObject): string => obj.metadata?.name ?? '';
const namespaceOf = (obj: KubernetesObject): string => obj.metadata?.namespace ?? '';

export class ObjectStore<T extends KubernetesObject> {
  private readonly byName = new Map<string, Slot<T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** `namespace` is '' or undefined for cluster-scoped objects. */
  get(namespace: string | undefined, name: string): T | undefined {
    const slot = this.byName.get(name);
    if (slot === undefined) return undefined;
    if (slot instanceof Map) return slot.get(namespace ?? '');
    return namespaceOf(slot) === (namespace ?? '') ? slot : undefined;
  }

  /** Stores `obj` under its own namespace and name; returns the object it replaced. */
  set(obj: T): T | undefined {
    const name = nameOf(obj);
    const namespace = namespaceOf(obj);
    const slot = this.byName.get(name);
    if (slot === undefined) {
      this.byName.set(name, obj);
      this.count++;
      return undefined;
    }
    if (slot instanceof Map) {
      const old = slot.get(namespace);
      slot.set(namespace, obj);
      if (old === undefined) this.count++;
      return old;
    }
    if (namespaceOf(slot) === namespace) {
      this.byName.set(name, obj);
      return slot;
    }
    this.byName.set(
      name,
      new Map([
        [namespaceOf(slot), slot],
        [namespace, obj],
      ]),
    );
    this.count++;
    return undefined;
  }

  /** Removes the object of that namespace and name; returns it. */
  delete(namespace: string | undefined, name: string): T | undefined {
    const slot = this.byName.get(name);
    if (slot === undefined) return undefined;
    if (!(slot instanceof Map)) {
      if (namespaceOf(slot) !== (namespace ?? '')) return undefined;
      this.byName.delete(name);
      this.count--;
      return slot;
    }
    const old = slot.get(namespace ?? '');
    if (old === undefined) return undefined;
    slot.delete(namespace ?? '');
    this.count--;
    if (slot.size === 1) this.byName.set(name, slot.values().next().value!);
    return old;
  }

  *values(): IterableIterator<T> {
    for (const slot of this.byName.values()) {
      if (slot instanceof Map) yield* slot.values();
      else yield slot;
    }
  }
}
