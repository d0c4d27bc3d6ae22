// The operator under test: `node dist/govcloud.js operator` (the bundle the image runs) as a child process
// (leader election on, --metrics-port 0), its JSON log in a file, its port read from the
// `govcloud operator started` line, its metrics over HTTP and its memory from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface OperatorOptions {
  root: string;
  /** The Node binary to run it with. */
  node: string;
  /** NODE_OPTIONS for the operator (experiments only: the bench's results record them). */
  nodeOptions?: string;
  kubeconfig: string;
  context: string;
  logFile: string;
  extraArgs?: string[];
}

export class Operator {
  readonly child: ChildProcess;
  readonly logFile: string;
  port = 0;
  private lines: string[] = [];
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exit: Promise<void>;

  private constructor(child: ChildProcess, logFile: string) {
    this.child = child;
    this.logFile = logFile;
    const log = createWriteStream(logFile);
    let partial = '';
    const take = (chunk: Buffer) => {
      log.write(chunk);
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      // Only what the bench looks for, so a long run does not keep its whole log in memory.
      for (const l of parts) if (l.includes('"govcloud operator started"') || l.includes('"controllers started"') || l.includes('"level":50') || l.includes('"level":60')) this.lines.push(l);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exit = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exited = { code, signal };
        log.end();
        resolve();
      }),
    );
  }

  static async start(opts: OperatorOptions): Promise<Operator> {
    const args = [path.join(opts.root, 'dist', 'govcloud.js'), 'operator', '--kubeconfig', opts.kubeconfig, '--context', opts.context, '--metrics-port', '0', '--leader-elect=true', ...(opts.extraArgs ?? [])];
    const env = { ...process.env };
    delete env.GOVCLOUD_NAMESPACE;
    delete env.GOVCLOUD_LEADER_ELECTION;
    delete env.GOVCLOUD_LOG_LEVEL;
    if (opts.nodeOptions) env.NODE_OPTIONS = opts.nodeOptions;
    else delete env.NODE_OPTIONS;
    const child = spawn(opts.node, args, { cwd: opts.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    const op = new Operator(child, opts.logFile);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`the operator could not be started: ${spawnError.message}`);
      if (op.exited) throw new Error(`the operator exited at start (${op.exited.code ?? op.exited.signal}); see ${opts.logFile}`);
      const line = op.lines.find((l) => l.includes('"govcloud operator started"'));
      if (line) {
        op.port = (JSON.parse(line) as { port: number }).port;
        return op;
      }
      await sleep(100);
    }
    op.kill('SIGKILL');
    throw new Error(`the operator did not start listening within 60 s; see ${opts.logFile}`);
  }

  get pid(): number {
    return this.child.pid!;
  }

  running(): boolean {
    return this.exited === undefined;
  }

  controllersStarted(): boolean {
    return this.lines.some((l) => l.includes('"controllers started"'));
  }

  errorLines(): string[] {
    return this.lines.filter((l) => l.includes('"level":50') || l.includes('"level":60'));
  }

  async metricsText(): Promise<string> {
    const res = await fetch(`http://127.0.0.1:${this.port}/metrics`, { signal: AbortSignal.timeout(10_000) });
    return await res.text();
  }

  /** Sum of a metric's samples whose labels include `labels`. */
  static metric(text: string, name: string, labels: Record<string, string> = {}): number {
    let sum = 0;
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const have = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
    }
    return sum;
  }

  /** Samples of one metric, each with its labels. */
  static samples(text: string, name: string): { labels: Record<string, string>; value: number }[] {
    const out: { labels: Record<string, string>; value: number }[] = [];
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const labels = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1]!, x[2]!]));
      out.push({ labels, value: Number(m[4]) });
    }
    return out;
  }

  /** VmHWM (peak resident set) and VmRSS of the process, in bytes, from /proc/<pid>/status. */
  memory(): { peakRss: number; rss: number } | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
      return { peakRss: kb('VmHWM'), rss: kb('VmRSS') };
    } catch {
      return undefined;
    }
  }

  /** CPU seconds (user + system) the process has used, from /proc/<pid>/stat. */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat (11 and 12 after the command).
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return NaN;
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running()) this.child.kill(signal);
  }

  /** SIGTERM (it finishes in-flight work and releases its lease), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (!this.running()) return;
    this.kill('SIGTERM');
    const done = await Promise.race([this.exit.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!done) {
      this.kill('SIGKILL');
      await Promise.race([this.exit, sleep(5000)]);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
