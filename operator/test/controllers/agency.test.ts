// The agency controller over in-memory clusters: where objects go, that a converged agency
// costs no write, that placement changes move objects, retention on delete, isolation of a
// failing data centre, Degraded on a spec the rules refuse, and no namespace takeover.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FINALIZER } from '../../src/api/index.ts';
import { agency, condition, dataCentres, harness, ownedNames } from './fakes.ts';

const OWNER = 'govcloud.dev/owner';

test('onboarding: namespaces, quota, RoleBindings and policies in each placed data centre and nowhere else; then zero writes', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('btc', { code: '000.00.00.G12', level: 3, dcs: ['dc-hanoi', 'dc-hcm'], workspaces: ['thue', 'ngan-sach'] }));
  await h.run(1000);

  for (const dc of ['dc-hanoi', 'dc-hcm']) {
    const objects = ownedNames(h, dc, 'Agency..btc');
    for (const ns of ['btc-thue', 'btc-ngan-sach']) {
      for (const want of [
        `Namespace ${ns}`,
        `ResourceQuota ${ns}/govcloud-quota`,
        `LimitRange ${ns}/govcloud-defaults`,
        `RoleBinding ${ns}/govcloud-admins`,
        `NetworkPolicy ${ns}/govcloud-default-deny`,
      ]) {
        assert.ok(objects.includes(want), `${dc} has ${want}: ${objects.join(', ')}`);
      }
    }
  }
  assert.equal(ownedNames(h, 'dc-danang', 'Agency..btc'), [], 'nothing where it is not placed');
  assert.ok(h.cluster('dc-hanoi').has('Namespace', undefined, 'govcloud-btc'), 'the hub namespace on the hub');
  assert.not.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'govcloud-btc'));

  const btc = h.agency('btc')!;
  assert.equal(btc.metadata?.finalizers, [FINALIZER]);
  assert.is(condition(btc, 'Ready')?.status, 'True', JSON.stringify(btc.status));
  assert.is(btc.status.code, 'G12', 'normalised code');
  assert.is(btc.status.hubNamespace, 'govcloud-btc');
  assert.equal(
    btc.status.dataCentres.map((d: { dataCentre: string; ready: boolean }) => [d.dataCentre, d.ready]),
    [
      ['dc-hanoi', true],
      ['dc-hcm', true],
    ],
  );
  assert.is(condition(btc, 'Ready')?.observedGeneration, 1);

  h.takeWrites();
  // Every kind of wake-up a converged agency sees: its own key, a child event, time passing.
  h.core.controllers.Agency.enqueue('hub//btc');
  await h.run(1000);
  const ns = h.cluster('dc-hcm').server.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'btc-thue' } })!;
  h.cluster('dc-hcm').server.put({ ...ns, metadata: { ...ns.metadata, annotations: { ...ns.metadata?.annotations, unrelated: 'x' } } });
  await h.run(30_000);
  assert.equal(h.takeWrites(), [], 'a converged agency makes no write');
  await h.stop();
});

test('drift: a deleted or edited NetworkPolicy is put back', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('vpcp', { code: 'G22', dcs: ['dc-hcm'] }));
  await h.run(1000);
  const server = h.cluster('dc-hcm').server;
  const ref = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: 'vpcp-app', name: 'govcloud-default-deny' } };
  server.delete(ref);
  await h.run(100);
  assert.ok(server.get(ref), 'deleted policy re-created');
  const live = server.get(ref)!;
  server.put({ ...live, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  await h.run(100);
  assert.equal(server.get(ref)!.spec.policyTypes, ['Ingress', 'Egress'], 'edited policy restored');
  await h.stop();
});

