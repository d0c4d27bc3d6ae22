// The dashboard in a real browser (Debian's chromium, driven by playwright-core), against the
// live local platform with samples/ applied and the operator running: `govcloud dashboard`
// runs as the chart's govcloud-dashboard ServiceAccount; viewers come with their own tokens
// (ServiceAccounts bound as an agency's viewers and as leadership are), checked by the hub's
// TokenReview and SubjectAccessReview. Each page shows the numbers the API holds, nothing
// leaves the host, no console error, an agency's viewer gets 403 on another agency, the
// keyboard reaches everything, and axe-core finds no accessibility violation. The roadmap's
// figures are those the operator writes into the MigrationPlans' and ConsolidationTargets'
// status (samples/platform/targets.yaml, samples/tenants/*/roadmap.yaml).
//
// GOVCLOUD_DASHBOARD_SCREENSHOTS=DIR writes one screenshot per page there (docs/dashboard/).
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as assert from 'uvu/assert';
import { readManifests, ROOT, waitFor, yamlFiles, yamlFilesRecursive, type Cluster } from '../harness/index.ts';
import { workspaceNamespace } from '../../operator/src/api/index.ts';
import { parseMilli } from '../../operator/src/model/quantity.ts';
import { historyName, monthOf } from '../../operator/src/showback/history.ts';
import { readSet, shardName } from '../../operator/src/showback/shards.ts';
import { decodeUsage, USAGE_NAME } from '../../operator/src/showback/usage.ts';
import { DASHBOARD_SERVICE_ACCOUNT, installDashboardIdentity, LEADERSHIP_ROLE, serviceAccountToken, startDashboardProcess } from './dashboard.ts';
import { agency, clusterOf, deleteAgencies, get, NAMESPACE, uniqueAgency, type Obj } from './platform.ts';
import { OperatorProcess } from './process.ts';
import { operatorSuite } from './suite.ts';

const CHROMIUM = process.env.GOVCLOUD_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.GOVCLOUD_DASHBOARD_SCREENSHOTS;
const VIEWER_SA = 'e2e-dashboard-viewer-bca';
const LEADER_SA = 'e2e-dashboard-leader';
const API = '/apis/govcloud.dev/v1alpha1';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface State {
  dashboard?: ChildProcess;
  url: string;
  browser?: Browser;
  tokens: { viewer: string; leader: string };
  agencies: string[];
  /** Requests to anywhere but the dashboard, and console errors, over every page visited. */
  outside: string[];
  errors: string[];
}
const state: State = { url: '', tokens: { viewer: '', leader: '' }, agencies: [], outside: [], errors: [] };

async function applySamples(hub: Cluster): Promise<string[]> {
  const agencies = yamlFiles(path.join(ROOT, 'samples', 'agencies')).flatMap((f) => readManifests(f).objects);
  for (const a of agencies) await hub.apply(a);
  const names = agencies.map((a) => a.metadata!.name!);
  const tenants = yamlFilesRecursive(path.join(ROOT, 'samples', 'tenants')).flatMap((f) => readManifests(f).objects);
  // Tenant objects live in the hub namespaces the operator makes for their agencies.
  await waitFor(
    'the sample tenants applied in their hub namespaces',
    async () => {
      for (const o of tenants) {
        try {
          await hub.apply(o);
        } catch {
          return false;
        }
      }
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
  return names;
}

function sampleTargets(): KubernetesObject[] {
  return readManifests(path.join(ROOT, 'samples', 'platform', 'targets.yaml')).objects.filter((o) => o.kind === 'ConsolidationTarget');
}

/** Objects for the viewers: ServiceAccounts, bca's viewer bound as the operator binds bca's viewer groups, the leader as the chart binds leadership. */
function viewerObjects(): KubernetesObject[] {
  const sa = (name: string) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: NAMESPACE } });
  const subject = (name: string) => [{ kind: 'ServiceAccount', name, namespace: NAMESPACE }];
  return [
    sa(VIEWER_SA),
    sa(LEADER_SA),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: VIEWER_SA, namespace: 'govcloud-bca' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'govcloud-tenant-viewer' },
      subjects: subject(VIEWER_SA),
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: LEADER_SA },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: LEADERSHIP_ROLE },
      subjects: subject(LEADER_SA),
    } as KubernetesObject,
  ];
}

