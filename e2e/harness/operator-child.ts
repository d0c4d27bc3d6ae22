// `node dist/govcloud.js operator` as a child process, as the e2e suite and the bench run it:
// its JSON log written to a file, the lines the caller keeps in memory, its port read from the
// `govcloud operator started` line, its /metrics over HTTP, stopped with SIGTERM (SIGKILL when
// it does not finish in time).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { metricSum } from './prometheus.ts';

export interface OperatorChildOptions {
  /** The Node binary to run it with. */
  node: string;
  /** The bundle (or operator/bin/govcloud.ts). */
  bin: string;
  cwd: string;
  /** The arguments after `operator`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Which log lines to keep in `lines` (all by default; a long bench run keeps only a few). */
  keep?: (line: string) => boolean;
  /** How long to wait for the probe port. */
  startTimeoutMs?: number;
}

const STARTED = '"govcloud operator started"';

export class OperatorChild {
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly lines: string[] = [];
  port = 0;
  /** How it ended: the exit code, or the signal that ended it; undefined while it runs. */
  ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exit: Promise<void>;

  private constructor(child: ChildProcess, logFile: string, keep: (line: string) => boolean) {
    this.child = child;
    this.logFile = logFile;
    const log = createWriteStream(logFile);
    let partial = '';
    const take = (chunk: Buffer) => {
      log.write(chunk);
      partial += chunk.toString('utf8');
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line && (line.includes(STARTED) || keep(line))) this.lines.push(line);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    this.exit = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.ended = { code, signal };
        log.end();
        resolve();
      }),
    );
  }

  /** Starts it and waits for its probe port (not for leadership). */
  static async start(opts: OperatorChildOptions): Promise<OperatorChild> {
    const child = spawn(opts.node, [opts.bin, 'operator', ...opts.args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let spawnError: Error | undefined;
    child.on('error', (err) => (spawnError = err));
    const op = new OperatorChild(child, opts.logFile, opts.keep ?? (() => true));
    const timeoutMs = opts.startTimeoutMs ?? 60_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`the operator could not be started: ${spawnError.message}`);
      if (op.ended) throw new Error(`the operator exited at start (${op.ended.code ?? op.ended.signal}); see ${opts.logFile}`);
      const line = op.lines.find((l) => l.includes(STARTED));
      if (line) {
        op.port = (JSON.parse(line) as { port: number }).port;
        return op;
      }
      await sleep(100);
    }
    op.kill('SIGKILL');
    throw new Error(`the operator did not start listening within ${timeoutMs / 1000} s; see ${opts.logFile}`);
  }

  get pid(): number {
    return this.child.pid!;
  }

  running(): boolean {
    return this.ended === undefined;
  }

  async http(pathname: string, timeoutMs = 10_000): Promise<{ status: number; text: string }> {
    const res = await fetch(`http://127.0.0.1:${this.port}${pathname}`, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  }

  async metricsText(): Promise<string> {
    return (await this.http('/metrics')).text;
  }

  /** The sum of a metric's samples whose labels include `labels`, scraped now. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    return metricSum(await this.metricsText(), name, labels);
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running()) this.child.kill(signal);
  }

  /** Resolves with the exit code (null when a signal ended it); rejects after `timeoutMs`. */
  async exited(timeoutMs = 30_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the operator (pid ${this.pid}) still runs after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      await Promise.race([this.exit, timeout]);
      return this.ended!.code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM (it finishes in-flight work and releases its lease) and wait; SIGKILL if it does not stop in time, then throws. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.running()) return this.ended!.code;
    this.kill('SIGTERM');
    try {
      return await this.exited(timeoutMs);
    } catch (err) {
      this.kill('SIGKILL');
      await this.exited(5000).catch(() => undefined);
      throw err;
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
