// Issue 17: the roadmap and showback on the local platform. A MigrationPlan applied in an
// agency's hub namespace gets its progress in status (overdue, migrated) from the operator;
// one the rules reject is Degraded; a tenant writes its own agency's plan and not another's.
// `govcloud showback --kubeconfig` shows, per data centre, the quota allocated and used
// that the member's API server reports in the agency's ResourceQuota status; a month's
// history kept in the single ConfigMap of before the split is carried on by the operator and
// read by the command.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { amountOf, historyKey, SHOWBACK_RESOURCES, type Showback } from '../../operator/src/showback/compute.ts';
import { decodeHistory, historyName, monthOf } from '../../operator/src/showback/history.ts';
import { readSet, type Stored } from '../../operator/src/showback/shards.ts';
import { govcloudBin, kubeconfigPath, ROOT, waitFor } from '../harness/index.ts';
import { agency, API, clusterOf, NAMESPACE, uniqueAgency, waitCondition, type Obj } from './platform.ts';
import { OperatorProcess } from './process.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('operator: consolidation roadmap and showback');
const run = promisify(execFile);

const system = (name: string, targetDate: string, state: string, extra: Record<string, unknown> = {}) => ({
  name,
  displayName: `Hệ thống ${name}`,
  securityLevel: 2,
  dataClass: 'shared',
  currentLocation: 'Phòng máy chủ Sở Thông tin và Truyền thông',
  target: { dataCentre: 'dc-hcm', workspace: 'app' },
  targetDate,
  state,
  ...extra,
});

const plan = (namespace: string, name: string, systems: unknown[]): Obj => ({
  apiVersion: API,
  kind: 'MigrationPlan',
  metadata: { namespace, name },
  spec: { description: 'Lộ trình chuyển đổi (e2e)', systems },
});

test('a MigrationPlan gets its progress in status; one the rules reject is Degraded; a tenant writes only its own', async (ctx) => {
  const { name, code } = uniqueAgency('roadmap');
  ctx.agencies.push(name);
  await ctx.hub.apply(agency(name, code, { dcs: ['dc-hanoi', 'dc-hcm'] }));
  await waitCondition(ctx.hub, 'Agency', undefined, name, 'Ready', 'True', 90_000);
  const ns = `govcloud-${name}`;
  // One migrated on time, one overdue since mid-2025, one due in 2099.
  await ctx.hub.apply(
    plan(ns, 'lo-trinh', [
      system('cong-thong-tin', '2025-03-31', 'migrated', { completedOn: '2025-03-01' }),
      system('mot-cua', '2025-06-30', 'migrating'),
      system('du-lieu-mo', '2099-12-31', 'planned'),
    ]),
  );
  const ready = await waitCondition(ctx.hub, 'MigrationPlan', ns, 'lo-trinh', 'Ready', 'True');
  assert.equal(
    [ready.status.systems, ready.status.migrated, ready.status.migrating, ready.status.planned, ready.status.overdueCount, ready.status.agency],
    [3, 1, 1, 1, 1, name],
  );
  assert.equal(ready.status.overdue, [{ name: 'mot-cua', targetDate: '2025-06-30', state: 'migrating' }]);
  assert.is(ready.status.nextTargetDate, '2099-12-31');
  assert.is(ready.status.conditions.find((c: { type: string }) => c.type === 'Ready').reason, 'Overdue');

  // Migrated into a workspace the agency does not have: the rules refuse it.
  await ctx.hub.apply(
    plan(ns, 'sai', [system('khac', '2025-01-31', 'migrated', { completedOn: '2025-01-30', target: { dataCentre: 'dc-hcm', workspace: 'khong-co' } })]),
  );
  const degraded = await waitCondition(ctx.hub, 'MigrationPlan', ns, 'sai', 'Degraded', 'True');
  const message = degraded.status.conditions.find((c: { type: string }) => c.type === 'Degraded').message as string;
  assert.match(message, /migration-plans/);
  assert.match(message, /has no workspace "khong-co"/);

  // The agency's admins write its plan; in another agency's hub namespace they are refused.
  const tenant = ctx.hub.as(`${name}-admin`, [`${name}-admins`]);
  const own = await tenant.request(
    'POST',
    `/apis/${API}/namespaces/${ns}/migrationplans?dryRun=All`,
    plan(ns, 'cua-minh', [system('x', '2027-01-31', 'planned')]),
  );
  assert.is(own.status, 201, JSON.stringify(own.body));
  const other = await tenant.request(
    'POST',
    `/apis/${API}/namespaces/govcloud-btc/migrationplans?dryRun=All`,
    plan('govcloud-btc', 'cua-nguoi-khac', [system('x', '2027-01-31', 'planned')]),
  );
  assert.is(other.status, 403, JSON.stringify(other.body));
  // Platform-wide targets are the platform engineers': a tenant cannot write one.
  const target = await tenant.request('POST', `/apis/${API}/consolidationtargets?dryRun=All`, {
    apiVersion: API,
    kind: 'ConsolidationTarget',
    metadata: { name: 'tu-dat' },
    spec: { description: 'x', sharePercent: 1, by: '2030-01-01' },
  });
  assert.is(target.status, 403);
}, 150_000);

