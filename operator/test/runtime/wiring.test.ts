// The runtime wired as a controller uses it, against an in-memory "API server": informers fed
// by fake watches, an applier and status writer whose writes come back as watch events. It
// checks the property the whole design is for: once converged, reconciling again (as every
// child event and resync does) makes no mutating request.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  Applier,
  Controller,
  Informer,
  RuntimeMetrics,
  StatusWriter,
  createLogger,
  enqueueHandlers,
  identity,
  objectKey,
  ownerKeysFromLabels,
  standardConditions,
  type ListWatchSource,
  type ObjectWriter,
  type StatusClient,
  type Condition,
} from '../../src/runtime/index.ts';
import { FakeClock, settle } from './fake-clock.ts';

type Obj = KubernetesObject & { spec?: { namespaces?: string[] }; status?: { conditions?: Condition[]; observedGeneration?: number } };

/** A list-watch source whose objects the test (or the fake writers) change. */
class MemoryKind implements ListWatchSource<Obj> {
  private readonly objects = new Map<string, Obj>();
  private readonly watchers = new Set<(type: string, obj: unknown) => void>();
  private rv = 1;
  async list() {
    return { items: [...this.objects.values()].map((o) => structuredClone(o)), metadata: { resourceVersion: String(this.rv) } };
  }
  async watch(_rv: string, onEvent: (type: string, obj: unknown) => void) {
    this.watchers.add(onEvent);
    return { abort: () => this.watchers.delete(onEvent) };
  }
  put(obj: Obj): void {
    const key = identity(obj);
    const type = this.objects.has(key) ? 'MODIFIED' : 'ADDED';
    const stored = { ...structuredClone(obj), metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    this.objects.set(key, stored);
    for (const w of this.watchers) w(type, structuredClone(stored));
  }
  remove(obj: Obj): void {
    const key = identity(obj);
    const stored = this.objects.get(key);
    if (!stored) return;
    this.objects.delete(key);
    for (const w of this.watchers) w('DELETED', structuredClone(stored));
  }
  get(obj: Obj): Obj | undefined {
    return this.objects.get(identity(obj));
  }
}

test('a converged controller makes zero writes when reconciling again', async () => {
  const clock = new FakeClock();
  const metrics = new RuntimeMetrics();
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const tenantsApi = new MemoryKind();
  const namespacesApi = new MemoryKind();
  const writes: string[] = [];

  const writer: ObjectWriter = {
    async apply(obj) {
      writes.push(`apply ${identity(obj)}`);
      namespacesApi.put({ ...(namespacesApi.get(obj) ?? {}), ...obj, metadata: { ...namespacesApi.get(obj)?.metadata, ...obj.metadata } });
    },
    async replace(obj) {
      writes.push(`replace ${identity(obj)}`);
      namespacesApi.put(obj);
    },
    async delete(obj) {
      writes.push(`delete ${identity(obj)}`);
      namespacesApi.remove(obj);
    },
  };
  const statusClient: StatusClient = {
    async applyStatus(target, status) {
      writes.push(`status ${target.metadata.name}`);
      const live = tenantsApi.get(target as Obj)!;
      tenantsApi.put({ ...live, status: { ...live.status, ...status } });
    },
  };

  const tenants = new Informer<Obj>({ name: 'mgmt/tenants', source: tenantsApi, clock });
  const namespaces = new Informer<Obj>({ name: 'mgmt/namespaces', source: namespacesApi, clock });
  const applier = new Applier({ writer, fieldManager: 'govcloud-tenant' });
  const statusWriter = new StatusWriter({ client: statusClient, fieldManager: 'govcloud-tenant' });

  const controller = new Controller({
    name: 'tenant',
    metrics,
    logger,
    clock,
    reconcile: async (req) => {
      const tenant = tenants.get(req.namespace, req.name);
      if (!tenant) return;
      const ownerLabels = { 'govcloud.io/tenant': req.name };
      const desired = (tenant.spec?.namespaces ?? []).map((ns) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
      await applier.sync({
        desired,
        live: namespaces.listBySelector({ matchLabels: ownerLabels }),
        ownerLabels,
        mayDelete: () => true, // this tenant's spec explicitly dropped the namespace
      });
      const conditions = standardConditions(tenant.status?.conditions, { state: 'ready' }, tenant.metadata?.generation, clock.now());
      await statusWriter.write(tenant, { conditions, observedGeneration: tenant.metadata?.generation });
    },
  });
  tenants.addHandlers(
    enqueueHandlers(
      (k) => controller.enqueue(k),
      (t: Obj) => [objectKey('mgmt', t)],
    ),
  );
  namespaces.addHandlers(
    enqueueHandlers(
      (k) => controller.enqueue(k),
      (n: Obj) => ownerKeysFromLabels(n, { cluster: 'mgmt', nameLabel: 'govcloud.io/tenant' }),
    ),
  );

  tenantsApi.put({ apiVersion: 'govcloud.io/v1', kind: 'Tenant', metadata: { name: 'tax', generation: 1 }, spec: { namespaces: ['tax-a', 'tax-b'] } });
  tenants.start();
  namespaces.start();
  await tenants.waitForSync();
  await namespaces.waitForSync();
  controller.start();
  await clock.advance(1000);

  assert.equal(writes, ['apply /Namespace/tax-a', 'apply /Namespace/tax-b', 'status tax']);
  assert.equal(namespaces.get(undefined, 'tax-a')?.metadata?.labels, { 'govcloud.io/tenant': 'tax' });

  // Steady state: every further reconcile of the converged object is read-only.
  writes.length = 0;
  for (let i = 0; i < 5; i++) controller.enqueue('mgmt//tax');
  await clock.advance(1000);
  controller.enqueue('mgmt//tax');
  await clock.advance(1000);
  assert.equal(writes, []);

  // A spec change is applied, the dropped namespace pruned, and status follows the generation.
  tenantsApi.put({
    ...tenantsApi.get({ apiVersion: 'govcloud.io/v1', kind: 'Tenant', metadata: { name: 'tax' } })!,
    metadata: { name: 'tax', generation: 2 },
    spec: { namespaces: ['tax-a'] },
  });
  await clock.advance(1000);
  assert.equal(writes, ['delete /Namespace/tax-b', 'status tax']);
  assert.is(tenants.get(undefined, 'tax')?.status?.observedGeneration, 2);

  await controller.shutDown();
  await tenants.stop();
  await namespaces.stop();
  await settle();
});

test.run();
