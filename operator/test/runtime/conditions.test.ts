import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  setCondition,
  standardConditions,
  findCondition,
  isTrue,
  formatTime,
  Ready,
  Progressing,
  Degraded,
  type Condition,
} from '../../src/runtime/conditions.ts';
import { StatusWriter, kubeStatusClient, type StatusClient } from '../../src/runtime/status.ts';
import { ClusterClient } from '../../src/runtime/clusters.ts';
import { startFakeApiServer, json, kubeconfig } from './fake-apiserver.ts';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const T1 = T0 + 60_000;
const T2 = T0 + 120_000;

test('a new condition gets the current time, second precision', () => {
  const list = setCondition(undefined, { type: Ready, status: 'False', reason: 'Pending', message: 'waiting', observedGeneration: 1 }, T0 + 123);
  assert.equal(list, [
    { type: Ready, status: 'False', reason: 'Pending', message: 'waiting', observedGeneration: 1, lastTransitionTime: '2026-01-01T12:00:00Z' },
  ]);
});

test('lastTransitionTime moves only when the status flips', () => {
  let list = setCondition(undefined, { type: Ready, status: 'False', reason: 'Pending', message: 'a', observedGeneration: 1 }, T0);
  list = setCondition(list, { type: Ready, status: 'False', reason: 'StillPending', message: 'b', observedGeneration: 2 }, T1);
  const same = findCondition(list, Ready)!;
  assert.is(same.lastTransitionTime, formatTime(T0), 'reason, message and generation changes keep the time');
  assert.is(same.reason, 'StillPending');
  assert.is(same.observedGeneration, 2);
  list = setCondition(list, { type: Ready, status: 'True', reason: 'Reconciled', message: '', observedGeneration: 2 }, T2);
  assert.is(findCondition(list, Ready)!.lastTransitionTime, formatTime(T2));
  assert.ok(isTrue(list, Ready));
});

test('setCondition keeps order, appends new types and does not mutate its input', () => {
  const input: Condition[] = [
    { type: 'A', status: 'True', reason: 'x', message: '', lastTransitionTime: formatTime(T0) },
    { type: 'B', status: 'True', reason: 'x', message: '', lastTransitionTime: formatTime(T0) },
  ];
  const copy = structuredClone(input);
  const out = setCondition(input, { type: 'A', status: 'False', reason: 'y', message: '' }, T1);
  const out2 = setCondition(out, { type: 'C', status: 'Unknown', reason: 'z', message: '' }, T1);
  assert.equal(input, copy);
  assert.equal(
    out2.map((c) => `${c.type}=${c.status}`),
    ['A=False', 'B=True', 'C=Unknown'],
  );
  assert.not.ok('observedGeneration' in out2[2]!);
});

test('standard conditions: ready, progressing and degraded are mutually consistent', () => {
  const ready = standardConditions(undefined, { state: 'ready' }, 3, T0);
  assert.equal(
    ready.map((c) => [c.type, c.status, c.reason, c.observedGeneration]),
    [
      [Ready, 'True', 'Reconciled', 3],
      [Progressing, 'False', 'Reconciled', 3],
      [Degraded, 'False', 'Reconciled', 3],
    ],
  );
  const degraded = standardConditions(ready, { state: 'degraded', reason: 'ApplyFailed', message: 'quota exceeded' }, 4, T1);
  assert.equal(
    degraded.map((c) => [c.type, c.status, c.lastTransitionTime]),
    [
      [Ready, 'False', formatTime(T1)],
      [Progressing, 'False', formatTime(T0)],
      [Degraded, 'True', formatTime(T1)],
    ],
  );
  assert.is(findCondition(degraded, Degraded)!.message, 'quota exceeded');
  const progressing = standardConditions(degraded, { state: 'progressing', reason: 'WaitingForLink', message: 'link not up' }, 4, T2);
  assert.ok(isTrue(progressing, Progressing));
  assert.not.ok(isTrue(progressing, Degraded));
  assert.not.ok(isTrue(progressing, Ready));
});