test('placement change moves the objects; the old namespaces wait, kept, until the move is confirmed (then Delete: deleted; Retain: orphaned)', async () => {
  const dcs = dataCentres();
  const h = await harness({ objects: dcs });
  h.apply(agency('mover', { code: 'G30', dcs: ['dc-hcm'], deletionPolicy: 'Delete' }));
  h.apply(agency('keeper', { code: 'G31', dcs: ['dc-hcm'] }));
  await h.run(1000);
  assert.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'mover-app'));

  h.apply(agency('mover', { code: 'G30', dcs: ['dc-danang'], deletionPolicy: 'Delete' }));
  h.apply(agency('keeper', { code: 'G31', dcs: ['dc-danang'] }));
  await h.run(1000);
  // Not confirmed: whatever the policy, the namespace, default-deny, quota and LimitRange stay, still the agency's; access goes.
  for (const name of ['mover', 'keeper']) {
    const left = ownedNames(h, 'dc-hcm', `Agency..${name}`);
    assert.equal(
      left.filter(
        (o) =>
          o.startsWith('Namespace') ||
          o.startsWith('NetworkPolicy') ||
          o.startsWith('ResourceQuota') ||
          o.startsWith('LimitRange') ||
          o.startsWith('RoleBinding'),
      ),
      [
        `LimitRange ${name}-app/govcloud-defaults`,
        `Namespace ${name}-app`,
        `NetworkPolicy ${name}-app/govcloud-default-deny`,
        `ResourceQuota ${name}-app/govcloud-quota`,
      ],
      `${name}: kept until the move is confirmed`,
    );
  }
  assert.ok(ownedNames(h, 'dc-danang', 'Agency..mover').includes('Namespace mover-app'), 'the move itself is not held back');

  // A platform engineer confirms both moves on the old data centre.
  const hcm = dcs.find((d) => d.metadata?.name === 'dc-hcm')!;
  h.apply({ ...hcm, spec: { ...hcm.spec, confirmedMoves: ['mover', 'keeper'] } });
  await h.run(1000);
  assert.equal(ownedNames(h, 'dc-hcm', 'Agency..mover'), []);
  assert.not.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'mover-app'), 'Delete: the old namespace is deleted');
  assert.ok(ownedNames(h, 'dc-danang', 'Agency..mover').includes('NetworkPolicy mover-app/govcloud-default-deny'));

  assert.equal(ownedNames(h, 'dc-hcm', 'Agency..keeper'), [], 'Retain: nothing owned is left in the old data centre');
  const kept = h.cluster('dc-hcm').server.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keeper-app' } });
  assert.ok(kept, 'Retain: the old namespace stays');
  assert.is(kept!.metadata?.labels?.['govcloud.dev/orphaned'], 'true');
  assert.is(kept!.metadata?.labels?.['app.kubernetes.io/managed-by'], undefined);
  assert.is(kept!.metadata?.labels?.['govcloud.dev/workspace'], 'app', 'isolation labels stay');
  const keptPolicies = h.cluster('dc-hcm').server.list('NetworkPolicy', 'keeper-app');
  assert.equal(
    keptPolicies.map((p) => p.metadata?.name),
    ['govcloud-default-deny'],
    'Retain: the workloads left there stay default-denied',
  );
  assert.equal((keptPolicies[0] as { spec?: unknown }).spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  assert.is(keptPolicies[0]!.metadata?.labels?.['govcloud.dev/orphaned'], 'true');

  // Moving back re-adopts the orphan.
  h.apply(agency('keeper', { code: 'G31', dcs: ['dc-danang', 'dc-hcm'] }));
  await h.run(1000);
  const adopted = h.cluster('dc-hcm').server.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'keeper-app' } })!;
  assert.is(adopted.metadata?.labels?.[OWNER], 'Agency..keeper');
  assert.is(adopted.metadata?.labels?.['govcloud.dev/orphaned'], undefined);
  assert.is(condition(h.agency('keeper'), 'Ready')?.status, 'True');
  await h.stop();
});

