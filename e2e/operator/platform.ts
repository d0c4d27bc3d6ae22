// What the operator e2e tests share: registering the data centres on the hub (CRDs, the
// chart's RBAC in every cluster, a kubeconfig Secret per member holding a token of the
// member's govcloud-operator ServiceAccount, the operator's own token kubeconfig for each
// cluster, the DataCentres of samples/platform/ with their network ranges), agencies with
// unique names and codes, the objects each data centre holds for an owner, what the renderers
// say it should hold, and a cleanup that leaves no namespace behind.
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { template } from '../../operator/test/install/helm.ts';
import type { Agency, DataCentre } from '../../operator/src/api/index.ts';
import { CHILD_RESOURCES, GOVCLOUD_RESOURCES } from '../../operator/src/controllers/resources.ts';
import { emptyPlatform, type Platform } from '../../operator/src/model/platform.ts';
import { ownerLabelValue, renderAgency } from '../../operator/src/render/index.ts';
import { collectionPath } from '../../operator/src/runtime/index.ts';
import { ApiError, Cluster, ROOT, conditionTrue, readManifests, waitFor, yamlFiles } from '../harness/index.ts';

export const API = 'govcloud.dev/v1alpha1';
export const NAMESPACE = 'govcloud-system';
export type Obj = KubernetesObject & { spec?: any; status?: any };

/** The status fields every govcloud kind has; the harness reads them through this, the tests read the rest as they need. */
interface CommonStatus {
  conditions?: { type: string; status: string; reason: string; message: string }[];
  observedGeneration?: number;
}

function commonStatus(obj: Obj | undefined): CommonStatus | undefined {
  return obj?.status as CommonStatus | undefined;
}

/** The cluster of a data centre: the context named like it (kind prefixes `kind-`). */
export function clusterOf(clusters: Cluster[], dataCentre: string): Cluster {
  const c = clusters.find((x) => x.name === dataCentre) ?? clusters.find((x) => x.name.endsWith(`-${dataCentre}`));
  if (!c) throw new Error(`no kubeconfig context for data centre ${dataCentre} (contexts: ${clusters.map((x) => x.name).join(', ')})`);
  return c;
}

/** The operator's ServiceAccount in every cluster (the chart's), and the user it is. */
export const OPERATOR_SERVICE_ACCOUNT = 'govcloud-operator';
export const OPERATOR_USER = `system:serviceaccount:${NAMESPACE}:${OPERATOR_SERVICE_ACCOUNT}`;
/** The operator's kubeconfigs, one per cluster: a token of its govcloud-operator (mode 0600). */
const OPERATOR_KUBECONFIGS = path.join(ROOT, '.local', 'operator-kubeconfigs');
export const operatorKubeconfig = (cluster: Cluster): string => path.join(OPERATOR_KUBECONFIGS, `${cluster.name}.yaml`);
/** How long the operator's tokens are valid; every registration requests new ones. */
const TOKEN_SECONDS = 24 * 3600;

/**
 * What the chart installs for the operator's identity in one cluster, rendered by the built
 * helm: the hub gets mode hub, a member mode member. Its Deployment, Service and PDB are left
 * out: the e2e suite runs the operator as a process (as the same ServiceAccount).
 */
export function chartIdentityObjects(mode: 'hub' | 'member'): KubernetesObject[] {
  const kinds = [
    'Namespace',
    'ServiceAccount',
    'ClusterRole',
    'ClusterRoleBinding',
    'Role',
    'RoleBinding',
    'ValidatingAdmissionPolicy',
    'ValidatingAdmissionPolicyBinding',
  ];
  return template([`mode=${mode}`]).filter((o) => kinds.includes(o.kind)) as KubernetesObject[];
}

/** A bounded token of the cluster's govcloud-operator ServiceAccount (TokenRequest API). */
async function operatorToken(cluster: Cluster): Promise<string> {
  const review = (await cluster.call('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${OPERATOR_SERVICE_ACCOUNT}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: { expirationSeconds: TOKEN_SECONDS },
  })) as { status: { token: string } };
  return review.status.token;
}