test('recomputing the same outcome yields an identical status', () => {
  const first = standardConditions(undefined, { state: 'ready' }, 1, T0);
  const again = standardConditions(first, { state: 'ready' }, 1, T2);
  assert.equal(again, first);
});

function recordingClient() {
  const calls: Array<{ target: unknown; status: unknown; fieldManager: string }> = [];
  const client: StatusClient = {
    async applyStatus(target, status, fieldManager) {
      calls.push({ target, status, fieldManager });
    },
  };
  return { client, calls };
}

test('the status writer skips the write when the live status already matches', async () => {
  const { client, calls } = recordingClient();
  const writer = new StatusWriter({ client, fieldManager: 'govcloud-tenant' });
  const conditions = standardConditions(undefined, { state: 'ready' }, 2, T0);
  const live = {
    apiVersion: 'govcloud.io/v1',
    kind: 'Tenant',
    metadata: { name: 'tax', generation: 2, resourceVersion: '7' },
    status: { conditions, observedGeneration: 2, namespaces: ['tax-a'] },
  };
  const same = { conditions: standardConditions(live.status.conditions, { state: 'ready' }, 2, T2), observedGeneration: 2 };
  assert.is(await writer.write(live, same), false);
  assert.is(calls.length, 0);
  const changed = { conditions: standardConditions(live.status.conditions, { state: 'degraded', reason: 'X', message: 'y' }, 2, T2), observedGeneration: 2 };
  assert.is(await writer.write(live, changed), true);
  assert.equal(calls[0]?.target, { apiVersion: 'govcloud.io/v1', kind: 'Tenant', metadata: { name: 'tax' } });
  assert.is(calls[0]?.fieldManager, 'govcloud-tenant');
});

test('a status field we applied before and no longer compute forces a write', async () => {
  const { client, calls } = recordingClient();
  const writer = new StatusWriter({ client, fieldManager: 'govcloud-tenant' });
  const live = {
    apiVersion: 'govcloud.io/v1',
    kind: 'Tenant',
    metadata: {
      name: 'tax',
      managedFields: [{ manager: 'govcloud-tenant', operation: 'Apply', subresource: 'status', fieldsV1: { 'f:status': { 'f:phase': {}, 'f:error': {} } } }],
    },
    status: { phase: 'Ready', error: 'old' },
  };
  assert.is(await writer.write(live, { phase: 'Ready', error: 'old' }), false);
  assert.is(await writer.write(live, { phase: 'Ready' }), true);
  assert.is(calls.length, 1);
});

test('the kube status client applies to the /status subresource', async () => {
  const server = await startFakeApiServer([
    (_req, url, res) =>
      url.pathname === '/apis/govcloud.io/v1' &&
      json(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'govcloud.io/v1',
        resources: [{ name: 'tenants', namespaced: false, kind: 'Tenant', verbs: [] }],
      }),
    (req, url, res, body) => req.method === 'PATCH' && url.pathname === '/apis/govcloud.io/v1/tenants/tax/status' && json(res, 200, JSON.parse(body)),
  ]);
  try {
    const client = kubeStatusClient(ClusterClient.fromKubeconfig('mgmt', kubeconfig(server.url)));
    await client.applyStatus({ apiVersion: 'govcloud.io/v1', kind: 'Tenant', metadata: { name: 'tax' } }, { phase: 'Ready' }, 'govcloud-tenant');
    const patch = server.requests.find((r) => r.method === 'PATCH');
    assert.ok(patch);
    assert.is(patch.headers['content-type'], 'application/apply-patch+yaml');
    assert.is(patch.query.get('fieldManager'), 'govcloud-tenant');
    assert.is(patch.query.get('force'), 'true');
    assert.equal(JSON.parse(patch.body), { apiVersion: 'govcloud.io/v1', kind: 'Tenant', metadata: { name: 'tax' }, status: { phase: 'Ready' } });
  } finally {
    await server.close();
  }
});

test.run();