/** A browser as this token; `refusals`: the pages it opens may answer 403, which Chromium logs as a console error. */
async function browserFor(tokenText: string, refusals = false): Promise<BrowserContext> {
  // bypassCSP: the dashboard's CSP allows no script at all; axe-core is injected by the test.
  const context = await state.browser!.newContext({
    extraHTTPHeaders: { authorization: `Bearer ${tokenText}` },
    bypassCSP: true,
    viewport: { width: 1280, height: 900 },
  });
  const origin = new URL(state.url).origin;
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    state.outside.push(url);
    return route.abort();
  });
  context.on('page', (page) => watch(page, refusals));
  return context;
}

function watch(page: Page, refusals: boolean): void {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (refusals && /status of 403/.test(m.text())) return;
    state.errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => state.errors.push(`${page.url()}: ${e.message}`));
}

async function open(context: BrowserContext, pathname: string): Promise<{ page: Page; status: number }> {
  const page = await context.newPage();
  const response = await page.goto(new URL(pathname, state.url).toString());
  return { page, status: response?.status() ?? 0 };
}

async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe.run();
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
  });
  return violations;
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(path.resolve(ROOT, SHOTS), { recursive: true });
  await page.screenshot({ path: path.resolve(ROOT, SHOTS, `${name}.png`), fullPage: true });
}

const texts = (page: Page, selector: string) => page.locator(selector).allInnerTexts();

async function list(hub: Cluster, plural: string): Promise<Obj[]> {
  return ((await hub.call('GET', `${API}/${plural}`)) as { items: Obj[] }).items;
}

const test = operatorSuite('dashboard: the pages in a real browser', {
  async setUp({ hub }) {
    const kubeconfig = await installDashboardIdentity(hub, 3600);
    state.agencies = await applySamples(hub);
    for (const t of sampleTargets()) await hub.apply(t);
    for (const o of viewerObjects()) await hub.apply(o);
    state.tokens = { viewer: await serviceAccountToken(hub, VIEWER_SA), leader: await serviceAccountToken(hub, LEADER_SA) };
    const { child, url } = await startDashboardProcess(kubeconfig);
    state.dashboard = child;
    state.url = url;
    state.browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  },
  async tearDown({ hub, clusters }) {
    await state.browser?.close();
    state.dashboard?.kill('SIGTERM');
    for (const o of viewerObjects().reverse())
      await hub.request('DELETE', o.kind === 'ClusterRoleBinding' ? `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${o.metadata!.name}` : pathOf(o));
    for (const t of sampleTargets()) await hub.request('DELETE', `${API}/consolidationtargets/${t.metadata!.name}`);
    await deleteAgencies(hub, clusters, state.agencies, true);
  },
});

function pathOf(o: KubernetesObject): string {
  const ns = o.metadata!.namespace!;
  if (o.kind === 'ServiceAccount') return `/api/v1/namespaces/${ns}/serviceaccounts/${o.metadata!.name}`;
  return `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/${o.metadata!.name}`;
}