/** A kubeconfig reaching `cluster` (its server and CA, context named like it) with a token. */
function tokenKubeconfig(cluster: Cluster, token: string): string {
  const server = cluster.kubeconfig.getCurrentCluster()!;
  const kc = new KubeConfig();
  const user = `${OPERATOR_SERVICE_ACCOUNT}@${cluster.name}`;
  kc.loadFromOptions({
    clusters: [{ ...server, name: cluster.name }],
    users: [{ name: user, token }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user }],
    currentContext: cluster.name,
  });
  return kc.exportConfig();
}

export function sampleDataCentres(): (DataCentre & KubernetesObject)[] {
  return yamlFiles(path.join(ROOT, 'samples', 'platform'))
    .flatMap((f) => readManifests(f).objects)
    .filter((o): o is DataCentre & KubernetesObject => o.kind === 'DataCentre');
}

/**
 * The DataCentres of the platform: samples/platform's, and for each cluster beyond them
 * (`make cluster-up CLUSTERS=N`) one like dc-danang (level 2), with the networkRanges the
 * platform gave it (e2e/platform/real-node/net.sh dc_range, listed in .local/platform/clusters).
 */
export function platformDataCentres(clusters: Cluster[]): (DataCentre & KubernetesObject)[] {
  const samples = sampleDataCentres();
  const ranges = new Map(
    (readState('platform/clusters') ?? '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f): f is [string, string] => f.length === 2),
  );
  const extra = clusters
    .filter((c) => !samples.some((d) => c.name === d.metadata.name || c.name.endsWith(`-${d.metadata.name}`)))
    .map((c) => {
      const range = ranges.get(c.name);
      if (!range)
        throw new Error(`cluster ${c.name} has no network range in .local/platform/clusters (started by an older up.sh? make cluster-down && make cluster-up)`);
      const base = samples.find((d) => d.metadata.name === 'dc-danang')!;
      return {
        ...base,
        metadata: { name: c.name },
        spec: {
          ...base.spec,
          displayName: `Trung tâm dữ liệu ${c.name}`,
          region: c.name,
          connection: { kubeconfigSecretRef: { namespace: NAMESPACE, name: `${c.name}-kubeconfig`, key: 'kubeconfig' } },
          networkRanges: [range],
        },
      };
    });
  return [...samples, ...extra];
}

/** The cluster as the operator's ServiceAccount (after registerDataCentres). */
export function asOperator(cluster: Cluster): Cluster {
  return new Cluster(operatorKubeconfig(cluster), cluster.name);
}

/** Waits until the API server enforces govcloud-operator-limits (a policy takes a moment to load). */
async function waitForLimits(op: Cluster): Promise<void> {
  await waitFor(
    `admission policy govcloud-operator-limits in force in ${op.name}`,
    async () => {
      const r = await op.request('POST', '/api/v1/namespaces?dryRun=All', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'govcloud-limits-probe' } });
      return r.status === 403 && JSON.stringify(r.body).includes('govcloud-operator-limits');
    },
    { timeoutMs: 30_000, intervalMs: 250 },
  );
}

/**
 * CRDs, the chart's RBAC in every cluster, the members' Secrets (a kubeconfig with a token of
 * the member's govcloud-operator) and the DataCentres, applied server-side (idempotent); the
 * operator's kubeconfig for each cluster written (operatorKubeconfig: the hub's is the one the
 * operator runs with). The operator thus runs with exactly the chart's rights everywhere, as
 * it does installed.
 */
