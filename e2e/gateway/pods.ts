// The exchange gateway's pod on a real node as the gateway tests find it: running, holding its
// address, judged by the enforcer; and its audit lines (the agent writes a pod's output to
// `.local/platform/real-nodes/logs/<pod netns>.log`).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SYSTEM_NAMESPACE } from '../../operator/src/api/index.ts';
import { GATEWAY_POD_LABELS } from '../../operator/src/render/gateway.ts';
import { ROOT, waitFor, type Cluster } from '../harness/index.ts';
import { judged, type RealPod } from '../packets/pods.ts';
import { NETNS_ANNOTATION } from '../platform/real-node/names.ts';
import { auditLines, type LogLine } from './log.ts';

const POD_LOGS = path.join(ROOT, '.local', 'platform', 'real-nodes', 'logs');

/** The agent names a pod's network namespace `<node namespace>-<pod uid>` (a uid has 36 characters). */
export const nodeNamespace = (pod: RealPod): string => pod.netns.slice(0, -37);

/** The gateway's running pod (other than `except`, a pod being deleted or replaced). */
export async function gatewayPod(cluster: Cluster, except?: string, timeoutMs = 90_000): Promise<RealPod> {
  const selector = Object.entries(GATEWAY_POD_LABELS)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
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

/** The JSON audit lines the gateway pod wrote so far. */
export function gatewayLog(pod: RealPod): LogLine[] {
  return auditLines(readFileSync(path.join(POD_LOGS, `${pod.netns}.log`), 'utf8'));
}