test('overview, as leadership: the totals, levels and each data centre’s allocation are those the API holds', async ({ hub }) => {
  const agencies = await list(hub, 'agencies');
  // The operator's own figure of what is allocated, once it counted every sample agency.
  const dcs = await waitFor(
    'every DataCentre counting the agencies placed in it',
    async () => {
      const items = await list(hub, 'datacentres');
      const settled = items.every(
        (d) => d.status?.agencies === agencies.filter((a) => (a.spec.placement.dataCentres as string[]).includes(d.metadata!.name!)).length,
      );
      return settled ? items : undefined;
    },
    { timeoutMs: 60_000 },
  );
  const context = await browserFor(state.tokens.leader);
  // The dashboard's informers trail the API by a moment (the suite before this one may still
  // be deleting its agencies' services): the figures must match once both have settled.
  const figures = async (page: Page) => [
    await texts(page, '[data-figure="agencies"]'),
    await texts(page, '[data-figure="dataCentres"]'),
    await texts(page, '[data-figure="services"]'),
  ];
  const live = async () => [[String((await list(hub, 'agencies')).length)], [String(dcs.length)], [String((await list(hub, 'shareddataservices')).length)]];
  // The comparison is the wait itself (it fails when they never match): the services count may
  // still move once they did, so it is not read again.
  const page = await waitFor(
    'the overview counting the agencies, data centres and services the API lists',
    async () => {
      const opened = await open(context, '/');
      assert.is(opened.status, 200);
      if (JSON.stringify(await figures(opened.page)) === JSON.stringify(await live())) return opened.page;
      await opened.page.close();
      return undefined;
    },
    { timeoutMs: 30_000 },
  );
  assert.equal(await texts(page, '[data-figure="agencies"]'), [String(agencies.length)]);
  for (let level = 1; level <= 5; level++)
    assert.equal(
      await texts(page, `#by-level [data-key="${level}"]`),
      [String(agencies.filter((a) => a.spec.securityLevel === level).length)],
      `agencies at level ${level}`,
    );
  for (const d of dcs) {
    const card = page.locator(`.card[data-datacentre="${d.metadata!.name}"]`);
    const allocated = d.status!.allocated as { cpu: string; memory: string; storage: string };
    assert.equal(await card.locator('[data-field="allocated"]').allInnerTexts(), [allocated.cpu, allocated.memory, allocated.storage], d.metadata!.name);
    assert.equal(await card.locator('[data-field="agencies"]').allInnerTexts(), [String(d.status!.agencies)]);
  }
  assert.match(await page.locator('h1').innerText(), /Tổng quan quốc gia/);
  await shot(page, 'overview');
  await page.goto(new URL('/?lang=en', state.url).toString());
  assert.match(await page.locator('h1').innerText(), /National overview/);
  await context.close();
});

test('overview, as leadership: progress against each ConsolidationTarget and the overdue migrations are those the status holds', async ({ hub }) => {
  // Settled: every plan counted by the operator, and each target counting every plan's systems.
  const { plans, targets } = await waitFor(
    'the roadmap status written for every sample plan and target',
    async () => {
      const plans = await list(hub, 'migrationplans');
      const targets = await list(hub, 'consolidationtargets');
      const counted = plans.length > 0 && plans.every((p) => p.status?.systems === (p.spec.systems as unknown[]).length);
      const all = targets.find((t) => t.spec.agencyTypes === undefined);
      const total = plans.reduce((n, p) => n + (p.status?.systems as number), 0);
      return counted && targets.length === sampleTargets().length && all?.status?.systems === total ? { plans, targets } : undefined;
    },
    { timeoutMs: 60_000 },
  );
  const context = await browserFor(state.tokens.leader);
  const { page } = await open(context, '/');
  for (const t of targets) {
    const row = page.locator('#targets tbody tr', { has: page.locator(`[data-target="${t.metadata!.name}"]`) });
    const field = async (f: string) => row.locator(`[data-field="${f}"]`).getAttribute('value');
    const s = t.status!;
    assert.is(await field('share'), String(s.sharePercent), `${t.metadata!.name}: share reached`);
    assert.is(await field('target'), String(t.spec.sharePercent), `${t.metadata!.name}: share due`);
    assert.is(await field('done'), String(s.done), `${t.metadata!.name}: systems done`);
    assert.is(await field('systems'), String(s.systems), `${t.metadata!.name}: systems`);
    assert.is(await field('behind'), String(s.agenciesBehind), `${t.metadata!.name}: agencies behind`);
    assert.is(await row.locator('a').count(), (s.behind as string[]).length, `${t.metadata!.name}: each agency behind linked`);
  }
  const overdue = plans.reduce((n, p) => n + (p.status?.overdueCount as number), 0);
  assert.ok(overdue > 0, 'the samples have overdue systems');
  assert.is(await page.locator('[data-field="overdue-count"]').getAttribute('data-value'), String(overdue));
  assert.is(await page.locator('#overdue tbody tr').count(), Math.min(overdue, 20));
  for (const p of plans) {
    const agency = (p.metadata!.namespace as string).replace(/^govcloud-/, '');
    const own = await open(context, `/agencies/${agency}`);
    assert.is(await own.page.locator('#roadmap tbody tr').count(), p.status!.systems as number, `${agency}: its systems`);
    assert.is(await own.page.locator('#roadmap [data-field="overdue"]').count(), p.status!.overdueCount as number, `${agency}: overdue marked`);
    await own.page.close();
  }
  await context.close();
});