test('deletion with Retain keeps the namespaces (orphaned) and removes the rest; Delete removes them', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('retained', { code: 'G40', dcs: ['dc-hanoi', 'dc-hcm'] }));
  h.apply(agency('deleted', { code: 'G41', dcs: ['dc-hcm'], deletionPolicy: 'Delete' }));
  await h.run(1000);
  h.remove(h.agency('retained')!);
  h.remove(h.agency('deleted')!);
  await h.run(1000);

  assert.is(h.agency('retained'), undefined, 'the finalizer was released');
  assert.is(h.agency('deleted'), undefined);
  for (const dc of ['dc-hanoi', 'dc-hcm']) {
    const ns = h.cluster(dc).server.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'retained-app' } });
    assert.ok(ns, `${dc}: namespace kept`);
    assert.is(ns!.metadata?.labels?.['govcloud.dev/orphaned'], 'true');
    assert.is(ns!.metadata?.labels?.[OWNER], undefined);
    assert.equal(ownedNames(h, dc, 'Agency..retained'), []);
    const policies = h.cluster(dc).server.list('NetworkPolicy', 'retained-app');
    assert.equal(
      policies.map((p) => p.metadata?.name),
      ['govcloud-default-deny'],
      `${dc}: default-deny kept with the namespace`,
    );
  }
  assert.ok(h.cluster('dc-hanoi').server.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'govcloud-retained' } }), 'hub namespace kept too');
  assert.not.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'deleted-app'));
  assert.ok(h.events.some((e) => e.reason === 'CleanedUp' && e.regarding.name === 'retained'));
  await h.stop();
});

test('deletion with Delete: one DELETE per namespace, what is in them goes with them; nothing written while the namespace controller removes it', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('gone', { code: 'G42', dcs: ['dc-hcm'], workspaces: ['app', 'web'], deletionPolicy: 'Delete' }));
  await h.run(1000);
  const server = h.cluster('dc-hcm').server;
  const namespaces = ['gone-app', 'gone-web'].map((name) => server.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })!);
  const inside = server.all().filter((o) => o.metadata?.namespace === 'gone-app' || o.metadata?.namespace === 'gone-web');
  assert.ok(inside.some((o) => o.kind === 'ResourceQuota') && inside.some((o) => o.kind === 'RoleBinding'));
  h.takeWrites();
  h.remove(h.agency('gone')!);
  await h.run(1000);
  assert.is(h.agency('gone'), undefined);
  assert.equal(
    h.takeWrites().filter((w) => w.startsWith('dc-hcm: ')),
    ['dc-hcm: delete Namespace gone-app', 'dc-hcm: delete Namespace gone-web'],
  );
  // As the API server holds them while the namespace controller empties them: the namespaces
  // marked (held by a finalizer here, by spec.finalizers there), their quota, bindings and
  // policies still there. A wake-up of the gone agency then deletes or labels nothing in them.
  for (const ns of namespaces)
    server.put({ ...ns, metadata: { ...ns.metadata, finalizers: ['kubernetes'], deletionTimestamp: new Date().toISOString() as unknown as Date } });
  for (const o of inside) server.put(o);
  h.core.controllers.Agency.enqueue('hub//gone');
  await h.run(1000);
  assert.equal(h.takeWrites(), []);
  await h.stop();
});

