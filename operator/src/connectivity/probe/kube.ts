/**
 * The probe's cluster access through the project's client: create, read and delete pods.
 * The RBAC it needs is in docs/operations.md ("Probing a cluster").
 */
import type { ClusterClient } from '../../runtime/index.ts';
import { PROBE_LABEL } from './plan.ts';
import type { PodManifest } from './pods.ts';
import type { PodState, ProbeApi } from './run.ts';

interface PodStatusJson {
  status?: {
    phase?: string;
    podIP?: string;
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
  if (container?.waiting?.reason) state.waitingReason = container.waiting.reason;
  if (container?.terminated) {
    if (container.terminated.message !== undefined) state.message = container.terminated.message;
    if (container.terminated.exitCode !== undefined) state.exitCode = container.terminated.exitCode;
  }
  return state;
}

const path = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;

export function kubeProbeApi(client: ClusterClient): ProbeApi {
  return {
    async createPod(pod: PodManifest, signal: AbortSignal) {
      await client.request('POST', path(pod.metadata.namespace), { body: pod, signal, query: { fieldManager: 'govcloud-probe' } });
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