export async function registerDataCentres(clusters: Cluster[]): Promise<void> {
  const hub = clusters[0]!;
  const crds = yamlFiles(path.join(ROOT, 'crds')).flatMap((f) => readManifests(f).objects);
  for (const crd of crds) await hub.apply(crd);
  for (const crd of crds) {
    await waitFor(
      `CRD ${crd.metadata?.name} Established`,
      async () => {
        const live = await hub.apiextensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
        return conditionTrue(live as never, 'Established');
      },
      { timeoutMs: 60_000 },
    );
  }
  mkdirSync(OPERATOR_KUBECONFIGS, { recursive: true });
  for (const c of clusters) {
    for (const o of chartIdentityObjects(c === hub ? 'hub' : 'member')) await c.apply(o);
    writeFileSync(operatorKubeconfig(c), tokenKubeconfig(c, await operatorToken(c)), { mode: 0o600 });
    await waitForLimits(asOperator(c));
  }
  for (const dc of platformDataCentres(clusters)) {
    const ref = dc.spec.connection.kubeconfigSecretRef;
    if (ref) {
      await hub.apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: ref.name, namespace: ref.namespace },
        stringData: { [ref.key ?? 'kubeconfig']: readFileSync(operatorKubeconfig(clusterOf(clusters, dc.metadata.name)), 'utf8') },
      } as KubernetesObject);
    }
    await hub.apply(dc);
  }
}

let seq = 0;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const run = randomBytes(2).readUInt16BE() % 90;

/** An agency name (at most 30 characters) and an agency code no sample uses. */
export function uniqueAgency(hint: string): { name: string; code: string } {
  seq++;
  const name = `e2e-${hint.slice(0, 12)}-${randomBytes(3).toString('hex')}`;
  // The sequence fills two segments of the code's pattern (Z99.99.99.999), so a suite may
  // onboard up to 10,000 agencies; a single two-digit segment overflowed at the 100th.
  const code = `Z${String(10 + run).padStart(2, '0')}.${pad(Math.floor(seq / 100) % 100, 2)}.${pad(seq % 100, 2)}.${pad(randomBytes(2).readUInt16BE() % 1000, 3)}`;
  return { name, code };
}

export function agency(name: string, code: string, o: { dcs: string[]; workspaces?: string[]; level?: number; deletionPolicy?: 'Retain' | 'Delete' }): Obj {
  const spec: Agency['spec'] = {
    code,
    displayName: 'Sở Thông tin và Truyền thông (e2e)',
    type: 'provincialDepartment',
    groups: { admins: [`${name}-admins`], viewers: [`${name}-viewers`] },
    securityLevel: o.level ?? 2,
    placement: { dataCentres: o.dcs },
    quotas: o.dcs.map((dataCentre) => ({ dataCentre, cpu: '4', memory: '8Gi', storage: '20Gi' })),
    workspaces: (o.workspaces ?? ['app']).map((w) => ({ name: w, dataClass: 'shared' as const })),
    deletionPolicy: o.deletionPolicy ?? 'Retain',
  };
  return { apiVersion: API, kind: 'Agency', metadata: { name }, spec };
}

/** A time as the API's date-time fields take it: RFC 3339 in UTC, whole seconds. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Watches a path that should close at `validUntil` (ms): polls `isOpen` every 100 ms, fails if
 * it is seen closed before that moment, and returns how long after it the path was first seen
 * closed. The delay is a measurement to print, not a verdict: the generous limit below only
 * stops a test that would otherwise wait for ever.
 */
