// The merge applied by a real GitOps engine (`make e2e-gitops`; not in `make e2e`, see mk/gitops.mk): Flux's source-controller clones a repository
// from the loopback Git server, kustomize-controller applies it to the hub as the
// ServiceAccount govcloud-gitops (which may write govcloud's tenant kinds and nothing else),
// the operator converges. One repository lives through the tests in order, each commit a
// merged pull request: an agency's folder, a quota raised, a typo the API server refuses, a
// kind outside govcloud slipped in, the folder removed.
import * as assert from 'uvu/assert';
import { waitFor, type Cluster } from '../harness/index.ts';
import { agency, clusterOf, condition, deleteAgencies, get, uniqueAgency, waitCondition, waitConverged, type Obj } from '../operator/platform.ts';
import { operatorSuite } from '../operator/suite.ts';
import {
  APPLIER,
  FLUX_NAMESPACE,
  GitOpsRepo,
  deleteFluxObjects,
  fluxController,
  kustomization,
  pointFluxAt,
  requestFetch,
  startFlux,
  stopFlux,
  waitKustomization,
} from './flux.ts';

const { name, code } = uniqueAgency('gitops');
const folder = `agencies/${name}`;
const repo = { current: undefined as GitOpsRepo | undefined };
let startedFlux = false;

const test = operatorSuite('gitops: Flux applies the merge', {
  setUp: async () => {
    startedFlux = startFlux();
    repo.current = new GitOpsRepo(`e2e-${name}`);
  },
  tearDown: async (ctx) => {
    if (repo.current) {
      await deleteFluxObjects(ctx.hub, repo.current.name);
      repo.current.dispose();
    }
    await deleteAgencies(ctx.hub, ctx.clusters, [name], true);
    if (startedFlux) stopFlux();
  },
});

const theRepo = (): GitOpsRepo => repo.current!;
const agencyFile = (cpu: string, dataCentre = 'dc-hcm'): Obj => {
  const a = agency(name, code, { dcs: ['dc-hcm'], deletionPolicy: 'Retain' });
  a.spec.placement.dataCentres = [dataCentre];
  a.spec.quotas[0].cpu = cpu;
  return a;
};
/** The hub as a flux-system ServiceAccount (the admin impersonating it, with its groups). */
const as = (hub: Cluster, sa: string): Cluster =>
  hub.as(`system:serviceaccount:${FLUX_NAMESPACE}:${sa}`, ['system:serviceaccounts', `system:serviceaccounts:${FLUX_NAMESPACE}`, 'system:authenticated']);
const quotaCpu = async (hcm: Cluster): Promise<string | undefined> =>
  ((await hcm.call('GET', `/api/v1/namespaces/${name}-app/resourcequotas/govcloud-quota`)) as Obj).spec?.hard?.['requests.cpu'];

let accepted = '';

test('an agency’s folder merged: Flux applies it as govcloud-gitops, the Agency is Ready and converged, the Kustomization Ready only then', async (ctx) => {
  const { hub, clusters } = ctx;
  const r = theRepo();
  r.writeText('README.md', 'Agencies of the e2e GitOps repository: one folder each.\n');
  r.writeObject(`${folder}/agency.yaml`, agencyFile('4'));
  const commit = r.commit(`${name}: ask for tenancy in dc-hcm`);
  await pointFluxAt(hub, r);
  await waitKustomization(hub, r.name, commit, 'True');
  // wait: true makes Flux's health check (kstatus) read the Agency's Ready: it is already True.
  const a = await get(hub, 'Agency', undefined, name);
  assert.is(condition(a, 'Ready')?.status, 'True', 'the Kustomization turned Ready only with the Agency Ready');
  assert.ok(
    a?.metadata?.managedFields?.some((f) => f.manager === 'kustomize-controller'),
    'Flux applied the Agency',
  );
  const k = await kustomization(hub, r.name);
  assert.ok(
    k?.status?.inventory?.entries?.some((e) => e.id === `_${name}_govcloud.dev_Agency`),
    'the Agency is in Flux’s inventory (it prunes it later)',
  );
  await waitConverged(hub, clusters, name);
  const hcm = clusterOf(clusters, 'dc-hcm');
  assert.is(await quotaCpu(hcm), '4');
  accepted = commit;
}, 240_000);

test('a second merge raises the quota: Flux applies it and the operator converges the data centre’s ResourceQuota', async (ctx) => {
  const { hub, clusters } = ctx;
  const r = theRepo();
  r.writeObject(`${folder}/agency.yaml`, agencyFile('6'));
  const commit = r.commit(`${name}: raise the CPU quota in dc-hcm to 6`);
  await requestFetch(hub, r);
  await waitKustomization(hub, r.name, commit, 'True');
  await waitCondition(hub, 'Agency', undefined, name, 'Ready', 'True');
  const hcm = clusterOf(clusters, 'dc-hcm');
  await waitFor('the ResourceQuota in dc-hcm at 6 CPUs', async () => (await quotaCpu(hcm)) === '6', { timeoutMs: 60_000 });
  await waitConverged(hub, clusters, name);
  accepted = commit;
});

