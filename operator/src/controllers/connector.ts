// How the operator reaches a data centre: the hub's own client for `thisCluster: true`, or a
// client made from the kubeconfig in the Secret `spec.connection.kubeconfigSecretRef`, which
// must live in the operator's namespace (the only one whose Secrets it may read).
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { DataCentre } from '../api/index.ts';
import {
  ClusterClient,
  errorMessage,
  isNotFound,
  kubeconfigFromSecret,
  kubeListWatch,
  withDeadline,
  type ListPage,
  type ListWatchSource,
} from '../runtime/index.ts';
import type { HubCache } from './hub.ts';
import type { MemberTransport, ProbeResult } from './members.ts';
import { PLATFORM_ROLE_NAMES, type FoundRole } from './platform-roles.ts';
import { NODE, type ResourceType } from './resources.ts';
import { requestWriter, type WriteOptions } from './writer.ts';

export type Resolution = { ok: true; fingerprint: string; open: () => MemberTransport } | { ok: false; reason: string; message: string };

/** Turns a DataCentre into a way to reach its cluster. */
export interface Connector {
  resolve(dataCentre: DataCentre): Resolution;
}

export interface KubeTimeouts {
  /** One request (apply, delete, probe, list page). */
  requestMs: number;
}

/** A list whose pages are bounded in time as well as aborted on stop. */
function boundedSource<T extends KubernetesObject>(inner: ListWatchSource<T>, timeoutMs: number): ListWatchSource<T> {
  return {
    list: (opts) => withDeadline(timeoutMs, opts.signal, (signal) => inner.list({ ...opts, signal })),
    watch: (rv, onEvent, onDone) => inner.watch(rv, onEvent, onDone),
  };
}

export function kubeTransport(client: ClusterClient, timeouts: KubeTimeouts, onWrite?: WriteOptions['onWrite']): MemberTransport {
  return {
    source(resource: ResourceType, selector) {
      const inner = kubeListWatch<KubernetesObject>(client, {
        apiVersion: resource.apiVersion,
        kind: resource.kind,
        plural: resource.plural,
        ...(resource.namespace ? { namespace: resource.namespace } : {}),
        ...(selector ? { labelSelector: selector } : {}),
      });
      return boundedSource(inner, timeouts.requestMs);
    },
    writer(signal) {
      return requestWriter(client, { signal, timeoutMs: timeouts.requestMs, ...(onWrite ? { onWrite } : {}) });
    },
    async probe(signal): Promise<ProbeResult> {
      const version = await client.request<{ gitVersion?: string }>('GET', '/version', { signal });
      const nodes = await client.request<ListPage<KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } }>>(
        'GET',
        `/api/${NODE.apiVersion}/${NODE.plural}`,
        { signal },
      );
      const readyNodes = (nodes.items ?? []).filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
      const platformRoles: Record<string, FoundRole> = {};
      for (const name of PLATFORM_ROLE_NAMES) {
        try {
          const role = await client.request<{ rules?: unknown; aggregationRule?: unknown }>('GET', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`, {
            signal,
          });
          platformRoles[name] = { rules: role.rules ?? [], ...(role.aggregationRule ? { aggregationRule: role.aggregationRule } : {}) };
        } catch (err) {
          if (!isNotFound(err)) throw err;
          platformRoles[name] = null;
        }
      }
      return { version: version.gitVersion ?? 'unknown', readyNodes, platformRoles };
    },
  };
}

export interface KubeConnectorOptions {
  hub: HubCache;
  hubClient: ClusterClient;
  timeouts: KubeTimeouts;
  onWrite?: WriteOptions['onWrite'];
}

export function kubeConnector(opts: KubeConnectorOptions): Connector {
  const clients = new Map<string, ClusterClient>();
  return {
    resolve(dc) {
      const name = dc.metadata.name;
      const connection = dc.spec.connection;
      if (connection.thisCluster === true) {
        return { ok: true, fingerprint: 'hub', open: () => kubeTransport(opts.hubClient, opts.timeouts, opts.onWrite) };
      }
      const ref = connection.kubeconfigSecretRef;
      if (!ref) return { ok: false, reason: 'NoConnection', message: 'spec.connection names neither thisCluster nor kubeconfigSecretRef' };
      if (ref.namespace !== opts.hub.namespace) {
        return {
          ok: false,
          reason: 'SecretOutsideNamespace',
          message: `the kubeconfig Secret must be in the operator's namespace ${opts.hub.namespace}, not ${ref.namespace}: the operator reads no Secret elsewhere`,
        };
      }
      const secret = opts.hub.secret(ref.name);
      if (!secret) return { ok: false, reason: 'SecretNotFound', message: `Secret ${ref.namespace}/${ref.name} does not exist` };
      const key = ref.key ?? 'kubeconfig';
      let text: string;
      try {
        text = kubeconfigFromSecret(secret, key);
      } catch (err) {
        return { ok: false, reason: 'SecretInvalid', message: `Secret ${ref.namespace}/${ref.name}: ${errorMessage(err)}` };
      }
      const fingerprint = createHash('sha256').update(`${name}\n${text}`).digest('hex').slice(0, 16);
      let client = clients.get(fingerprint);
      if (!client) {
        try {
          client = ClusterClient.fromKubeconfig(name, text);
        } catch (err) {
          return {
            ok: false,
            reason: 'KubeconfigInvalid',
            message: `the kubeconfig in Secret ${ref.namespace}/${ref.name} (key ${key}) cannot be used: ${errorMessage(err)}`,
          };
        }
        if (!client.kubeConfig.getCurrentCluster()) {
          return {
            ok: false,
            reason: 'KubeconfigInvalid',
            message: `the kubeconfig in Secret ${ref.namespace}/${ref.name} (key ${key}) has no current context`,
          };
        }
        // One client per data centre and kubeconfig: a new Secret replaces the old client.
        for (const [k, c] of clients) {
          if (c.name !== name) continue;
          clients.delete(k);
          void c.close();
        }
        clients.set(fingerprint, client);
      }
      const made = client;
      return { ok: true, fingerprint, open: () => kubeTransport(made, opts.timeouts, opts.onWrite) };
    },
  };
}
