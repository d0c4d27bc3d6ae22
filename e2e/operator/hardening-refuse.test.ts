// Issue 11, items 1 (the refusal path), 8 (platform namespaces) and 9 (self-links), tried as
// the attacker would against the real API servers: a tenant writes with its own identity
// (impersonation headers, as `kubectl --as --as-group` sends them), a platform engineer with
// the admin credentials. Each attack must fail, and `govcloud validate` must refuse the same
// object offline.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { ApiError, govcloudBin, ROOT, waitFor, type Cluster, type RawResponse } from '../harness/index.ts';
import { agency, API, condition, get, registryService, sampleDataCentres, uniqueAgency, waitCondition, type Obj } from './platform.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('operator: what the rules refuse is refused everywhere');
const run = promisify(execFile);

/** The hub as an admin of the agency: its group, impersonated (what `kubectl --as --as-group` sends). */
const tenantOf = (hub: Cluster, agencyName: string): Cluster => hub.as(`can-bo@${agencyName}.gov.vn`, [`${agencyName}-admins`]);
/** The API server's words on a refusal. */
const messageOf = (res: RawResponse): string => (res.body as { message?: string } | undefined)?.message ?? '';
const collection = (kind: string, namespace: string) => `/apis/${API}/namespaces/${namespace}/${kind}`;

