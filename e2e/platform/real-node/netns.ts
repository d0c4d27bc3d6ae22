// The network plumbing of one pod on a real node, with iproute2 (`ip`): a network namespace
// with a routed /32 and a proxy_arp veth on the node side (no bridge), as
// ../../../shared/notes/real-packets.md measured on this machine kind.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function ip(...args: string[]): Promise<string> {
  try {
    return (await exec('ip', args)).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${(e.stderr ?? e.message).trim()}`);
  }
}

/** Network namespaces whose name starts with prefix. */
export async function namespacesWithPrefix(prefix: string): Promise<string[]> {
  return (await ip('netns', 'list'))
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

/** The node's gateway address every pod routes through (on the node namespace's lo). */
export const GATEWAY = '169.254.1.1';

/**
 * Creates pod namespace podNs joined to nodeNs by a veth pair (hostVeth in the node, eth0 in
 * the pod) with address podIP/32 routed both ways.
 */
export async function plumbPod(nodeNs: string, podNs: string, hostVeth: string, podIP: string): Promise<void> {
  await ip('netns', 'add', podNs);
  await ip('-n', podNs, 'link', 'set', 'lo', 'up');
  await ip('-n', nodeNs, 'link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', podNs);
  await ip('netns', 'exec', nodeNs, 'sysctl', '-qw', `net.ipv4.conf.${hostVeth}.proxy_arp=1`);
  await ip('-n', nodeNs, 'link', 'set', hostVeth, 'up');
  await ip('-n', nodeNs, 'route', 'add', `${podIP}/32`, 'dev', hostVeth);
  await ip('-n', podNs, 'addr', 'add', `${podIP}/32`, 'dev', 'eth0');
  await ip('-n', podNs, 'link', 'set', 'eth0', 'up');
  await ip('-n', podNs, 'route', 'add', GATEWAY, 'dev', 'eth0', 'scope', 'link');
  await ip('-n', podNs, 'route', 'add', 'default', 'via', GATEWAY, 'dev', 'eth0');
}

/** Stops whatever still runs inside podNs and deletes it (its veth and route go with it). */
export async function unplumbPod(podNs: string): Promise<void> {
  const pids = (await ip('netns', 'pids', podNs).catch(() => '')).split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await ip('netns', 'del', podNs).catch(() => undefined);
}
