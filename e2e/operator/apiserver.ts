// Stopping one data centre's kube-apiserver of the local platform and starting it again on
// the same port with the same arguments (the kubeconfigs and the operator's Secrets stay
// valid; the controller-manager, scheduler and kwok reconnect on their own). Only for the
// local platform: with GOVCLOUD_KUBECONFIG there is no process of ours to stop.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, waitFor, type Cluster } from '../harness/index.ts';

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

/**
 * Kills the API server (SIGKILL: a data centre going dark does not say goodbye) and returns a function that starts
 * it again and waits (bounded) until it is ready. Call that in a finally: the platform is
 * shared with the other suites.
 */
export async function stopApiServer(cluster: Cluster): Promise<() => Promise<void>> {
  const pidFile = path.join(STATE, 'pids', `${cluster.name}-apiserver.pid`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!alive(pid)) throw new Error(`${cluster.name}-apiserver (pid ${pid}) is not running`);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  if (!argv.some((a) => a.includes(STATE))) throw new Error(`pid ${pid} is not an API server of ${STATE}`);
  process.kill(pid, 'SIGKILL');
  await waitFor(`${cluster.name}-apiserver (pid ${pid}) to die`, () => !alive(pid), { timeoutMs: 10_000, intervalMs: 50 });
  let restarted = false;
  return async () => {
    if (restarted) return;
    restarted = true;
    const log = openSync(path.join(STATE, 'logs', `${cluster.name}-apiserver.log`), 'a');
    // Its own session, as up.sh starts it, so it outlives this test process.
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    writeFileSync(pidFile, `${child.pid}\n`);
    await waitFor(`${cluster.name}-apiserver ready again`, async () => (await cluster.request('GET', '/readyz')).status === 200, { timeoutMs: 120_000, intervalMs: 250 });
  };
}
