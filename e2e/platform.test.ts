// The platform itself: every cluster of the kubeconfig runs the pinned Kubernetes, has Ready
// nodes (kwok's on the local platform) including a tainted dedicated node, schedules and runs a
// Deployment, and accepts the project's CRDs, against which the samples are validated.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import type { V1Deployment, V1Node } from '@kubernetes/client-node';
import { ApiError, ROOT, conditionTrue, e2eSuite, readManifests, waitFor, yamlFiles, yamlFilesRecursive } from './harness/index.ts';
import type { Cluster } from './harness/index.ts';
import { loadPaths } from '../operator/src/load/documents.ts';
import { validateLoaded } from '../operator/src/validate/index.ts';

const test = e2eSuite('platform');

const DEDICATED = 'govcloud.dev/dedicated';
const CRDS_DIR = path.resolve(ROOT, process.env.GOVCLOUD_CRDS_DIR ?? 'crds');
const SAMPLES_DIR = path.resolve(ROOT, process.env.GOVCLOUD_SAMPLES_DIR ?? 'samples');

const isReady = (n: V1Node) => conditionTrue(n as never, 'Ready');
/** kwok's fake nodes where there are any (local platform), else every node (kind). */
async function workerNodes(cluster: Cluster): Promise<V1Node[]> {
  const kwok = await cluster.core.listNode({ labelSelector: 'type=kwok' });
  if (kwok.items.length) return kwok.items;
  const all = await cluster.core.listNode();
  return all.items.filter((n) => !(n.spec?.taints ?? []).some((t) => t.key === 'node-role.kubernetes.io/control-plane'));
}

test('every cluster answers /version with the pinned Kubernetes version', async ({ clusters }) => {
  const expected = process.env.GOVCLOUD_EXPECT_KUBE_VERSION;
  for (const c of clusters) {
    const v = await c.version.getCode();
    if (expected) assert.is(v.gitVersion, expected, `${c.name} reports ${v.gitVersion}, pinned ${expected}`);
    else assert.match(v.gitVersion, /^v1\.\d+\.\d+/, `${c.name} reports ${v.gitVersion}`);
    assert.is.not(v.gitVersion, 'v0.0.0', `${c.name}: built without version ldflags`);
  }
});

test('every cluster has Ready nodes with zones, one of them dedicated and tainted', async ({ clusters }) => {
  await Promise.all(
    clusters.map(async (c) => {
      const nodes = await waitFor(
        `${c.name}: worker nodes Ready`,
        async () => {
          const ns = await workerNodes(c);
          return ns.length > 0 && ns.every(isReady) ? ns : false;
        },
        { timeoutMs: 90_000 },
      );
      for (const n of nodes) {
        assert.ok(n.metadata?.labels?.['topology.kubernetes.io/zone'], `${c.name}: node ${n.metadata?.name} has no zone label`);
      }
      const dedicated = nodes.filter((n) => n.metadata?.labels?.[DEDICATED] === 'level4');
      assert.ok(dedicated.length >= 1, `${c.name}: no node labelled ${DEDICATED}=level4`);
      for (const n of dedicated) {
        const taint = n.spec?.taints?.find((t) => t.key === DEDICATED);
        assert.ok(
          taint && taint.value === 'level4' && taint.effect === 'NoSchedule',
          `${c.name}: dedicated node ${n.metadata?.name} lacks the ${DEDICATED}=level4:NoSchedule taint`,
        );
      }
    }),
  );
});

function deployment(name: string, replicas: number, dedicated: boolean): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }],
          ...(dedicated
            ? {
                nodeSelector: { [DEDICATED]: 'level4' },
                tolerations: [{ key: DEDICATED, operator: 'Equal', value: 'level4', effect: 'NoSchedule' }],
              }
            : {}),
        },
      },
    },
  };
}

test('a Deployment becomes Available in every cluster, kept off the dedicated node unless it tolerates it', async ({ clusters, ns }) => {
  await Promise.all(
    clusters.map(async (c) => {
      const namespace = await ns.create(c, 'deployment');
      await c.apps.createNamespacedDeployment({ namespace, body: deployment('web', 2, false) });
      await c.apps.createNamespacedDeployment({ namespace, body: deployment('level4', 1, true) });
      for (const [name, replicas] of [
        ['web', 2],
        ['level4', 1],
      ] as const) {
        await waitFor(
          `${c.name}: Deployment ${namespace}/${name} Available with ${replicas} replicas`,
          async () => {
            const d = await c.apps.readNamespacedDeployment({ name, namespace });
            return conditionTrue(d as never, 'Available') && d.status?.availableReplicas === replicas ? d : false;
          },
          { timeoutMs: 120_000, describe: () => 'not Available yet' },
        );
      }
      const nodes = await c.core.listNode();
      const dedicatedNodes = new Set(nodes.items.filter((n) => n.metadata?.labels?.[DEDICATED] === 'level4').map((n) => n.metadata!.name));
      const pods = await c.core.listNamespacedPod({ namespace });
      for (const p of pods.items) {
        const onDedicated = dedicatedNodes.has(p.spec?.nodeName ?? '');
        const wantsDedicated = p.metadata?.labels?.app === 'level4';
        assert.is(onDedicated, wantsDedicated, `${c.name}: pod ${p.metadata?.name} on ${p.spec?.nodeName}`);
        assert.ok(conditionTrue(p as never, 'Ready'), `${c.name}: pod ${p.metadata?.name} not Ready`);
      }
    }),
  );
});

