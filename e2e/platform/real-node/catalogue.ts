// The images the real nodes' test agent can "run". There is no container runtime on the
// project's machines, so an image is not pulled: the agent maps a few well-known test images to
// small programs of its own, run inside the pod's network namespace. Every other image is
// refused with the waiting reason ImageNotRunnableLocally, never reported Running.
import type { V1Container } from '@kubernetes/client-node';

/** What the agent runs for a container. */
export type Program =
  /** serve.ts: answers on every declared TCP and UDP containerPort with the pod's name. */
  | { kind: 'echo'; tcp: number[]; udp: number[] }
  /** Nothing listens: the pod only owns its address (a probe source). */
  | { kind: 'idle' }
  /**
   * The govcloud image (entrypoint `govcloud`): the bundle dist/govcloud.js with the
   * container's args, as `govcloud connectivity --probe` starts its probe pods. It may run to
   * completion: its exit code and report ($GOVCLOUD_PROBE_REPORT) become the container's
   * terminated state and termination message.
   */
  | { kind: 'govcloud'; args: string[] }
  /**
   * The exchange gateway (gateway-pod.ts): Debian's haproxy with the container's args, its
   * volumes as files, on gateway nodes only.
   */
  | { kind: 'haproxy'; args: string[] };

// Upstream's test images, by repository (any tag): agnhost (its serve-hostname / netexec
// subcommands answer on the pod's ports; here every declared port answers whatever the args),
// pause (holds the network namespace), and HAProxy's official image (the exchange gateway);
// and the e2e suite's own service image.
const CATALOGUE: ReadonlyArray<{ repository: string; program: (c: V1Container) => Program | undefined }> = [
  { repository: 'registry.k8s.io/e2e-test-images/agnhost', program: echoOnDeclaredPorts },
  { repository: 'registry.k8s.io/pause', program: () => ({ kind: 'idle' }) },
  { repository: 'registry.govcloud.local/govcloud/operator', program: (c) => ({ kind: 'govcloud', args: c.args ?? [] }) },
  { repository: 'docker.io/library/haproxy', program: haproxy },
  // The e2e suite's on-request service (e2e/operator/platform.ts registryService): an echo
  // server on its port, so a provider's Deployment rendered by the operator answers real packets.
  { repository: 'registry.govcloud.local/e2e/registry', program: echoOnDeclaredPorts },
];

/** The image's entrypoint runs haproxy with the args; a command other than haproxy is not runnable here. */
function haproxy(c: V1Container): Program | undefined {
  const [command, ...rest] = c.command ?? ['haproxy'];
  return command === 'haproxy' ? { kind: 'haproxy', args: [...rest, ...(c.args ?? [])] } : undefined;
}

function echoOnDeclaredPorts(c: V1Container): Program {
  const ports = c.ports ?? [];
  return {
    kind: 'echo',
    tcp: ports.filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.containerPort),
    udp: ports.filter((p) => p.protocol === 'UDP').map((p) => p.containerPort),
  };
}

/** The repository of an image reference: without tag or digest. */
export function repositoryOf(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/** The program for a container, or undefined when its image is not in the catalogue. */
export function programFor(c: V1Container): Program | undefined {
  const repo = repositoryOf(c.image ?? '');
  return CATALOGUE.find((e) => e.repository === repo)?.program(c);
}

/** The catalogue's repositories, for messages. */
export function catalogueRepositories(): string[] {
  return CATALOGUE.map((e) => e.repository);
}
