// Re-adoption of retained namespaces against the real API servers. An agency under
// deletionPolicy Retain leaves its namespaces, with its Secrets, behind. A new Agency that
// takes the same name with another code and another admin group must not get them: its
// admins (impersonated) cannot read the old tenant's Secret, the Agency is Degraded naming
// the namespace, until a platform engineer releases the namespace to it. The same code
// adopts directly. While retained, the namespace keeps its quota and LimitRange.
import * as assert from 'uvu/assert';
import { waitFor, type Cluster } from '../harness/index.ts';
import { agency, clusterOf, condition, convergedAgency, get, uniqueAgency, waitCondition, type Obj } from './platform.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('operator: retained namespaces');

/** The HTTP status of one request as `user` in `groups`. */
async function statusAs(cluster: Cluster, user: string, groups: string[], method: string, urlPath: string): Promise<number> {
  return (await cluster.as(user, groups).request(method, urlPath)).status;
}

const SECRET = 'old-tenant-credentials';

/** An agency under Retain with a Secret in its workspace, then deleted: its namespaces stay. */
async function retained(ctx: { hub: Cluster; clusters: Cluster[]; agencies: string[] }, hint: string): Promise<{ name: string; code: string; hcm: Cluster }> {
  const { hub, clusters } = ctx;
  const { name, code } = await convergedAgency(ctx, hint, { dcs: ['dc-hcm'], deletionPolicy: 'Retain' });
  const hcm = clusterOf(clusters, 'dc-hcm');
  await hcm.call('POST', `/api/v1/namespaces/${name}-app/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET },
    stringData: { password: 'mật khẩu cũ' },
  });
  assert.is(
    await statusAs(hcm, 'old-admin', [`${name}-admins`], 'GET', `/api/v1/namespaces/${name}-app/secrets/${SECRET}`),
    200,
    'the old admins read their Secret',
  );
  await hub.call('DELETE', `/apis/govcloud.dev/v1alpha1/agencies/${name}`);
  await waitFor(`agency ${name} gone`, async () => !(await get(hub, 'Agency', undefined, name)), { timeoutMs: 60_000 });
  return { name, code, hcm };
}

function withAdmins(obj: Obj, group: string): Obj {
  return { ...obj, spec: { ...obj.spec, groups: { admins: [group] } } };
}

test('a new Agency with the same name and another code is held back from the retained namespaces until a platform engineer releases them', async (ctx) => {
  const { hub } = ctx;
  const { name, hcm } = await retained(ctx, 'heldback');
  const ns = `${name}-app`;
  const newcomers = `${name}-newcomers`;
  const other = uniqueAgency('other');
  await hub.apply(withAdmins(agency(name, other.code, { dcs: ['dc-hcm'] }), newcomers));
  // Reconciled either way (Ready was what happened before the fix): then attack as its admins.
  await waitFor('the new Agency reconciled', async () => {
    const a = await get(hub, 'Agency', undefined, name);
    return condition(a, 'Ready')?.status === 'True' || condition(a, 'Degraded')?.status === 'True';
  });
  await new Promise((r) => setTimeout(r, 2000));
  assert.is(
    await statusAs(hcm, 'new-admin', [newcomers], 'GET', `/api/v1/namespaces/${ns}/secrets/${SECRET}`),
    403,
    'the new admins cannot read the old tenant’s Secret',
  );
  assert.is(await statusAs(hcm, 'new-admin', [newcomers], 'GET', `/api/v1/namespaces/${ns}/pods`), 403, 'nor list its pods');

  const degraded = await waitCondition(hub, 'Agency', undefined, name, 'Degraded', 'True');
  const c = condition(degraded, 'Degraded')!;
  assert.is(c.reason, 'NamespaceConflict');
  assert.match(c.message, new RegExp(`namespace ${ns} was retained from agency code .*held back until a platform engineer releases it`));
  assert.not.ok((degraded.status.dataCentres[0].namespaces as string[]).includes(ns), 'status does not count it as the agency’s');
  const events = (await hub.call('GET', '/apis/events.k8s.io/v1/namespaces/default/events')) as {
    items: { reason: string; note: string; regarding: { name: string } }[];
  };
  assert.ok(
    events.items.some((e) => e.reason === 'NamespaceConflict' && e.regarding.name === name && e.note.includes(`${ns} was retained`)),
    'an event says why',
  );

  // A platform engineer releases the namespace to the new Agency (its uid): adopted.
  const uid = degraded.metadata!.uid!;
  await hcm.call('PATCH', `/api/v1/namespaces/${ns}`, { metadata: { annotations: { 'govcloud.dev/release-to': uid } } }, 'application/merge-patch+json');
  await waitFor('the released namespace adopted', async () => {
    const live = (await hcm.call('GET', `/api/v1/namespaces/${ns}`)) as Obj;
    return live.metadata?.labels?.['govcloud.dev/owner'] === `Agency..${name}` && live.metadata?.labels?.['govcloud.dev/agency-uid'] === uid;
  });
  await waitFor(
    'the new admins bound in the adopted namespace',
    async () => (await statusAs(hcm, 'new-admin', [newcomers], 'GET', `/api/v1/namespaces/${ns}/secrets/${SECRET}`)) === 200,
  );
});

test('retained namespaces keep their quota and LimitRange; a new Agency with the same name and the same code adopts them directly', async (ctx) => {
  const { hub } = ctx;
  const { name, code, hcm } = await retained(ctx, 'samecode');
  const ns = `${name}-app`;
  for (const path of [`/api/v1/namespaces/${ns}/resourcequotas/govcloud-quota`, `/api/v1/namespaces/${ns}/limitranges/govcloud-defaults`]) {
    const kept = (await hcm.call('GET', path)) as Obj;
    assert.is(kept.metadata?.labels?.['govcloud.dev/orphaned'], 'true', `${path}: kept while the namespace is retained`);
  }

  const successors = `${name}-successors`;
  await hub.apply(withAdmins(agency(name, code, { dcs: ['dc-hcm'] }), successors));
  await waitCondition(hub, 'Agency', undefined, name, 'Ready', 'True');
  await waitFor(
    'the successors bound in the adopted namespace',
    async () => (await statusAs(hcm, 'successor', [successors], 'GET', `/api/v1/namespaces/${ns}/secrets/${SECRET}`)) === 200,
  );
  const quota = (await hcm.call('GET', `/api/v1/namespaces/${ns}/resourcequotas/govcloud-quota`)) as Obj;
  assert.is(quota.metadata?.labels?.['govcloud.dev/owner'], `Agency..${name}`, 'the kept quota is the agency’s again');
});

test('the old tenant’s link in its retained hub namespace does not reopen its peer for a new Agency of another code', async (ctx) => {
  const { hub, clusters } = ctx;
  const a = uniqueAgency('stalelink');
  const b = uniqueAgency('peer');
  ctx.agencies.push(a.name, b.name);
  await hub.apply(agency(a.name, a.code, { dcs: ['dc-hanoi'] }));
  await hub.apply(agency(b.name, b.code, { dcs: ['dc-hanoi'], workspaces: ['api'] }));
  for (const n of [a.name, b.name]) await waitCondition(hub, 'Agency', undefined, n, 'Ready', 'True');
  const link = (owner: string, name: string, workspace: string, direction: string, peer: string, peerWorkspace: string): Obj => ({
    apiVersion: 'govcloud.dev/v1alpha1',
    kind: 'NetworkLink',
    metadata: { name, namespace: `govcloud-${owner}` },
    spec: { workspace, direction, peer: { agency: { name: peer, workspace: peerWorkspace } }, ports: [{ port: 443 }] },
  });
  await hub.apply(link(a.name, 'to-peer', 'app', 'Egress', b.name, 'api'));
  await hub.apply(link(b.name, 'from-old', 'api', 'Ingress', a.name, 'app'));
  const hanoi = clusterOf(clusters, 'dc-hanoi');
  const peerPolicy = `/apis/networking.k8s.io/v1/namespaces/${b.name}-api/networkpolicies/govcloud-link-from-old`;
  await waitFor('the link open at the peer', async () => (await hanoi.request('GET', peerPolicy)).status === 200);

  await hub.call('DELETE', `/apis/govcloud.dev/v1alpha1/agencies/${a.name}`);
  await waitFor('the peer closed once the agency is gone', async () => (await hanoi.request('GET', peerPolicy)).status === 404);
  // The policy closes as the deletion starts; the Agency (its code immutable) goes once its finalizer is done.
  await waitFor(`Agency ${a.name} gone`, async () => (await get(hub, 'Agency', undefined, a.name)) === undefined);
  const other = uniqueAgency('other');
  await hub.apply(withAdmins(agency(a.name, other.code, { dcs: ['dc-hanoi'] }), `${a.name}-newcomers`));
  await waitFor('the new Agency reconciled', async () => {
    const n = await get(hub, 'Agency', undefined, a.name);
    return condition(n, 'Ready')?.status === 'True' || condition(n, 'Degraded')?.status === 'True';
  });
  await new Promise((r) => setTimeout(r, 3000));
  assert.is((await hanoi.request('GET', peerPolicy)).status, 404, 'the stale link opens nothing for the newcomer');
});

test.run();