test('a merge with a typo the API server refuses: the Kustomization is Ready=False with the API server’s message and the running agency is untouched', async (ctx) => {
  const { hub, clusters } = ctx;
  const r = theRepo();
  const hcm = clusterOf(clusters, 'dc-hcm');
  const before = (await get(hub, 'Agency', undefined, name))!;
  const nsBefore = (await hcm.call('GET', `/api/v1/namespaces/${name}-app`)) as Obj;
  r.writeObject(`${folder}/agency.yaml`, agencyFile('8', 'dc-hcmm'));
  const commit = r.commit(`${name}: move to dc-hcmm (a typo) with 8 CPUs`);
  await requestFetch(hub, r);
  const ready = await waitKustomization(hub, r.name, commit, 'False');
  assert.match(
    ready.message,
    'quotas must name each data centre in placement.dataCentres exactly, and no other',
    'the API server’s CEL message, as it said it',
  );
  assert.match(ready.message, `Agency/${name}`, 'naming the object');
  assert.is((await kustomization(hub, r.name))?.status?.lastAppliedRevision, `main@sha1:${accepted}`, 'the last applied revision stays the accepted one');

  const after = (await get(hub, 'Agency', undefined, name))!;
  assert.is(after.metadata!.generation, before.metadata!.generation, 'the Agency’s spec is unchanged');
  assert.equal(after.spec.placement, before.spec.placement);
  assert.is(condition(after, 'Ready')?.status, 'True', 'and it stays Ready');
  const nsAfter = (await hcm.call('GET', `/api/v1/namespaces/${name}-app`)) as Obj;
  assert.is(nsAfter.metadata!.uid, nsBefore.metadata!.uid, 'its namespace is the same');
  assert.is(await quotaCpu(hcm), '6', 'its quota is the accepted one');
});

test('a merge that slips in a ClusterRoleBinding is refused for govcloud-gitops, and the Flux accounts can do no more than their RBAC says', async (ctx) => {
  const { hub } = ctx;
  const r = theRepo();
  r.writeObject(`${folder}/agency.yaml`, agencyFile('6'));
  r.writeObject(`${folder}/escalate.yaml`, {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${name}-admins-cluster-admin` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: `${name}-admins` }],
  } as Obj);
  const commit = r.commit(`${name}: make our admins cluster admins`);
  await requestFetch(hub, r);
  const ready = await waitKustomization(hub, r.name, commit, 'False');
  assert.match(ready.message, 'forbidden', `the API server refused it: ${ready.message}`);
  assert.match(ready.message, `system:serviceaccount:${FLUX_NAMESPACE}:${APPLIER}`, 'as the applier account');
  assert.is(
    (await hub.request('GET', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${name}-admins-cluster-admin`)).status,
    404,
    'no such binding exists',
  );
  assert.is(condition(await get(hub, 'Agency', undefined, name), 'Ready')?.status, 'True', 'the Agency stays Ready');

  const status = async (c: Cluster, method: string, path: string, body?: unknown) => (await c.request(method, path, body)).status;
  const applier = as(hub, APPLIER);
  const dc = { apiVersion: 'govcloud.dev/v1alpha1', kind: 'DataCentre', metadata: { name: 'dc-rogue' }, spec: {} };
  assert.is(await status(applier, 'POST', '/apis/govcloud.dev/v1alpha1/datacentres?dryRun=All', dc), 403, 'the applier creates no DataCentre');
  assert.is(
    await status(applier, 'POST', '/api/v1/namespaces?dryRun=All', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rogue' } }),
    403,
    'nor a Namespace',
  );
  // kustomize-controller with its own token, as it runs: it may become govcloud-gitops and no one else.
  const kc = fluxController('kustomize-controller');
  assert.is(
    await status(kc, 'POST', '/apis/govcloud.dev/v1alpha1/agencies?dryRun=All', agencyFile('4')),
    403,
    'kustomize-controller applies nothing as itself',
  );
  assert.is(await status(kc, 'GET', '/api/v1/namespaces/govcloud-system/secrets'), 403, 'nor reads the operator’s Secrets');
  assert.is(await status(kc, 'GET', '/api/v1/secrets'), 403, 'nor Secrets across the cluster');
  const becomes = (sa: string, ns = FLUX_NAMESPACE) => kc.as(`system:serviceaccount:${ns}:${sa}`, []);
  assert.is(await status(becomes(APPLIER), 'GET', '/apis/govcloud.dev/v1alpha1/agencies'), 200, 'it may act as govcloud-gitops');
  assert.is(await status(becomes('govcloud-operator', 'govcloud-system'), 'GET', '/apis/govcloud.dev/v1alpha1/agencies'), 403, 'but not as the operator');
  assert.is(await status(becomes('source-controller'), 'GET', '/apis/govcloud.dev/v1alpha1/agencies'), 403, 'nor as another Flux account');
  const sc = fluxController('source-controller');
  assert.is(
    await status(sc, 'GET', `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${FLUX_NAMESPACE}/kustomizations`),
    403,
    'source-controller reads no Kustomization',
  );
  assert.is(await status(sc, 'GET', `/apis/source.toolkit.fluxcd.io/v1/namespaces/default/gitrepositories`), 403, 'nor sources outside flux-system');
});

test('the agency’s folder removed: Flux prunes the Agency and the operator’s deletion policy Retain keeps its namespaces', async (ctx) => {
  const { hub, clusters } = ctx;
  const r = theRepo();
  r.remove(folder);
  const commit = r.commit(`${name}: leave the platform`);
  await requestFetch(hub, r);
  await waitKustomization(hub, r.name, commit, 'True');
  await waitFor(`agency ${name} pruned`, async () => !(await get(hub, 'Agency', undefined, name)), { timeoutMs: 60_000 });
  const ns = (await clusterOf(clusters, 'dc-hcm').call('GET', `/api/v1/namespaces/${name}-app`)) as Obj;
  assert.is(ns.metadata?.labels?.['govcloud.dev/orphaned'], 'true', 'the namespace is retained, marked orphaned');
  assert.not.ok(ns.metadata?.deletionTimestamp, 'and not being deleted');
  assert.not.ok((await kustomization(hub, r.name))?.status?.inventory?.entries?.length, 'Flux’s inventory is empty');
});

test.run();
