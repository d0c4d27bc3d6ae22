// The operator as a child process of the e2e suite: `node dist/govcloud.js operator` (the bundle the image runs)
// against the hub of the kubeconfig under test, as the chart's ServiceAccount govcloud-operator
// (the token kubeconfig registerDataCentres writes; the members' Secrets hold theirs), its JSON log kept in .local/e2e/ (and its
// last lines printed when a test fails), its port read from the log, its metrics and
// readiness queried over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { ROOT, govcloudBin, hubCluster, waitFor } from '../harness/index.ts';
import { operatorKubeconfig } from './platform.ts';

const LOG_DIR = path.join(ROOT, '.local', 'e2e');
let started = 0;

export class OperatorProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly lines: string[] = [];
  port = 0;
  private readonly log: WriteStream;
  private readonly exit: Promise<number | null>;
  private exitCode: number | null | undefined;
  /** The signal that ended it, if one did. */
  signal: NodeJS.Signals | null = null;

  private constructor(label: string, child: ChildProcess, logFile: string) {
    this.label = label;
    this.child = child;
    this.logFile = logFile;
    this.log = createWriteStream(logFile);
    let partial = '';
    const take = (chunk: Buffer) => {
      this.log.write(chunk);
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts.filter(Boolean));
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exit = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        this.log.end();
        resolve(this.exitCode);
      }),
    );
  }

  /** Starts an operator replica and waits for its probe port (not for leadership). */
  static async start(label: string, extra: string[] = []): Promise<OperatorProcess> {
    mkdirSync(LOG_DIR, { recursive: true });
    const logFile = path.join(LOG_DIR, `operator-${++started}-${label}.log`);
    const args = [govcloudBin(), 'operator', '--kubeconfig', operatorKubeconfig(hubCluster()), '--context', hubCluster().name, '--metrics-port', '0', '--log-level', 'debug', ...extra];
    const env = { ...process.env };
    delete env.GOVCLOUD_POD_NAME;
    delete env.GOVCLOUD_NAMESPACE;
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const op = new OperatorProcess(label, child, logFile);
    await waitFor(`operator ${label} to listen`, () => {
      if (op.exitCode !== undefined) throw new Error(`operator ${label} exited (${op.exitCode}):\n${op.tail()}`);
      const line = op.lines.find((l) => l.includes('"govcloud operator started"'));
      return line ? (JSON.parse(line) as { port: number }).port : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 }).then((port) => (op.port = port));
    return op;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Its leader-election identity: host name and pid. */
  get identity(): string {
    return `${hostname()}_${this.pid}`;
  }

  running(): boolean {
    return this.exitCode === undefined;
  }

  async http(pathname: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${pathname}`, { signal: AbortSignal.timeout(5000) });
    return { status: res.status, text: await res.text() };
  }

  /** The sum of a metric's samples whose labels include `labels`. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    const { text } = await this.http('/metrics');
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
    }
    return sum;
  }

  async isLeader(): Promise<boolean> {
    return (await this.metric('leader_election_master_status', { name: 'govcloud-operator' })) === 1;
  }

  async waitLeader(timeoutMs = 40_000): Promise<void> {
    await waitFor(`operator ${this.label} to lead`, async () => {
      if (!this.running()) throw new Error(`operator ${this.label} exited:\n${this.tail()}`);
      return (await this.isLeader()) && this.lines.some((l) => l.includes('"controllers started"'));
    }, { timeoutMs, intervalMs: 250 });
  }

  /** Writes this replica made through its controllers (apply, delete, status), all clusters. */
  writes(): Promise<number> {
    return this.metric('govcloud_object_writes_total');
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running()) this.child.kill(signal);
  }

  /** Resolves with the exit code (null when a signal ended it) once the process ended (bounded). */
  async exited(timeoutMs = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`operator ${this.label} still running after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exit, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM and wait; SIGKILL if it does not stop in time. Returns the exit code. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running()) return this.exitCode ?? null;
    this.kill('SIGTERM');
    try {
      return await this.exited(timeoutMs);
    } catch (err) {
      this.kill('SIGKILL');
      await this.exited(5000).catch(() => undefined);
      throw err;
    }
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
