// The local platform is shared with e2e runs, other operators and other benches on this
// machine: claiming it, waiting for quiet before each measured phase, noting what disturbed a
// phase, and the tools the bench runs (the pinned Node, kubectl, local.sh register).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { sleep } from '../e2e/harness/operator-child.ts';
import { CONFIG, LOCAL, ROOT } from './config.ts';
import { isInterrupted, say, waitUntil } from './progress.ts';

export interface Proc {
  pid: number;
  cmd: string;
}

export function pgrep(pattern: string): Proc[] {
  const r = spawnSync('pgrep', ['-fa', pattern], { encoding: 'utf8' });
  return (r.stdout ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => ({ pid: Number(l.slice(0, l.indexOf(' '))), cmd: l.slice(l.indexOf(' ') + 1) }))
    .filter((p) => p.pid !== process.pid && !ownPids.has(p.pid));
}

export const ownPids = new Set<number>();
// Any govcloud operator: the bundle (`make up`, the e2e suite) or the sources run by hand.
export const OPERATOR_CMDLINE = 'govcloud\\.(js|ts) operator';

export function e2eRunning(): Proc[] {
  return [...pgrep('uvu/bin.js e2e'), ...pgrep('run-e2e')];
}

export function makeUpOperatorPid(): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(LOCAL, 'operator.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a process works in this tree, and so on this platform (its state lives in this
 * tree's .local/): its working directory or its command line is here. Other copies of the
 * tree on this machine run their own platforms.
 */
export function inThisTree(p: Proc, root = ROOT): boolean {
  const here = (dir: string) => dir === root || dir.startsWith(`${root}/`);
  if (p.cmd.split(/\s+/).some((arg) => here(arg))) return true;
  try {
    return here(readlinkSync(`/proc/${p.pid}/cwd`));
  } catch {
    return false;
  }
}

let stoppedMakeUpOperator = false;

/** Waits (bounded) until no e2e run and no other operator of this tree uses its platform; stops the `make up` operator (restored at the end). */
export async function claimPlatform(): Promise<void> {
  let lastSaid = 0;
  await waitUntil(
    'the shared platform to be free of e2e runs and other operators',
    async () => {
      const e2e = e2eRunning().filter((p) => inThisTree(p));
      const operators = pgrep(OPERATOR_CMDLINE).filter((p) => inThisTree(p));
      const makeUp = makeUpOperatorPid();
      const theirs = operators.filter((p) => p.pid !== makeUp);
      if (e2e.length === 0 && theirs.length === 0) {
        if (operators.some((p) => p.pid === makeUp)) {
          say(`stopping the \`make up\` operator (pid ${makeUp}); it is started again at the end`);
          const r = spawnSync('bash', ['e2e/operator/local.sh', 'stop'], { cwd: ROOT, stdio: 'inherit', timeout: 60_000 });
          if (r.status !== 0) throw new Error('could not stop the `make up` operator');
          stoppedMakeUpOperator = true;
        }
        return true;
      }
      if (Date.now() - lastSaid > 60_000) {
        lastSaid = Date.now();
        const busy = [...e2e, ...theirs].map((p) => `${p.pid} ${p.cmd.slice(0, 100)}`);
        say(`waiting for the shared platform (at most ${CONFIG.idleTimeoutS} s in all); running now:\n      ${busy.join('\n      ')}`);
      }
      return false;
    },
    { timeoutMs: CONFIG.idleTimeoutS * 1000, intervalMs: 5000 },
  );
}

/**
 * Before each measured phase: waits (bounded) until no test run (e2e or unit, on this
 * platform or another one on this machine) and no other operator is running, so that the
 * phase has the machine's CPUs to itself. After the bound it goes on and notes it.
 */
export async function awaitQuiet(phase: string): Promise<void> {
  const busy = () => [...e2eRunning(), ...pgrep('uvu/bin.js'), ...pgrep(OPERATOR_CMDLINE)].filter((p, i, all) => all.findIndex((q) => q.pid === p.pid) === i);
  if (busy().length === 0) return;
  const t0 = Date.now();
  let lastSaid = 0;
  try {
    await waitUntil(
      `quiet before ${phase}`,
      () => {
        const now = busy();
        if (now.length === 0) return true;
        if (Date.now() - lastSaid > 60_000) {
          lastSaid = Date.now();
          say(
            `${phase}: waiting until other test runs finish (they share the CPUs):\n      ${now.map((p) => `${p.pid} ${p.cmd.slice(0, 100)}`).join('\n      ')}`,
          );
        }
        return false;
      },
      { timeoutMs: CONFIG.idleTimeoutS * 1000, intervalMs: 2000 },
    );
    // Let the clusters settle after what ran (namespace deletions of a finished suite).
    await sleep(10_000);
    say(`${phase}: quiet after ${Math.round((Date.now() - t0) / 1000)} s`);
  } catch (err) {
    if (isInterrupted()) throw err;
    noteDisturbance(`${phase} (gave up waiting)`);
  }
}

/** What else touched the platform while we measured (recorded in the results). */
export const disturbances: string[] = [];
export function noteDisturbance(phase: string): void {
  // Other test runs share the machine's CPUs even when they use no cluster of ours.
  const others = [...e2eRunning(), ...pgrep(OPERATOR_CMDLINE), ...pgrep('uvu/bin.js')];
  if (others.length > 0) {
    const msg = `${phase}: other processes ran: ${others.map((p) => `${p.pid} ${p.cmd.slice(0, 80)}`).join('; ')}`;
    if (!disturbances.includes(msg)) {
      disturbances.push(msg);
      say(`WARNING ${msg}`);
    }
  }
}

/**
 * The project's pinned Node (node_modules/node/bin/node). A concurrent `make deps` (npm ci)
 * removes it for a while: wait (bounded) until it is back.
 */
export async function nodeBinary(): Promise<string> {
  const pinned = path.join(ROOT, 'node_modules', 'node', 'bin', 'node');
  const stamp = path.join(ROOT, 'node_modules', '.installed');
  return waitUntil('node_modules to be installed (npm ci runs)', () => (existsSync(pinned) && existsSync(stamp) ? pinned : undefined), {
    timeoutMs: 600_000,
    intervalMs: 2000,
    progress: () => 'node_modules/node/bin/node missing: waiting for `make deps` to finish',
    progressEveryMs: 30_000,
  });
}

export function kubectlPath(): string {
  const r = spawnSync('bash', ['e2e/platform/build.sh', '--print-path', 'kubectl'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const p = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !existsSync(p)) throw new Error(`no kubectl (e2e/platform/build.sh --print-path kubectl): ${r.stderr}`);
  return p;
}

/** CRDs, govcloud-system, the members' kubeconfig Secrets (current ports), the DataCentres of samples/platform. */
export function register(): void {
  const reg = spawnSync('bash', ['e2e/operator/local.sh', 'register'], { cwd: ROOT, stdio: 'inherit', timeout: 180_000 });
  if (reg.status !== 0) throw new Error('registering the data centres (e2e/operator/local.sh register) failed');
}

/** Starts the `make up` operator again if claimPlatform stopped it. */
export function restartMakeUpOperator(): void {
  if (!stoppedMakeUpOperator) return;
  say('starting the `make up` operator again');
  spawnSync('bash', ['e2e/operator/local.sh', 'start'], { cwd: ROOT, stdio: 'inherit', timeout: 120_000 });
}