test('a dark data centre: other data centres and agencies go on; deletion waits for it alone', async () => {
  const h = await harness({ objects: dataCentres() });
  h.cluster('dc-hcm').dark = true;
  await h.run(3000);
  h.apply(agency('both', { code: 'G50', dcs: ['dc-hanoi', 'dc-hcm'] }));
  h.apply(agency('north', { code: 'G51', dcs: ['dc-hanoi'] }));
  await h.run(1000);
  assert.ok(h.cluster('dc-hanoi').has('Namespace', undefined, 'both-app'), 'applied where reachable');
  const both = h.agency('both')!;
  assert.is(condition(both, 'Degraded')?.status, 'True');
  assert.is(condition(both, 'Degraded')?.reason, 'DataCentreUnreachable');
  assert.match(condition(both, 'Degraded')!.message, /dc-hcm is unreachable/);
  assert.is(condition(h.agency('north'), 'Ready')?.status, 'True');

  // Deleting waits for dc-hcm; deleting another agency does not.
  h.remove(both);
  h.remove(h.agency('north')!);
  await h.run(2000);
  assert.ok(h.agency('both'), 'held by the finalizer while dc-hcm is dark');
  assert.is(condition(h.agency('both'), 'Degraded')?.reason, 'DeletionBlocked');
  assert.is(h.agency('north'), undefined);

  h.cluster('dc-hcm').dark = false;
  await h.run(15_000);
  assert.is(h.agency('both'), undefined, 'deleted once dc-hcm answers');
  await h.stop();
});

test('a failing data centre: the agency is Degraded with the error, the other data centre is applied', async () => {
  const h = await harness({ objects: dataCentres() });
  h.cluster('dc-hcm').failWrites = true;
  h.apply(agency('flaky', { code: 'G52', dcs: ['dc-hanoi', 'dc-hcm'] }));
  await h.run(1000);
  assert.ok(h.cluster('dc-hanoi').has('NetworkPolicy', 'flaky-app', 'govcloud-default-deny'));
  assert.is(condition(h.agency('flaky'), 'Degraded')?.reason, 'ApplyFailed');
  assert.match(condition(h.agency('flaky'), 'Degraded')!.message, /dc-hcm: .*unable to handle the request/);
  assert.ok(h.events.some((e) => e.type === 'Warning' && e.regarding.name === 'flaky'));
  h.cluster('dc-hcm').failWrites = false;
  await h.run(5000);
  assert.ok(h.cluster('dc-hcm').has('NetworkPolicy', 'flaky-app', 'govcloud-default-deny'), 'retried with backoff');
  assert.is(condition(h.agency('flaky'), 'Ready')?.status, 'True');
  await h.stop();
});

