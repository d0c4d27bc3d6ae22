// The operator as its Deployment runs it (restartPolicy Always): one replica at a time, and
// when a replica exits without the bench stopping it (a lost Lease, out of heap, a crash), a
// replacement started at once and the replacement recorded. What the phases read of the
// operator (metrics, memory, CPU, error lines) they read here, over every replica.
import * as path from 'node:path';
import { sleep } from '../e2e/harness/operator-child.ts';
import { metricSum } from '../e2e/harness/prometheus.ts';
import { CONFIG, ROOT } from './config.ts';
import { Operator } from './operator.ts';
import { abortWaits, checkInterrupted, isInterrupted, mb, say } from './progress.ts';
import { ownPids } from './shared-platform.ts';

export interface Replacement {
  /** Seconds since the operator phase started. */
  atSeconds: number;
  /** The bench's phase when it exited. */
  phase: string;
  /** `out of heap`, `exited with code N`, `ended by SIGNAL`. */
  cause: string;
  /** The replica that exited: its log and its last error lines (a lost Lease, say). */
  logFile: string;
  lastErrors: string[];
  /** The replacement's log and NODE_OPTIONS. */
  replacementLogFile: string;
  nodeOptions: string;
}

/** The operator died of a full heap and went on with BENCH_OPERATOR_FALLBACK_NODE_OPTIONS. */
export interface OutOfHeap {
  phase: string;
  /** Seconds since the phase started. */
  afterSeconds: number;
  /** Agencies Ready at that moment (null outside the convergence). */
  agenciesReady: number | null;
  peakRssBytes: number;
  nodeOptions: string;
  fallbackNodeOptions: string;
}

/** A metrics text and the replica it came from: counters of two scrapes compare only within one replica. */
export interface Scrape {
  text: string;
  replica: number;
}

/** The text to count a counter's growth from: `before`'s, or none when a replacement started since (its counters start at zero). */
export const countFrom = (before: Scrape, after: Scrape): string => (before.replica === after.replica ? before.text : '');

/** How much a counter grew between two scrapes (from the replacement's start when one came between). */
export const grew = (before: Scrape, after: Scrape, metric: string): number => metricSum(after.text, metric) - metricSum(countFrom(before, after), metric);

const POLL_MS = 500;
/** Replicas in a row that exit before their controllers start: then the run fails. */
const START_TRIES = 3;
/** Failed scrapes in a row of a replica that still runs: then the phase fails. */
const SCRAPE_TRIES = 5;

export interface SupervisorOptions {
  node: string;
  kubeconfig: string;
  context: string;
  /** The first replica's log; replacements log next to it (`-2.log`, `-3.log`...). */
  logFile: string;
  nodeOptions: string;
  /** More arguments of `govcloud operator`, for every replica. */
  args: string[];
}

export class Supervisor {
  readonly replacements: Replacement[] = [];
  outOfHeap: OutOfHeap | null = null;
  private readonly opts: SupervisorOptions;
  private readonly t0 = performance.now();
  private current!: Operator;
  private nodeOptions: string;
  /** 1 for the first replica, 2 for its replacement... */
  private replicaNumber = 0;
  /** Log files started so far. */
  private logs = 0;
  private phase = 'startup';
  private phaseStart = performance.now();
  private agenciesReady: (() => number) | undefined;
  private peakRss = 0;
  private lastPeakRss = 0;
  /** CPU seconds of the replicas that exited, and the last reading of the current one. */
  private cpuOfExited = 0;
  private cpuOfCurrent = 0;
  private readonly errorsOfExited: string[] = [];
  /** Replicas in a row that did not start their controllers. */
  private failedStarts = 0;
  private stopped = false;
  /** The replacement being started, if one is. */
  private replacing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(opts: SupervisorOptions) {
    this.opts = opts;
    this.nodeOptions = opts.nodeOptions;
  }

  static async start(opts: SupervisorOptions): Promise<Supervisor> {
    const s = new Supervisor(opts);
    await s.startReplica('start');
    s.timer = setInterval(() => void s.poll(), POLL_MS);
    return s;
  }

  /** The phase a replacement is recorded in; `agenciesReady` goes into an out-of-heap record. */
  enter(phase: string, agenciesReady?: () => number): void {
    this.phase = phase;
    this.phaseStart = performance.now();
    this.agenciesReady = agenciesReady;
  }

  running(): boolean {
    return !this.stopped && this.current.running();
  }

  controllersStarted(): boolean {
    return this.current.controllersStarted();
  }

  /** The current replica's metrics; while a replica is being replaced, the replacement's. */
  async scrape(): Promise<Scrape> {
    let failedScrapes = 0;
    for (;;) {
      checkInterrupted();
      if (this.stopped) throw new Error('the operator was stopped');
      const op = this.current;
      const replica = this.replicaNumber;
      if (!this.replacing && op.running()) {
        try {
          return { text: await op.metricsText(), replica };
        } catch (err) {
          // A replica that died during the scrape: its exit is seen a moment later. A live one
          // may fail a scrape too (a pooled connection to a port an exited replica had): tried again.
          await sleep(1000);
          if (op === this.current && op.running() && ++failedScrapes >= SCRAPE_TRIES) throw err;
        }
      } else await sleep(250);
    }
  }

  async metricsText(): Promise<string> {
    return (await this.scrape()).text;
  }

  /** VmHWM over every replica, and the current replica's VmRSS, in bytes. */
  memory(): { peakRss: number; rss: number } | undefined {
    const m = this.current.memory();
    if (m) this.peakRss = Math.max(this.peakRss, m.peakRss);
    if (!m && !this.peakRss) return undefined;
    return { peakRss: this.peakRss, rss: m?.rss ?? NaN };
  }

