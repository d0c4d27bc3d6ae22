// `govcloud join`, credential renewal and `govcloud unjoin`, on real API servers: a fourth
// cluster is started beside the platform (up.sh --extra), joined with the CLI as it ships (the
// bundle), an agency placed there, the member's token renewed by the operator, the operator's
// identity attacked on both sides, and the data centre unjoined: refused while placed, and
// afterwards nothing of join is left on the member or the hub.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { Cluster, ROOT, govcloudBin, waitFor } from '../harness/index.ts';
import { loadRbacRequirements } from '../../operator/src/install/rbac.ts';
import { readTokenKubeconfig, tokenTimes } from '../../operator/src/join/credentials.ts';
import { agency, asOperator, condition, get, NAMESPACE, uniqueAgency, waitCondition, waitConverged } from './platform.ts';
import { operatorSuite } from './suite.ts';

const EXTRA = 'dc-join';
const EXTRA_KUBECONFIG = path.join(ROOT, '.local', 'kubeconfigs', `${EXTRA}.yaml`);
const HUB_KUBECONFIG = (hub: Cluster) => path.join(ROOT, '.local', 'kubeconfigs', `${hub.name}.yaml`);
const RANGES = '10.77.0.0/16';
const SECRET = `/api/v1/namespaces/${NAMESPACE}/secrets/${EXTRA}-kubeconfig`;

let member: Cluster;

function platformScript(script: string, ...args: string[]): void {
  execFileSync('bash', [path.join(ROOT, 'e2e', 'platform', script), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, REAL_NODES: '0' },
  });
}

/** `govcloud ARGS` as it ships: exit code, stdout, stderr. */
function govcloud(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [govcloudBin(), ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const clusterFlags = (hub: Cluster) => ['--hub-kubeconfig', HUB_KUBECONFIG(hub), '--member-kubeconfig', EXTRA_KUBECONFIG];
const joinArgs = (hub: Cluster) => [
  'join',
  EXTRA,
  ...clusterFlags(hub),
  '--network-ranges',
  RANGES,
  '--accredited-level',
  '3',
  '--region',
  'Tây Nguyên',
  '--token-lifetime',
  '10m',
];

async function secretToken(hub: Cluster): Promise<string> {
  const secret = (await hub.call('GET', SECRET)) as { data: { kubeconfig: string } };
  const kc = Buffer.from(secret.data.kubeconfig, 'base64').toString('utf8');
  const token = readTokenKubeconfig(kc)?.token;
  assert.ok(token, 'the Secret holds a token kubeconfig');
  return token;
}

/** The member as the operator: the kubeconfig of the hub's Secret, as the operator reads it. */
async function memberAsOperator(hub: Cluster): Promise<Cluster> {
  const secret = (await hub.call('GET', SECRET)) as { data: { kubeconfig: string } };
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'govcloud-join-')), 'kubeconfig');
  writeFileSync(file, Buffer.from(secret.data.kubeconfig, 'base64'), { mode: 0o600 });
  return new Cluster(file, EXTRA);
}

const status = async (c: Cluster, p: string) => (await c.request('GET', p)).status;

const test = operatorSuite('join', {
  setUp: async () => {
    platformScript('up.sh', '--extra', EXTRA);
    member = new Cluster(EXTRA_KUBECONFIG, EXTRA);
  },
  tearDown: async ({ hub }) => {
    // After a failed test, the hub must not keep a DataCentre whose cluster is gone.
    if ((await status(hub, `/apis/govcloud.dev/v1alpha1/datacentres/${EXTRA}`)) !== 404) await govcloud(['unjoin', EXTRA, ...clusterFlags(hub), '--force']);
    platformScript('down.sh', '--extra', EXTRA);
  },
});

test('--dry-run=client prints the member RBAC from rbac-requirements.yaml and the DataCentre, no Secret, and changes nothing', async ({ hub }) => {
  const r = await govcloud([...joinArgs(hub), '--dry-run=client', '-o', 'yaml']);
  assert.is(r.code, 0, r.stderr);
  const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; rules?: unknown; spec?: any });
  const req = loadRbacRequirements();
  assert.equal(objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'govcloud-operator')?.rules, req.clusterRules);
  assert.equal(objects.find((o) => o.kind === 'Role' && o.metadata.name === 'govcloud-operator-token')?.rules, req.memberNamespaceRules);
  assert.is(objects.find((o) => o.kind === 'DataCentre')?.spec.connection.kubeconfigSecretRef.name, `${EXTRA}-kubeconfig`);
  assert.not.ok(
    objects.some((o) => o.kind === 'Secret'),
    'no credential in a pull request',
  );
  assert.is(await status(member, `/api/v1/namespaces/${NAMESPACE}`), 404, 'the member is untouched');
  assert.is(await status(hub, '/apis/govcloud.dev/v1alpha1/datacentres/' + EXTRA), 404, 'the hub is untouched');
});

