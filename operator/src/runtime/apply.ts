// Every write of a child object goes through this one helper (as in cert-manager): it builds
// the apply body, force-applies it with server-side apply under the controller's own field
// manager, and skips the request entirely when the live object already has every field the
// desired one sets, so a steady-state reconcile makes zero mutating requests. It also prunes
// children that carry the owner's labels but are no longer desired, never touching the kinds
// a predicate protects (Namespaces by default: deleting one deletes everything in it).
import { PatchStrategy, type KubernetesObject, type KubernetesObjectApi } from '@kubernetes/client-node';
import { errorMessage, isNotFound } from './errors.ts';
import { namespacedName } from './keys.ts';
import { matchesSelector } from './labels.ts';
import { ownsFieldsNotIn } from './managed-fields.ts';
import { isDeepSubset } from './subset.ts';

/** The two mutating calls the applier makes; kubeObjectWriter implements them with client-node. */
export interface ObjectWriter {
  /** Server-side apply, forced, as `fieldManager`. */
  apply(obj: KubernetesObject, fieldManager: string): Promise<unknown>;
  /** Deletes the object; an object already gone is not an error. */
  delete(obj: KubernetesObject): Promise<void>;
}

export function kubeObjectWriter(api: KubernetesObjectApi): ObjectWriter {
  return {
    apply: (obj, fieldManager) =>
      api.patch(obj, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply),
    async delete(obj) {
      try {
        await api.delete(obj, undefined, undefined, undefined, undefined, 'Background');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}

export type ApplyAction = 'created' | 'updated' | 'unchanged';

export interface ApplyCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  /** Live, undesired objects kept because `mayDelete` refused. */
  retained: number;
}

/** Thrown by sync() after it tried every object; `counts` says what did succeed. */
export class ApplyError extends AggregateError {
  override readonly name = 'ApplyError';
  readonly counts: ApplyCounts;

  constructor(errors: Error[], counts: ApplyCounts) {
    super(errors, `${errors.length} object(s) failed to apply or prune: ${errors.map((e) => e.message).join('; ')}`);
    this.counts = counts;
  }
}

export interface SyncRequest {
  desired: KubernetesObject[];
  /** Live objects carrying `ownerLabels` (typically informer.listBySelector over every child kind). */
  live: KubernetesObject[];
  /** Set on every desired object; how pruning finds the children of one owner. */
  ownerLabels: Record<string, string>;
  /** Finds a desired object's live copy when it may lack the owner labels (adoption). */
  lookup?: (desired: KubernetesObject) => KubernetesObject | undefined;
  /** Whether an undesired live object may be deleted; by default everything but Namespaces. */
  mayDelete?: (live: KubernetesObject) => boolean;
}

export const protectNamespaces = (live: KubernetesObject): boolean => live.kind !== 'Namespace';

/** Group, kind, namespace and name: the same object whatever apiVersion it was read with. */
export function identity(obj: KubernetesObject): string {
  const apiVersion = obj.apiVersion ?? 'v1';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return `${group}/${obj.kind ?? ''}/${namespacedName(obj)}`;
}

/**
 * The apply body: the desired object without fields the server owns (resourceVersion, uid,
 * managedFields, status...), so a desired object copied from a live one applies cleanly.
 */
export function applyBody(desired: KubernetesObject, extraLabels: Record<string, string> = {}): KubernetesObject {
  const { status: _status, metadata = {}, ...rest } = desired as KubernetesObject & { status?: unknown };
  const { name, namespace, labels, annotations, ownerReferences, finalizers } = metadata;
  const meta: NonNullable<KubernetesObject['metadata']> = { name: name ?? '' };
  if (namespace) meta.namespace = namespace;
  const mergedLabels = { ...labels, ...extraLabels };
  if (Object.keys(mergedLabels).length > 0) meta.labels = mergedLabels;
  if (annotations && Object.keys(annotations).length > 0) meta.annotations = annotations;
  if (ownerReferences?.length) meta.ownerReferences = ownerReferences;
  if (finalizers?.length) meta.finalizers = finalizers;
  return { ...rest, metadata: meta };
}

export interface ApplierOptions {
  writer: ObjectWriter;
  /** One per controller, e.g. `govcloud-tenant-controller`. */
  fieldManager: string;
  /** Writes in flight at once within one sync (default 1: one after another). */
  concurrency?: number;
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

export class Applier {
  readonly fieldManager: string;
  private readonly writer: ObjectWriter;
  private readonly concurrency: number;

  constructor(opts: ApplierOptions) {
    this.writer = opts.writer;
    this.fieldManager = opts.fieldManager;
    this.concurrency = opts.concurrency ?? 1;
  }

  /** Whether applying `body` would change `live`; apiVersion and kind are identity, not content. */
  needsWrite(body: KubernetesObject, live: KubernetesObject | undefined): boolean {
    if (!live) return true;
    const { apiVersion: _a, kind: _k, ...content } = body;
    return !isDeepSubset(content, live) || ownsFieldsNotIn(live, content, this.fieldManager);
  }

  /** Applies one object unless `live` (the cached copy, if any) already matches it. */
  async apply(desired: KubernetesObject, live: KubernetesObject | undefined): Promise<ApplyAction> {
    const body = applyBody(desired);
    if (!this.needsWrite(body, live)) return 'unchanged';
    await this.writer.apply(body, this.fieldManager);
    return live ? 'updated' : 'created';
  }

  /**
   * Makes the owner's children equal to `desired`: applies what differs, deletes labelled
   * children no longer desired (unless protected or already being deleted). Every object is
   * attempted; failures are collected and thrown together as an ApplyError.
   */
  async sync(req: SyncRequest): Promise<ApplyCounts> {
    const counts: ApplyCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0, retained: 0 };
    const errors: Error[] = [];
    const liveById = new Map(req.live.map((o) => [identity(o), o]));
    const desiredIds = new Set<string>();
    const mayDelete = req.mayDelete ?? protectNamespaces;

    const applyOne = async (desired: KubernetesObject): Promise<void> => {
      const id = identity(desired);
      const live = liveById.get(id) ?? req.lookup?.(desired);
      const body = applyBody(desired, req.ownerLabels);
      try {
        if (!this.needsWrite(body, live)) {
          counts.unchanged++;
          return;
        }
        await this.writer.apply(body, this.fieldManager);
        counts[live ? 'updated' : 'created']++;
      } catch (err) {
        errors.push(new Error(`apply ${id}: ${errorMessage(err)}`, { cause: err }));
      }
    };
    for (const desired of req.desired) desiredIds.add(identity(desired));
    // Cluster-scoped objects (namespaces among them) before what lives in namespaces.
    await eachLimited(req.desired.filter((d) => !d.metadata?.namespace), this.concurrency, applyOne);
    await eachLimited(req.desired.filter((d) => d.metadata?.namespace), this.concurrency, applyOne);

    const owned = { matchLabels: req.ownerLabels };
    const prunable: [string, KubernetesObject][] = [];
    for (const [id, live] of liveById) {
      if (desiredIds.has(id) || live.metadata?.deletionTimestamp) continue;
      // Only what provably belongs to this owner is ever pruned, whatever the caller passed.
      if (!matchesSelector(live.metadata?.labels, owned)) continue;
      if (!mayDelete(live)) {
        counts.retained++;
        continue;
      }
      prunable.push([id, live]);
    }
    const deleteOne = async ([id, live]: [string, KubernetesObject]): Promise<void> => {
      try {
        await this.writer.delete(live);
        counts.deleted++;
      } catch (err) {
        errors.push(new Error(`delete ${id}: ${errorMessage(err)}`, { cause: err }));
      }
    };
    // What lives in namespaces before the namespaces themselves.
    await eachLimited(prunable.filter(([, o]) => o.metadata?.namespace), this.concurrency, deleteOne);
    await eachLimited(prunable.filter(([, o]) => !o.metadata?.namespace), this.concurrency, deleteOne);

    if (errors.length > 0) throw new ApplyError(errors, counts);
    return counts;
  }
}