/** `govcloud validate` of these objects (with the sample data centres), as a pull-request check runs it. */
async function validate(objects: Obj[]): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-refuse-'));
  try {
    writeFileSync(path.join(dir, 'objects.yaml'), objects.map((o) => stringify(o)).join('---\n'));
    writeFileSync(
      path.join(dir, 'platform.yaml'),
      sampleDataCentres()
        .map((o) => stringify(o))
        .join('---\n'),
    );
    try {
      const { stdout } = await run(process.execPath, [govcloudBin(), 'validate', dir], { cwd: ROOT });
      return { code: 0, out: stdout };
    } catch (err) {
      const e = err as { code?: number; stdout?: string };
      return { code: e.code ?? -1, out: e.stdout ?? '' };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('platform namespaces: the API server refuses an Agency named system or kube, even from a platform engineer; validate agrees', async ({ hub }) => {
  for (const name of ['system', 'kube']) {
    const body = agency(name, 'Z99.99.99', { dcs: ['dc-hanoi'], workspaces: ['system'] });
    let message = '';
    try {
      await hub.call('POST', `/apis/${API}/agencies`, body);
      await hub.request('DELETE', `/apis/${API}/agencies/${name}`);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 422) throw err;
      message = err.message;
    }
    assert.match(message, /an Agency name may not make a namespace of the platform/, `Agency ${name} was created: ${message || 'accepted'}`);
    const offline = await validate([body]);
    assert.is(offline.code, 1, offline.out);
    assert.match(offline.out, new RegExp(`objects\\.yaml:\\d+: Agency/${name}: metadata\\.name: an Agency name may not make a namespace of the platform`));
  }
  const live = (await hub.call('GET', '/api/v1/namespaces/govcloud-system')) as Obj;
  assert.not.ok(live.metadata?.labels?.['govcloud.dev/owner'], 'govcloud-system belongs to no agency');
});

test('self-links: a tenant cannot link its own two workspaces, nor request or grant to itself; another agency it can link; validate agrees', async (ctx) => {
  const { hub } = ctx;
  const a = uniqueAgency('self');
  const b = uniqueAgency('peer');
  ctx.agencies.push(a.name, b.name);
  await hub.apply(agency(a.name, a.code, { dcs: ['dc-hanoi'], workspaces: ['secret', 'portal'] }));
  await hub.apply(agency(b.name, b.code, { dcs: ['dc-hanoi'], workspaces: ['app'] }));
  await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True');
  await waitCondition(hub, 'Agency', undefined, b.name, 'Ready', 'True');
  const ns = `govcloud-${a.name}`;
  const link = (name: string, peer: { name: string; workspace: string }): Obj => ({
    apiVersion: API,
    kind: 'NetworkLink',
    metadata: { name, namespace: ns },
    spec: { workspace: 'secret', direction: 'Egress', peer: { agency: peer }, ports: [{ port: 443 }], validUntil: '2030-01-01T00:00:00Z' },
  });
  const self = link('secret-to-portal', { name: a.name, workspace: 'portal' });

  // An admission policy takes effect a moment after the operator puts it in place: an object
  // that slips through before that is deleted and the attempt repeated, within a bound.
  const refusedAs = (plural: string, obj: Obj) =>
    waitFor(
      `the API server refuses ${obj.kind} ${obj.metadata!.name}`,
      async () => {
        const res = await tenantOf(hub, a.name).request('POST', collection(plural, ns), obj);
        if (res.status >= 200 && res.status < 300) {
          await hub.request('DELETE', `${collection(plural, ns)}/${obj.metadata!.name}`);
          return undefined;
        }
        return res;
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
  const refusal = await refusedAs('networklinks', self);
  assert.ok([403, 422].includes(refusal.status), JSON.stringify(refusal.body));
  assert.match(messageOf(refusal), /govcloud-networklink-peer.*another agency's workspace/);

  // The same for consent to oneself: a request to its own service, a grant to itself.
  const legal = { purpose: 'Tự cấp quyền (e2e)', legalBasis: 'không có' };
  const selfRequest: Obj = {
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'self', namespace: ns },
    spec: { provider: a.name, service: 'anything', workspaces: ['portal'], ...legal },
  };
  const selfGrant: Obj = {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: 'self', namespace: ns },
    spec: { service: 'anything', consumer: a.name, validUntil: '2030-01-01T00:00:00Z', ...legal },
  };
  for (const [plural, obj, words] of [
    ['accessrequests', selfRequest, /govcloud-access-parties.*does not request access to its own service/],
    ['accessgrants', selfGrant, /govcloud-access-parties.*does not grant access to itself/],
  ] as const) {
    const res = await refusedAs(plural, obj);
    assert.ok([403, 422].includes(res.status), `${obj.kind} to itself: ${res.status} ${JSON.stringify(res.body)}`);
    assert.match(messageOf(res), words);
  }

  const other = await tenantOf(hub, a.name).request('POST', collection('networklinks', ns), link('secret-to-peer', { name: b.name, workspace: 'app' }));
  assert.is(other.status, 201, `a link to another agency is the tenant's to write: ${JSON.stringify(other.body)}`);

  const offline = await validate([agency(a.name, a.code, { dcs: ['dc-hanoi'], workspaces: ['secret', 'portal'] }), self]);
  assert.is(offline.code, 1, offline.out);
  assert.match(
    offline.out,
    /objects\.yaml:\d+: NetworkLink\/secret-to-portal: spec\.peer\.agency: a link cannot connect workspace "secret" to workspace "portal" of the same agency/,
  );
  const consent = await validate([agency(a.name, a.code, { dcs: ['dc-hanoi'], workspaces: ['secret', 'portal'] }), selfRequest, selfGrant]);
  assert.is(consent.code, 1, consent.out);
  assert.match(consent.out, /objects\.yaml:\d+: AccessRequest\/self: spec\.provider: an agency does not request access to its own service/);
  assert.match(consent.out, /objects\.yaml:\d+: AccessGrant\/self: spec\.consumer: an agency does not grant access to itself/);
});

test('a link pair the rules reject (encrypted, through a data centre that cannot encrypt), written by the tenants, opens nothing anywhere', async (ctx) => {
  const { hub, clusters } = ctx;
  const a = uniqueAgency('enca');
  const b = uniqueAgency('encb');
  ctx.agencies.push(a.name, b.name);
  for (const x of [a, b]) await hub.apply(agency(x.name, x.code, { dcs: ['dc-hanoi', 'dc-danang'], workspaces: ['app'] }));
  for (const x of [a, b]) await waitCondition(hub, 'Agency', undefined, x.name, 'Ready', 'True');
  const link = (owner: string, name: string, direction: string, peer: string): Obj => ({
    apiVersion: API,
    kind: 'NetworkLink',
    metadata: { name, namespace: `govcloud-${owner}` },
    spec: {
      workspace: 'app',
      direction,
      peer: { agency: { name: peer, workspace: 'app' } },
      ports: [{ port: 8443 }],
      encrypted: true,
      validUntil: '2030-01-01T00:00:00Z',
    },
  });
  const out = link(a.name, 'to-peer', 'Egress', b.name);
  const back = link(b.name, 'from-peer', 'Ingress', a.name);
  for (const [who, obj] of [
    [a.name, out],
    [b.name, back],
  ] as const) {
    const res = await tenantOf(hub, who).request('POST', collection('networklinks', obj.metadata!.namespace!), obj);
    assert.is(res.status, 201, `the link passes admission: ${JSON.stringify(res.body)}`);
  }
  const judged = await waitCondition(hub, 'NetworkLink', `govcloud-${a.name}`, 'to-peer', 'Degraded', 'True');
  await waitCondition(hub, 'NetworkLink', `govcloud-${b.name}`, 'from-peer', 'Degraded', 'True');
  await new Promise((r) => setTimeout(r, 1500));
  for (const c of clusters) {
    for (const [owner, name] of [
      [a.name, 'to-peer'],
      [b.name, 'from-peer'],
    ]) {
      const res = await c.request('GET', `/apis/networking.k8s.io/v1/namespaces/${owner}-app/networkpolicies/govcloud-link-${name}`);
      assert.is(res.status, 404, `${c.name}: no policy for ${owner}/${name}`);
    }
  }
  const live = await get(hub, 'NetworkLink', `govcloud-${a.name}`, 'to-peer');
  assert.is(live?.status?.active, false, JSON.stringify(judged.status));
  assert.is(condition(live, 'Degraded')?.reason, 'RuleViolation');
  assert.match(condition(live, 'Degraded')!.message, /rule links at spec\.encrypted: cannot be encrypted: DataCentre\/dc-danang is involved/);
  const events = (await hub.call('GET', `/apis/events.k8s.io/v1/namespaces/govcloud-${a.name}/events`)) as {
    items: { type: string; reason: string; note?: string; regarding: { name: string } }[];
  };
  assert.ok(
    events.items.some((e) => e.type === 'Warning' && e.regarding.name === 'to-peer' && e.reason === 'RuleViolation' && /rule links/.test(e.note ?? '')),
    JSON.stringify(events.items.map((e) => `${e.type} ${e.reason} ${e.note}`)),
  );

  const offline = await validate([
    agency(a.name, a.code, { dcs: ['dc-hanoi', 'dc-danang'], workspaces: ['app'] }),
    agency(b.name, b.code, { dcs: ['dc-hanoi', 'dc-danang'], workspaces: ['app'] }),
    out,
    back,
  ]);
  assert.is(offline.code, 1, offline.out);
  assert.match(offline.out, /objects\.yaml:\d+: NetworkLink\/to-peer: spec\.encrypted: cannot be encrypted: DataCentre\/dc-danang is involved/);
});

test('a request the rules reject, written by the tenant, opens nothing in any data centre: Degraded and a Warning naming the rule', async (ctx) => {
  const { hub, clusters } = ctx;
  const provider = uniqueAgency('prov');
  const consumer = uniqueAgency('cons');
  ctx.agencies.push(provider.name, consumer.name);
  await hub.apply(agency(provider.name, provider.code, { dcs: ['dc-hanoi'], workspaces: ['data'] }));
  await hub.apply(agency(consumer.name, consumer.code, { dcs: ['dc-hanoi'], workspaces: ['app'] }));
  await waitCondition(hub, 'Agency', undefined, provider.name, 'Ready', 'True');
  await waitCondition(hub, 'Agency', undefined, consumer.name, 'Ready', 'True');

  const service = registryService(provider.name, { sharing: 'onRequest', dcs: ['dc-hanoi'], replicas: 1 });
  const request: Obj = {
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: 'registry-for-app', namespace: `govcloud-${consumer.name}` },
    // "archive" is no workspace of the consumer: the rules reject the request as a whole.
    spec: {
      provider: provider.name,
      service: 'registry',
      workspaces: ['app', 'archive'],
      purpose: 'Tra cứu đăng ký (e2e)',
      legalBasis: 'Nghị định 47/2024/NĐ-CP',
    },
  };
  const grant: Obj = {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name: 'consumer-access', namespace: `govcloud-${provider.name}` },
    spec: {
      service: 'registry',
      consumer: consumer.name,
      purpose: 'Tra cứu đăng ký (e2e)',
      legalBasis: 'Nghị định 47/2024/NĐ-CP',
      validUntil: '2030-01-01T00:00:00Z',
    },
  };
  for (const [who, obj] of [
    [provider.name, service],
    [consumer.name, request],
    [provider.name, grant],
  ] as const) {
    const res = await tenantOf(hub, who).request(
      'POST',
      collection(
        obj.kind === 'AccessRequest' ? 'accessrequests' : obj.kind === 'AccessGrant' ? 'accessgrants' : 'shareddataservices',
        obj.metadata!.namespace!,
      ),
      obj,
    );
    assert.is(res.status, 201, `${obj.kind} passes admission: ${JSON.stringify(res.body)}`);
  }

  // Everyone has had every chance: the request judged, the service running, the grant judged.
  const judged = await waitCondition(hub, 'AccessRequest', `govcloud-${consumer.name}`, 'registry-for-app', 'Degraded', 'True');
  await waitFor(
    'the service running',
    async () => (await get(hub, 'SharedDataService', `govcloud-${provider.name}`, 'registry'))?.status?.observedGeneration === 1,
  );
  await waitFor(
    'the grant judged',
    async () => (await get(hub, 'AccessGrant', `govcloud-${provider.name}`, 'consumer-access'))?.status?.conditions !== undefined,
  );
  await new Promise((r) => setTimeout(r, 1500));
  for (const c of clusters) {
    const res = await c.request('GET', `/apis/networking.k8s.io/v1/namespaces/${consumer.name}-app/networkpolicies/govcloud-use-${provider.name}.registry`);
    assert.is(res.status, 404, `${c.name}: no consumer policy`);
    const ingress = await c.request('GET', `/apis/networking.k8s.io/v1/namespaces/${provider.name}-data/networkpolicies/govcloud-svc-registry`);
    assert.is(ingress.status, 404, `${c.name}: nobody is admitted to the service`);
  }
  assert.is((await get(hub, 'AccessGrant', `govcloud-${provider.name}`, 'consumer-access'))?.status?.active, false);
  const rejected = await get(hub, 'AccessRequest', `govcloud-${consumer.name}`, 'registry-for-app');
  assert.is(rejected?.status?.active, false, JSON.stringify(judged.status));
  assert.is(condition(rejected, 'Degraded')?.reason, 'RuleViolation');
  assert.match(
    condition(rejected, 'Degraded')!.message,
    new RegExp(`rule access-requests at spec\\.workspaces\\[1\\]: Agency/${consumer.name} has no workspace "archive"`),
  );
  const events = (await hub.call('GET', `/apis/events.k8s.io/v1/namespaces/govcloud-${consumer.name}/events`)) as {
    items: { type: string; reason: string; note?: string; regarding: { name: string } }[];
  };
  const warning = events.items.find((e) => e.type === 'Warning' && e.regarding.name === 'registry-for-app' && e.reason === 'RuleViolation');
  assert.ok(warning, JSON.stringify(events.items.map((e) => `${e.type} ${e.reason} ${e.regarding.name}`)));
  assert.match(warning!.note ?? '', /rule access-requests/);

  const offline = await validate([
    agency(provider.name, provider.code, { dcs: ['dc-hanoi'], workspaces: ['data'] }),
    agency(consumer.name, consumer.code, { dcs: ['dc-hanoi'], workspaces: ['app'] }),
    service,
    request,
    grant,
  ]);
  assert.is(offline.code, 1, offline.out);
  assert.match(
    offline.out,
    new RegExp(`objects\\.yaml:\\d+: AccessRequest/registry-for-app: spec\\.workspaces\\[1\\]: Agency/${consumer.name} has no workspace "archive"`),
  );
});

test.run();