test('an unreachable member: one line naming the cluster and its address, no stack trace', async ({ hub }) => {
  const dead = path.join(mkdtempSync(path.join(tmpdir(), 'govcloud-join-')), 'kubeconfig');
  writeFileSync(dead, readFileSync(EXTRA_KUBECONFIG, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/, 'server: https://127.0.0.1:1'));
  const r = await govcloud(['join', EXTRA, '--hub-kubeconfig', HUB_KUBECONFIG(hub), '--member-kubeconfig', dead, '--network-ranges', RANGES]);
  assert.is(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /member cluster dc-join \(https:\/\/127\.0\.0\.1:1\)/);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
});

test('join: member RBAC, a bound token, the Secret and the DataCentre; a second run changes nothing', async ({ hub }) => {
  const first = await govcloud([...joinArgs(hub), '-o', 'json']);
  assert.is(first.code, 0, first.stderr);
  const one = JSON.parse(first.stdout) as { steps: { outcome: string; kind: string }[]; token: { renewed: boolean } };
  assert.ok(
    one.steps.every((s) => s.outcome === 'created'),
    JSON.stringify(one.steps),
  );
  assert.ok(one.token.renewed);
  const token = await secretToken(hub);
  const times = tokenTimes(token)!;
  assert.is((times.expiresAt.getTime() - times.issuedAt.getTime()) / 1000, 600, 'the lifetime asked for');
  // No legacy token Secret anywhere in the member's govcloud-system.
  const secrets = (await member.call('GET', `/api/v1/namespaces/${NAMESPACE}/secrets`)) as { items: { type: string }[] };
  assert.equal(
    secrets.items.filter((s) => s.type === 'kubernetes.io/service-account-token'),
    [],
  );

  const second = await govcloud([...joinArgs(hub), '-o', 'json']);
  assert.is(second.code, 0, second.stderr);
  const two = JSON.parse(second.stdout) as { steps: { outcome: string; kind: string; name: string }[]; token: { renewed: boolean } };
  assert.equal(
    two.steps.filter((s) => s.outcome !== 'unchanged').map((s) => `${s.kind} ${s.name} ${s.outcome}`),
    [],
  );
  assert.not.ok(two.token.renewed, 'the valid token is kept');
  assert.is(await secretToken(hub), token);

  const dc = await waitCondition(hub, 'DataCentre', undefined, EXTRA, 'Ready', 'True', 90_000);
  assert.is(condition(dc, 'CredentialsExpiring')?.status, 'False');
});

test('an agency placed in the joined data centre is Ready with its namespaces there; a renewed token keeps it so', async (ctx) => {
  const { name, code } = uniqueAgency('join');
  ctx.agencies.push(name);
  await ctx.hub.apply(agency(name, code, { dcs: [EXTRA], deletionPolicy: 'Delete' }));
  await waitCondition(ctx.hub, 'Agency', undefined, name, 'Ready', 'True', 90_000);
  const expected = await waitConverged(ctx.hub, [...ctx.clusters, member], name);
  assert.ok(
    (expected.get(EXTRA) ?? []).some((o) => o.startsWith('Namespace ')),
    'its namespaces are in the joined data centre',
  );

  // Rotate now: the operator renews before renew-before (an engineer's "rotate now").
  const before = await secretToken(ctx.hub);
  // renew-before counts only after the token's issue (iat, whole seconds): a token issued a
  // moment ago would ignore "a second ago", so ask for the next whole second after both.
  const askedMs = Math.ceil((Math.max(Date.now(), tokenTimes(before)!.issuedAt.getTime()) + 1000) / 1000) * 1000;
  await ctx.hub.call(
    'PATCH',
    SECRET,
    { metadata: { annotations: { 'govcloud.dev/renew-before': new Date(askedMs).toISOString().replace(/\.\d+Z$/, 'Z') } } },
    'application/merge-patch+json',
  );
  const after = await waitFor(
    'the Secret holds a renewed token',
    async () => {
      const t = await secretToken(ctx.hub);
      return t !== before ? t : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  assert.ok(tokenTimes(after)!.issuedAt > tokenTimes(before)!.issuedAt);
  // Renewed, then Valid once the changed Secret is read again: False either way, for the new token.
  const until = tokenTimes(after)!.expiresAt.toISOString();
  await waitFor(
    `CredentialsExpiring False for the token valid until ${until}`,
    async () => {
      const c = condition(await get(ctx.hub, 'DataCentre', undefined, EXTRA), 'CredentialsExpiring');
      return c?.status === 'False' && c.message.includes(`valid until ${until}`);
    },
    { timeoutMs: 30_000 },
  );
  const renewed = await memberAsOperator(ctx.hub);
  const review = (await renewed.call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  })) as { status: { userInfo: { username: string } } };
  assert.is(review.status.userInfo.username, `system:serviceaccount:${NAMESPACE}:govcloud-operator`, 'the new token is the operator on the member');
  await waitCondition(ctx.hub, 'DataCentre', undefined, EXTRA, 'Ready', 'True');
  const agencyNow = await waitCondition(ctx.hub, 'Agency', undefined, name, 'Ready', 'True');
  assert.is(condition(agencyNow, 'Ready')?.status, 'True');
  await waitConverged(ctx.hub, [...ctx.clusters, member], name);
});