test('the CRDs in crds/ apply server-side and become Established in every cluster', async ({ clusters }) => {
  const files = yamlFiles(CRDS_DIR);
  assert.ok(files.length > 0, `${CRDS_DIR} holds no *.yaml: the CRD manifests are missing (run \`make crds\`); this test fails rather than passing on nothing`);
  const crds = files.flatMap((f) => readManifests(f).objects.map((o) => ({ file: f, o })));
  for (const { file, o } of crds) {
    assert.is(o.kind, 'CustomResourceDefinition', `${file}: ${o.kind} ${o.metadata?.name} is not a CRD`);
  }
  for (const c of clusters) {
    for (const { o } of crds) await c.apply(o);
    for (const { o } of crds) {
      const name = o.metadata!.name!;
      await waitFor(
        `${c.name}: CRD ${name} Established`,
        async () => {
          const crd = await c.apiextensions.readCustomResourceDefinition({ name });
          return conditionTrue(crd as never, 'Established') ? crd : false;
        },
        { timeoutMs: 60_000 },
      );
    }
  }
});

/** The cause the API server adds whenever a schema error stops it before the CEL rules. */
const UNCHECKED_RULES = /some validation rules were not checked because the object was invalid/;

interface Cause {
  field?: string;
  message?: string;
}

/**
 * The one mistake a file of samples/invalid is about, as `govcloud validate` finds it offline
 * (operator/test/validate/samples.test.ts pins that there is exactly one): the field at fault,
 * as the API server names it (a CEL rule on the whole object has no field: "<nil>"), and for
 * a CEL rule its message, which the CRD carries word for word.
 */
async function intendedMistake(file: string): Promise<{ field: string; message: string | undefined }> {
  const result = validateLoaded(await loadPaths([file], ROOT));
  assert.is(result.errors.length, 1, `${path.relative(ROOT, file)}: govcloud validate finds ${result.errors.length} problems`);
  const [problem] = result.errors;
  const isCel = /^# Rejected \(CEL/m.test(readFileSync(file, 'utf8'));
  const field = problem!.field === undefined || problem!.field === 'metadata.name' ? '<nil>' : problem!.field;
  return { field, message: isCel ? problem!.message : undefined };
}

/** The API server's reasons for refusing an object, without the note that it stopped early. */
function causesOf(err: ApiError): Cause[] {
  const causes = (err.body as { details?: { causes?: Cause[] } } | undefined)?.details?.causes ?? [];
  return causes.filter((c) => !UNCHECKED_RULES.test(c.message ?? ''));
}

// Valid samples: every YAML file under samples/ (sub-folders too) but samples/invalid/ and what
// samples/.govcloudignore names. Namespaced objects are applied in a fresh namespace of the test
// (not the namespace they name), so nothing depends on namespaces existing beforehand. An
// invalid sample must be refused for the mistake it is about, not for any other reason.
test(
  'samples/ apply with server-side dry run; every file in samples/invalid/ is rejected for its own mistake',
  async ({ clusters, ns }) => {
    const valid = yamlFilesRecursive(SAMPLES_DIR, ['invalid']);
    const invalid = yamlFiles(path.join(SAMPLES_DIR, 'invalid'));
    assert.ok(valid.length > 0, `${SAMPLES_DIR} holds no valid sample: this test fails rather than passing on nothing`);
    assert.ok(invalid.length > 0, `${SAMPLES_DIR}/invalid holds no invalid sample: this test fails rather than passing on nothing`);
    const intended = new Map(await Promise.all(invalid.map(async (f) => [f, await intendedMistake(f)] as const)));
    for (const c of clusters) {
      const namespace = await ns.create(c, 'samples');
      for (const file of valid) {
        for (const o of readManifests(file).objects) {
          try {
            await c.apply(o, { dryRun: true, namespace });
          } catch (err) {
            assert.unreachable(`${c.name}: ${path.relative(ROOT, file)} (${o.kind} ${o.metadata?.name}) was rejected: ${(err as Error).message}`);
          }
        }
      }
      for (const file of invalid) {
        const where = `${c.name}: ${path.relative(ROOT, file)}`;
        const [o, ...more] = readManifests(file).objects;
        assert.ok(o && more.length === 0, `${where}: one object per file`);
        const err = await c.apply(o, { dryRun: true, namespace }).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err !== undefined, `${where} was accepted by the API server, but it is in samples/invalid/`);
        if (!(err instanceof ApiError)) throw new Error(`${where}: the dry run failed without an answer from the API server`, { cause: err });
        assert.is(err.status, 422, `${where}: refused with ${err.status}, not as invalid (422): ${err.message}`);
        const { field, message } = intended.get(file)!;
        const causes = causesOf(err);
        assert.equal(
          causes.map((cause) => cause.field),
          [field],
          `${where}: the API server names ${JSON.stringify(causes)}, the sample is about ${field}`,
        );
        if (message !== undefined) assert.ok(causes[0]!.message?.endsWith(message), `${where}: "${causes[0]!.message}" is not the rule's message "${message}"`);
      }
    }
  },
  { timeoutMs: 180_000 },
);

test.run();