test("upgrade: the month's history in the single ConfigMap of before is carried on in shards, and govcloud showback reads it", async (ctx) => {
  const { name, code } = uniqueAgency('history');
  ctx.agencies.push(name);
  await ctx.hub.apply(agency(name, code, { dcs: ['dc-hcm'] }));
  await waitCondition(ctx.hub, 'Agency', undefined, name, 'Ready', 'True', 90_000);
  const path = (n: string) => `/api/v1/namespaces/${NAMESPACE}/configmaps/${n}`;
  const read = async (n: string): Promise<Stored | undefined> => {
    const r = await ctx.hub.request('GET', path(n));
    const cm = r.body as { data?: Record<string, string>; metadata?: { resourceVersion?: string } };
    return r.status === 200 ? { data: cm.data ?? {}, ...(cm.metadata?.resourceVersion ? { resourceVersion: cm.metadata.resourceVersion } : {}) } : undefined;
  };
  const month = historyName(monthOf(new Date()));
  // What the operator wrote so far this month, put back as the operator before the split kept it, with this agency's 600 s
  // (again if a sample replaced the index in between: 409).
  const entries = await waitFor('the legacy history written', async () => {
    const before = await readSet(read, month);
    const history = decodeHistory(before).history;
    const legacyEntries = { ...history?.entries, [historyKey(name, 'dc-hcm')]: { seconds: 600, used: { cpu: 3, memory: 0, storage: 0, pods: 1 } } };
    const legacy = { month: monthOf(new Date()), lastSample: history?.lastSample ?? new Date().toISOString(), entries: legacyEntries };
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      // The labels the operator has always written on it (govcloud-operator-limits lets it touch only its own).
      metadata: {
        name: month,
        namespace: NAMESPACE,
        labels: { 'app.kubernetes.io/managed-by': 'govcloud', 'app.kubernetes.io/component': 'showback' },
        ...(before.index?.resourceVersion ? { resourceVersion: before.index.resourceVersion } : {}),
      },
      data: { 'history.json': JSON.stringify(legacy) },
    };
    const put = before.index
      ? await ctx.hub.request('PUT', path(month), body)
      : await ctx.hub.request('POST', `/api/v1/namespaces/${NAMESPACE}/configmaps`, body);
    if (put.status === 409) return undefined;
    assert.ok(put.status === 200 || put.status === 201, `legacy history written: ${put.status}`);
    return legacyEntries;
  });
  // A new leader samples at once.
  await ctx.op!.stop();
  ctx.op = await OperatorProcess.start('showback-upgrade');
  await ctx.op.waitLeader();
  const migrated = await waitFor(
    'the history split by the new leader',
    async () => {
      const set = await readSet(read, month);
      return set.index?.data?.['index.json'] !== undefined ? set : undefined;
    },
    { timeoutMs: 60_000 },
  );
  assert.equal(Object.keys(migrated.index!.data!), ['index.json'], 'the single ConfigMap is now the index');
  const after = decodeHistory(migrated).history!;
  for (const key of Object.keys(entries)) assert.ok(after.entries[key]!.seconds >= entries[key]!.seconds, `${key} carried on`);
  const { stdout } = await run(process.execPath, [govcloudBin(), 'showback', '--kubeconfig', kubeconfigPath(), '--context', ctx.hub.name, '--output', 'json'], {
    cwd: ROOT,
    maxBuffer: 1 << 26,
  });
  const shown = (JSON.parse(stdout) as Showback).agencies.find((a) => a.agency === name)!.dataCentres.find((d) => d.dataCentre === 'dc-hcm')!;
  assert.is(
    shown.monthToDate?.observedSeconds,
    after.entries[historyKey(name, 'dc-hcm')]!.seconds,
    'the command reads the month from the index and its shards',
  );
}, 180_000);