test("attack: the operator's identity renews only its own token and writes only that one Secret", async ({ hub }) => {
  const op = asOperator(hub);
  const patch = { metadata: { annotations: { 'e2e.govcloud.dev/probe': 'x' } } };
  const mp = 'application/merge-patch+json';
  assert.is((await op.request('PATCH', `${SECRET}?dryRun=All`, patch, mp)).status, 200, 'its own data centre Secret: allowed (rotation)');
  assert.is(
    (await op.request('PATCH', `/api/v1/namespaces/${NAMESPACE}/secrets/dc-hcm-kubeconfig?dryRun=All`, patch, mp)).status,
    403,
    "another data centre's Secret",
  );
  assert.is(
    (
      await op.request('POST', `/api/v1/namespaces/${NAMESPACE}/secrets?dryRun=All`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'e2e-stolen' },
      })
    ).status,
    403,
    'create a Secret',
  );
  assert.is((await op.request('DELETE', `${SECRET}?dryRun=All`)).status, 403, 'delete its Secret');

  const onMember = await memberAsOperator(hub);
  const tokenFor = (sa: string) =>
    onMember.request('POST', `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${sa}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds: 600 },
    });
  assert.is((await tokenFor('govcloud-operator')).status, 201, 'a token for itself: allowed (rotation)');
  assert.is((await tokenFor('default')).status, 403, 'a token for another ServiceAccount');
  assert.is((await onMember.request('GET', `/api/v1/namespaces/${NAMESPACE}/secrets`)).status, 403, "the member's Secrets");
  assert.is(
    (
      await onMember.request('POST', `/api/v1/namespaces/${NAMESPACE}/secrets?dryRun=All`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'e2e-legacy', annotations: { 'kubernetes.io/service-account.name': 'govcloud-operator' } },
        type: 'kubernetes.io/service-account-token',
      })
    ).status,
    403,
    'a legacy token Secret',
  );
});

test('unjoin: refused while an agency is placed there; after its removal, nothing of join is left', async (ctx) => {
  const { name, code } = uniqueAgency('unjoin');
  ctx.agencies.push(name);
  await ctx.hub.apply(agency(name, code, { dcs: [EXTRA], deletionPolicy: 'Delete' }));
  await waitCondition(ctx.hub, 'Agency', undefined, name, 'Ready', 'True', 90_000);

  const refused = await govcloud(['unjoin', EXTRA, ...clusterFlags(ctx.hub)]);
  assert.is(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, new RegExp(`refused: 1 agency is placed in ${EXTRA} \\(${name}\\)`));
  assert.is(await status(ctx.hub, `/apis/govcloud.dev/v1alpha1/datacentres/${EXTRA}`), 200, 'nothing removed');

  await ctx.hub.request('DELETE', `/apis/govcloud.dev/v1alpha1/agencies/${name}`);
  await waitFor(
    'the agency and its namespaces gone',
    async () => {
      if (await get(ctx.hub, 'Agency', undefined, name)) return false;
      const ns = (await member.call('GET', `/api/v1/namespaces?labelSelector=${encodeURIComponent(`govcloud.dev/agency-name=${name}`)}`)) as {
        items: unknown[];
      };
      return ns.items.length === 0;
    },
    { timeoutMs: 90_000 },
  );

  const r = await govcloud(['unjoin', EXTRA, ...clusterFlags(ctx.hub), '-o', 'json']);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { leftBehind: string[] };
  assert.equal(out.leftBehind, []);

  for (const p of [
    `/apis/govcloud.dev/v1alpha1/datacentres/${EXTRA}`,
    SECRET,
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/roles/govcloud-credentials-${EXTRA}`,
    `/apis/rbac.authorization.k8s.io/v1/namespaces/${NAMESPACE}/rolebindings/govcloud-credentials-${EXTRA}`,
  ])
    assert.is(await status(ctx.hub, p), 404, `hub: ${p}`);
  assert.is(await status(ctx.hub, `/api/v1/namespaces/${NAMESPACE}/secrets/dc-hcm-kubeconfig`), 200, "another data centre's Secret stays");

  // On the member: no govcloud object at all once its namespace is finalised.
  await waitFor('govcloud-system gone from the member', async () => (await status(member, `/api/v1/namespaces/${NAMESPACE}`)) === 404, {
    timeoutMs: 60_000,
  });
  const left: string[] = [];
  for (const p of [
    '/apis/rbac.authorization.k8s.io/v1/clusterroles',
    '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
    '/api/v1/namespaces',
  ]) {
    const list = (await member.call('GET', p)) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] };
    for (const o of list.items)
      if (o.metadata.name.startsWith('govcloud') || o.metadata.labels?.['app.kubernetes.io/part-of'] === 'govcloud') left.push(`${p} ${o.metadata.name}`);
  }
  assert.equal(left, [], 'nothing of govcloud left on the member');
});

test.run();
