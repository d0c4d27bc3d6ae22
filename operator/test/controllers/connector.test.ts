// How a DataCentre is reached: the hub's own client, or a client from the kubeconfig Secret in
// the operator's namespace (and nowhere else); a changed Secret is a new connection.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DataCentre } from '../../src/api/index.ts';
import { kubeConnector } from '../../src/controllers/connector.ts';
import { HubCache } from '../../src/controllers/hub.ts';
import { ClusterClient } from '../../src/runtime/index.ts';
import { FakeClock } from '../runtime/fake-clock.ts';
import { kubeconfig } from '../runtime/fake-apiserver.ts';
import { dataCentres, MemoryServer } from './fakes.ts';

async function setup() {
  const clock = new FakeClock();
  const server = new MemoryServer(clock);
  const hub = new HubCache({ namespace: 'govcloud-system', clock, sources: (r, { namespace }) => server.source(r, namespace ? { namespace } : {}) });
  const secret = (name: string, data: Record<string, string>, namespace = 'govcloud-system') =>
    server.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    });
  hub.start();
  await hub.waitForSync();
  const hubClient = ClusterClient.fromKubeconfig('hub', kubeconfig('https://127.0.0.1:1', 'admin'));
  const connector = kubeConnector({ hub, hubClient, timeouts: { requestMs: 1000 } });
  return { server, hub, secret, connector, clock };
}

const [hanoi, hcm] = dataCentres() as unknown as DataCentre[];
const withRef = (ref: Record<string, string>): DataCentre => ({ ...hcm!, spec: { ...hcm!.spec, connection: { kubeconfigSecretRef: ref as never } } });

test('thisCluster is the hub; a Secret in the operator namespace is read, a changed one reconnects', async () => {
  const { secret, connector, clock, hub } = await setup();
  const h = connector.resolve(hanoi!);
  assert.ok(h.ok && h.fingerprint === 'hub');
  secret('dc-hcm-kubeconfig', { kubeconfig: kubeconfig('https://127.0.0.1:2', 'admin') });
  await clock.advance(10);
  const a = connector.resolve(hcm!);
  const b = connector.resolve(hcm!);
  assert.ok(a.ok && b.ok && a.fingerprint === b.fingerprint, 'same Secret, same connection');
  secret('dc-hcm-kubeconfig', { kubeconfig: kubeconfig('https://127.0.0.1:3', 'admin') });
  await clock.advance(10);
  const c = connector.resolve(hcm!);
  assert.ok(c.ok && a.ok && c.fingerprint !== a.fingerprint, 'a new kubeconfig is a new connection');
  await hub.stop();
});

test('what cannot be used says why', async () => {
  const { secret, connector, clock, hub } = await setup();
  const reason = (dc: DataCentre) => {
    const r = connector.resolve(dc);
    return r.ok ? 'ok' : `${r.reason}: ${r.message}`;
  };
  assert.match(reason(withRef({ namespace: 'kube-system', name: 'x' })), /^SecretOutsideNamespace: .*reads no Secret elsewhere/);
  assert.match(reason(withRef({ namespace: 'govcloud-system', name: 'missing' })), /^SecretNotFound: Secret govcloud-system\/missing does not exist/);
  secret('wrong-key', { config: 'x' });
  secret('garbage', { kubeconfig: 'not: [a kubeconfig' });
  await clock.advance(10);
  assert.match(reason(withRef({ namespace: 'govcloud-system', name: 'wrong-key' })), /^SecretInvalid: .*has no key kubeconfig/);
  assert.match(reason(withRef({ namespace: 'govcloud-system', name: 'garbage' })), /^KubeconfigInvalid: /);
  assert.match(reason(withRef({ namespace: 'govcloud-system', name: 'wrong-key', key: 'config' })), /^KubeconfigInvalid: /);
  await hub.stop();
});

test.run();