test("capacity used: the use the operator publishes from the members' ResourceQuotas, beside allocated; the dashboard may read those ConfigMaps and nothing else of the namespace", async (ctx) => {
  const { hub, clusters } = ctx;
  // A pod in Bộ Tài chính's workspace in dc-hanoi: its request counts in the quota's status.used.
  const hanoi = clusterOf(clusters, 'dc-hanoi');
  const namespace = workspaceNamespace('btc', 'thue');
  await hanoi.call('POST', `/api/v1/namespaces/${namespace}/pods`, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'e2e-usage' },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.govcloud.local/e2e/app:1.0',
          resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '250m', memory: '64Mi' } },
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
    },
  });
  try {
    const quotas = async () =>
      ((await hanoi.call('GET', `/api/v1/resourcequotas?labelSelector=${encodeURIComponent('app.kubernetes.io/managed-by=govcloud')}`)) as { items: Obj[] })
        .items;
    const usedCpu = (items: Obj[], namespaces: string[]) =>
      items
        .filter((q) => namespaces.includes(q.metadata!.namespace!))
        .reduce((n, q) => n + (parseMilli((q.status?.used as Record<string, string> | undefined)?.['requests.cpu'] ?? '0') ?? 0n), 0n);
    const btcNamespaces = ['thue', 'ngan-sach'].map((w) => workspaceNamespace('btc', w));
    await waitFor('the pod counted in the quota', async () => usedCpu(await quotas(), [namespace]) === 250n, { timeoutMs: 30_000 });
    // A new leader samples at once (the next sample would be five minutes away).
    await ctx.op!.stop();
    ctx.op = await OperatorProcess.start('dashboard-usage');
    await ctx.op.waitLeader();
    const published = await waitFor(
      'the use published with the pod counted',
      async () => {
        const read = async (name: string) => {
          const cm = await hub.request('GET', `/api/v1/namespaces/${NAMESPACE}/configmaps/${name}`);
          return cm.status === 200 ? { data: (cm.body as { data?: Record<string, string> }).data ?? {} } : undefined;
        };
        const usage = decodeUsage(await readSet(read, USAGE_NAME)).usage;
        return usage?.agencies['btc/dc-hanoi'] && usage.agencies['btc/dc-hanoi'].cpu >= 0.25 ? usage : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const items = await quotas();
    const context = await browserFor(state.tokens.leader);
    const btc = await context.newPage();
    const cell = btc.locator('#used tbody tr', { has: btc.locator('[data-usage="dc-hanoi"]') }).locator('[data-used="cpu"]');
    await waitFor(
      'the dashboard showing the published use (it reads it at most every 30 s)',
      async () => {
        await btc.goto(new URL('/agencies/btc', state.url).toString());
        return (await cell.count()) === 1;
      },
      { timeoutMs: 45_000, intervalMs: 2000 },
    );
    assert.is(parseMilli(await cell.innerText()), usedCpu(items, btcNamespaces), "btc's CPU used in dc-hanoi: the sum of its ResourceQuotas' status.used");
    assert.is(await btc.locator('[data-field="used-source"]').getAttribute('data-value'), 'live');
    await shot(btc, 'agency');
    const overview = await open(context, '/');
    const dcCell = overview.page.locator('#used tbody tr', { has: overview.page.locator('[data-usage="dc-hanoi"]') }).locator('[data-used="cpu"]');
    assert.is(
      parseMilli(await dcCell.innerText()),
      usedCpu(
        items,
        items.map((q) => q.metadata!.namespace!),
      ),
      "dc-hanoi's CPU used: every govcloud quota's status.used there",
    );
    assert.is(Object.keys(published.dataCentres).length, (await list(hub, 'datacentres')).length, 'every data centre read');
    await context.close();
    // The dashboard's ServiceAccount, attacking: the published use only, no other ConfigMap, no Secret.
    const dashboard = hub.as(`system:serviceaccount:${NAMESPACE}:${DASHBOARD_SERVICE_ACCOUNT}`, [
      'system:serviceaccounts',
      `system:serviceaccounts:${NAMESPACE}`,
      'system:authenticated',
    ]);
    const status = async (urlPath: string) => (await dashboard.request('GET', urlPath)).status;
    assert.is(await status(`/api/v1/namespaces/${NAMESPACE}/configmaps/${USAGE_NAME}`), 200);
    assert.is(await status(`/api/v1/namespaces/${NAMESPACE}/configmaps/${shardName(USAGE_NAME, 0)}`), 200, 'the use now, its shards');
    assert.is(await status(`/api/v1/namespaces/${NAMESPACE}/configmaps/${historyName(monthOf(new Date()))}`), 403, 'not the history');
    assert.is(await status(`/api/v1/namespaces/${NAMESPACE}/configmaps/${shardName(historyName(monthOf(new Date())), 0)}`), 403, "not the history's shards");
    assert.is(await status(`/api/v1/namespaces/${NAMESPACE}/configmaps`), 403, 'no list, so no other name');
    assert.is(await status(`/api/v1/namespaces/${NAMESPACE}/secrets`), 403, 'no Secret: no member credential');
    for (const d of await list(hub, 'datacentres')) {
      const ref = (d.spec.connection as { kubeconfigSecretRef?: { namespace: string; name: string } }).kubeconfigSecretRef;
      if (ref) assert.is(await status(`/api/v1/namespaces/${ref.namespace}/secrets/${ref.name}`), 403, `not ${d.metadata!.name}'s kubeconfig`);
    }
  } finally {
    await hanoi.request('DELETE', `/api/v1/namespaces/${namespace}/pods/e2e-usage?gracePeriodSeconds=0`);
  }
});

