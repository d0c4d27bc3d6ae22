/**
 * The probe's cluster access through the project's client: create, read and delete pods.
 * The RBAC it needs is in docs/operations.md ("Probing a cluster").
 *
 * A probe pod carries a workload's labels, so a ReplicaSet or DaemonSet whose selector they
 * match would adopt it (and delete it, or one of its own pods, as a surplus replica): every
 * probe pod is created with its namespace as controlling owner, and controllers adopt only
 * pods without one.
 */
import type { ClusterClient } from '../../runtime/index.ts';
import { PROBE_LABEL } from './plan.ts';
import type { PodManifest } from './pods.ts';
import type { PodState, ProbeApi } from './run.ts';

interface PodStatusJson {
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: { type?: string; status?: string; message?: string }[];
    containerStatuses?: {
      state?: {
        waiting?: { reason?: string };
        terminated?: { message?: string; exitCode?: number };
      };
    }[];
  };
}

export function podState(pod: PodStatusJson): PodState {
  const status = pod.status ?? {};
  const container = status.containerStatuses?.[0]?.state;
  const state: PodState = { phase: status.phase ?? 'Pending' };
  if (status.podIP) state.podIP = status.podIP;
  const scheduled = status.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') state.unscheduled = scheduled.message ?? 'not scheduled';
  if (container?.waiting?.reason) state.waitingReason = container.waiting.reason;
  if (container?.terminated) {
    if (container.terminated.message !== undefined) state.message = container.terminated.message;
    if (container.terminated.exitCode !== undefined) state.exitCode = container.terminated.exitCode;
  }
  return state;
}

const path = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;

export function ownedByNamespace(pod: PodManifest, namespaceUid: string): PodManifest {
  const owner = { apiVersion: 'v1', kind: 'Namespace', name: pod.metadata.namespace, uid: namespaceUid, controller: true, blockOwnerDeletion: false };
  return { ...pod, metadata: { ...pod.metadata, ownerReferences: [owner] } };
}

export function kubeProbeApi(client: ClusterClient): ProbeApi {
  const uids = new Map<string, Promise<string>>();
  const uidOf = (namespace: string, signal: AbortSignal): Promise<string> => {
    let uid = uids.get(namespace);
    if (!uid) {
      uid = client
        .request<{ metadata: { uid: string } }>('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}`, { signal })
        .then((ns) => ns.metadata.uid);
      uids.set(namespace, uid);
    }
    return uid;
  };
  return {
    async createPod(pod: PodManifest, signal: AbortSignal) {
      const owned = ownedByNamespace(pod, await uidOf(pod.metadata.namespace, signal));
      await client.request('POST', path(pod.metadata.namespace), { body: owned, signal, query: { fieldManager: 'govcloud-probe' } });
    },
    async readPod(namespace: string, name: string, signal: AbortSignal) {
      return podState(await client.request<PodStatusJson>('GET', `${path(namespace)}/${encodeURIComponent(name)}`, { signal }));
    },
    async deletePod(namespace: string, name: string) {
      await client.request('DELETE', `${path(namespace)}/${encodeURIComponent(name)}`, { query: { gracePeriodSeconds: 0 } });
    },
    async deleteProbePods(namespace: string, runId: string) {
      await client.request('DELETE', path(namespace), { query: { labelSelector: `${PROBE_LABEL}=${runId}`, gracePeriodSeconds: 0 } });
    },
  };
}
