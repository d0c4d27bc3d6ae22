// The operator under test: `node dist/govcloud.js operator` (the bundle the image runs) as a child
// process (leader election on, --metrics-port 0), run by the harness's OperatorChild as the e2e
// suite runs it, plus what the bench measures of it: its memory and CPU from /proc.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { OperatorChild } from '../e2e/harness/operator-child.ts';

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

// The operator's pino logs name their level (`"level":"error"`); numbers are pino's default.
const isError = (l: string) => /"level":("error"|"fatal"|50|60)[,}]/.test(l);
/** What V8 prints on stderr when the heap limit is reached. */
const OUT_OF_HEAP = /heap out of memory|Reached heap limit/;

export class Operator {
  private readonly proc: OperatorChild;

  private constructor(proc: OperatorChild) {
    this.proc = proc;
  }

  static async start(opts: OperatorOptions): Promise<Operator> {
    const env = { ...process.env };
    delete env.GOVCLOUD_NAMESPACE;
    delete env.GOVCLOUD_LEADER_ELECTION;
    delete env.GOVCLOUD_LOG_LEVEL;
    for (const name of Object.keys(env)) if (name.startsWith('GOVCLOUD_LEADER_ELECT_')) delete env[name];
    if (opts.nodeOptions) env.NODE_OPTIONS = opts.nodeOptions;
    else delete env.NODE_OPTIONS;
    const proc = await OperatorChild.start({
      node: opts.node,
      bin: path.join(opts.root, 'dist', 'govcloud.js'),
      cwd: opts.root,
      args: ['--kubeconfig', opts.kubeconfig, '--context', opts.context, '--metrics-port', '0', '--leader-elect=true', ...(opts.extraArgs ?? [])],
      env,
      logFile: opts.logFile,
      // Only what the bench looks for, so a long run does not keep its whole log in memory.
      keep: (l) => l.includes('"controllers started"') || isError(l) || OUT_OF_HEAP.test(l),
    });
    return new Operator(proc);
  }

  get logFile(): string {
    return this.proc.logFile;
  }

  get pid(): number {
    return this.proc.pid;
  }

  running(): boolean {
    return this.proc.running();
  }

  /** How it ended: its exit code, or the signal that ended it; undefined while it runs. */
  ended(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.proc.ended;
  }

  controllersStarted(): boolean {
    return this.proc.lines.some((l) => l.includes('"controllers started"'));
  }

  /** Whether it died because its V8 heap reached the limit NODE_OPTIONS set. */
  outOfHeap(): boolean {
    return this.proc.lines.some((l) => OUT_OF_HEAP.test(l));
  }

  errorLines(): string[] {
    return this.proc.lines.filter(isError);
  }

  metricsText(): Promise<string> {
    return this.proc.metricsText();
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
    this.proc.kill(signal);
  }

  /** SIGTERM (it finishes in-flight work and releases its lease), SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 30_000): Promise<void> {
    // A replica that had to be killed has still stopped: the bench goes on measuring.
    await this.proc.stop(timeoutMs).catch(() => undefined);
  }
}
