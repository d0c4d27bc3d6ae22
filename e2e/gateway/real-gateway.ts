// The exchange gateways' objects on the local platform's real nodes, as the real-node tests
// apply and remove them: what renderGateways gives, with the Secrets cert-manager would write
// issued by openssl as the platform CA; and the running gateway pod (holding its address,
// judged by the enforcer) and its audit lines (the agent writes a pod's output to
// `.local/platform/real-nodes/logs/<pod netns>.log`).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SYSTEM_NAMESPACE } from '../../operator/src/api/index.ts';
import { GATEWAY_POD_LABELS } from '../../operator/src/render/gateway.ts';
import type { DesiredObject } from '../../operator/src/render/types.ts';
import { ROOT, waitFor, type Cluster } from '../harness/index.ts';
import { judged, type RealPod } from '../packets/pods.ts';
import { NETNS_ANNOTATION } from '../platform/real-node/names.ts';
import { probeFrom } from '../platform/real-node/pods.ts';
import type { ProbeResult } from '../platform/real-node/probe.ts';
import { issue, tlsSecret, type CertificateSpec } from './certs.ts';
import { auditLines, type LogLine } from './log.ts';

const POD_LOGS = path.join(ROOT, '.local', 'platform', 'real-nodes', 'logs');

const PATHS: Record<string, string> = {
  ConfigMap: '/api/v1/namespaces/NS/configmaps',
  Secret: '/api/v1/namespaces/NS/secrets',
  ServiceAccount: '/api/v1/namespaces/NS/serviceaccounts',
  Deployment: '/apis/apps/v1/namespaces/NS/deployments',
  NetworkPolicy: '/apis/networking.k8s.io/v1/namespaces/NS/networkpolicies',
};

const selector = Object.entries(GATEWAY_POD_LABELS)
  .map(([k, v]) => `${k}=${v}`)
  .join(',');

/**
 * Removes the gateway's objects (the system namespace may hold the operator: only these go)
 * and, what the operator prunes with them, its policies in the workspaces; waits for its pod
 * to go, which frees the address.
 */
export async function removeGateway(cluster: Cluster, objects: DesiredObject[]): Promise<void> {
  for (const o of objects) {
    const kind = o.kind === 'Certificate' ? 'Secret' : o.kind;
    if (!PATHS[kind] || o.metadata.namespace === undefined) continue;
    await cluster.request('DELETE', `${PATHS[kind]!.replace('NS', o.metadata.namespace)}/${o.metadata.name}?propagationPolicy=Foreground`);
  }
  await waitFor(
    `${cluster.name}: the gateway's pods gone`,
    async () => {
      const pods = (await cluster.call('GET', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/pods?labelSelector=${encodeURIComponent(selector)}`)) as {
        items: unknown[];
      };
      return pods.items.length === 0 ? true : undefined;
    },
    { timeoutMs: 120_000 },
  );
}

/** Removes what a run leaves: the gateway's objects and the test's own workspace namespaces. */
export async function cleanUp(cluster: Cluster, objects: DesiredObject[], namespaces: readonly string[]): Promise<void> {
  await removeGateway(cluster, objects);
  for (const ns of namespaces) await cluster.request('DELETE', `/api/v1/namespaces/${ns}`);
  await waitFor(
    `${cluster.name}: the test's namespaces gone`,
    async () => {
      for (const ns of namespaces) if ((await cluster.request('GET', `/api/v1/namespaces/${ns}`)).status !== 404) return undefined;
      return true;
    },
    { timeoutMs: 120_000 },
  );
}

/**
 * What the operator would apply, except the Certificates (their Secrets are written instead,
 * issued in `dir`).
 */
export async function applyGateway(cluster: Cluster, objects: DesiredObject[], dir: string): Promise<void> {
  for (const o of objects) {
    if (o.kind === 'Certificate') {
      const spec = o.spec as CertificateSpec & { secretName: string };
      issue(dir, spec.secretName, spec);
      await cluster.apply(tlsSecret(dir, spec.secretName, o.metadata.namespace!) as never);
    }
  }
  for (const o of objects) if (o.kind !== 'Certificate') await cluster.apply(o as never);
}

/** The agent names a pod's network namespace `<node namespace>-<pod uid>` (a uid has 36 characters). */
export const nodeNamespace = (pod: RealPod): string => pod.netns.slice(0, -37);

/** The gateway's running pod (other than `except`, a pod being deleted or replaced), once the enforcer judges it. */
export async function gatewayPod(cluster: Cluster, except?: string, timeoutMs = 90_000): Promise<RealPod> {
  const pod = await waitFor(
    `${cluster.name}: the gateway pod Running on the real node`,
    async () => {
      const list = (await cluster.call('GET', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/pods?labelSelector=${encodeURIComponent(selector)}`)) as {
        items: { metadata: { name: string; annotations?: Record<string, string>; deletionTimestamp?: string }; status?: { phase?: string; podIP?: string } }[];
      };
      const p = list.items.find(
        (i) =>
          i.metadata.name !== except &&
          !i.metadata.deletionTimestamp &&
          i.status?.phase === 'Running' &&
          i.status.podIP &&
          i.metadata.annotations?.[NETNS_ANNOTATION],
      );
      return p ? { namespace: SYSTEM_NAMESPACE, name: p.metadata.name, ip: p.status!.podIP!, netns: p.metadata.annotations![NETNS_ANNOTATION]! } : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  );
  await judged(nodeNamespace(pod), pod.ip);
  return pod;
}

/** The JSON audit lines the gateway pod has written so far. */
export function gatewayLog(pod: RealPod): LogLine[] {
  return auditLines(readFileSync(path.join(POD_LOGS, `${pod.netns}.log`), 'utf8'));
}

/** One TCP connection attempt from a pod's network namespace. */
export const one = async (from: RealPod, host: string, port: number, timeoutMs = 2000): Promise<ProbeResult> =>
  (await probeFrom(from.netns, [{ host, port, protocol: 'tcp' }], timeoutMs))[0]!;
