// When each bench agency first became Ready, from a watch on the hub.
import { sleep } from '../e2e/harness/operator-child.ts';
import { agencyReady, type AgencyState } from './bench-objects.ts';
import { BENCH_LABEL } from './agencies.ts';
import { G } from './config.ts';
import type { Kube, Listed } from './kube.ts';
import { say } from './progress.ts';

/** Watches the bench agencies: when each first became Ready (for its generation). */
export class ReadyWatch {
  readonly readyAt = new Map<string, number>();
  private readonly abort = new AbortController();
  private done: Promise<void> | undefined;
  private readonly hub: Kube;
  private readonly run: string;
  private readonly t0: number;
  constructor(hub: Kube, run: string, t0: number) {
    this.hub = hub;
    this.run = run;
    this.t0 = t0;
  }

  start(): void {
    const selector = encodeURIComponent(`${BENCH_LABEL}=${this.run}`);
    const loop = async () => {
      while (!this.abort.signal.aborted) {
        try {
          const list = await this.hub.call<Listed<AgencyState>>('GET', `${G}/agencies?labelSelector=${selector}`);
          for (const a of list.items) this.see(a);
          await this.hub.watch<AgencyState>(
            `${G}/agencies?watch=1&labelSelector=${selector}&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1800`,
            (e) => {
              if (e.type === 'ADDED' || e.type === 'MODIFIED') this.see(e.object);
            },
            this.abort.signal,
          );
        } catch (err) {
          if (!this.abort.signal.aborted) {
            say(`    (agency watch: ${(err as Error).message}; watching again)`);
            await sleep(1000);
          }
        }
      }
    };
    this.done = loop();
  }

  private see(a: AgencyState): void {
    if (!this.readyAt.has(a.metadata.name) && agencyReady(a)) this.readyAt.set(a.metadata.name, (performance.now() - this.t0) / 1000);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
