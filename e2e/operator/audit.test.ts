// The durable access audit against the hub API server's real audit log (the chart's policy,
// enabled by e2e/platform/up.sh): agency admins (impersonated, as `kubectl --as --as-group`
// does) request and grant access, the operator opens the path, the provider revokes it, the
// consumer deletes its request; `govcloud audit` on the log names each of them, in order, with
// the purpose, legal basis and window, and the operator's opened and closed transitions. A
// tenant can neither read the log through the API nor erase what it did from it.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import type { Access } from '../../operator/src/audit/index.ts';
import { govcloudBin, ROOT, waitFor, type Cluster } from '../harness/index.ts';
import { agency, API, clusterOf, get, OPERATOR_USER, registryService, rfc3339, uniqueAgency, waitCondition, type Obj } from './platform.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('operator: the access audit from the API server audit log');
const run = promisify(execFile);

/** Where the hub's API server writes its audit log: the local platform's, or GOVCLOUD_AUDIT_DIR for other clusters. */
const AUDIT_DIR = path.resolve(ROOT, process.env.GOVCLOUD_AUDIT_DIR ?? '.local/platform/audit');

/** The hub as an admin of the agency: the same identity as the other e2e files (hardening-refuse.test.ts). */
const userOf = (agencyName: string) => `can-bo@${agencyName}.gov.vn`;
const tenantOf = (hub: Cluster, agencyName: string): Cluster => hub.as(userOf(agencyName), [`${agencyName}-admins`]);
const PURPOSE = 'Tra cứu đăng ký doanh nghiệp (e2e kiểm toán)';
const LEGAL_BASIS = 'Nghị định 47/2024/NĐ-CP, Điều 12';

function auditFiles(): string[] {
  if (!existsSync(AUDIT_DIR))
    throw new Error(`no audit log folder ${AUDIT_DIR}: the hub's API server runs without --audit-log-path (make cluster-up enables it)`);
  return readdirSync(AUDIT_DIR)
    .filter((f) => f.endsWith('.log') || f.endsWith('.log.gz'))
    .map((f) => path.join(AUDIT_DIR, f));
}

