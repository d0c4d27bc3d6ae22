import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProbeServer, informerCheck } from '../../src/runtime/server.ts';
import { RuntimeMetrics } from '../../src/runtime/metrics.ts';

async function withServer(fn: (base: string, server: ProbeServer, metrics: RuntimeMetrics) => Promise<void>) {
  const metrics = new RuntimeMetrics();
  const server = new ProbeServer({ metrics, port: 0, host: '127.0.0.1' });
  const port = await server.start();
  try {
    await fn(`http://127.0.0.1:${port}`, server, metrics);
  } finally {
    await server.stop();
  }
}

function fakeInformer(state: { synced: boolean; healthy: boolean; lastError?: string }) {
  return {
    hasSynced: () => state.synced,
    isHealthy: () => state.healthy,
    status: () => (state.lastError ? { lastError: state.lastError } : {}),
  };
}

test('/healthz answers while the process runs', async () => {
  await withServer(async (base) => {
    const res = await fetch(`${base}/healthz`);
    assert.is(res.status, 200);
    assert.is(await res.text(), 'ok\n');
    assert.is((await fetch(`${base}/nope`)).status, 404);
  });
});

test('/readyz fails until caches sync and while a required watch is down', async () => {
  await withServer(async (base, server) => {
    const state = { synced: false, healthy: false, lastError: 'list failed: connection refused' };
    server.addReadinessCheck('informer:dc1/tenants', informerCheck(fakeInformer(state)));
    server.addReadinessCheck('leader', () => ({ ok: true }));
    let res = await fetch(`${base}/readyz`);
    assert.is(res.status, 503);
    assert.is(await res.text(), '[-]informer:dc1/tenants failed: not synced: list failed: connection refused\n[+]leader ok\nreadyz check failed\n');
    state.synced = true;
    state.healthy = true;
    res = await fetch(`${base}/readyz`);
    assert.is(res.status, 200);
    assert.match(await res.text(), /readyz check passed/);
    state.healthy = false;
    state.lastError = 'watch failed: connection reset';
    res = await fetch(`${base}/readyz`);
    assert.is(res.status, 503);
    assert.match(await res.text(), /\[-\]informer:dc1\/tenants failed: watch down: watch failed: connection reset/);
  });
});

test('/metrics serves the registry in the exposition format', async () => {
  await withServer(async (base, _server, metrics) => {
    metrics.registerController('tenant', 2);
    const res = await fetch(`${base}/metrics`);
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /controller_runtime_max_concurrent_reconciles\{controller="tenant"\} 2/);
    assert.match(text, /# TYPE workqueue_depth gauge/);
  });
});

test('/metrics/agencies serves the registry of series per agency, and only that', async () => {
  await withServer(async (base, _server, metrics) => {
    metrics.agencyGauge({ name: 'govcloud_agency_example', help: 'an example', labelNames: ['agency'] }).set({ agency: 'mof' }, 4);
    const res = await fetch(`${base}/metrics/agencies`);
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    assert.match(text, /govcloud_agency_example\{agency="mof"\} 4/);
    assert.not.match(text, /workqueue_depth/);
    assert.not.match(await (await fetch(`${base}/metrics`)).text(), /govcloud_agency_example/);
  });
});

test.run();
