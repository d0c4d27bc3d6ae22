import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { Applier, ApplyError, applyBody, identity, type ObjectWriter } from '../../src/runtime/apply.ts';
import { isDeepSubset } from '../../src/runtime/subset.ts';
import { ownsFieldsNotIn } from '../../src/runtime/managed-fields.ts';
import { ClusterClient } from '../../src/runtime/clusters.ts';
import { kubeObjectWriter } from '../../src/runtime/apply.ts';
import { startFakeApiServer, json, kubeconfig } from './fake-apiserver.ts';

test('deep subset: maps, nesting and extra live fields', () => {
  const live = { metadata: { labels: { a: '1', b: '2' }, uid: 'x' }, spec: { replicas: 2, template: { x: { y: true } } } };
  assert.ok(isDeepSubset({ metadata: { labels: { a: '1' } } }, live));
  assert.ok(isDeepSubset({ spec: { template: { x: { y: true } } } }, live));
  assert.not.ok(isDeepSubset({ metadata: { labels: { a: '2' } } }, live));
  assert.not.ok(isDeepSubset({ metadata: { labels: { c: '3' } } }, live));
  assert.not.ok(isDeepSubset({ spec: { template: { x: { y: false } } } }, live));
  assert.not.ok(isDeepSubset({ spec: { other: 1 } }, live));
  assert.ok(isDeepSubset({ spec: { replicas: 2, unset: undefined } }, live), 'undefined sets nothing');
});

test('deep subset: lists compare by index and length, items may have server defaults', () => {
  const live = {
    ports: [
      { port: 80, protocol: 'TCP' },
      { port: 443, protocol: 'TCP' },
    ],
  };
  assert.ok(isDeepSubset({ ports: [{ port: 80 }, { port: 443 }] }, live));
  assert.not.ok(isDeepSubset({ ports: [{ port: 80 }] }, live), 'a shorter desired list is a change');
  assert.not.ok(isDeepSubset({ ports: [{ port: 443 }, { port: 80 }] }, live), 'order matters');
  assert.not.ok(isDeepSubset({ ports: [{ port: 80 }, { port: 443 }, { port: 8080 }] }, live));
  assert.ok(isDeepSubset({ finalizers: ['a', 'b'] }, { finalizers: ['a', 'b'] }));
  assert.not.ok(isDeepSubset({ finalizers: ['a'] }, { finalizers: 'a' }));
});

test('deep subset: scalars are exact, no quantity or int-or-string normalisation', () => {
  assert.not.ok(isDeepSubset({ cpu: '1' }, { cpu: 1 }));
  assert.not.ok(isDeepSubset({ cpu: '1000m' }, { cpu: '1' }));
  assert.not.ok(isDeepSubset({ port: 8080 }, { port: '8080' }));
  assert.ok(isDeepSubset({ cpu: '500m' }, { cpu: '500m' }));
  assert.not.ok(isDeepSubset({ enabled: false }, {}), 'false is a value, not an absence');
  assert.not.ok(isDeepSubset({ n: 0 }, {}));
});

test('deep subset: empty maps and lists and null are satisfied by absence', () => {
  assert.ok(isDeepSubset({ metadata: { annotations: {} } }, { metadata: {} }));
  assert.ok(isDeepSubset({ spec: { items: [] } }, { spec: {} }));
  assert.ok(isDeepSubset({ spec: { gone: null } }, { spec: {} }));
  assert.not.ok(isDeepSubset({ spec: { gone: null } }, { spec: { gone: 1 } }));
  assert.not.ok(isDeepSubset({ spec: { items: [] } }, { spec: { items: [1] } }));
});

function managed(fieldsV1: object, manager = 'govcloud-tenant', subresource?: string): KubernetesObject {
  return {
    metadata: {
      name: 'x',
      managedFields: [{ manager, operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1, ...(subresource ? { subresource } : {}) }],
    },
  };
}