test('govcloud showback shows the allocated and used quota the member API servers report', async (ctx) => {
  const { name, code } = uniqueAgency('showback');
  ctx.agencies.push(name);
  await ctx.hub.apply(agency(name, code, { dcs: ['dc-hanoi', 'dc-hcm'] }));
  await waitCondition(ctx.hub, 'Agency', undefined, name, 'Ready', 'True', 90_000);
  const hcm = clusterOf(ctx.clusters, 'dc-hcm');
  const workspace = `${name}-app`;
  // A claim uses storage quota the moment it is admitted (no storage class needed).
  await hcm.apply({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'du-lieu', namespace: workspace },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } },
  });
  type Quota = { status?: { hard?: Record<string, string>; used?: Record<string, string> } };
  const quotaIn = async (dc: string) =>
    (await clusterOf(ctx.clusters, dc).call('GET', `/api/v1/namespaces/${workspace}/resourcequotas/govcloud-quota`)) as Quota;
  await waitFor('the claim counted in the quota', async () => (await quotaIn('dc-hcm')).status?.used?.['requests.storage'] === '2Gi', { timeoutMs: 30_000 });

  const { stdout } = await run(process.execPath, [govcloudBin(), 'showback', '--kubeconfig', kubeconfigPath(), '--context', ctx.hub.name, '--output', 'json'], {
    cwd: ROOT,
    maxBuffer: 1 << 26,
  });
  const shown = JSON.parse(stdout) as Showback;
  const row = shown.agencies.find((a) => a.agency === name);
  assert.ok(row, `${name} in the showback`);
  assert.equal(
    row!.dataCentres.map((d) => d.dataCentre),
    ['dc-hanoi', 'dc-hcm'],
  );
  for (const d of row!.dataCentres) {
    const q = await quotaIn(d.dataCentre);
    assert.ok(d.live, `${d.dataCentre} read`);
    for (const r of SHOWBACK_RESOURCES) {
      const key = r === 'pods' ? 'pods' : `requests.${r}`;
      assert.is(d.allocated[r], amountOf(r, q.status?.hard?.[key]), `${d.dataCentre} ${r} allocated`);
      assert.is(d.used[r], amountOf(r, q.status?.used?.[key]), `${d.dataCentre} ${r} used`);
    }
  }
  assert.is(row!.dataCentres.find((d) => d.dataCentre === 'dc-hcm')!.used.storage, 2 * 1024 ** 3);
  // The CSV carries the same figures for spreadsheets.
  const csv = (
    await run(process.execPath, [govcloudBin(), 'showback', '--kubeconfig', kubeconfigPath(), '--context', ctx.hub.name, '-o', 'csv'], { cwd: ROOT })
  ).stdout;
  assert.ok(
    csv.split('\n').some((l) => l.startsWith(`${name},`) && l.includes(',dc-hcm,true,') && l.includes(`,${2 * 1024 ** 3},`)),
    csv,
  );
}, 150_000);

test.run();
