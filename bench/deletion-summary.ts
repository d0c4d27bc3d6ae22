// The measured deletion: which agencies go, and the two shares of the time, from the moments
// the watches saw. Pure.
import type { Agency } from '../operator/src/api/index.ts';
import { percentile } from './operator-metrics.ts';

/**
 * The last `count` agencies: a parent is generated before its departments and units, so no
 * agency left behind names a deleted one as its parent.
 */
export function agenciesToDelete(agencies: Agency[], count: number): Agency[] {
  return agencies.slice(Math.max(0, agencies.length - count));
}

export interface DeletionMoments {
  /** performance.now() of the first DELETE the bench sent. */
  start: number;
  /** Per agency: when the hub's watch saw it gone (its finalizer removed by the operator). */
  agencyGone: Map<string, number>;
  /** Per namespace of a deleted agency (in any cluster): when a watch first saw its deletionTimestamp. */
  namespaceDeleting: Map<string, number>;
  /** Per namespace: when a watch saw it gone (the cluster's namespace controller done). */
  namespaceGone: Map<string, number>;
  /** Every namespace the deleted agencies had (`cluster/name`) when the deletion started. */
  namespaces: number;
}

export interface DeletionSummary {
  agencies: number;
  namespaces: number;
  operator: {
    seconds: number | null;
    agenciesPerSecond: number | null;
    p50Seconds: number | null;
    maxSeconds: number | null;
    lastNamespaceDeleteSeconds: number | null;
  };
  /**
   * complete: every namespace was seen gone. When the wait was cut short, the rates are those
   * of the part seen (namespaces gone over the time from the first deletion to the last gone),
   * agencies a second counted as that many namespaces a second over namespaces per agency.
   */
  clusters: {
    complete: boolean;
    namespacesGone: number;
    seconds: number | null;
    agenciesPerSecond: number | null;
    namespacesPerSecond: number | null;
    afterOperatorSeconds: number | null;
  };
}

const s = (ms: number) => ms / 1000;

/**
 * The operator's share: from the first DELETE until the last agency is gone (the operator has
 * issued the namespaces' deletion and removed its finalizer). The clusters' share: from the
 * first namespace deletion seen until the last namespace is gone. The operator's is null unless
 * every agency was seen gone.
 */
export function deletionSummary(count: number, m: DeletionMoments): DeletionSummary {
  const gone = [...m.agencyGone.values()].map((t) => t - m.start);
  const allGone = gone.length === count && count > 0;
  const opSeconds = allGone ? s(Math.max(...gone)) : null;
  const deleting = [...m.namespaceDeleting.values()];
  const nsGone = [...m.namespaceGone.values()];
  const allNsGone = nsGone.length === m.namespaces && m.namespaces > 0;
  const clusterSeconds = nsGone.length && deleting.length ? s(Math.max(...nsGone) - Math.min(...deleting)) : null;
  const nsRate = clusterSeconds ? nsGone.length / clusterSeconds : null;
  return {
    agencies: count,
    namespaces: m.namespaces,
    operator: {
      seconds: opSeconds,
      agenciesPerSecond: opSeconds ? count / opSeconds : null,
      p50Seconds: gone.length ? s(percentile(gone, 50)) : null,
      maxSeconds: allGone ? opSeconds : null,
      lastNamespaceDeleteSeconds: deleting.length ? s(Math.max(...deleting) - m.start) : null,
    },
    clusters: {
      complete: allNsGone,
      namespacesGone: nsGone.length,
      seconds: clusterSeconds,
      agenciesPerSecond: nsRate === null ? null : allNsGone ? count / clusterSeconds! : (nsRate * count) / m.namespaces,
      namespacesPerSecond: nsRate,
      afterOperatorSeconds: allNsGone && allGone ? s(Math.max(...nsGone) - m.start) - opSeconds! : null,
    },
  };
}
