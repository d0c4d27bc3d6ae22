// The informers' store: objects by namespace and name, whether a name is held in one namespace or many.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ObjectStore } from '../../src/runtime/object-store.ts';

const obj = (namespace: string | undefined, name: string, rv = '1'): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: namespace === undefined ? { name, resourceVersion: rv } : { name, namespace, resourceVersion: rv },
});

test('one name in many namespaces, cluster-scoped names, replace and delete', () => {
  const store = new ObjectStore<KubernetesObject>();
  const a = obj('ns-a', 'policy');
  const b = obj('ns-b', 'policy');
  const c = obj(undefined, 'policy');
  assert.is(store.set(a), undefined);
  assert.is(store.get('ns-a', 'policy'), a);
  assert.is(store.get('ns-b', 'policy'), undefined);
  assert.is(store.get(undefined, 'policy'), undefined, 'a namespaced object is not the cluster-scoped one');
  assert.is(store.set(b), undefined);
  assert.is(store.set(c), undefined);
  assert.is(store.size, 3);
  assert.is(store.get('ns-b', 'policy'), b);
  assert.is(store.get('', 'policy'), c);
  const a2 = obj('ns-a', 'policy', '2');
  assert.is(store.set(a2), a, 'a replaced object is returned');
  assert.is(store.size, 3);
  assert.is(store.get('ns-a', 'policy'), a2);
  assert.is(store.delete('ns-c', 'policy'), undefined);
  assert.is(store.delete('ns-b', 'policy'), b);
  assert.is(store.delete('ns-b', 'policy'), undefined, 'deleted once');
  assert.is(store.delete(undefined, 'policy'), c);
  assert.is(store.size, 1);
  assert.is(store.get('ns-a', 'policy'), a2, 'the last one left is still found');
  assert.is(store.delete('ns-a', 'policy'), a2);
  assert.is(store.size, 0);
  assert.equal([...store.values()], []);
});

test('a name held in one namespace is not found in another; values() lists each object once', () => {
  const store = new ObjectStore<KubernetesObject>();
  const single = obj('ns-a', 'only-here');
  store.set(single);
  assert.is(store.get('ns-b', 'only-here'), undefined);
  assert.is(store.delete('ns-b', 'only-here'), undefined);
  assert.is(store.set(obj('ns-a', 'only-here', '2')), single, 'same namespace: replaced, not added');
  const many = Array.from({ length: 50 }, (_, i) => obj(`ns-${i}`, 'default-deny'));
  for (const o of many) store.set(o);
  assert.is(store.size, 51);
  const listed = [...store.values()];
  assert.is(listed.length, 51);
  assert.is(new Set(listed).size, 51);
  for (const o of many) assert.ok(listed.includes(o));
});

test.run();
