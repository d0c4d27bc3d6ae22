// StatusStore's memo of the statuses written: used while the cache lags behind a write,
// dropped once the cache shows what was written (so it does not grow with the objects).
import type { KubernetesObject } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StatusStore } from '../../src/controllers/status.ts';
import type { StatusClient } from '../../src/runtime/index.ts';

type Obj = KubernetesObject & { status?: Record<string, unknown> };

function recordingClient(): { client: StatusClient; writes: Record<string, unknown>[] } {
  const writes: Record<string, unknown>[] = [];
  return {
    client: {
      async applyStatus(_target, status) {
        writes.push(status);
      },
    },
    writes,
  };
}

const grant = (status: Record<string, unknown> | undefined, uid = 'uid-1'): Obj => ({
  apiVersion: 'govcloud.io/v1',
  kind: 'AccessGrant',
  metadata: { namespace: 'govcloud-health', name: 'records', uid },
  ...(status ? { status } : {}),
});

const before = { phase: 'Pending', history: [] as unknown[] };
const written = { phase: 'Granted', history: [{ at: '2026-01-01T00:00:00Z', event: 'granted' }] };

test('while the cache lags, a reconcile builds on what was written and does not write it again', async () => {
  const { client, writes } = recordingClient();
  const store = new StatusStore(client);
  const stale = grant(before);
  assert.is(await store.write(stale, written, 'govcloud-access'), true);
  store.observe(stale);
  assert.equal(store.previous(stale), written);
  assert.is(await store.write(stale, written, 'govcloud-access'), false);
  assert.is(writes.length, 1);
});

test('once the cache shows the written status, the memo is dropped', async () => {
  const { client } = recordingClient();
  const store = new StatusStore(client);
  assert.is(await store.write(grant(before), written, 'govcloud-access'), true);
  store.observe(grant(structuredClone(written)));
  // Gone: a copy older than the write (as no cache gives after catching up) is no longer overridden.
  assert.equal(store.previous(grant(before)), before);
});

test('a reconcile that reads the caught-up copy drops the memo too, and an empty list equals none', async () => {
  const { client } = recordingClient();
  const store = new StatusStore(client);
  const withEmpty = { phase: 'Granted', conditions: [] as unknown[] };
  await store.write(grant(before), withEmpty, 'govcloud-access');
  const caughtUp = grant({ phase: 'Granted' });
  assert.equal(store.previous(caughtUp), { phase: 'Granted' });
  assert.equal(store.previous(grant(before)), before);
});

test('a newer write replaces the memo; the cache catching up with the older one keeps it', async () => {
  const { client } = recordingClient();
  const store = new StatusStore(client);
  await store.write(grant(before), written, 'govcloud-access');
  const newer = { phase: 'Revoked', history: [...written.history, { at: '2026-01-02T00:00:00Z', event: 'revoked' }] };
  await store.write(grant(written), newer, 'govcloud-access');
  store.observe(grant(written));
  assert.equal(store.previous(grant(written)), newer);
});

test('an object made again under the same name does not inherit the memo', async () => {
  const { client } = recordingClient();
  const store = new StatusStore(client);
  await store.write(grant(before), written, 'govcloud-access');
  const remade = grant(before, 'uid-2');
  assert.equal(store.previous(remade), before);
  // Gone for the old uid too: the old object is no more.
  assert.equal(store.previous(grant(before)), before);
});

test.run();
