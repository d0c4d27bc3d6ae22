// For tests that run pods on the real nodes (README.md): the pod manifest that lands there, the
// wait for the agent to run it, and connections made from inside a pod's network namespace.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '@kubernetes/client-node';
import type { Cluster } from '../../harness/clusters.ts';
import { waitFor } from '../../harness/wait.ts';
import { NETNS_ANNOTATION, REAL_NODE_LABEL, REAL_NODE_TOLERATION } from './names.ts';
import type { ProbeResult, Target } from './probe.ts';

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'probe.ts');
export const ECHO_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

export interface RealPodOptions {
  image?: string;
  labels?: Record<string, string>;
  ports?: Array<{ port: number; protocol: 'TCP' | 'UDP' }>;
}

/**
 * A pod the scheduler places on the cluster's real node (and nowhere else). It meets the
 * restricted Pod Security standard and sets no spec.nodeName, so govcloud workspaces admit it.
 */
export function realPod(name: string, namespace: string, opts: RealPodOptions = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: opts.labels ?? {} },
    spec: {
      nodeSelector: { [REAL_NODE_LABEL]: 'true' },
      tolerations: [{ ...REAL_NODE_TOLERATION }],
      securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'main',
          image: opts.image ?? ECHO_IMAGE,
          args: ['serve-hostname'],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          ports: (opts.ports ?? []).map((p) => ({ containerPort: p.port, protocol: p.protocol })),
        },
      ],
    },
  };
}

export interface RunningPod {
  ip: string;
  netns: string;
  node: string;
}

/** Waits until the agent runs the pod: Running, Ready, with an address and a network namespace. */
export async function waitRunning(cluster: Cluster, namespace: string, name: string, timeoutMs = 60_000): Promise<RunningPod> {
  return waitFor(
    `pod ${cluster.name}/${namespace}/${name} Running on a real node`,
    async () => {
      const pod = await cluster.core.readNamespacedPod({ namespace, name });
      const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const netns = pod.metadata?.annotations?.[NETNS_ANNOTATION];
      if (pod.status?.phase !== 'Running' || !ready || !pod.status.podIP || !netns) return undefined;
      return { ip: pod.status.podIP, netns, node: pod.spec!.nodeName! };
    },
    { timeoutMs },
  );
}

/** Connects from inside network namespace netns to every target at once (probe.ts --batch). */
export async function probeFrom(netns: string, targets: Target[], timeoutMs = 2000): Promise<ProbeResult[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('ip', ['netns', 'exec', netns, process.execPath, PROBE, '--batch', '--timeout-ms', String(timeoutMs)], (err, stdout, stderr) => {
      if (err) reject(new Error(`probe from ${netns} failed: ${stderr.trim() || err.message}`));
      else resolve(JSON.parse(stdout) as ProbeResult[]);
    });
    child.stdin!.end(JSON.stringify(targets));
  });
}

/** From inside network namespace netns, an attempt at the target begun every `everyMs` for `forMs` (probe.ts --every-ms), each with when it began. */
export async function probeSeries(netns: string, target: Target, everyMs: number, forMs: number, timeoutMs = 1000): Promise<ProbeResult[]> {
  const args = ['netns', 'exec', netns, process.execPath, PROBE, target.host, String(target.port), target.protocol];
  return new Promise((resolve, reject) => {
    execFile('ip', [...args, '--every-ms', String(everyMs), '--for-ms', String(forMs), '--timeout-ms', String(timeoutMs)], (err, stdout, stderr) => {
      if (err) reject(new Error(`probe series from ${netns} failed: ${stderr.trim() || err.message}`));
      else resolve(JSON.parse(stdout) as ProbeResult[]);
    });
  });
}
