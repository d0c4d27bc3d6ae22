// The merge applied by a real GitOps engine (`make e2e-gitops`; not in `make e2e`, see mk/gitops.mk): Flux's source-controller clones a repository
// from the loopback Git server, kustomize-controller applies it to the hub as the
// ServiceAccount govcloud-gitops (which may write govcloud's tenant kinds and nothing else),
// the operator converges. One repository in the template's layout (samples/gitops: platform/,
// agencies/<name>/) lives through the tests in order, each commit a merged pull request: an
// agency's folder, a quota raised, a typo the API server refuses, a kind outside govcloud
// slipped in, access granted then revoked, an agency the operator refuses (Flux's health check
// names it), a pull request the template's own check refuses (never merged), the folder removed.
import { cpSync } from 'node:fs';
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import { ROOT, waitFor, type Cluster } from '../harness/index.ts';
import {
  agency,
  API,
  clusterOf,
  condition,
  deleteAgencies,
  get,
  registryService,
  uniqueAgency,
  waitCondition,
  waitConverged,
  type Obj,
} from '../operator/platform.ts';
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
  waitFetched,
  startFlux,
  stopFlux,
  waitKustomization,
} from './flux.ts';

const { name, code } = uniqueAgency('gitops');
const folder = `agencies/${name}`;
/** A provider of a shared data service (access granted, then revoked) and an agency the operator refuses. */
const provider = uniqueAgency('gitprov');
const refused = uniqueAgency('gitbad');
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
    await deleteAgencies(ctx.hub, ctx.clusters, [name, provider.name, refused.name], true);
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
  // The data centres, as the template has them: read by the pull-request check, not applied by Flux (its path is ./agencies).
  cpSync(path.join(ROOT, 'samples', 'gitops', 'platform'), path.join(r.work, 'platform'), { recursive: true });
  r.writeObject(`${folder}/agency.yaml`, agencyFile('4'));
  const commit = r.commit(`${name}: ask for tenancy in dc-hcm`);
  await pointFluxAt(hub, r);
  // wait: true and the health checks of sync.yaml: at no moment is the Kustomization Ready at
  // this commit while the Agency is not (the Kustomization read first, then the Agency).
  await waitFor(
    'the Kustomization Ready at the commit',
    async () => {
      const k = await kustomization(hub, r.name);
      const ready = k?.status?.lastAppliedRevision?.endsWith(commit) && k.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const a = await get(hub, 'Agency', undefined, name);
      if (ready) assert.is(condition(a, 'Ready')?.status, 'True', 'the Kustomization Ready only with the Agency Ready');
      return ready;
    },
    { timeoutMs: 150_000, intervalMs: 200 },
  );
  const a = await get(hub, 'Agency', undefined, name);
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

const request = (requestName: string): Obj => ({
  apiVersion: API,
  kind: 'AccessRequest',
  metadata: { name: requestName, namespace: `govcloud-${name}` },
  spec: { provider: provider.name, service: 'registry', workspaces: ['app'], purpose: 'Tra cứu đăng ký (e2e)', legalBasis: 'Nghị định 47/2020/NĐ-CP' },
});
const USE = `govcloud-use-${provider.name}.registry`;
/** The NetworkPolicy `policy` in `namespace` of dc-hcm, or undefined. */
const policy = async (clusters: Cluster[], namespace: string, policyName: string): Promise<Obj | undefined> => {
  const res = await clusterOf(clusters, 'dc-hcm').request('GET', `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/${policyName}`);
  return res.status === 200 ? (res.body as Obj) : undefined;
};

test('access granted by one merge and revoked by another: the grant pruned, the request waiting, the member’s NetworkPolicies closed', async (ctx) => {
  const { hub, clusters } = ctx;
  const r = theRepo();
  r.remove(`${folder}/escalate.yaml`);
  // A new agency's tenancy is merged first: its hub namespace, where the rest of its folder
  // lives, is made by the operator from the Agency, and Flux dry-runs a whole revision.
  r.writeObject(`agencies/${provider.name}/agency.yaml`, agency(provider.name, provider.code, { dcs: ['dc-hcm'], workspaces: ['data'] }));
  const tenancy = r.commit(`${provider.name}: ask for tenancy in dc-hcm`);
  await requestFetch(hub, r);
  await waitKustomization(hub, r.name, tenancy, 'True');
  r.writeObject(`agencies/${provider.name}/registry.yaml`, registryService(provider.name, { sharing: 'onRequest', dcs: ['dc-hcm'], replicas: 1 }));
  r.writeObject(`agencies/${provider.name}/grant.yaml`, {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: `${name}-app`, namespace: `govcloud-${provider.name}` },
    spec: {
      service: 'registry',
      consumer: name,
      workspaces: ['app'],
      purpose: 'Tra cứu đăng ký (e2e)',
      legalBasis: 'Nghị định 47/2020/NĐ-CP',
      validUntil: '2030-01-01T00:00:00Z',
    },
  });
  r.writeObject(`${folder}/request.yaml`, request('registry-for-app'));
  const granted = r.commit(`${provider.name} publishes its registry; ${name} asks for it and is granted it`);
  await requestFetch(hub, r);
  await waitKustomization(hub, r.name, granted, 'True');
  await waitFor('the consumer’s policy in dc-hcm', async () => (await policy(clusters, `${name}-app`, USE)) !== undefined, { timeoutMs: 60_000 });
  assert.match(
    JSON.stringify((await policy(clusters, `${provider.name}-data`, 'govcloud-svc-registry'))?.spec),
    `${name}-app`,
    'the service admits the consumer',
  );
  const active = await waitFor('the request active', async () => {
    const o = await get(hub, 'AccessRequest', `govcloud-${name}`, 'registry-for-app');
    return o?.status?.active === true ? o : undefined;
  });
  assert.is(active.status.matchedBy, `govcloud-${provider.name}/${name}-app`);

  r.remove(`agencies/${provider.name}/grant.yaml`);
  const revoked = r.commit(`${provider.name} revokes ${name}'s access`);
  await requestFetch(hub, r);
  await waitKustomization(hub, r.name, revoked, 'True');
  await waitFor('the grant pruned', async () => !(await get(hub, 'AccessGrant', `govcloud-${provider.name}`, `${name}-app`)), { timeoutMs: 60_000 });
  const waiting = await waitFor('the request waiting for a grant again', async () => {
    const o = await get(hub, 'AccessRequest', `govcloud-${name}`, 'registry-for-app');
    return o?.status?.active === false && condition(o, 'Progressing')?.reason === 'WaitingForGrant' ? o : undefined;
  });
  assert.match(condition(waiting, 'Progressing')!.message, `${provider.name} has not granted it`);
  await waitFor('the consumer’s policy in dc-hcm removed', async () => (await policy(clusters, `${name}-app`, USE)) === undefined, { timeoutMs: 60_000 });
  const ingress = await policy(clusters, `${provider.name}-data`, 'govcloud-svc-registry');
  assert.not.match(JSON.stringify(ingress?.spec ?? {}), `${name}-app`, 'the service no longer admits the consumer');
});