export async function closedAfter(what: string, validUntil: number, isOpen: () => Promise<boolean>): Promise<number> {
  const giveUp = validUntil + 60_000;
  for (;;) {
    const open = await isOpen();
    const now = Date.now();
    if (!open) {
      assert.ok(now >= validUntil, `${what} closed ${validUntil - now} ms before its validUntil ${new Date(validUntil).toISOString()}`);
      return now - validUntil;
    }
    if (now > giveUp) assert.unreachable(`${what} still open ${now - validUntil} ms after its validUntil ${new Date(validUntil).toISOString()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The e2e SharedDataService "registry" of a provider agency, in its workspace "data". */
export function registryService(provider: string, o: { sharing: 'default' | 'onRequest'; dcs: string[]; replicas: number }): Obj {
  return {
    apiVersion: API,
    kind: 'SharedDataService',
    metadata: { name: 'registry', namespace: `govcloud-${provider}` },
    spec: {
      displayName: 'Cơ sở dữ liệu đăng ký (e2e)',
      subsystem: 'e2e',
      serviceCode: `registry-${provider}`,
      version: 'v1',
      workspace: 'data',
      image: 'registry.govcloud.local/e2e/registry@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      port: 8443,
      replicas: o.replicas,
      placement: { dataCentres: o.dcs },
      dataClass: 'shared',
      sharing: o.sharing,
    },
  };
}

export async function get(hub: Cluster, kind: string, namespace: string | undefined, name: string): Promise<Obj | undefined> {
  const r = GOVCLOUD_RESOURCES[kind]!;
  try {
    return (await hub.call('GET', `${collectionPath(namespace ? { ...r, namespace } : r)}/${name}`)) as Obj;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

export function condition(obj: Obj | undefined, type: string): { status: string; reason: string; message: string } | undefined {
  return commonStatus(obj)?.conditions?.find((c) => c.type === type);
}

/** Waits until the object's condition has that status; returns the object. */
export async function waitCondition(
  hub: Cluster,
  kind: string,
  namespace: string | undefined,
  name: string,
  type: string,
  status: string,
  timeoutMs = 60_000,
): Promise<Obj> {
  let last: Obj | undefined;
  return waitFor(
    `${kind} ${name}: ${type}=${status}`,
    async () => {
      last = await get(hub, kind, namespace, name);
      return condition(last, type)?.status === status && commonStatus(last)?.observedGeneration === last?.metadata?.generation ? last : undefined;
    },
    { timeoutMs, intervalMs: 250, describe: () => JSON.stringify(commonStatus(last)?.conditions ?? commonStatus(last) ?? 'absent') },
  );
}

/** `Kind namespace/name` of everything carrying the owner label in one cluster. */
export async function ownedObjects(cluster: Cluster, owner: string): Promise<string[]> {
  return (await ownedItems(cluster, owner))
    .filter(([, o]) => !o.metadata?.deletionTimestamp)
    .map(([id]) => id)
    .sort();
}

/** The resourceVersion of every object the owner holds in the cluster: any write changes one. */
export async function ownedVersions(cluster: Cluster, owner: string): Promise<Record<string, string>> {
  return Object.fromEntries((await ownedItems(cluster, owner)).map(([id, o]) => [id, o.metadata?.resourceVersion ?? '']));
}

async function ownedItems(cluster: Cluster, owner: string): Promise<[string, KubernetesObject][]> {
  const selector = encodeURIComponent(`govcloud.dev/owner=${owner}`);
  const out: [string, KubernetesObject][] = [];
  for (const r of CHILD_RESOURCES) {
    const res = await cluster.request('GET', `${collectionPath(r)}?labelSelector=${selector}`);
    // An add-on's kind (cert-manager's Certificate) does not exist where the add-on is not installed (a joined cluster): nothing of it is held there.
    if (res.status === 404 && r.installedBy !== undefined) continue;
    if (res.status !== 200) throw new Error(`${cluster.name}: GET ${collectionPath(r)} -> ${res.status}: ${JSON.stringify(res.body)}`);
    const list = res.body as { items: KubernetesObject[] };
    for (const o of list.items) out.push([`${r.kind} ${o.metadata?.namespace ? o.metadata.namespace + '/' : ''}${o.metadata?.name}`, o]);
  }
  return out;
}

/** The hub's govcloud objects as one Platform, as the operator sees them. */
export async function hubPlatform(hub: Cluster): Promise<Platform> {
  const p = emptyPlatform();
  const list = async (kind: string) =>
    ((await hub.call('GET', collectionPath(GOVCLOUD_RESOURCES[kind]!))) as { items: Obj[] }).items.filter((o) => !o.metadata?.deletionTimestamp);
  p.dataCentres = (await list('DataCentre')) as never;
  p.agencies = (await list('Agency')) as never;
  return p;
}

/** What the renderers want for the agency, per data centre (every data centre listed). */
export async function expectedFor(hub: Cluster, name: string): Promise<Map<string, string[]>> {
  const platform = await hubPlatform(hub);
  const agency = platform.agencies.find((a) => a.metadata.name === name);
  const out = new Map(platform.dataCentres.map((d) => [d.metadata.name, [] as string[]]));
  if (!agency) return out;
  for (const r of renderAgency(platform, agency).perDataCentre) {
    out.set(r.dataCentre, r.objects.map((o) => `${o.kind} ${o.metadata.namespace ? o.metadata.namespace + '/' : ''}${o.metadata.name}`).sort());
  }
  return out;
}

/**
 * A fresh agency applied on the hub, Ready and converged in every data centre; its name is
 * pushed to `ctx.agencies` so the suite deletes it after the test.
 */
export async function convergedAgency(
  ctx: { hub: Cluster; clusters: Cluster[]; agencies: string[] },
  hint: string,
  o: Parameters<typeof agency>[2],
): Promise<{ name: string; code: string }> {
  const { name, code } = uniqueAgency(hint);
  ctx.agencies.push(name);
  await ctx.hub.apply(agency(name, code, o));
  await waitCondition(ctx.hub, 'Agency', undefined, name, 'Ready', 'True');
  await waitConverged(ctx.hub, ctx.clusters, name);
  return { name, code };
}

/** Waits until every data centre holds exactly what the renderers want for the agency. */
export async function waitConverged(hub: Cluster, clusters: Cluster[], name: string, timeoutMs = 60_000): Promise<Map<string, string[]>> {
  const owner = ownerLabelValue({ kind: 'Agency', name });
  let diff = '';
  return waitFor(
    `agency ${name} converged in every data centre`,
    async () => {
      const expected = await expectedFor(hub, name);
      const problems: string[] = [];
      for (const [dc, want] of expected) {
        const have = await ownedObjects(clusterOf(clusters, dc), owner);
        const missing = want.filter((w) => !have.includes(w));
        const extra = have.filter((h) => !want.includes(h));
        if (missing.length || extra.length) problems.push(`${dc}: missing [${missing.join(', ')}] extra [${extra.join(', ')}]`);
      }
      diff = problems.join('; ');
      return problems.length === 0 ? expected : undefined;
    },
    { timeoutMs, intervalMs: 500, describe: () => diff },
  );
}

/**
 * Deletes agencies and waits for them to go (the operator releases the finalizer); then
 * deletes whatever namespaces they left (orphans under Retain) in every cluster. Without a
 * running operator the finalizer is removed by hand.
 */
export async function deleteAgencies(hub: Cluster, clusters: Cluster[], names: string[], operatorRunning: boolean): Promise<void> {
  const path = (n: string) => `${collectionPath(GOVCLOUD_RESOURCES.Agency!)}/${n}`;
  for (const n of names) await hub.request('DELETE', path(n));
  for (const n of names) {
    try {
      await waitFor(`agency ${n} deleted`, async () => !(await get(hub, 'Agency', undefined, n)), { timeoutMs: operatorRunning ? 60_000 : 1000 });
    } catch {
      await hub.request('PATCH', path(n), { metadata: { finalizers: null } }, 'application/merge-patch+json');
    }
  }
  for (const c of clusters) {
    for (const n of names) {
      const list = (await c.call('GET', `/api/v1/namespaces?labelSelector=${encodeURIComponent(`govcloud.dev/agency-name=${n}`)}`)) as {
        items: KubernetesObject[];
      };
      for (const ns of list.items) await c.request('DELETE', `/api/v1/namespaces/${ns.metadata!.name}`);
    }
  }
}

/** Reads a file of the platform's state (pids). */
export function readState(rel: string): string | undefined {
  try {
    return readFileSync(path.join(ROOT, '.local', rel), 'utf8').trim();
  } catch {
    return undefined;
  }
}