async function audit(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [govcloudBin(), 'audit', '--audit-log', ...auditFiles(), ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
  return stdout;
}

interface AuditJson {
  badLines: number;
  accesses: Access[];
  refused: { actor: { user: string }; verb: string; code: number; object: string }[];
}

/** A tenant's write, retried while its RoleBinding in the hub namespace is not in force yet (the operator writes it as the agency becomes Ready). */
async function asTenant(tenant: Cluster, method: string, url: string, body?: unknown, contentType?: string): Promise<unknown> {
  return waitFor(
    `${method} ${url} as a tenant`,
    async () => {
      const res = await tenant.request(method, url, body, contentType);
      if (res.status === 403) return undefined;
      if (res.status >= 300) throw new Error(`${method} ${url} -> ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body ?? {};
    },
    { timeoutMs: 20_000, intervalMs: 250 },
  );
}

const apply = (tenant: Cluster, o: Obj) =>
  asTenant(
    tenant,
    'PATCH',
    `/apis/${API}/namespaces/${o.metadata!.namespace}/${o.kind === 'AccessRequest' ? 'accessrequests' : o.kind === 'AccessGrant' ? 'accessgrants' : 'shareddataservices'}/${o.metadata!.name}?fieldManager=e2e-tenant&fieldValidation=Strict`,
    o,
    'application/apply-patch+yaml',
  );

test('who requested, granted and revoked, the purpose and window, when the path opened and closed; a tenant cannot erase it', async (ctx) => {
  const { hub, clusters } = ctx;
  const provider = uniqueAgency('aud-prov');
  const consumer = uniqueAgency('aud-cons');
  ctx.agencies.push(provider.name, consumer.name);
  await hub.apply(agency(provider.name, provider.code, { dcs: ['dc-hanoi'], workspaces: ['data'] }));
  await hub.apply(agency(consumer.name, consumer.code, { dcs: ['dc-hanoi'], workspaces: ['app'] }));
  await waitCondition(hub, 'Agency', undefined, provider.name, 'Ready', 'True');
  await waitCondition(hub, 'Agency', undefined, consumer.name, 'Ready', 'True');
  const cons = tenantOf(hub, consumer.name);
  const prov = tenantOf(hub, provider.name);
  await apply(prov, registryService(provider.name, { sharing: 'onRequest', dcs: ['dc-hanoi'], replicas: 1 }));

  const until = rfc3339(Date.now() + 3_600_000);
  const started = Date.now();
  await apply(cons, {
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'registry-for-app', namespace: `govcloud-${consumer.name}` },
    spec: { provider: provider.name, service: 'registry', workspaces: ['app'], purpose: PURPOSE, legalBasis: LEGAL_BASIS },
  });
  await apply(prov, {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: 'app-access', namespace: `govcloud-${provider.name}` },
    spec: { service: 'registry', consumer: consumer.name, purpose: PURPOSE, legalBasis: LEGAL_BASIS, validUntil: until },
  });
  const hanoi = clusterOf(clusters, 'dc-hanoi');
  const use = `/apis/networking.k8s.io/v1/namespaces/${consumer.name}-app/networkpolicies/govcloud-use-${provider.name}.registry`;
  await waitFor('the path open (the consumer policy)', async () => (await hanoi.request('GET', use)).status === 200, { timeoutMs: 30_000, intervalMs: 200 });
  // The operator says so in both objects' status (the audit log's opened transition).
  for (const [kind, namespace, name] of [
    ['AccessGrant', `govcloud-${provider.name}`, 'app-access'],
    ['AccessRequest', `govcloud-${consumer.name}`, 'registry-for-app'],
  ] as const) {
    await waitFor(`${kind} ${name} active`, async () => (await get(hub, kind, namespace, name))?.status?.active === true, { timeoutMs: 30_000 });
  }

  // The consumer tries to remove the provider's grant, and to write its own request's status: refused, and on record.
  const grantUrl = `/apis/${API}/namespaces/govcloud-${provider.name}/accessgrants/app-access`;
  assert.is((await cons.request('DELETE', grantUrl)).status, 403, "a consumer deletes the provider's grant");
  const requestUrl = `/apis/${API}/namespaces/govcloud-${consumer.name}/accessrequests/registry-for-app`;
  const forged = await cons.request('PATCH', `${requestUrl}/status`, { status: { active: false } }, 'application/merge-patch+json');
  assert.is(forged.status, 403, 'a tenant writes the status the audit reads');

  // The provider revokes; the path closes; the consumer then deletes its request.
  await asTenant(prov, 'DELETE', grantUrl);
  await waitFor('the path closed', async () => (await hanoi.request('GET', use)).status === 404, { timeoutMs: 30_000, intervalMs: 200 });
  await waitFor(
    'the request inactive',
    async () => (await get(hub, 'AccessRequest', `govcloud-${consumer.name}`, 'registry-for-app'))?.status?.active === false,
    {
      timeoutMs: 30_000,
    },
  );
  await asTenant(cons, 'DELETE', requestUrl);

  // A tenant cannot read the log through the API: it is no API object, and the API server's
  // /logs/ (its host's log files) needs a permission only administrators have.
  for (const tenant of [cons, prov]) {
    assert.is((await tenant.request('GET', '/apis/audit.k8s.io/v1')).status, 404, 'no API serves audit events');
    assert.is((await tenant.request('GET', '/logs/')).status, 403, 'a tenant reads the API server host logs');
  }

  // The log's lines reach the file as the requests complete: wait for the last (the deletion).
  let history: AuditJson | undefined;
  const access = await waitFor(
    'govcloud audit to show the access, revoked, closed and the request deleted',
    async () => {
      history = JSON.parse(await audit(['--agency', consumer.name, '--output', 'json'])) as AuditJson;
      const a = history.accesses.find((x) => x.kind === 'service' && x.provider === provider.name);
      return a?.request?.deleted && a.periods[0]?.closed ? a : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 500, describe: () => JSON.stringify(history?.accesses ?? history).slice(0, 2000) },
  );
  assert.equal(
    history!.accesses.map((a) => `${a.consumer}→${a.provider}/${a.service}`),
    [`${consumer.name}→${provider.name}/registry`],
    'one access, this one',
  );
  assert.is(access.request!.ref, `govcloud-${consumer.name}/registry-for-app`);
  assert.is(access.grant!.ref, `govcloud-${provider.name}/app-access`);
  // Who: the impersonated agency admins with their groups, and the administrator who impersonated them.
  const requested = access.request!.created!;
  const granted = access.grant!.created!;
  assert.is(requested.actor.user, userOf(consumer.name));
  assert.ok(requested.actor.groups.includes(`${consumer.name}-admins`), requested.actor.groups.join(' '));
  assert.ok(requested.actor.via, 'the user who impersonated is named');
  assert.is(granted.actor.user, userOf(provider.name));
  assert.ok(granted.actor.groups.includes(`${provider.name}-admins`), granted.actor.groups.join(' '));
  assert.is(access.purpose, PURPOSE);
  assert.is(access.legalBasis, LEGAL_BASIS);
  assert.equal(access.window, { until });
  // When: the operator's transitions, after the writes that caused them, in order.
  assert.is(access.periods.length, 1);
  const [period] = access.periods;
  assert.is(period!.opened.actor.user, OPERATOR_USER);
  assert.is(period!.opened.reason, 'Active');
  assert.is(period!.closed!.actor.user, OPERATOR_USER);
  assert.is(access.ended!.actor!.user, userOf(provider.name));
  assert.match(access.ended!.how, /^revoked \(AccessGrant govcloud-.*\/app-access deleted\)$/);
  const revoked = access.grant!.deleted!;
  const deleted = access.request!.deleted!;
  assert.is(revoked.actor.user, userOf(provider.name));
  assert.is(deleted.actor.user, userOf(consumer.name));
  const times = [requested.time, granted.time, period!.opened.time, revoked.time, period!.closed!.time, deleted.time];
  assert.equal([...times].sort(), times, `in order: requested, granted, opened, revoked, closed, deleted: ${times.join(' ')}`);
  assert.ok(Date.parse(requested.time) >= started - 1000, 'the request is this test’s');
  // Deleting its request erased nothing: the request's creation, purpose and its deleter are all there.
  assert.is(access.request!.spec.purpose, PURPOSE);
  // The refused attempts are on record, with who tried.
  const refused = history!.refused.map((r) => `${r.actor.user} ${r.verb} ${r.object} ${r.code}`);
  assert.ok(refused.includes(`${userOf(consumer.name)} delete AccessGrant govcloud-${provider.name}/app-access 403`), refused.join('\n'));
  assert.ok(refused.includes(`${userOf(consumer.name)} patch/status AccessRequest govcloud-${consumer.name}/registry-for-app 403`), refused.join('\n'));

  // The same for people and spreadsheets; by the agency's code too.
  const table = await audit(['--agency', consumer.code]);
  assert.match(table, `${consumer.name} → ${provider.name}/registry`);
  assert.match(table, userOf(provider.name));
  const csv = (await audit(['--agency', provider.name, '--output', 'csv'])).split('\r\n');
  assert.ok(csv[0]!.startsWith('kind,consumer,provider,service,request,requested_by'), csv[0]);
  const row = csv.find((l) => l.includes(`govcloud-${provider.name}/app-access`));
  assert.ok(row?.includes(userOf(consumer.name)) && row.includes(PURPOSE), row);
});

test("the log holds no Secret's content: member kubeconfigs and tokens are recorded at Metadata only", async () => {
  // Every suite writes the members' kubeconfig Secrets (registerDataCentres): their lines are there.
  const dir = path.join(ROOT, '.local', 'operator-kubeconfigs');
  const tokens = readdirSync(dir).map((f) => (parse(readFileSync(path.join(dir, f), 'utf8')) as { users: { user: { token: string } }[] }).users[0]!.user.token);
  assert.ok(tokens.length > 0 && tokens.every((t) => t.length > 100), 'the operator tokens to look for');
  let secretLines = 0;
  for (const file of auditFiles().filter((f) => f.endsWith('.log'))) {
    const text = readFileSync(file, 'utf8');
    for (const t of tokens) assert.not.ok(text.includes(t), `${file} holds an operator token`);
    for (const line of text.split('\n').filter((l) => l.includes('"resource":"secrets"'))) {
      const e = JSON.parse(line) as { level: string; requestObject?: unknown; responseObject?: unknown };
      secretLines++;
      assert.is(e.level, 'Metadata', line.slice(0, 300));
      assert.equal([e.requestObject, e.responseObject], [undefined, undefined]);
    }
  }
  assert.ok(secretLines > 0, 'the Secret writes are in the log (who and when)');
});

test.run();
