import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ClusterClient, kubeconfigFromSecret, observeApiResponses, type ResponseObserver } from '../../src/runtime/clusters.ts';
import { httpStatusOf } from '../../src/runtime/errors.ts';
import { Informer } from '../../src/runtime/informer.ts';
import { kubeListWatch, collectionPath } from '../../src/runtime/list-watch.ts';
import { startFakeApiServer, json, kubeconfig, type FakeApiServer } from './fake-apiserver.ts';
import { deferred } from './deferred.ts';

function rejectAfter(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}

const discovery = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['get', 'list', 'watch'] }],
};

async function withServer(fn: (server: FakeApiServer) => Promise<void>): Promise<void> {
  const server = await startFakeApiServer([
    (_req, url, res) => url.pathname === '/version' && json(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0' }),
    (_req, url, res) => url.pathname === '/api/v1' && json(res, 200, discovery),
    (_req, url, res) => {
      if (url.pathname !== '/api/v1/configmaps') return false;
      if (url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'ns', resourceVersion: '11' } };
        res.write(JSON.stringify({ type: 'ADDED', object: cm }) + '\n');
        return true; // left open, like a real watch
      }
      return json(res, 200, {
        kind: 'ConfigMapList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '10' },
        items: [{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' }, data: { k: 'v' } }],
      });
    },
  ]);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** Runs `fn` with every API answer observed; the observation ends with it. */
async function observing(
  fn: (answers: string[]) => Promise<void>,
  label: (...a: Parameters<ResponseObserver>) => string = (code, method, host) => `${code} ${method} ${host}`,
): Promise<void> {
  const answers: string[] = [];
  const stop = observeApiResponses((...a) => answers.push(label(...a)));
  try {
    await fn(answers);
  } finally {
    stop();
  }
}

test('user names are made distinct per cluster', () => {
  const a = ClusterClient.fromKubeconfig('dc1', kubeconfig('http://127.0.0.1:1'));
  const b = ClusterClient.fromKubeconfig('dc2', kubeconfig('http://127.0.0.1:2'));
  assert.is(a.kubeConfig.getCurrentUser()?.name, 'dc1-admin');
  assert.is(b.kubeConfig.getCurrentUser()?.name, 'dc2-admin');
  assert.is(a.kubeConfig.getCurrentUser()?.token, 'secret-token', 'credentials survive the rename');
  assert.throws(() => ClusterClient.fromKubeconfig('a/b', kubeconfig('http://127.0.0.1:1')), /must not contain/);
});

test('kubeconfig is read from a Secret', () => {
  const text = kubeconfig('https://dc1.example');
  const secret = { metadata: { name: 's', namespace: 'ops' }, data: { kubeconfig: Buffer.from(text).toString('base64') } };
  assert.is(kubeconfigFromSecret(secret), text);
  assert.throws(() => kubeconfigFromSecret(secret, 'other'), /no key other/);
});

test('/version, raw errors and every answer observed against a loopback server', async () => {
  await withServer(async (server) => {
    const client = ClusterClient.fromKubeconfig('dc1', kubeconfig(server.url));
    await observing(async (answers) => {
      const v = await client.version();
      assert.is(v.gitVersion, 'v1.31.0');
      assert.is(server.requests[0]?.headers.authorization, 'Bearer secret-token');
      try {
        await client.request('DELETE', '/api/v1/namespaces/ns/configmaps/missing');
        assert.unreachable();
      } catch (err) {
        assert.is(httpStatusOf(err), 404);
      }
      // Through client-node's own APIs too: discovery by the object API.
      await client.resourcePath({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'x' });
      const host = new URL(server.url).host;
      assert.equal(answers, [`200 GET ${host}`, `404 DELETE ${host}`, `200 GET ${host}`]);
    });
    await client.close();
  });
});

test('a request that gets no answer is observed as <error>; nothing once unsubscribed', async () => {
  const server = await startFakeApiServer([]);
  const url = server.url;
  await server.close();
  const client = ClusterClient.fromKubeconfig('dc1', kubeconfig(url));
  let seen: string[] = [];
  await observing(
    async (answers) => {
      seen = answers;
      try {
        await client.version();
        assert.unreachable();
      } catch (err) {
        assert.not.instance(err, assert.Assertion);
      }
      assert.equal(answers, ['<error> GET']);
    },
    (code, method) => `${code} ${method}`,
  );
  await client.version().catch(() => undefined);
  assert.equal(seen, ['<error> GET'], 'not observed after the unsubscribe');
  await client.close();
});

test('one connection pool per cluster and credentials: requests reuse a connection', async () => {
  await withServer(async (server) => {
    // The kubeconfig skips TLS verification, which makes client-node build a dispatcher per request.
    const client = ClusterClient.fromKubeconfig('dc1', kubeconfig(server.url));
    for (let i = 0; i < 20; i++) await client.version();
    // A request that starts while the last response is being released may open a second one.
    const pooled = server.connections();
    assert.ok(pooled <= 2, `20 requests in sequence, ${pooled} connections`);
    await client.close();
    await client.version();
    assert.is(server.connections(), pooled + 1, 'a closed pool is replaced by a new one');
    await client.close();
  });
});

test('resource paths come from discovery', async () => {
  await withServer(async (server) => {
    const client = ClusterClient.fromKubeconfig('dc1', kubeconfig(server.url));
    assert.is(await client.resourcePath({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'x' }), '/api/v1/namespaces/ns/configmaps/x');
    assert.is(await client.resourcePath({ apiVersion: 'v1', kind: 'ConfigMap' }), '/api/v1/configmaps');
    assert.is(collectionPath({ apiVersion: 'govcloud.io/v1', kind: 'Tenant', plural: 'tenants', namespace: 'x' }), '/apis/govcloud.io/v1/namespaces/x/tenants');
  });
});

test('an informer over the real client lists, then watches with bookmarks from the list version', async () => {
  await withServer(async (server) => {
    const client = ClusterClient.fromKubeconfig('dc1', kubeconfig(server.url));
    const answers: string[] = [];
    const stop = observeApiResponses((code, method) => answers.push(`${code} ${method}`));
    const informer = new Informer<KubernetesObject>({
      name: 'dc1/configmaps',
      source: kubeListWatch(client, { apiVersion: 'v1', kind: 'ConfigMap', labelSelector: { matchLabels: { app: 'x' } } }),
    });
    const added: string[] = [];
    const watched = deferred();
    informer.addHandlers({
      add: (o) => {
        added.push(o.metadata?.name ?? '');
        if (o.metadata?.name === 'b') watched.resolve();
      },
    });
    informer.start();
    // The timeouts only turn a broken client into a failure instead of a hang.
    assert.ok(await informer.waitForSync(AbortSignal.timeout(10_000)));
    await Promise.race([watched.promise, rejectAfter(10_000, 'no watch event arrived')]);
    assert.equal(added, ['a', 'b']);
    assert.is(informer.get('ns', 'a')?.kind, 'ConfigMap', 'list items get their kind filled in');
    const watch = server.requests.find((r) => r.query.get('watch') === 'true');
    assert.ok(watch);
    assert.is(watch.query.get('allowWatchBookmarks'), 'true');
    assert.is(watch.query.get('resourceVersion'), '10');
    assert.is(watch.query.get('labelSelector'), 'app=x');
    assert.ok(informer.status().connected);
    stop();
    assert.equal(answers, ['200 GET', '200 GET', '200 GET'], 'discovery, the list, and the watch once it streams');
    await informer.stop();
  });
});

test.run();
