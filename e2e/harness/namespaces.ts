// Every test gets its own namespaces with unique names, deleted again after the test.
import { randomBytes } from 'node:crypto';
import type { Cluster } from './clusters.ts';
import { waitFor } from './wait.ts';

export const E2E_LABEL = 'govcloud.dev/e2e';
/** One id per suite process, stamped on every namespace it makes (to find leftovers). */
export const RUN_ID = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;

/** A DNS-1123 label: prefix from the test's name, a random suffix, at most 63 characters. */
export function uniqueName(hint: string): string {
  const slug = hint
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `e2e-${slug || 'test'}-${randomBytes(3).toString('hex')}`;
}

interface Made {
  cluster: Cluster;
  name: string;
}

/** A controller-manager that lost its API server for a while comes back with backoff. */
const SERVICE_ACCOUNT_TIMEOUT_MS = 120_000;

/** Makes namespaces and remembers them for cleanup. */
export class Namespaces {
  private readonly made: Made[] = [];
  private readonly deleted: Made[] = [];

  /** Creates a fresh namespace named after `hint` in `cluster` and returns its name. */
  async create(cluster: Cluster, hint: string): Promise<string> {
    const name = uniqueName(hint);
    await cluster.core.createNamespace({
      body: { metadata: { name, labels: { [E2E_LABEL]: 'true', [`${E2E_LABEL}-run`]: RUN_ID } } },
    });
    this.made.push({ cluster, name });
    // The service-account admission needs the "default" ServiceAccount before pods can be made.
    await waitFor(
      `ServiceAccount default in ${cluster.name}/${name}`,
      async () => {
        try {
          return await cluster.core.readNamespacedServiceAccount({ name: 'default', namespace: name });
        } catch {
          return undefined;
        }
      },
      { timeoutMs: SERVICE_ACCOUNT_TIMEOUT_MS },
    );
    return name;
  }

  /** The same fresh name in every given cluster (for tests spanning data centres). */
  async createEverywhere(clusters: Cluster[], hint: string): Promise<string> {
    const name = uniqueName(hint);
    for (const cluster of clusters) {
      await cluster.core.createNamespace({
        body: { metadata: { name, labels: { [E2E_LABEL]: 'true', [`${E2E_LABEL}-run`]: RUN_ID } } },
      });
      this.made.push({ cluster, name });
    }
    return name;
  }

  /**
   * Deletes every namespace made so far; with `waitMs` > 0 also waits (bounded) until they are
   * gone. Errors are collected, not thrown half-way, so one failure does not leak the rest.
   */
  async cleanup({ waitMs = 0 } = {}): Promise<void> {
    const todo = this.made.splice(0);
    this.deleted.push(...todo);
    const errors: string[] = [];
    await Promise.all(
      todo.map(async ({ cluster, name }) => {
        try {
          await cluster.core.deleteNamespace({ name, propagationPolicy: 'Background' });
        } catch (err) {
          if ((err as { code?: number }).code !== 404) errors.push(`${cluster.name}/${name}: ${(err as Error).message}`);
        }
      }),
    );
    if (waitMs > 0)
      await this.awaitGone(waitMs, todo).catch((err: Error) => {
        errors.push(err.message);
      });
    if (errors.length) throw new Error(`namespace cleanup failed:\n  ${errors.join('\n  ')}`);
  }

  /** Waits (bounded) until every namespace deleted so far is gone from its cluster. */
  async awaitGone(waitMs: number, which: Made[] = this.deleted.splice(0)): Promise<void> {
    const errors: string[] = [];
    await Promise.all(
      which.map(({ cluster, name }) =>
        waitFor(
          `namespace ${cluster.name}/${name} to be deleted`,
          async () => {
            try {
              await cluster.core.readNamespace({ name });
              return false;
            } catch (err) {
              return (err as { code?: number }).code === 404;
            }
          },
          { timeoutMs: waitMs },
        ).catch((err: Error) => {
          errors.push(err.message);
        }),
      ),
    );
    if (errors.length) throw new Error(`namespaces not gone:\n  ${errors.join('\n  ')}`);
  }
}
