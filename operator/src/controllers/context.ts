// What every controller is given, and the small helpers they share: queue keys for hub
// objects and requeue times.
import { makeKey, type Clock, type EventRecorder, type Logger } from '../runtime/index.ts';
import type { Connector } from './connector.ts';
import type { CredentialRenewer } from './credentials.ts';
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
  /** Renews joined members' tokens (credentials.ts). */
  credentials?: CredentialRenewer;
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

/** Milliseconds until `when`, a little after it (a window is closed at its end), capped. */
export function requeueFor(when: Date | undefined, now: number, max: number): number | undefined {
  if (!when) return undefined;
  return Math.min(Math.max(1, when.getTime() - now + 50), max);
}