test('managed fields: a field we applied before but no longer set forces a write', () => {
  const live = managed({ 'f:metadata': { 'f:labels': { 'f:a': {}, 'f:old': {} } }, 'f:data': { 'f:k': {} } });
  assert.ok(ownsFieldsNotIn(live, { metadata: { labels: { a: '1' } }, data: { k: 'v' } }, 'govcloud-tenant'));
  assert.not.ok(ownsFieldsNotIn(live, { metadata: { labels: { a: '1', old: 'x' } }, data: { k: 'v' } }, 'govcloud-tenant'));
  assert.not.ok(ownsFieldsNotIn(live, { metadata: { labels: { a: '1' } } }, 'someone-else'), 'only our manager counts');
});

test('managed fields: map-list keys, set values and the "." marker', () => {
  const live = managed({
    'f:spec': {
      'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:name': {} } },
      'f:finalizers': { 'v:"a"': {} },
    },
  });
  const desired = { spec: { ports: [{ port: 80, name: 'http' }], finalizers: ['a'] } };
  assert.not.ok(ownsFieldsNotIn(live, desired, 'govcloud-tenant'), 'defaulted key fields still match');
  assert.ok(ownsFieldsNotIn(live, { spec: { ports: [{ port: 81, name: 'http' }], finalizers: ['a'] } }, 'govcloud-tenant'));
  assert.ok(ownsFieldsNotIn(live, { spec: { ports: [{ port: 80 }], finalizers: ['a'] } }, 'govcloud-tenant'));
  assert.ok(ownsFieldsNotIn(live, { spec: { ports: [{ port: 80, name: 'http' }], finalizers: [] } }, 'govcloud-tenant'));
});

test('managed fields: the status subresource is separate', () => {
  const live = managed({ 'f:status': { 'f:phase': {} } }, 'govcloud-tenant', 'status');
  assert.not.ok(ownsFieldsNotIn(live, {}, 'govcloud-tenant'));
  assert.ok(ownsFieldsNotIn(live, {}, 'govcloud-tenant', 'status'));
  assert.not.ok(ownsFieldsNotIn(live, { status: { phase: 'Ready' } }, 'govcloud-tenant', 'status'));
});

class FakeWriter implements ObjectWriter {
  applied: KubernetesObject[] = [];
  replaced: KubernetesObject[] = [];
  deleted: string[] = [];
  failOn = new Set<string>();
  async apply(obj: KubernetesObject, fieldManager: string) {
    assert.is(fieldManager, 'govcloud-tenant');
    if (this.failOn.has(obj.metadata?.name ?? '')) throw new Error('admission denied');
    this.applied.push(obj);
    return obj;
  }
  async replace(obj: KubernetesObject, fieldManager: string) {
    assert.is(fieldManager, 'govcloud-tenant');
    this.replaced.push(obj);
    return obj;
  }
  async delete(obj: KubernetesObject) {
    if (this.failOn.has(obj.metadata?.name ?? '')) throw new Error('forbidden');
    this.deleted.push(identity(obj));
  }
}

const OWNER = { 'govcloud.io/tenant': 'tax' };

function cm(name: string, data: Record<string, string>, labels: Record<string, string> = OWNER, extra: object = {}): KubernetesObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'tax', labels }, data, ...extra } as KubernetesObject;
}

test('applyBody strips server-owned fields and adds owner labels', () => {
  const body = applyBody(
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'n', uid: 'u', resourceVersion: '5', managedFields: [], labels: { x: 'y' } },
      status: { phase: 'x' },
      data: { k: 'v' },
    } as KubernetesObject,
    OWNER,
  );
  assert.equal(body, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'a', namespace: 'n', labels: { x: 'y', ...OWNER } },
    data: { k: 'v' },
  });
});

