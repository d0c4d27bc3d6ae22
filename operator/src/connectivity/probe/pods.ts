/**
 * The probe pods' manifests. Both kinds pass the "restricted" Pod Security Standard (non-root
 * numeric user, no privilege escalation, every capability dropped, RuntimeDefault seccomp), so
 * they start in every workspace of every security level.
 *
 * The image contract (docs/operations.md, "Probing a cluster"): the image's entrypoint is
 * `govcloud`, as in the operator image, so the containers' args are the command line:
 * - server: `connectivity --probe-serve PORT/PROTO...`: answers on every port until stopped
 *   (TCP: accepts and writes a line; UDP: echoes the datagram);
 * - client: `connectivity --probe-connect --probe-timeout MS --probe-delay MS IP:PORT/PROTO...`:
 *   waits, tries each target, writes its report (probe/agent.ts) to the termination message
 *   and exits 0.
 */
import type { ClientSpec, ProbePair, ServerSpec } from './plan.ts';

/** The image's user when it has none that is numeric: `nobody`. */
export const PROBE_USER = 65534;
export const PROBE_ROLE_ANNOTATION = 'govcloud.dev/probe-role';
/** A readiness gate nothing sets: a server pod carrying a workload's labels never becomes a Service endpoint. */
export const NEVER_READY_GATE = 'govcloud.dev/probe-never-serves';

export interface PodPlacement {
  image: string;
  /** Seconds after which the kubelet stops the pod, whatever becomes of the command that started it. */
  deadlineSeconds: number;
  nodeSelector?: Record<string, string>;
  tolerations?: { key: string; operator: 'Equal' | 'Exists'; value?: string; effect?: string }[];
}

export interface PodManifest {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean }[];
  };
  spec: Record<string, unknown>;
}

function podSpec(placement: PodPlacement, args: string[], ports: { containerPort: number; protocol: string }[]): Record<string, unknown> {
  const lowPort = ports.some((p) => p.containerPort < 1024);
  return {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    activeDeadlineSeconds: placement.deadlineSeconds,
    terminationGracePeriodSeconds: 1,
    ...(placement.nodeSelector ? { nodeSelector: placement.nodeSelector } : {}),
    ...(placement.tolerations ? { tolerations: placement.tolerations } : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: PROBE_USER,
      runAsGroup: PROBE_USER,
      seccompProfile: { type: 'RuntimeDefault' },
      // A non-root server binds ports under 1024 through this namespaced sysctl, which the
      // restricted standard allows (it is in the baseline's safe set).
      ...(lowPort ? { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] } : {}),
    },
    containers: [
      {
        name: 'probe',
        image: placement.image,
        args,
        ...(ports.length > 0 ? { ports } : {}),
        terminationMessagePolicy: 'File',
        resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '200m', memory: '96Mi' } },
        securityContext: {
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
  };
}

export function serverPod(server: ServerSpec, placement: PodPlacement): PodManifest {
  const ports = server.ports.map((p) => ({ containerPort: p.port, protocol: p.protocol }));
  const spec = podSpec(placement, ['connectivity', '--probe-serve', ...server.ports.map((p) => `${p.port}/${p.protocol}`)], ports);
  spec.readinessGates = [{ conditionType: NEVER_READY_GATE }];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: server.name,
      namespace: server.namespace,
      labels: server.labels,
      annotations: { [PROBE_ROLE_ANNOTATION]: `server for ${server.standsFor}` },
    },
    spec,
  };
}

export interface ClientTarget {
  ip: string;
  port: number;
  protocol: 'TCP' | 'UDP';
}

export function clientPod(
  client: ClientSpec,
  targets: readonly ClientTarget[],
  timing: { timeoutMs: number; delayMs: number },
  placement: PodPlacement,
): PodManifest {
  const args = [
    'connectivity',
    '--probe-connect',
    '--probe-timeout',
    String(timing.timeoutMs),
    '--probe-delay',
    String(timing.delayMs),
    ...targets.map(formatTarget),
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: client.name,
      namespace: client.namespace,
      labels: client.labels,
      annotations: { [PROBE_ROLE_ANNOTATION]: `client of workspace ${client.namespace}` },
    },
    spec: podSpec(placement, args, []),
  };
}

/** `10.0.0.5:443/TCP`, `[fd00::5]:53/UDP`. */
export function formatTarget(t: ClientTarget): string {
  return `${t.ip.includes(':') ? `[${t.ip}]` : t.ip}:${t.port}/${t.protocol}`;
}

export function targetsOf(client: ClientSpec, pairs: readonly ProbePair[], serverIps: ReadonlyMap<string, string>): ClientTarget[] {
  return client.pairs.map((i) => {
    const pair = pairs[i] as ProbePair;
    const ip = serverIps.get(pair.server);
    if (ip === undefined) throw new Error(`server pod ${pair.server} has no address`);
    return { ip, port: pair.target.port, protocol: pair.target.protocol };
  });
}
