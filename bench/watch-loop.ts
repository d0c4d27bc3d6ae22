// A watch that keeps going: started from a list's resourceVersion, resumed from the last
// event's when the server ends it, until stopped.
import { sleep } from '../e2e/harness/operator-child.ts';
import type { Kube, Listed } from './kube.ts';
import { say } from './progress.ts';

export interface Watched {
  metadata: { name: string; resourceVersion?: string; deletionTimestamp?: string; labels?: Record<string, string> };
}

export class WatchLoop<T extends Watched> {
  private readonly abort = new AbortController();
  private done: Promise<void> | undefined;

  private readonly k: Kube;
  private readonly path: string;
  private readonly onEvent: (type: string, object: T, at: number) => void;

  /** `path`: a collection with its query (label or field selector), without watch parameters; `at` is performance.now(). */
  constructor(k: Kube, path: string, onEvent: (type: string, object: T, at: number) => void) {
    this.k = k;
    this.path = path;
    this.onEvent = onEvent;
  }

  /** Lists, then watches; resolves with the list's items once it is in. */
  async start(): Promise<T[]> {
    const list = await this.k.call<Listed<T>>('GET', this.path);
    let rv = list.metadata.resourceVersion;
    const sep = this.path.includes('?') ? '&' : '?';
    const loop = async () => {
      while (!this.abort.signal.aborted) {
        try {
          await this.k.watch<T>(
            `${this.path}${sep}watch=1&allowWatchBookmarks=false&resourceVersion=${rv}&timeoutSeconds=3600`,
            (e) => {
              if (e.object.metadata?.resourceVersion) rv = e.object.metadata.resourceVersion;
              this.onEvent(e.type, e.object, performance.now());
            },
            this.abort.signal,
          );
        } catch (err) {
          if (!this.abort.signal.aborted) {
            say(`    (watch ${this.k.name} ${this.path}: ${(err as Error).message}; watching again)`);
            await sleep(1000);
          }
        }
      }
    };
    this.done = loop();
    return list.items;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
