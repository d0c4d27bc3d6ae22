// Status as the controllers write it: through the runtime's StatusWriter (a write only when
// something changed), remembering what was written last per object. The informer's copy can
// lag behind a write by a moment; a reconcile in that moment must build on what was written
// (the access history would otherwise get an entry twice), not on the stale copy. Once the
// copy shows what was written the memo is dropped: it holds only writes the cache has not seen
// (else it would keep a status per object, growing with the agencies).
//
// An object deleted meanwhile (a reconcile in flight, a cache a moment behind) answers its
// status write with 404: that is no failure, there is simply nothing left to report on.
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  setCondition,
  standardConditions,
  Degraded,
  Progressing,
  isDeepSubset,
  isNotFound,
  Ready,
  StatusWriter,
  type Condition,
  type ConditionsOutcome,
  type StatusClient,
} from '../runtime/index.ts';

type WithStatus = KubernetesObject & { status?: unknown };

export class StatusStore {
  private readonly client: StatusClient;
  private readonly writers = new Map<string, StatusWriter>();
  private readonly written = new Map<string, { uid: string | undefined; status: Record<string, unknown> }>();
  private readonly onWrite: ((fieldManager: string) => void) | undefined;

  /** `onWrite` is told of every status written (metrics). */
  constructor(client: StatusClient, onWrite?: (fieldManager: string) => void) {
    this.client = client;
    this.onWrite = onWrite;
  }

  /** The status last written for this object by this process, else the cached one. */
  previous<T>(obj: WithStatus): T | undefined {
    const memo = this.memo(obj);
    return (memo ?? obj.status) as T | undefined;
  }

  /** The cache's copy of an object changed or arrived: a memo it has caught up with is dropped. */
  observe(obj: WithStatus): void {
    this.memo(obj);
  }

  /** What this process wrote and `obj` (the cached copy) does not show yet. */
  private memo(obj: WithStatus): Record<string, unknown> | undefined {
    const key = keyOf(obj);
    const memo = this.written.get(key);
    if (!memo) return undefined;
    // Another uid: the object was deleted and made again since; what was written is no more.
    if (memo.uid === obj.metadata?.uid && !sameStatus(memo.status, obj.status)) return memo.status;
    this.written.delete(key);
    return undefined;
  }

  /** Writes the status unless the object already has it (or this process just wrote it), or it is gone; true when written. */
  async write(obj: WithStatus, status: Record<string, unknown>, fieldManager: string): Promise<boolean> {
    let writer = this.writers.get(fieldManager);
    if (!writer) this.writers.set(fieldManager, (writer = new StatusWriter({ client: this.client, fieldManager })));
    const memo = this.memo(obj);
    if (memo && !writer.needsWrite({ ...obj, status: memo }, status)) return false;
    if (!writer.needsWrite(obj, status)) return false;
    const { name, namespace } = obj.metadata ?? {};
    if (!obj.apiVersion || !obj.kind || !name) throw new Error('status target needs apiVersion, kind and metadata.name');
    try {
      await this.client.applyStatus({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: namespace ? { name, namespace } : { name } }, status, fieldManager);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.forget(obj);
      return false;
    }
    this.written.set(keyOf(obj), { uid: obj.metadata?.uid, status });
    this.onWrite?.(fieldManager);
    return true;
  }

  forget(obj: KubernetesObject): void {
    this.written.delete(keyOf(obj));
  }
}

/** Equal as the API server keeps them: an empty map or list is the same as none. */
function sameStatus(written: Record<string, unknown>, cached: unknown): boolean {
  return isDeepSubset(written, cached) && isDeepSubset(cached, written);
}

function keyOf(obj: KubernetesObject): string {
  return `${obj.kind}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** The three standard outcomes, plus `inactive`: not ready, yet neither failing nor working on it (a closed window). */
export type Outcome = ConditionsOutcome | { state: 'inactive'; reason: string; message: string };

export function conditionsFor(previous: readonly Condition[] | undefined, outcome: Outcome, generation: number | undefined, now: number): Condition[] {
  if (outcome.state !== 'inactive') return standardConditions(previous, outcome, generation, now);
  const base = generation === undefined ? {} : { observedGeneration: generation };
  let list = setCondition(previous, { type: Ready, status: 'False', reason: outcome.reason, message: outcome.message, ...base }, now);
  list = setCondition(list, { type: Progressing, status: 'False', reason: outcome.reason, message: '', ...base }, now);
  list = setCondition(list, { type: Degraded, status: 'False', reason: outcome.reason, message: '', ...base }, now);
  return list;
}

/** `spec.placement.dataCentres[1]` from a rule problem's path. */
export function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