test('sync creates, updates, skips unchanged objects and prunes the rest', async () => {
  const writer = new FakeWriter();
  const applier = new Applier({ writer, fieldManager: 'govcloud-tenant' });
  const live = [
    cm('same', { k: 'v' }, { ...OWNER, 'added-by-someone': 'x' }),
    cm('changed', { k: 'old' }),
    cm('stale', { k: 'v' }),
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tax', labels: OWNER } },
    cm('already-deleting', {}, OWNER, { metadata: { name: 'already-deleting', namespace: 'tax', labels: OWNER, deletionTimestamp: '2026-01-01T00:00:00Z' } }),
    cm('not-ours', {}, { 'govcloud.io/tenant': 'health' }),
  ];
  const desired = [cm('same', { k: 'v' }, {}), cm('changed', { k: 'new' }, {}), cm('new', { k: 'v' }, {})];
  const counts = await applier.sync({ desired, live, ownerLabels: OWNER });
  assert.equal(counts, { created: 1, updated: 1, unchanged: 1, deleted: 1, retained: 1 });
  assert.equal(
    writer.applied.map((o) => o.metadata?.name),
    ['changed', 'new'],
  );
  assert.equal(writer.applied[1]?.metadata?.labels, OWNER, 'owner labels are applied');
  assert.equal(writer.deleted, ['/ConfigMap/tax/stale']);
});

test('with concurrency: at most that many writes in flight; namespaces applied first and pruned last', async () => {
  let inFlight = 0;
  let most = 0;
  const order: string[] = [];
  const writer: ObjectWriter = {
    async apply(obj) {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      order.push(obj.kind ?? '');
      inFlight--;
    },
    replace: async () => assert.unreachable('no replace expected'),
    async delete() {},
  };
  const applier = new Applier({ writer, fieldManager: 'govcloud-tenant', concurrency: 3 });
  const namespaces = ['a', 'b'].map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }) as KubernetesObject);
  const maps = Array.from({ length: 10 }, (_, i) => cm(`m${i}`, { k: String(i) }));
  const counts = await applier.sync({ desired: [...maps, ...namespaces], live: [], ownerLabels: OWNER });
  assert.is(counts.created, 12);
  assert.is(most, 3);
  assert.equal(order.slice(0, 2), ['Namespace', 'Namespace']);

  // Pruning: as many at once, what lives in namespaces before the namespaces.
  most = 0;
  const deleted: string[] = [];
  writer.delete = async (obj) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    deleted.push(obj.kind ?? '');
    inFlight--;
  };
  const live = [...namespaces, ...maps].map((o) => ({ ...o, metadata: { ...o.metadata, labels: OWNER } }) as KubernetesObject);
  const pruned = await applier.sync({ desired: [], live, ownerLabels: OWNER, mayDelete: () => true });
  assert.is(pruned.deleted, 12);
  assert.is(most, 3);
  assert.equal(deleted.slice(-2), ['Namespace', 'Namespace']);
});

test('steady state: a second sync over the applied objects writes nothing', async () => {
  const writer = new FakeWriter();
  const applier = new Applier({ writer, fieldManager: 'govcloud-tenant' });
  const desired = [cm('a', { k: 'v' }, {}), cm('b', { x: 'y' }, {})];
  await applier.sync({ desired, live: [], ownerLabels: OWNER });
  const live = writer.applied.map((o) => ({ ...o, metadata: { ...o.metadata, uid: 'u', resourceVersion: '1' } }));
  writer.applied = [];
  const counts = await applier.sync({ desired, live, ownerLabels: OWNER });
  assert.equal(counts, { created: 0, updated: 0, unchanged: 2, deleted: 0, retained: 0 });
  assert.equal(writer.applied, []);
});

test('namespaces are deleted only when the predicate allows it', async () => {
  const writer = new FakeWriter();
  const applier = new Applier({ writer, fieldManager: 'govcloud-tenant' });
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tax', labels: OWNER } };
  const counts = await applier.sync({ desired: [], live: [ns], ownerLabels: OWNER, mayDelete: () => true });
  assert.is(counts.deleted, 1);
  assert.equal(writer.deleted, ['/Namespace/tax']);
});

