// The chart and the Pulumi program install the same operator: `helm template` with the chart's
// defaults equals operator/src/install/manifests.ts with its defaults, object by object, once the labels
// that only say who installed it (Helm's, Pulumi's) are set aside.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPERATOR, memberObjects, operatorObjects } from '../../src/install/manifests.ts';
import { loadRbacRequirements } from '../../src/install/rbac.ts';
import { operatorOptions } from '../../src/cli/commands/operator.ts';
import { captureIo } from '../../src/cli/io.ts';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { template, type K8sObject } from './helm.ts';

const INSTALLER_LABELS = ['app.kubernetes.io/managed-by', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'helm.sh/chart'];
const INSTALLER_ANNOTATIONS = ['helm.sh/resource-policy'];

function normalise(o: K8sObject): K8sObject {
  const copy = structuredClone(o) as any;
  const strip = (meta: any) => {
    if (!meta) return;
    for (const l of INSTALLER_LABELS) delete meta.labels?.[l];
    for (const a of INSTALLER_ANNOTATIONS) delete meta.annotations?.[a];
    if (meta.annotations && Object.keys(meta.annotations).length === 0) delete meta.annotations;
  };
  strip(copy.metadata);
  strip(copy.spec?.template?.metadata);
  return copy;
}

const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

test('helm template (defaults) and the Pulumi program (defaults) render the same objects', () => {
  const chart = template().map(normalise);
  const pulumi = operatorObjects(DEFAULT_OPERATOR, loadRbacRequirements()).map(normalise);
  assert.equal(pulumi.map(key).sort(), chart.map(key).sort());
  const byKey = new Map(chart.map((o) => [key(o), o]));
  for (const p of pulumi) assert.equal(p, byKey.get(key(p)), `${key(p)} differs between the chart and operator/src/install/manifests.ts`);
});

test('and for a member data centre (mode=member, govcloud:mode member)', () => {
  const chart = template(['mode=member']).map(normalise);
  const pulumi = memberObjects(DEFAULT_OPERATOR, loadRbacRequirements()).map(normalise);
  assert.equal(pulumi.map(key).sort(), chart.map(key).sort());
  const byKey = new Map(chart.map((o) => [key(o), o]));
  for (const p of pulumi) assert.equal(p, byKey.get(key(p)), key(p));
});

test('and with one replica: no PDB in either', () => {
  const chart = template(['replicaCount=1', 'leaderElection.enabled=false']).map(normalise);
  const pulumi = operatorObjects({ ...DEFAULT_OPERATOR, replicas: 1, leaderElection: false }, loadRbacRequirements()).map(normalise);
  assert.equal(pulumi.map(key).sort(), chart.map(key).sort());
  const byKey = new Map(chart.map((o) => [key(o), o]));
  for (const p of pulumi) assert.equal(p, byKey.get(key(p)), key(p));
});

const TIMINGS = { leaseDurationSeconds: 60, renewDeadlineSeconds: 40, retryPeriodSeconds: 5 };
const timingValues = Object.entries(TIMINGS).map(([k, v]) => `leaderElection.${k}=${v}`);

test('and with other leader-election timings', () => {
  const chart = template(timingValues).map(normalise);
  const pulumi = operatorObjects({ ...DEFAULT_OPERATOR, ...TIMINGS }, loadRbacRequirements()).map(normalise);
  assert.equal(pulumi.map(key).sort(), chart.map(key).sort());
  const byKey = new Map(chart.map((o) => [key(o), o]));
  for (const p of pulumi) assert.equal(p, byKey.get(key(p)), key(p));
});

test("leader-election timings set in the chart are the operator's: values, env, `govcloud operator`", () => {
  const envOf = (objects: K8sObject[]) => {
    const container = (objects.find((o) => o.kind === 'Deployment') as any).spec.template.spec.containers[0];
    return Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value as string]));
  };
  const timings = (env: Record<string, string>) => {
    const o = operatorOptions([], captureIo({ env }));
    return [o.leaseDurationMs, o.renewDeadlineMs, o.retryPeriodMs];
  };
  assert.equal(timings(envOf(template())), [15_000, 10_000, 2_000], "the chart's defaults are the operator's");
  assert.equal(timings(envOf(template(timingValues))), [60_000, 40_000, 5_000]);
  assert.equal(timings(envOf(operatorObjects({ ...DEFAULT_OPERATOR, ...TIMINGS }, loadRbacRequirements()))), [60_000, 40_000, 5_000], 'the Pulumi program');
});

test('the image and `make up` run the operator with the heap limits the chart ships', () => {
  const root = new URL('../../../', import.meta.url);
  const shipped = (parseYaml(readFileSync(new URL('charts/govcloud-operator/values.yaml', root), 'utf8')) as { nodeOptions: string }).nodeOptions;
  assert.match(shipped, /--max-old-space-size=\d+/);
  assert.is(/^ENV NODE_OPTIONS="([^"]*)"$/m.exec(readFileSync(new URL('Dockerfile', root), 'utf8'))?.[1], shipped, 'Dockerfile');
  assert.is(DEFAULT_OPERATOR.nodeOptions, shipped, 'Pulumi program');
  assert.match(
    readFileSync(new URL('e2e/operator/local.sh', root), 'utf8'),
    /NODE_OPTIONS="\$\(sed -n 's\/\^nodeOptions: .*charts\/govcloud-operator\/values\.yaml\)"/,
    'make up reads the chart',
  );
});

test.run();