test('a spec the platform refuses: Degraded with a clear message; the others stay Ready', async () => {
  const h = await harness({ objects: dataCentres() });
  h.apply(agency('good', { code: 'G60', dcs: ['dc-hanoi'] }));
  h.apply(agency('toohigh', { code: 'G61', level: 4, dcs: ['dc-danang'] }));
  h.apply(agency('twin', { code: 'G60', dcs: ['dc-hanoi'] }));
  await h.run(1000);
  const bad = condition(h.agency('toohigh'), 'Degraded');
  assert.is(bad?.status, 'True');
  assert.is(bad?.reason, 'RuleViolation');
  assert.match(
    bad!.message,
    /rule agencies at spec\.placement\.dataCentres\[0\]: DataCentre\/dc-danang is accredited up to security level 2, below this agency's level 4/,
  );
  assert.is(condition(h.agency('toohigh'), 'Ready')?.status, 'False');
  assert.not.ok(h.cluster('dc-danang').has('Namespace', undefined, 'toohigh-app'));
  const twin = condition(h.agency('twin'), 'Degraded');
  assert.is(twin?.reason, 'RuleViolation');
  assert.match(twin!.message, /rule agencies at spec\.code: code G60 is already Agency\/good's/);
  assert.not.ok(h.cluster('dc-hanoi').has('Namespace', undefined, 'twin-app'), 'the twin gets nothing');
  assert.is(condition(h.agency('good'), 'Ready')?.status, 'True');
  await h.stop();
});

test('another agency reaches this one only through the rules: when the holder of a code goes, its twin becomes Ready', async () => {
  const h = await harness({ objects: dataCentres() });
  const first = h.apply(agency('first', { code: 'G62', dcs: ['dc-hanoi'] }));
  await h.run(1000);
  h.apply(agency('second', { code: 'G62', dcs: ['dc-hanoi'] }));
  await h.run(1000);
  assert.is(condition(h.agency('second'), 'Degraded')?.reason, 'RuleViolation');
  assert.not.ok(h.cluster('dc-hanoi').has('Namespace', undefined, 'second-app') && condition(h.agency('second'), 'Ready')?.status === 'True');
  h.remove(first);
  await h.run(2000);
  assert.is(condition(h.agency('second'), 'Ready')?.status, 'True', 'the twin is re-judged once the first is gone');
  assert.is(condition(h.agency('second'), 'Degraded')?.status, 'False');
  await h.stop();
});

async function agencyReconciles(h: Awaited<ReturnType<typeof harness>>): Promise<number> {
  const values = (await h.metrics.reconcileTotal.get()).values;
  return values.filter((v) => v.labels.controller === 'agency').reduce((n, v) => n + v.value, 0);
}

test('a change to one agency reconciles that agency, not every other one', async () => {
  const h = await harness({ objects: dataCentres() });
  for (let i = 0; i < 30; i++) h.apply(agency(`a${i}`, { code: `G${10 + i}`, dcs: ['dc-hcm'] }));
  await h.run(2000);
  const burst = await agencyReconciles(h);
  assert.ok(burst >= 30 && burst <= 90, `30 agencies applied at once: ${burst} reconciles`);
  for (let i = 0; i < 30; i++) assert.is(condition(h.agency(`a${i}`), 'Ready')?.status, 'True', JSON.stringify(h.agency(`a${i}`)?.status));
  const changed = h.agency('a7')!;
  h.apply({
    ...changed,
    metadata: { ...changed.metadata, generation: (changed.metadata?.generation ?? 1) + 1 },
    spec: { ...changed.spec, workspaces: [...changed.spec.workspaces, { name: 'web', dataClass: 'shared' }] },
  });
  await h.run(2000);
  const after = (await agencyReconciles(h)) - burst;
  assert.ok(after >= 1 && after <= 2, `one agency changed: ${after} agency reconciles`);
  assert.ok(h.cluster('dc-hcm').has('Namespace', undefined, 'a7-web'));
  await h.stop();
});

test("a namespace that exists without govcloud's labels, or belongs to another agency, is never taken over", async () => {
  const h = await harness({ objects: dataCentres() });
  h.cluster('dc-hcm').server.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy-app', labels: { team: 'old' } } });
  h.apply(agency('legacy', { code: 'G70', dcs: ['dc-hcm'], workspaces: ['app', 'web'] }));
  await h.run(1000);
  const ns = h.cluster('dc-hcm').server.get({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'legacy-app' } })!;
  assert.equal(ns.metadata?.labels, { team: 'old', 'kubernetes.io/metadata.name': 'legacy-app' }, 'untouched');
  assert.equal(h.cluster('dc-hcm').server.list('NetworkPolicy', 'legacy-app'), [], 'nothing written into it');
  assert.ok(h.cluster('dc-hcm').has('NetworkPolicy', 'legacy-web', 'govcloud-default-deny'), 'the other workspace is applied');
  const degraded = condition(h.agency('legacy'), 'Degraded');
  assert.is(degraded?.reason, 'NamespaceConflict');
  assert.match(degraded!.message, /dc-hcm: namespace legacy-app exists and is not managed by govcloud: not taken over/);
  const placement = h.agency('legacy')!.status.dataCentres[0];
  assert.equal(placement.namespaces, ['legacy-web']);
  // Once its owners remove it, the agency waiting for the name takes it at once.
  h.cluster('dc-hcm').server.delete(ns);
  await h.run(1000);
  assert.ok(h.cluster('dc-hcm').has('NetworkPolicy', 'legacy-app', 'govcloud-default-deny'), 'made once the name was free');
  assert.is(condition(h.agency('legacy'), 'Ready')?.status, 'True');
  await h.stop();
});

test.run();
