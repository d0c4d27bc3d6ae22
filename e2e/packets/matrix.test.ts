// Real packets, the whole matrix: the samples, then a generated platform of 20 agencies across
// the three data centres with services, requests, grants and links, are applied through the
// operator; in every data centre `govcloud connectivity --probe` (the shipped bundle) places a
// probe pod per workspace and per destination on the data centre's real node, where upstream's
// kube-network-policies enforces the policies the operator rendered, and probes every (source
// workspace, destination Service port or container port) pair with real TCP and UDP. Every
// difference from the evaluator's prediction for the same live objects fails, as a table.
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import type { KubernetesObject } from '@kubernetes/client-node';
import { generateAgencies } from '../../bench/agencies.ts';
import type { Agency } from '../../operator/src/api/index.ts';
import { ROOT, readManifests, yamlFilesRecursive, type Cluster } from '../harness/index.ts';
import { API, clusterOf, rfc3339, waitCondition, waitConverged, type Obj } from '../operator/platform.ts';
import { operatorSuite } from '../operator/suite.ts';
import { assertAsPredicted, probeCluster } from './probe.ts';

const test = operatorSuite('real packets: the connectivity matrix measured on the real nodes');
const DCS = ['dc-hanoi', 'dc-hcm', 'dc-danang'];

async function applyAndConverge(
  ctx: { hub: import('../harness/index.ts').Cluster; clusters: import('../harness/index.ts').Cluster[]; agencies: string[] },
  agencies: KubernetesObject[],
  tenants: KubernetesObject[],
): Promise<void> {
  for (const a of agencies) {
    ctx.agencies.push(a.metadata!.name!);
    await ctx.hub.apply(a);
  }
  for (const a of agencies) await waitCondition(ctx.hub, 'Agency', undefined, a.metadata!.name!, 'Ready', 'True', 120_000);
  for (const t of tenants) await ctx.hub.apply(t);
  for (const a of agencies) await waitConverged(ctx.hub, ctx.clusters, a.metadata!.name!, 120_000);
}

/**
 * The workspaces of the cluster the real node can run pods of: level 4 pins pods to dedicated
 * nodes (PodNodeSelector), which the real node is not, so level-4 pairs are only evaluated.
 */
async function probedWorkspaces(cluster: Cluster): Promise<string[]> {
  const list = (await cluster.call('GET', '/api/v1/namespaces?labelSelector=govcloud.dev%2Fworkspace')) as {
    items: { metadata: { name: string; labels: Record<string, string> } }[];
  };
  return list.items.filter((n) => Number(n.metadata.labels['govcloud.dev/security-level']) < 4).map((n) => n.metadata.name);
}

/** Probes each data centre (a data centre may hold nothing to probe; the platform must, open and closed). */
async function probeEveryDataCentre(clusters: Cluster[], closed: number): Promise<void> {
  const predicted = { open: 0, closed: 0 };
  for (const dc of DCS) {
    const cluster = clusterOf(clusters, dc);
    const r = await probeCluster(cluster, { closed, workspaces: await probedWorkspaces(cluster) });
    const open = r.report.pairs.filter((p) => p.predicted === 'open').length;
    predicted.open += open;
    predicted.closed += r.report.pairs.length - open;
    console.log(`      ${dc}: ${r.report.pairs.length} pairs probed (${open} predicted open) in ${r.ms} ms`);
    assertAsPredicted(cluster, r);
  }
  assert.ok(predicted.open > 0 && predicted.closed > 0, `pairs predicted open and closed were probed: ${JSON.stringify(predicted)}`);
}

test('the samples: every pair in every data centre measured as predicted', async (ctx) => {
  const objects = (dir: string) => yamlFilesRecursive(path.join(ROOT, 'samples', dir)).flatMap((f) => readManifests(f).objects);
  await applyAndConverge(ctx, objects('agencies'), objects('tenants'));
  await probeEveryDataCentre(ctx.clusters, 1000);
}, 900_000);

/**
 * Services of every fourth agency (on request and shared by default, alternating), asked for
 * and granted by the next two that share a data centre with it, and a two-sided link from
 * each fifth agency to the next one.
 */