test('every agency and data centre page, the catalogue and the access graph show what the API holds', async ({ hub }) => {
  const context = await browserFor(state.tokens.leader);
  const grants = await list(hub, 'accessgrants');
  const services = await list(hub, 'shareddataservices');
  for (const name of state.agencies) {
    const agency = (await get(hub, 'Agency', undefined, name))!;
    const { page, status } = await open(context, `/agencies/${name}`);
    assert.is(status, 200, name);
    assert.match(await page.locator('h1').innerText(), new RegExp(agency.spec.displayName as string));
    assert.is(await page.locator('#workspaces tbody tr').count(), (agency.spec.workspaces as unknown[]).length, `${name}: workspaces`);
    assert.is(await page.locator('#quotas tbody tr').count(), (agency.spec.quotas as unknown[]).length, `${name}: quotas`);
    const given = grants.filter((g) => g.metadata!.namespace === `govcloud-${name}`);
    assert.is(await page.locator('#grants tbody tr').count(), given.length, `${name}: grants`);
    for (const g of given) {
      const row = page.locator('#grants tbody tr', { hasText: g.spec.consumer as string }).first();
      const cells = await row.locator('td').allInnerTexts();
      assert.is(cells[7], g.status?.active === true ? 'Đang mở' : 'Chưa mở', `${name}: grant ${g.metadata!.name} open now as its status says`);
      if (g.spec.validUntil) assert.ok(cells[5]!.includes(g.spec.validUntil as string), `${name}: the grant's window`);
    }
    await page.close();
  }
  for (const d of await list(hub, 'datacentres')) {
    const { page, status } = await open(context, `/datacentres/${d.metadata!.name}`);
    assert.is(status, 200);
    assert.is(await page.locator('#agencies tbody tr').count(), d.status!.agencies as number, `${d.metadata!.name}: agencies`);
    if (d.metadata!.name === 'dc-hanoi') await shot(page, 'datacentre');
    await page.close();
  }
  const catalogue = await open(context, '/catalogue');
  assert.is(await catalogue.page.locator('#services tbody tr').count(), services.length);
  await shot(catalogue.page, 'catalogue');
  const access = await open(context, '/access');
  const edges = await texts(access.page, '#edges tbody tr');
  for (const g of grants.filter((x) => x.status?.active === true))
    assert.ok(
      edges.some((e) => e.includes(`${g.metadata!.namespace}/${g.metadata!.name}`)),
      `the access graph shows why ${g.spec.consumer} reaches ${g.spec.service}: grant ${g.metadata!.name}`,
    );
  for (const g of grants.filter((x) => x.status?.active !== true))
    assert.not.ok(
      edges.some((e) => e.includes(`${g.metadata!.namespace}/${g.metadata!.name}`)),
      `grant ${g.metadata!.name} is not open: no path`,
    );
  await shot(access.page, 'access');
  await context.close();
});

