// A trimmed cache entry must decide writes exactly as the object the API server returned.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Applier, applyBody, type ObjectWriter } from '../../src/runtime/apply.ts';
import { cacheTrimmer, ValuePool, withoutFieldBookkeeping } from '../../src/runtime/trim.ts';

const desired: KubernetesObject & { spec: { hard: Record<string, string> } } = {
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: { name: 'govcloud-quota', namespace: 'moh-app', labels: { 'govcloud.dev/owner': 'agency.moh' } },
  spec: { hard: { 'requests.cpu': '4', pods: '10' } },
};

/** The quota as the API server returns it: our apply, the controller manager's status, timestamps. */
const live = {
  ...structuredClone(desired),
  metadata: {
    ...structuredClone(desired.metadata),
    uid: 'u1',
    resourceVersion: '42',
    creationTimestamp: '2026-11-27T00:00:00Z',
    managedFields: [
      {
        manager: 'govcloud-agency',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2026-11-27T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': { 'f:govcloud.dev/owner': {} } }, 'f:spec': { 'f:hard': { 'f:requests.cpu': {}, 'f:pods': {} } } },
      },
      {
        manager: 'kube-controller-manager',
        operation: 'Update',
        apiVersion: 'v1',
        subresource: 'status',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': { 'f:hard': { '.': {}, 'f:pods': {} }, 'f:used': { '.': {}, 'f:pods': {} } } },
      },
    ],
  },
  status: { hard: { 'requests.cpu': '4', pods: '10' }, used: { 'requests.cpu': '0', pods: '0' } },
} as unknown as KubernetesObject;

const trim = cacheTrimmer<KubernetesObject>({ keepManager: (m) => m.startsWith('govcloud-') });
const noWrites: ObjectWriter = {
  apply: async () => assert.unreachable('no write expected'),
  replace: async () => assert.unreachable('no write expected'),
  delete: async () => assert.unreachable('no delete expected'),
};
const applier = new Applier({ writer: noWrites, fieldManager: 'govcloud-agency' });

test('keeps name, spec, resourceVersion and our field sets (as text); drops status, uid, timestamps and other managers', () => {
  const t = trim(live) as KubernetesObject & { spec?: unknown; status?: unknown };
  assert.equal(t.spec, desired.spec);
  assert.is(t.metadata?.resourceVersion, '42');
  assert.is(t.metadata?.uid, undefined);
  assert.is(t.metadata?.creationTimestamp, undefined);
  assert.is(t.status, undefined);
  assert.equal(
    t.metadata?.managedFields?.map((e) => e.manager),
    ['govcloud-agency'],
  );
  assert.type(t.metadata?.managedFields?.[0]?.fieldsV1, 'string');
  assert.ok(JSON.stringify(t).length < JSON.stringify(live).length, 'smaller');
});

test('a trimmed copy decides writes as the full object does', () => {
  const t = trim(live);
  const same = applyBody(desired);
  assert.not.ok(applier.needsWrite(same, live));
  assert.not.ok(applier.needsWrite(same, t), 'unchanged: no write');
  const fewer = applyBody({ ...desired, spec: { hard: { pods: '10' } } } as KubernetesObject);
  assert.ok(applier.needsWrite(fewer, live));
  assert.ok(applier.needsWrite(fewer, t), 'a field we set is no longer desired: write (server-side apply removes it)');
  const changed = applyBody({ ...desired, spec: { hard: { 'requests.cpu': '8', pods: '10' } } } as KubernetesObject);
  assert.ok(applier.needsWrite(changed, t), 'a value changed: write');
});

test('a status a reader needs can be kept; unreadable field-set text leads to a write', () => {
  const keepReplicas = cacheTrimmer<KubernetesObject>({ keepManager: () => true, status: (o) => ({ used: (o.status as { used?: unknown }).used }) });
  assert.equal((keepReplicas(live) as { status?: unknown }).status, { used: { 'requests.cpu': '0', pods: '0' } });
  const broken = trim(live);
  broken.metadata!.managedFields![0]!.fieldsV1 = '{not json' as unknown as object;
  assert.ok(applier.needsWrite(applyBody(desired), broken));
});

test('with a pool, equal values are kept once and frozen; resource versions are not pooled; the pool is bounded', () => {
  const pool = new ValuePool(1000);
  const pooled = cacheTrimmer<KubernetesObject>({ keepManager: (m) => m.startsWith('govcloud-'), pool });
  const copies = Array.from({ length: 10 }, (_, i) => {
    const parsed = JSON.parse(JSON.stringify(live)) as KubernetesObject;
    parsed.metadata!.resourceVersion = String(100 + i);
    return pooled(parsed);
  });
  const once = pool.size;
  assert.ok(once > 5, `the values of one object are pooled (${once})`);
  assert.is(pool.size, once, 'ten copies add nothing (resource versions are not pooled)');
  assert.equal(copies[3], { ...trim(live), metadata: { ...trim(live).metadata, resourceVersion: '103' } }, 'content unchanged');
  assert.is(copies[0]!.metadata?.labels, copies[9]!.metadata?.labels, 'equal label sets are one object');
  assert.is((copies[0] as { spec?: unknown }).spec, (copies[9] as { spec?: unknown }).spec, 'equal specs are one object');
  assert.ok(Object.isFrozen((copies[0] as { spec: { hard: object } }).spec.hard), 'and frozen: the cache is read-only');
  assert.throws(() => {
    (copies[0]!.metadata!.labels as Record<string, string>).x = 'y';
  }, TypeError);
  const small = new ValuePool(3);
  for (const v of ['a', 'b', 'c', 'd']) small.string(v);
  assert.is(small.size, 1, 'full: it starts over');
  assert.is(small.string('d'), 'd');
});

test('values whose texts hash alike are pooled apart, each found again', () => {
  const pool = new ValuePool();
  // Two texts with the same 32-bit FNV-1a hash (found by search).
  const a = pool.tree({ n: 'x489073' });
  const b = pool.tree({ n: 'x1084000' });
  assert.equal(b, { n: 'x1084000' });
  assert.is(pool.tree({ n: 'x489073' }), a);
  assert.is(pool.tree({ n: 'x1084000' }), b);
  assert.is.not(pool.tree({ n: 'x1084000', m: 1 }), b);
  assert.is(pool.size, 3 + 2, 'three values, and the strings inside the first two');
});

test('key order counts as in the text: values differing only by it are not merged', () => {
  const pool = new ValuePool();
  const ab = pool.tree({ a: 1, b: 2 });
  assert.is.not(pool.tree({ b: 2, a: 1 }), ab);
});

test("a cache of objects people write drops managedFields and kubectl's last-applied copy, and nothing else", () => {
  const agency = {
    apiVersion: 'govcloud.dev/v1alpha1',
    kind: 'Agency',
    metadata: {
      name: 'moh',
      uid: 'u1',
      generation: 3,
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"spec":{}}', 'govcloud.dev/note': 'kept' },
      managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsV1: {} }],
    },
    spec: { code: 'G01' },
    status: { conditions: [] },
  } as KubernetesObject;
  const kept = withoutFieldBookkeeping(agency);
  assert.equal(kept, {
    apiVersion: 'govcloud.dev/v1alpha1',
    kind: 'Agency',
    metadata: { name: 'moh', uid: 'u1', generation: 3, annotations: { 'govcloud.dev/note': 'kept' } },
    spec: { code: 'G01' },
    status: { conditions: [] },
  });
  const plain = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } } as KubernetesObject;
  assert.is(withoutFieldBookkeeping(plain), plain, 'nothing to drop: the same object');
});

test.run();