  /** CPU seconds of every replica so far (an exited one's as last read). */
  cpuSeconds(): number {
    this.sampleCpu();
    return this.cpuOfExited + this.cpuOfCurrent;
  }

  errorLines(): string[] {
    return [...this.errorsOfExited, ...this.current.errorLines()];
  }

  /** Stops the current replica (SIGTERM); no replacement after it. */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.replacing;
    this.sampleCpu();
    await this.current.stop(timeoutMs);
  }

  private sampleCpu(): void {
    const cpu = this.current.cpuSeconds();
    if (Number.isFinite(cpu)) this.cpuOfCurrent = cpu;
  }

  private sample(): void {
    const m = this.current.memory();
    if (m) {
      this.peakRss = Math.max(this.peakRss, m.peakRss);
      this.lastPeakRss = m.peakRss;
    }
    this.sampleCpu();
    if (this.current.controllersStarted()) this.failedStarts = 0;
  }

  private async poll(): Promise<void> {
    // Ctrl-C reaches the operator too (one process group): the bench is ending, nothing to replace.
    if (this.stopped || this.replacing || isInterrupted()) return;
    if (this.current.running()) {
      this.sample();
      return;
    }
    this.replacing = this.replace().catch((err: unknown) => {
      clearInterval(this.timer);
      abortWaits(err as Error);
    });
    await this.replacing;
    this.replacing = undefined;
  }

  private async replace(): Promise<void> {
    const dead = this.current;
    const ended = dead.ended();
    const outOfHeap = dead.outOfHeap();
    const cause = outOfHeap ? 'out of heap' : ended?.signal ? `ended by ${ended.signal}` : `exited with code ${ended?.code ?? '?'}`;
    const lastErrors = dead.errorLines().slice(-5);
    this.errorsOfExited.push(...dead.errorLines());
    this.cpuOfExited += this.cpuOfCurrent;
    this.cpuOfCurrent = 0;
    if (!dead.controllersStarted()) this.failedStarts++;
    if (this.failedStarts >= START_TRIES)
      throw new Error(`the operator exited ${START_TRIES} times in a row before its controllers started (${cause}); see ${path.relative(ROOT, dead.logFile)}`);
    const seconds = (performance.now() - this.t0) / 1000;
    // Out of heap with the settings measured: recorded, and the rest of the run goes on with a
    // larger heap (an experiment, said so) so that its other phases are still measured.
    if (outOfHeap && CONFIG.fallbackNodeOptions && this.nodeOptions !== CONFIG.fallbackNodeOptions) {
      this.outOfHeap = {
        phase: this.phase,
        afterSeconds: (performance.now() - this.phaseStart) / 1000,
        agenciesReady: this.agenciesReady?.() ?? null,
        peakRssBytes: this.lastPeakRss || NaN,
        nodeOptions: this.nodeOptions,
        fallbackNodeOptions: CONFIG.fallbackNodeOptions,
      };
      say(
        `${this.phase}: the operator RAN OUT OF HEAP after ${this.outOfHeap.afterSeconds.toFixed(0)} s${this.outOfHeap.agenciesReady === null ? '' : ` with ${this.outOfHeap.agenciesReady} agencies Ready`} (peak RSS ${mb(this.outOfHeap.peakRssBytes)}); EXPERIMENT from here: NODE_OPTIONS=${CONFIG.fallbackNodeOptions}`,
      );
      this.nodeOptions = CONFIG.fallbackNodeOptions;
    }
    say(
      `${this.phase}: OPERATOR REPLACED: replica ${this.replicaNumber} (pid ${dead.pid}) ${cause} ${seconds.toFixed(0)} s into the operator phase${lastErrors.length ? `; its last errors: ${lastErrors.map(errorMessage).join(' | ')}` : '; no error in its log'}; starting a replacement, as its Deployment would`,
    );
    await this.startReplica(cause);
    if (this.stopped) return;
    this.replacements.push({
      atSeconds: seconds,
      phase: this.phase,
      cause,
      logFile: path.relative(ROOT, dead.logFile),
      lastErrors,
      replacementLogFile: path.relative(ROOT, this.current.logFile),
      nodeOptions: this.nodeOptions,
    });
    say(`${this.phase}: replica ${this.replicaNumber} started (pid ${this.current.pid}, log ${path.relative(ROOT, this.current.logFile)})`);
  }

  private async startReplica(after: string): Promise<void> {
    while (!this.stopped) {
      // The first replica's log is the one named; every later start (a retry too) gets the next number.
      const logFile = this.logs++ === 0 ? this.opts.logFile : this.opts.logFile.replace(/\.log$/, `-${this.logs}.log`);
      try {
        const op = await Operator.start({
          root: ROOT,
          node: this.opts.node,
          kubeconfig: this.opts.kubeconfig,
          context: this.opts.context,
          logFile,
          extraArgs: this.opts.args,
          ...(this.nodeOptions ? { nodeOptions: this.nodeOptions } : {}),
        });
        ownPids.add(op.pid);
        this.current = op;
        this.replicaNumber++;
        return;
      } catch (err) {
        if (++this.failedStarts >= START_TRIES)
          throw new Error(`the operator could not start ${START_TRIES} times in a row (after: ${after}): ${(err as Error).message}`);
        say(`the operator did not start (${(err as Error).message}); trying again in ${2 * this.failedStarts} s`);
        await sleep(2000 * this.failedStarts);
      }
    }
  }
}

/** The message and error of a pino line, for a progress line. */
function errorMessage(line: string): string {
  try {
    const o = JSON.parse(line) as { msg?: string; err?: unknown };
    return [o.msg, typeof o.err === 'string' ? o.err : (o.err as { message?: string } | undefined)?.message].filter(Boolean).join(': ');
  } catch {
    return line.slice(0, 200);
  }
}
