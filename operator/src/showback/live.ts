/**
 * Reads what showback needs from a running platform, read-only: the govcloud objects from the
 * hub, each data centre's ResourceQuotas managed by govcloud (the hub's own with the same
 * client, the others through the kubeconfig in the DataCentre's Secret, as the operator
 * connects), and the month's history ConfigMaps (its index and shards) in the operator's namespace.
 */
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { API_VERSION, KINDS, LABELS, MANAGED_BY, type DataCentre } from '../api/index.ts';
import { emptyPlatform, PLATFORM_FIELD, type Platform } from '../model/platform.ts';
import { ClusterClient, errorMessage, httpStatusOf, kubeconfigFromSecret } from '../runtime/index.ts';
import type { ObservedQuota } from './compute.ts';
import { decodeHistory, historyName, type MonthHistory } from './history.ts';
import { readSet, type Stored } from './shards.ts';

export interface LiveShowbackInput {
  platform: Platform;
  quotas: ObservedQuota[];
  liveDataCentres: Set<string>;
  /** Data centres whose quotas could not be read, and why. */
  unreachable: { dataCentre: string; reason: string }[];
  history?: MonthHistory;
}

async function list(client: ClusterClient, path: string): Promise<KubernetesObject[]> {
  const body = await client.request<{ items?: KubernetesObject[] }>('GET', path);
  return body.items ?? [];
}

/** The live platform from the hub; `hub` is a client of the hub with read access to govcloud.dev and the operator's namespace. */
export async function readLiveShowback(hub: ClusterClient, operatorNamespace: string, month: string): Promise<LiveShowbackInput> {
  const platform = emptyPlatform();
  for (const def of KINDS) {
    const items = await list(hub, `/apis/${API_VERSION}/${def.plural}`);
    const field = PLATFORM_FIELD[def.kind];
    if (!field) continue;
    for (const item of items) {
      if (item.metadata?.deletionTimestamp) continue;
      (platform[field] as KubernetesObject[]).push({ ...item, apiVersion: API_VERSION, kind: def.kind });
    }
  }
  const quotas: ObservedQuota[] = [];
  const liveDataCentres = new Set<string>();
  const unreachable: { dataCentre: string; reason: string }[] = [];
  for (const dc of platform.dataCentres) {
    const name = dc.metadata.name;
    let client: ClusterClient | undefined;
    try {
      client = dc.spec.connection.thisCluster === true ? hub : await memberClient(hub, dc);
      const items = await list(client, `/api/v1/resourcequotas?labelSelector=${encodeURIComponent(`${LABELS.managedBy}=${MANAGED_BY}`)}`);
      for (const q of items as (KubernetesObject & { status?: { hard?: Record<string, string>; used?: Record<string, string> } })[]) {
        quotas.push({ dataCentre: name, namespace: q.metadata?.namespace ?? '', hard: q.status?.hard ?? {}, used: q.status?.used ?? {} });
      }
      liveDataCentres.add(name);
    } catch (err) {
      unreachable.push({ dataCentre: name, reason: errorMessage(err).split('\n')[0] ?? 'unreachable' });
    } finally {
      if (client && client !== hub) await client.close();
    }
  }
  const history = await readHistory(hub, operatorNamespace, month);
  return { platform, quotas, liveDataCentres, unreachable, ...(history ? { history } : {}) };
}

async function memberClient(hub: ClusterClient, dc: DataCentre): Promise<ClusterClient> {
  const ref = dc.spec.connection.kubeconfigSecretRef;
  if (!ref) throw new Error('no kubeconfigSecretRef');
  const secret = await hub.request<V1Secret>('GET', `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`);
  return ClusterClient.fromKubeconfig(dc.metadata.name, kubeconfigFromSecret(secret, ref.key ?? 'kubeconfig'));
}

async function readHistory(hub: ClusterClient, namespace: string, month: string): Promise<MonthHistory | undefined> {
  const read = async (name: string): Promise<Stored | undefined> => {
    try {
      const cm = await hub.request<{ data?: Record<string, string> }>(
        'GET',
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`,
      );
      return cm.data ? { data: cm.data } : {};
    } catch (err) {
      if (httpStatusOf(err) === 404 || httpStatusOf(err) === 403) return undefined;
      throw err;
    }
  };
  return decodeHistory(await readSet(read, historyName(month))).history;
}
