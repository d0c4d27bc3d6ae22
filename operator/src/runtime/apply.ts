// Every write of a child object goes through this one helper (as in cert-manager): it builds
// the apply body, force-applies it with server-side apply under the controller's own field
// manager, and skips the request entirely when the live object already has every field the
// desired one sets, so a steady-state reconcile makes zero mutating requests. It also prunes
// children that carry the owner's labels but are no longer desired, never touching the kinds
// a predicate protects (Namespaces by default: deleting one deletes everything in it).
//
// The security-relevant kinds (exact.ts) are held to more: their live content must equal the
// desired content. Server-side apply cannot get there when someone else added a field: a
// field another manager owns is never removed by our apply, forced or not (force only takes
// over fields our apply sets). So a difference in their content is repaired with an update
// (PUT) of the whole object on the resourceVersion the cache holds: fields absent from the
// body are gone whoever owned them, and a concurrent change fails with 409 instead of being
// overwritten unseen (the reconcile is retried on fresh data).
import { PatchStrategy, type KubernetesObject, type KubernetesObjectApi } from '@kubernetes/client-node';
import { listText } from './bounded.ts';
import { errorMessage, isConflict, isNotFound } from './errors.ts';
import { contentDifferences, contentOf, foreignDifferences, isExactKind, type FieldDifference } from './exact.ts';
import { namespacedName } from './keys.ts';
import { matchesSelector } from './labels.ts';
import { ownsFieldsNotIn } from './managed-fields.ts';
import { isDeepSubset } from './subset.ts';

/** The two mutating calls the applier makes; kubeObjectWriter implements them with client-node. */
export interface ObjectWriter {
  /** Server-side apply, forced, as `fieldManager`. */
  apply(obj: KubernetesObject, fieldManager: string): Promise<unknown>;
  /** Update (PUT) of the whole object as `fieldManager`, on its metadata.resourceVersion. */
  replace(obj: KubernetesObject, fieldManager: string): Promise<unknown>;
  /** Deletes the object; an object already gone is not an error. */
  delete(obj: KubernetesObject): Promise<void>;
}