test('an agency the operator refuses (level 4 in dc-danang, accredited to 2): the Kustomization fails naming that Agency; fixed, it turns Ready', async (ctx) => {
  const { hub } = ctx;
  const r = theRepo();
  r.writeObject(`agencies/${refused.name}/agency.yaml`, agency(refused.name, refused.code, { dcs: ['dc-danang'], level: 4 }));
  const bad = r.commit(`${refused.name}: ask for level 4 in dc-danang`);
  await requestFetch(hub, r);
  const ready = await waitKustomization(hub, r.name, bad, 'False');
  assert.match(ready.message, `Agency/${refused.name} status: 'Failed'`, `Flux names the Degraded agency: ${ready.message}`);
  assert.not.match(ready.message, `Agency/${name} `, 'and not the healthy one');
  const degraded = await waitCondition(hub, 'Agency', undefined, refused.name, 'Degraded', 'True');
  assert.match(condition(degraded, 'Degraded')!.message, /accredited up to security level 2, below this agency's level 4/);

  r.writeObject(`agencies/${refused.name}/agency.yaml`, agency(refused.name, refused.code, { dcs: ['dc-danang'], level: 2 }));
  const fixed = r.commit(`${refused.name}: level 2`);
  await requestFetch(hub, r);
  await waitKustomization(hub, r.name, fixed, 'True');
  assert.is(condition(await get(hub, 'Agency', undefined, refused.name), 'Ready')?.status, 'True');
});

test('a pull request the template’s check refuses (a request in the provider’s folder): the check fails with the owner message, nothing is merged or applied', async (ctx) => {
  const { hub } = ctx;
  const r = theRepo();
  const merged = r.head();
  const applied = (await kustomization(hub, r.name))?.status?.lastAppliedRevision;
  assert.is(applied, `main@sha1:${merged}`);
  const misplaced = `agencies/${provider.name}/request-from-${name}.yaml`;
  r.branch('misplaced');
  r.writeObject(misplaced, request('registry-again'));
  r.commit(`${name} asks again, in ${provider.name}'s folder`, 'misplaced');
  const steps = r.runTemplateCheck();
  assert.equal(
    steps.map((s) => [s.name, s.code]),
    [
      ["validate, and every object in its owner's folder", 1],
      ['plan against the base branch', 0],
    ],
    steps.map((s) => `${s.name}: ${s.code}\n${s.output}`).join('\n'),
  );
  const annotations = steps[0]!.output.split('\n').filter((l) => l.startsWith('::error'));
  assert.is(annotations.length, 1, steps[0]!.output);
  assert.match(
    annotations[0]!,
    new RegExp(
      `^::error file=${misplaced.replaceAll('.', '\\.')},line=5,endLine=5,col=14,endColumn=${14 + `govcloud-${name}`.length},title=govcloud%3A AccessRequest/registry-again::AccessRequest/registry-again: metadata\\.namespace: in agency ${provider.name}'s folder \\(agencies/${provider.name}/\\), but it belongs to agency ${name}: move it to agencies/${name}/, where its owner reviews it$`,
    ),
  );
  // The check failed: the branch is not merged. Flux, asked to fetch, applies nothing new.
  r.abandon('misplaced');
  assert.is(r.head(), merged, 'main is unchanged');
  await waitFetched(hub, r, await requestFetch(hub, r));
  await waitKustomization(hub, r.name, merged, 'True');
  assert.is((await kustomization(hub, r.name))?.status?.lastAppliedRevision, applied);
  assert.not.ok(await get(hub, 'AccessRequest', `govcloud-${name}`, 'registry-again'), 'the refused request never reached the hub');
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
  const left = (await kustomization(hub, r.name))?.status?.inventory?.entries?.map((e) => e.id) ?? [];
  assert.equal(
    left.filter((id) => id.startsWith(`_${name}_`) || id.startsWith(`govcloud-${name}_`)),
    [],
    'nothing of the agency is left in Flux’s inventory',
  );
});

test.run();