test("an agency's viewer sees its agency, and gets 403 on another agency's page and on the national pages", async () => {
  const context = await browserFor(state.tokens.viewer, true);
  const own = await open(context, '/agencies/bca');
  assert.is(own.status, 200);
  const other = await open(context, '/agencies/btc');
  assert.is(other.status, 403);
  assert.not.match(await other.page.content(), /Bộ Tài chính/, "nothing of the other agency's page");
  assert.is((await open(context, '/')).status, 403);
  assert.is((await open(context, '/access')).status, 403);
  const anonymous = await fetch(new URL('/agencies/bca', state.url), { redirect: 'manual' });
  assert.is(anonymous.status, 303, 'no token: to the sign-in page');
  const forged = await fetch(new URL('/agencies/bca', state.url), { headers: { authorization: 'Bearer not-a-token' }, redirect: 'manual' });
  assert.is(forged.status, 303, 'a token the API server does not accept is no identity');
  await context.close();
});

test('the keyboard reaches the skip link, the content and a page behind a link', async () => {
  const context = await browserFor(state.tokens.leader);
  const { page } = await open(context, '/');
  await page.keyboard.press('Tab');
  assert.is(await page.locator(':focus').innerText(), 'Bỏ qua, đến nội dung chính');
  await page.keyboard.press('Enter');
  let href = '';
  for (let i = 0; i < 60 && !href.includes('/datacentres/'); i++) {
    await page.keyboard.press('Tab');
    href = (await page.locator(':focus').getAttribute('href')) ?? '';
  }
  assert.match(href, /^\/datacentres\//, 'after the skip link, Tab reaches the first data centre in the content');
  // A string: the page's DOM, which the e2e's TypeScript (no DOM library) does not type.
  assert.is(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'solid', 'the focused link shows a focus ring');
  await Promise.all([page.waitForURL((u) => u.pathname === href), page.keyboard.press('Enter')]);
  assert.is(new URL(page.url()).pathname, href);
  await context.close();
});

test('axe-core finds no accessibility violation on any kind of page, in Vietnamese and English', async () => {
  const context = await browserFor(state.tokens.leader);
  for (const p of ['/', '/agencies/bca', '/agencies/quangninh', '/datacentres/dc-hanoi', '/catalogue', '/access', '/?lang=en', '/agencies/vpcp?lang=en']) {
    const { page } = await open(context, p);
    assert.equal(await axe(page), [], p);
    await page.close();
  }
  await context.close();
});

test('an agency whose name is markup shows it as text, on its page and the overview', async ({ hub, agencies }) => {
  const { name, code } = uniqueAgency('xss');
  const evil = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">';
  const object = agency(name, code, { dcs: ['dc-hanoi'] });
  object.spec.displayName = evil;
  await hub.apply(object);
  agencies.push(name);
  const context = await browserFor(state.tokens.leader);
  const page = await context.newPage();
  await waitFor('the dashboard showing the new agency', async () => (await page.goto(new URL(`/agencies/${name}`, state.url).toString()))?.status() === 200, {
    timeoutMs: 30_000,
  });
  assert.ok((await page.locator('h1').innerText()).startsWith(evil), 'the name, as text');
  assert.is(await page.locator('main img, main script').count(), 0);
  assert.is(await page.evaluate('window.pwned'), undefined);
  await page.goto(new URL('/', state.url).toString());
  assert.is(await page.locator(`#agencies a[href="/agencies/${name}"]`).innerText(), evil);
  assert.is(await page.evaluate('window.pwned'), undefined);
  await context.close();
});

test('over every page visited: no request left the host, and no console error', async () => {
  assert.equal(state.outside, []);
  assert.equal(state.errors, []);
});

test.run();
