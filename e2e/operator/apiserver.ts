// Stopping one data centre's kube-apiserver of the local platform and starting it again with
// the same arguments: on the same port (the kubeconfigs and the operator's Secrets stay
// valid; the controller-manager, scheduler and kwok reconnect on their own), or on another
// one (a new address: only who is told of it reaches it). Only for the local platform: with
// GOVCLOUD_KUBECONFIG there is no process of ours to stop.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { Cluster, ROOT, waitFor } from '../harness/index.ts';

const STATE = path.join(ROOT, '.local', 'platform');

/** Why the API server of `cluster` cannot be stopped here, or undefined when it can. */
export function cannotStop(cluster: string): string | undefined {
  if (process.env.GOVCLOUD_KUBECONFIG) return 'GOVCLOUD_KUBECONFIG is set: not the local platform';
  if (!existsSync(path.join(STATE, 'pids', `${cluster}-apiserver.pid`))) return `no pid file for ${cluster}-apiserver in ${STATE}`;
  return undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

/** A TCP port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The port of the cluster's API server, as its kubeconfig names it. */
export function apiServerPort(cluster: Cluster): number {
  return Number(new URL(cluster.kubeconfig.getCurrentCluster()!.server).port);
}

/** Kubeconfig text (YAML or JSON) with the server on `from` moved to port `to`. */
export function movedKubeconfig(text: string, from: number, to: number): string {
  const moved = text.replaceAll(`https://127.0.0.1:${from}`, `https://127.0.0.1:${to}`);
  if (moved === text) throw new Error(`the kubeconfig names no server https://127.0.0.1:${from}`);
  return moved;
}

/** The cluster as reached on another port (its kubeconfig moved). */
function clusterOnPort(cluster: Cluster, port: number): Cluster {
  const dir = mkdtempSync(path.join(ROOT, '.local', 'moved-'));
  try {
    const file = path.join(dir, 'kubeconfig');
    writeFileSync(file, movedKubeconfig(cluster.kubeconfig.exportConfig(), apiServerPort(cluster), port), { mode: 0o600 });
    return new Cluster(file, cluster.name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Freezes the API server (SIGSTOP: it keeps its sockets, accepts connections and answers
 * nothing) and returns the function that thaws it (SIGCONT). Call that in a finally.
 */
export function freezeApiServer(cluster: Cluster): () => void {
  const pid = apiServerPid(cluster);
  process.kill(pid, 'SIGSTOP');
  let thawed = false;
  return () => {
    if (thawed) return;
    thawed = true;
    process.kill(pid, 'SIGCONT');
  };
}

function apiServerPid(cluster: Cluster): number {
  const pidFile = path.join(STATE, 'pids', `${cluster.name}-apiserver.pid`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!alive(pid)) throw new Error(`${cluster.name}-apiserver (pid ${pid}) is not running`);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  if (!argv.some((a) => a.includes(STATE))) throw new Error(`pid ${pid} is not an API server of ${STATE}`);
  return pid;
}

/**
 * Kills the API server (SIGKILL: a data centre going dark does not say goodbye) and returns a
 * function that starts it again, on `port` when given, and waits (bounded) until it is
 * ready. Call that in a finally: the platform is shared with the other suites.
 */
export async function stopApiServer(cluster: Cluster): Promise<(port?: number) => Promise<void>> {
  const pidFile = path.join(STATE, 'pids', `${cluster.name}-apiserver.pid`);
  const pid = apiServerPid(cluster);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  process.kill(pid, 'SIGKILL');
  await waitFor(`${cluster.name}-apiserver (pid ${pid}) to die`, () => !alive(pid), { timeoutMs: 10_000, intervalMs: 50 });
  let restarted = false;
  return async (port) => {
    if (restarted) return;
    restarted = true;
    const log = openSync(path.join(STATE, 'logs', `${cluster.name}-apiserver.log`), 'a');
    const args = argv.slice(1).map((a) => (port !== undefined && a.startsWith('--secure-port=') ? `--secure-port=${port}` : a));
    // Its own session, as up.sh starts it, so it outlives this test process.
    const child = spawn(argv[0]!, args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    writeFileSync(pidFile, `${child.pid}\n`);
    const reached = port === undefined || port === apiServerPort(cluster) ? cluster : clusterOnPort(cluster, port);
    await waitFor(`${cluster.name}-apiserver ready again`, async () => (await reached.request('GET', '/readyz')).status === 200, {
      timeoutMs: 120_000,
      intervalMs: 250,
    });
  };
}
