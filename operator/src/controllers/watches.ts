// How a controller declares what it reconciles and what enqueues it, beside its reconciler
// (kubebuilder's SetupWithManager): for each hub informer it watches, a named function from
// the object of an event to keys of its own kind, or all of them after a moment. Reconcile
// by key, never by event: the mappings only say which keys. core.ts wires them.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { DataCentre, MigrationPlan, NetworkLink } from '../api/index.ts';
import type { ReconcileFn } from '../runtime/index.ts';
import type { ControllerContext } from './context.ts';
import type { HubCache } from './hub.ts';

/** The kinds with a controller, each reconciled by the key of one of its objects. */
export type ControllerKind = 'DataCentre' | 'Agency' | 'NetworkLink' | 'SharedDataService' | 'MigrationPlan' | 'ConsolidationTarget';

/** One object's key: cluster-scoped kinds have no namespace. */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

/** The hub informers a controller may watch. */
export type WatchSource = 'dataCentres' | 'agencies' | 'links' | 'services' | 'requests' | 'grants' | 'plans' | 'targets' | 'secrets';
type ObjectOf<S extends WatchSource> = ReturnType<HubCache[S]['list']>[number];

/** What the mappings read of the hub besides the event's object (HubCache has it; tests give plain lists). */
export interface HubView {
  dataCentres: { list(): (DataCentre & KubernetesObject)[] };
  links: { list(namespace?: string): (NetworkLink & KubernetesObject)[] };
  plans: { list(namespace?: string): (MigrationPlan & KubernetesObject)[] };
  dataCentre(name: string): (DataCentre & KubernetesObject) | undefined;
}

export interface Watch {
  source: WatchSource;
  /**
   * The keys an add, a delete or a spec change (old and new object each) enqueues at once;
   * `every`: every object of the controller's kind, after a moment (a burst of changes then
   * costs one reconcile per object, not one per change).
   */
  keys: ((hub: HubView, object: KubernetesObject) => ObjectKey[]) | 'every';
  /** Besides enqueuing, on delete: forget what the object had (metrics). */
  deleted?: (ctx: ControllerContext, object: KubernetesObject) => void;
}

/** Watches `source`, mapping each event's object to keys of the controller's kind. */
export function watch<S extends WatchSource>(
  source: S,
  keys: (hub: HubView, object: ObjectOf<S>) => ObjectKey[],
  deleted?: (ctx: ControllerContext, object: ObjectOf<S>) => void,
): Watch {
  // The informer named by `source` hands over only objects of its own kind.
  type Any<A> = (a: A, object: KubernetesObject) => void;
  return {
    source,
    keys: keys as (hub: HubView, object: KubernetesObject) => ObjectKey[],
    ...(deleted ? { deleted: deleted as Any<ControllerContext> } : {}),
  };
}

/** Watches `source`: any change there enqueues every object of the controller's kind. */
export function watchEvery(source: WatchSource): Watch {
  return { source, keys: 'every' };
}

/** The object's own key. */
export function itself(_hub: HubView, object: KubernetesObject): ObjectKey[] {
  return [{ ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}), name: object.metadata?.name ?? '' }];
}

/** A controller as core.ts runs it: its kind, its reconciler, and what it watches. */
export interface ControllerSetup {
  kind: ControllerKind;
  /** The controller's name (metrics, logs). */
  name: string;
  reconciler(ctx: ControllerContext): ReconcileFn;
  /** The object of a key, that Events about a failed reconcile are recorded on. */
  object(hub: HubCache, namespace: string, name: string): KubernetesObject | undefined;
  watches: readonly Watch[];
}
