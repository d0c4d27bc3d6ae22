// The writers' per-request limit: a request that does not answer fails as a timeout, and a
// finished request leaves nothing alive behind it. fetch adds an 'abort' listener to the
// signal it is given and never removes it; with AbortSignal.timeout that kept the signal, and
// the request's state it reaches, on the heap until the timer fired (15-30 s after).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { API_VERSION } from '../../src/api/index.ts';
import { requestHubWriter, requestWriter } from '../../src/controllers/writer.ts';
import type { ClusterClient, RawRequestOptions } from '../../src/runtime/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A client whose requests listen on their signal the way fetch does; `answer` decides how each ends. */
function listeningClient(answer: (signal: AbortSignal) => Promise<unknown>): { client: ClusterClient; signals: WeakRef<AbortSignal>[] } {
  const signals: WeakRef<AbortSignal>[] = [];
  const client = {
    request(_method: string, _path: string, opts: RawRequestOptions = {}) {
      const signal = opts.signal!;
      signals.push(new WeakRef(signal));
      signal.addEventListener('abort', () => undefined);
      return answer(signal);
    },
  } as unknown as ClusterClient;
  return { client, signals };
}

const agency = { apiVersion: API_VERSION, kind: 'Agency', metadata: { name: 'a' } };
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace: 'ws', name: 'cm' }, data: { a: '1' } };

test('finished writes leave no signal alive until their timeout', async () => {
  const { client, signals } = listeningClient(async () => ({}));
  const leadership = new AbortController();
  const writer = requestWriter(client, { signal: leadership.signal, timeoutMs: 30_000 });
  const hub = requestHubWriter(client, { timeoutMs: 30_000 });
  await writer.apply(configMap, 'govcloud-test');
  await writer.replace(configMap, 'govcloud-test');
  await writer.delete(configMap);
  await hub.applyStatus(agency, { phase: 'Ready' }, 'govcloud-test');
  await hub.setFinalizers(agency, []);
  assert.is(signals.length, 5);
  await nextTurn();
  gc();
  await nextTurn();
  assert.equal(
    signals.map((s) => s.deref() === undefined),
    [true, true, true, true, true],
  );
});

test('a request that does not answer fails with a TimeoutError; the caller aborting fails it with its reason', async () => {
  const hang = (signal: AbortSignal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
  const { client } = listeningClient(hang);
  // The deadline's timer does not keep a process alive (nor should it): this one does meanwhile.
  const alive = setInterval(() => undefined, 1_000);
  const err = await requestWriter(client, { timeoutMs: 20 })
    .apply(configMap, 'govcloud-test')
    .then(
      () => undefined,
      (e: unknown) => e as Error,
    );
  clearInterval(alive);
  assert.is(err?.name, 'TimeoutError');

  const leadership = new AbortController();
  const pending = requestWriter(client, { signal: leadership.signal, timeoutMs: 30_000 })
    .delete(configMap)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  const lost = new Error('leadership lost');
  leadership.abort(lost);
  assert.is(await pending, lost);
});

test.run();