export function kubeObjectWriter(api: KubernetesObjectApi): ObjectWriter {
  return {
    apply: (obj, fieldManager) => api.patch(obj, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply),
    replace: (obj, fieldManager) => api.replace(obj, undefined, undefined, fieldManager),
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
    super(
      errors,
      `${errors.length} object(s) failed to apply or prune: ${listText(
        errors.map((e) => e.message),
        { noun: 'failures' },
      )}`,
    );
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
  /** Told of each repaired object whose content someone else had changed, with those fields. */
  onDrift?: (drift: Drift) => void;
}

export interface Drift {
  /** The live object as it was before the repair. */
  live: KubernetesObject;
  /** The fields someone other than our managers wrote, now put back to the desired values. */
  fields: FieldDifference[];
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

/**
 * The update that makes `live` carry exactly the content of `body`: body's content, live's
 * metadata with body's labels and annotations over it, and live's resourceVersion as the
 * precondition.
 */
export function replaceBody(body: KubernetesObject, live: KubernetesObject): KubernetesObject {
  const from = live.metadata ?? {};
  const meta: NonNullable<KubernetesObject['metadata']> = { name: body.metadata?.name ?? '' };
  if (body.metadata?.namespace) meta.namespace = body.metadata.namespace;
  if (from.resourceVersion) meta.resourceVersion = from.resourceVersion;
  const labels = { ...from.labels, ...body.metadata?.labels };
  if (Object.keys(labels).length > 0) meta.labels = labels;
  const annotations = { ...from.annotations, ...body.metadata?.annotations };
  if (Object.keys(annotations).length > 0) meta.annotations = annotations;
  const ownerReferences = body.metadata?.ownerReferences ?? from.ownerReferences;
  if (ownerReferences?.length) meta.ownerReferences = [...ownerReferences];
  const finalizers = body.metadata?.finalizers ?? from.finalizers;
  if (finalizers?.length) meta.finalizers = [...finalizers];
  return { apiVersion: body.apiVersion, kind: body.kind, metadata: meta, ...contentOf(body) };
}

type Write = { kind: 'none' } | { kind: 'apply' } | { kind: 'replace'; live: KubernetesObject; differences: FieldDifference[] };

export interface ApplierOptions {
  writer: ObjectWriter;
  /** One per controller, e.g. `govcloud-tenant-controller`. */
  fieldManager: string;
  /** Writes in flight at once within one sync (default 1: one after another). */
  concurrency?: number;
  /** Field managers counted as ours when telling drift from our own writes (default: fieldManager). */
  ours?: (manager: string) => boolean;
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
  private readonly ours: (manager: string) => boolean;

  constructor(opts: ApplierOptions) {
    this.writer = opts.writer;
    this.fieldManager = opts.fieldManager;
    this.concurrency = opts.concurrency ?? 1;
    this.ours = opts.ours ?? ((m) => m === opts.fieldManager);
  }

  /** Whether applying `body` would change `live`; apiVersion and kind are identity, not content. */
  needsWrite(body: KubernetesObject, live: KubernetesObject | undefined): boolean {
    if (!live) return true;
    const { apiVersion: _a, kind: _k, ...content } = body;
    return !isDeepSubset(content, live) || ownsFieldsNotIn(live, content, this.fieldManager);
  }

  /** What it takes to make `live` match `body`: nothing, an apply, or (exact kinds) an update. */
  private planWrite(body: KubernetesObject, live: KubernetesObject | undefined): Write {
    if (live && isExactKind(body)) {
      const differences = contentDifferences(body, live);
      if (differences.length > 0) return { kind: 'replace', live, differences };
    }
    return this.needsWrite(body, live) ? { kind: 'apply' } : { kind: 'none' };
  }

  /** Writes what planWrite asked for; tells `onDrift` of fields someone else had written. */
  private async write(body: KubernetesObject, live: KubernetesObject | undefined, onDrift?: (drift: Drift) => void): Promise<ApplyAction> {
    const plan = this.planWrite(body, live);
    if (plan.kind === 'none') return 'unchanged';
    if (plan.kind === 'apply') {
      await this.writer.apply(body, this.fieldManager);
      return live ? 'updated' : 'created';
    }
    try {
      await this.writer.replace(replaceBody(body, plan.live), this.fieldManager);
    } catch (err) {
      // The cached copy is not the newest: the newer one's watch event reconciles the owner again.
      if (isConflict(err)) return 'unchanged';
      throw err;
    }
    const fields = foreignDifferences(plan.differences, plan.live, this.ours);
    if (fields.length > 0) onDrift?.({ live: plan.live, fields });
    return 'updated';
  }

  /** Applies one object unless `live` (the cached copy, if any) already matches it. */
  async apply(desired: KubernetesObject, live: KubernetesObject | undefined, onDrift?: (drift: Drift) => void): Promise<ApplyAction> {
    return this.write(applyBody(desired), live, onDrift);
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
        counts[await this.write(body, live, req.onDrift)]++;
      } catch (err) {
        errors.push(new Error(`apply ${id}: ${errorMessage(err)}`, { cause: err }));
      }
    };
    for (const desired of req.desired) desiredIds.add(identity(desired));
    // Cluster-scoped objects (namespaces among them) before what lives in namespaces.
    await eachLimited(
      req.desired.filter((d) => !d.metadata?.namespace),
      this.concurrency,
      applyOne,
    );
    await eachLimited(
      req.desired.filter((d) => d.metadata?.namespace),
      this.concurrency,
      applyOne,
    );

    const owned = { matchLabels: req.ownerLabels };
    const prunable: [string, KubernetesObject][] = [];
    // Namespaces this sync deletes or that are being deleted: what lives in them goes with
    // them (the namespace controller deletes it), so it is not deleted one by one.
    const goneNamespaces = new Set<string>();
    const going = (live: KubernetesObject) => live.kind === 'Namespace' && live.metadata?.name && goneNamespaces.add(live.metadata.name);
    for (const [id, live] of liveById) {
      if (live.metadata?.deletionTimestamp) going(live);
      if (desiredIds.has(id) || live.metadata?.deletionTimestamp) continue;
      // Only what provably belongs to this owner is ever pruned, whatever the caller passed.
      if (!matchesSelector(live.metadata?.labels, owned)) continue;
      if (!mayDelete(live)) {
        counts.retained++;
        continue;
      }
      prunable.push([id, live]);
      going(live);
    }
    const deleteOne = async ([id, live]: [string, KubernetesObject]): Promise<void> => {
      try {
        await this.writer.delete(live);
        counts.deleted++;
      } catch (err) {
        errors.push(new Error(`delete ${id}: ${errorMessage(err)}`, { cause: err }));
      }
    };
    // What lives in namespaces that stay before the namespaces that go.
    await eachLimited(
      prunable.filter(([, o]) => o.metadata?.namespace && !goneNamespaces.has(o.metadata.namespace)),
      this.concurrency,
      deleteOne,
    );
    await eachLimited(
      prunable.filter(([, o]) => !o.metadata?.namespace),
      this.concurrency,
      deleteOne,
    );

    if (errors.length > 0) throw new ApplyError(errors, counts);
    return counts;
  }
}
