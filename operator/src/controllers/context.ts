// What every controller is given, and the small helpers they share: queue keys for hub
// objects and the owner label read back from a child object.
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABELS } from '../api/index.ts';
import type { OwnerRef } from '../render/index.ts';
import { makeKey, type Clock, type EventRecorder, type Logger } from '../runtime/index.ts';
import type { Connector } from './connector.ts';
import type { HubCache } from './hub.ts';
import type { MemberRegistry } from './members.ts';
import type { PlatformMetrics } from './metrics.ts';
import type { StatusStore } from './status.ts';
import type { HubWriter } from './writer.ts';

/** The cluster part of every queue key: all govcloud objects live on the hub. */
export const HUB = 'hub';

export interface Timeouts {
  /** All of one data centre's writes in one reconcile. */
  dataCentreMs: number;
}

export interface ControllerContext {
  hub: HubCache;
  members: MemberRegistry;
  connector: Connector;
  hubWriter: HubWriter;
  recorder: EventRecorder;
  metrics: PlatformMetrics;
  status: StatusStore;
  clock: Clock;
  logger: Logger;
  timeouts: Timeouts;
  /**
   * Aborts every write when leadership is lost (another replica may lead already). A graceful
   * stop does not abort it: the work queues stop taking keys and in-flight reconciles finish.
   */
  fence: AbortSignal;
  /** Longest requeueAfter (a timer further out would overflow; it is re-armed on the next reconcile). */
  maxRequeueMs: number;
}

export function hubKey(namespace: string | undefined, name: string): string {
  return makeKey({ cluster: HUB, namespace: namespace ?? '', name });
}

/**
 * The govcloud object a child was rendered for, from `govcloud.dev/owner`
 * (`<Kind>.<namespace>.<name>`, or `<Kind>_<hash>` with the full form in the annotation of
 * the same name). Kinds and namespaces have no dots, so the first two dots split it.
 */
export function ownerOf(obj: KubernetesObject): OwnerRef | undefined {
  const label = obj.metadata?.labels?.[LABELS.owner];
  if (!label) return undefined;
  const full = label.includes('_') ? obj.metadata?.annotations?.[LABELS.owner] : label;
  if (!full) return undefined;
  const first = full.indexOf('.');
  const second = full.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || second === full.length - 1) return undefined;
  const kind = full.slice(0, first);
  const namespace = full.slice(first + 1, second);
  const name = full.slice(second + 1);
  return namespace ? { kind, namespace, name } : { kind, name };
}

/** Milliseconds until `when`, a little after it (a window is closed at its end), capped. */
export function requeueFor(when: Date | undefined, now: number, max: number): number | undefined {
  if (!when) return undefined;
  return Math.min(Math.max(1, when.getTime() - now + 50), max);
}