function exchanges(agencies: Agency[], now: number): Obj[] {
  const out: Obj[] = [];
  const until = rfc3339(now + 24 * 3600_000);
  const dcsOf = (a: Agency) => a.spec.placement.dataCentres;
  const ws = (a: Agency) => a.spec.workspaces[0]!.name;
  agencies.forEach((provider, i) => {
    if (i % 4 !== 0) return;
    const name = provider.metadata.name;
    const sharing = i % 8 === 0 ? 'onRequest' : 'default';
    out.push({
      apiVersion: API,
      kind: 'SharedDataService',
      metadata: { name: 'registry', namespace: `govcloud-${name}` },
      spec: {
        displayName: 'Cơ sở dữ liệu dùng chung (e2e)',
        subsystem: 'e2e',
        serviceCode: `registry-${i}`,
        version: 'v1',
        workspace: ws(provider),
        image: 'registry.govcloud.local/e2e/registry@sha256:0000000000000000000000000000000000000000000000000000000000000000',
        port: 8443,
        replicas: 1,
        placement: { dataCentres: dcsOf(provider) },
        dataClass: 'shared',
        sharing,
      },
    });
    for (const consumer of agencies.slice(i + 1, i + 3)) {
      const shared = dcsOf(consumer).filter((d) => dcsOf(provider).includes(d));
      if (shared.length === 0) continue;
      const c = consumer.metadata.name;
      out.push({
        apiVersion: API,
        kind: 'AccessRequest',
        metadata: { name: `registry-${name}`.slice(0, 60), namespace: `govcloud-${c}` },
        spec: { provider: name, service: 'registry', workspaces: [ws(consumer)], purpose: 'Kiểm thử gói tin thật', legalBasis: 'Kiểm thử', validUntil: until },
      });
      if (sharing === 'onRequest') {
        out.push({
          apiVersion: API,
          kind: 'AccessGrant',
          metadata: { name: `for-${c}`.slice(0, 60), namespace: `govcloud-${name}` },
          spec: { service: 'registry', consumer: c, workspaces: [ws(consumer)], purpose: 'Kiểm thử gói tin thật', legalBasis: 'Kiểm thử', validUntil: until },
        });
      }
    }
  });
  agencies.forEach((a, i) => {
    const b = agencies[i + 1];
    if (i % 5 !== 0 || !b || !dcsOf(a).some((d) => dcsOf(b).includes(d))) return;
    const ports = [
      { protocol: 'TCP', port: 5432 },
      { protocol: 'UDP', port: 5353 },
    ];
    out.push({
      apiVersion: API,
      kind: 'NetworkLink',
      metadata: { name: `to-${b.metadata.name}`.slice(0, 60), namespace: `govcloud-${a.metadata.name}` },
      spec: { workspace: ws(a), direction: 'Egress', peer: { agency: { name: b.metadata.name, workspace: ws(b) } }, ports, encrypted: true, validUntil: until },
    });
    out.push({
      apiVersion: API,
      kind: 'NetworkLink',
      metadata: { name: `from-${a.metadata.name}`.slice(0, 60), namespace: `govcloud-${b.metadata.name}` },
      spec: {
        workspace: ws(b),
        direction: 'Ingress',
        peer: { agency: { name: a.metadata.name, workspace: ws(a) } },
        ports,
        encrypted: true,
        validUntil: until,
      },
    });
  });
  return out;
}

test('a generated platform of 20 agencies: every pair in every data centre measured as predicted', async (ctx) => {
  const rename = (n: string) => n.replace(/^bench-/, 'pk-');
  const agencies = generateAgencies({ count: 20, seed: 13, deletionPolicy: 'Delete' }).map(
    (a) => ({ ...a, metadata: { name: rename(a.metadata.name) }, spec: { ...a.spec, ...(a.spec.parent ? { parent: rename(a.spec.parent) } : {}) } }) as Agency,
  );
  await applyAndConverge(ctx, agencies as KubernetesObject[], exchanges(agencies, Date.now()) as KubernetesObject[]);
  await probeEveryDataCentre(ctx.clusters, 6);
}, 1_500_000);

test.run();
