// The operator as a child process of the e2e suite: `node dist/govcloud.js operator` (the bundle the image runs)
// against the hub of the kubeconfig under test, as the chart's ServiceAccount govcloud-operator
// (the token kubeconfig registerDataCentres writes; the members' Secrets hold theirs), its JSON log kept in .local/e2e/ (and its
// last lines printed when a test fails). The process itself is the harness's OperatorChild,
// which the bench runs too.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { ROOT, govcloudBin, hubCluster, waitFor } from '../harness/index.ts';
import { OperatorChild } from '../harness/operator-child.ts';
import { operatorKubeconfig } from './platform.ts';

const LOG_DIR = path.join(ROOT, '.local', 'e2e');
let started = 0;

export class OperatorProcess {
  readonly label: string;
  private readonly proc: OperatorChild;

  private constructor(label: string, proc: OperatorChild) {
    this.label = label;
    this.proc = proc;
  }

  /** Starts an operator replica and waits for its probe port (not for leadership). */
  static async start(label: string, extra: string[] = []): Promise<OperatorProcess> {
    mkdirSync(LOG_DIR, { recursive: true });
    const env = { ...process.env };
    delete env.GOVCLOUD_POD_NAME;
    delete env.GOVCLOUD_NAMESPACE;
    const proc = await OperatorChild.start({
      node: process.execPath,
      bin: govcloudBin(),
      cwd: ROOT,
      args: ['--kubeconfig', operatorKubeconfig(hubCluster()), '--context', hubCluster().name, '--metrics-port', '0', '--log-level', 'debug', ...extra],
      env,
      logFile: path.join(LOG_DIR, `operator-${++started}-${label}.log`),
      startTimeoutMs: 30_000,
    });
    return new OperatorProcess(label, proc);
  }

  get logFile(): string {
    return this.proc.logFile;
  }

  /** Every line it has logged. */
  get lines(): string[] {
    return this.proc.lines;
  }

  get port(): number {
    return this.proc.port;
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** The signal that ended it, if one did. */
  get signal(): NodeJS.Signals | null {
    return this.proc.ended?.signal ?? null;
  }

  /** Its leader-election identity: host name and pid. */
  get identity(): string {
    return `${hostname()}_${this.pid}`;
  }

  running(): boolean {
    return this.proc.running();
  }

  http(pathname: string): Promise<{ status: number; text: string }> {
    return this.proc.http(pathname, 5000);
  }

  /** The sum of a metric's samples whose labels include `labels`. */
  metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return this.proc.metric(name, labels);
  }

  async isLeader(): Promise<boolean> {
    return (await this.metric('leader_election_master_status', { name: 'govcloud-operator' })) === 1;
  }

  async waitLeader(timeoutMs = 40_000): Promise<void> {
    await waitFor(
      `operator ${this.label} to lead`,
      async () => {
        if (!this.running()) throw new Error(`operator ${this.label} exited:\n${this.tail()}`);
        return (await this.isLeader()) && this.lines.some((l) => l.includes('"controllers started"'));
      },
      { timeoutMs, intervalMs: 250 },
    );
  }

  /** Writes this replica made through its controllers (apply, delete, status), all clusters. */
  writes(): Promise<number> {
    return this.metric('govcloud_object_writes_total');
  }

  kill(signal: NodeJS.Signals): void {
    this.proc.kill(signal);
  }

  /** Resolves with the exit code (null when a signal ended it) once the process ended (bounded). */
  exited(timeoutMs = 30_000): Promise<number | null> {
    return this.proc.exited(timeoutMs);
  }

  /** SIGTERM and wait; SIGKILL if it does not stop in time. Returns the exit code. */
  stop(timeoutMs = 30_000): Promise<number | null> {
    return this.proc.stop(timeoutMs);
  }

  /** The last log lines, shortened, for failure messages. */
  tail(n = 15): string {
    return this.lines
      .slice(-n)
      .map((l) => {
        try {
          const j = JSON.parse(l) as { level?: string; msg?: string; err?: unknown; [k: string]: unknown };
          const { level, msg, time: _t, service: _s, ...rest } = j;
          return `  ${level} ${msg} ${JSON.stringify(rest).slice(0, 300)}`;
        } catch {
          return `  ${l.slice(0, 300)}`;
        }
      })
      .join('\n');
  }
}
