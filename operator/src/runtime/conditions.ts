// Status conditions as every platform object reports them: Ready, Progressing and Degraded,
// each with metav1.Condition's fields. lastTransitionTime moves only when a condition's status
// flips, so recomputing the same status on every reconcile yields an identical object and the
// status writer can skip the write. A message is cut to MESSAGE_BYTES (bounded.ts), whatever
// the caller built.
import { MESSAGE_BYTES, truncateBytes } from './bounded.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export const Ready = 'Ready';
export const Progressing = 'Progressing';
export const Degraded = 'Degraded';

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** CamelCase, machine-readable. */
  reason: string;
  message: string;
  /** The metadata.generation the condition was computed from. */
  observedGeneration?: number;
  /** RFC 3339, second precision, as metav1.Time serialises. */
  lastTransitionTime: string;
}

export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * Returns `conditions` with `next` set: its lastTransitionTime is carried over when the status
 * did not change, and is `now` when it did (or the condition is new). Order is kept; new
 * types are appended. The input array is not modified.
 */
export function setCondition(conditions: readonly Condition[] | undefined, next: ConditionInput, now: number): Condition[] {
  const existing = findCondition(conditions, next.type);
  const lastTransitionTime = existing && existing.status === next.status ? existing.lastTransitionTime : formatTime(now);
  const condition: Condition = { ...next, message: truncateBytes(next.message, MESSAGE_BYTES), lastTransitionTime };
  if (condition.observedGeneration === undefined) delete condition.observedGeneration;
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === next.type);
  if (index >= 0) list[index] = condition;
  else list.push(condition);
  return list;
}

/** Where a reconcile left the object, in the terms of the three standard conditions. */
export type ConditionsOutcome =
  | { state: 'ready'; reason?: string; message?: string }
  | { state: 'progressing'; reason: string; message: string }
  | { state: 'degraded'; reason: string; message: string };

/**
 * Sets Ready, Progressing and Degraded consistently for an outcome:
 * ready: Ready=True, Progressing=False, Degraded=False;
 * progressing (waiting for something to converge): Ready=False, Progressing=True, Degraded=False;
 * degraded (a failure): Ready=False, Progressing=False, Degraded=True.
 */
export function standardConditions(
  conditions: readonly Condition[] | undefined,
  outcome: ConditionsOutcome,
  observedGeneration: number | undefined,
  now: number,
): Condition[] {
  const reason = outcome.reason ?? 'Reconciled';
  const message = outcome.message ?? '';
  const base = observedGeneration === undefined ? {} : { observedGeneration };
  const flag = (type: string, on: boolean, r: string, m: string): ConditionInput => ({
    type,
    status: on ? 'True' : 'False',
    reason: r,
    message: m,
    ...base,
  });
  let list = setCondition(conditions, flag(Ready, outcome.state === 'ready', reason, message), now);
  list = setCondition(list, outcome.state === 'progressing' ? flag(Progressing, true, reason, message) : flag(Progressing, false, reason, ''), now);
  list = setCondition(list, outcome.state === 'degraded' ? flag(Degraded, true, reason, message) : flag(Degraded, false, reason, ''), now);
  return list;
}