test('what lives in a namespace that goes is not deleted one by one: the namespace takes it', async () => {
  const writer = new FakeWriter();
  const applier = new Applier({ writer, fieldManager: 'govcloud-tenant' });
  const ns = (name: string, extra: object = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: OWNER, ...extra } }) as KubernetesObject;
  const inNs = (name: string, namespace: string) => ({ ...cm(name, {}), metadata: { name, namespace, labels: OWNER } }) as KubernetesObject;
  const live = [ns('tax'), inNs('a', 'tax'), inNs('b', 'tax'), ns('health'), inNs('c', 'health'), inNs('d', 'other')];
  // The namespace health stays (desired); tax goes, and with it a and b.
  const counts = await applier.sync({ desired: [ns('health')], live, ownerLabels: OWNER, mayDelete: () => true });
  assert.equal(writer.deleted.sort(), ['/ConfigMap/health/c', '/ConfigMap/other/d', '/Namespace/tax']);
  assert.is(counts.deleted, 3);

  // A namespace already being deleted: nothing in it is deleted again, even where the namespace itself is kept.
  writer.deleted = [];
  const terminating = [ns('tax', { deletionTimestamp: '2026-12-06T12:00:00Z' }), inNs('a', 'tax'), inNs('d', 'other')];
  await applier.sync({ desired: [], live: terminating, ownerLabels: OWNER, mayDelete: (o) => o.kind !== 'Namespace' });
  assert.equal(writer.deleted, ['/ConfigMap/other/d']);
});

test('sync attempts every object and reports all failures together', async () => {
  const writer = new FakeWriter();
  writer.failOn = new Set(['bad', 'stale-bad']);
  const applier = new Applier({ writer, fieldManager: 'govcloud-tenant' });
  try {
    await applier.sync({
      desired: [cm('bad', {}, {}), cm('good', {}, {})],
      live: [cm('stale-bad', {}), cm('stale-good', {})],
      ownerLabels: OWNER,
    });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, ApplyError);
    const e = err as ApplyError;
    assert.is(e.errors.length, 2);
    assert.match(e.message, /apply \/ConfigMap\/tax\/bad: admission denied/);
    assert.equal(e.counts, { created: 1, updated: 0, unchanged: 0, deleted: 1, retained: 0 });
  }
});

test('apply() of one object uses the cached live copy to skip the write', async () => {
  const writer = new FakeWriter();
  const applier = new Applier({ writer, fieldManager: 'govcloud-tenant' });
  const live = cm('a', { k: 'v' }, {}, { metadata: { name: 'a', namespace: 'tax', resourceVersion: '3' } });
  assert.is(await applier.apply(cm('a', { k: 'v' }, {}), live), 'unchanged');
  assert.is(await applier.apply(cm('a', { k: 'w' }, {}), live), 'updated');
  assert.is(await applier.apply(cm('b', { k: 'v' }, {}), undefined), 'created');
  assert.is(writer.applied.length, 2);
  assert.is(identity({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'n' } }), 'apps/Deployment/n/d');
});

test('the client-node writer force-applies with the field manager and ignores 404 on delete', async () => {
  const server = await startFakeApiServer([
    (_req, url, res) =>
      url.pathname === '/api/v1' &&
      json(res, 200, { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: [] }] }),
    (req, url, res, body) => req.method === 'PATCH' && url.pathname === '/api/v1/namespaces/tax/configmaps/a' && json(res, 200, JSON.parse(body)),
  ]);
  try {
    const client = ClusterClient.fromKubeconfig('dc1', kubeconfig(server.url));
    const writer = kubeObjectWriter(client.objects);
    await writer.apply(cm('a', { k: 'v' }), 'govcloud-tenant');
    await writer.delete(cm('gone', {}));
    const patch = server.requests.find((r) => r.method === 'PATCH');
    assert.ok(patch);
    assert.is(patch.headers['content-type'], 'application/apply-patch+yaml');
    assert.is(patch.query.get('fieldManager'), 'govcloud-tenant');
    assert.is(patch.query.get('force'), 'true');
    assert.equal(JSON.parse(patch.body).data, { k: 'v' });
    assert.is(server.requests.filter((r) => r.method === 'DELETE').length, 1);
  } finally {
    await server.close();
  }
});

test.run();
