// Every API call the operator makes, checked against charts/govcloud-operator/rbac-requirements.yaml:
// the real process wiring (Manager: leader election, hub caches, member clients from a
// kubeconfig Secret, writers, events) against a fake API server that records each request,
// with a platform that makes every controller write (apply, prune, delete a namespace under
// deletionPolicy Delete, finalizers, status of every kind).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Manager } from '../../src/controllers/manager.ts';
import { createLogger } from '../../src/runtime/index.ts';
import { loadRbacRequirements, type PolicyRule } from '../../src/install/rbac.ts';
import { json, kubeconfig, startFakeApiServer } from '../runtime/fake-apiserver.ts';

const API = 'govcloud.dev/v1alpha1';
const NS = 'govcloud-system';

const owned = (owner: string) => ({ 'app.kubernetes.io/managed-by': 'govcloud', 'govcloud.dev/owner': owner });
const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  uid: `uid-${name}`,
  resourceVersion: '5',
  generation: 1,
  creationTimestamp: '2026-01-01T00:00:00Z',
  ...extra,
});

function collections(server: string): Record<string, unknown[]> {
  const dc = (name: string, connection: unknown) => ({
    apiVersion: API,
    kind: 'DataCentre',
    metadata: meta(name),
    spec: {
      displayName: name,
      region: 'Miền Bắc',
      connection,
      accreditedLevel: 4,
      encryptedLinks: true,
      capacity: { cpu: '64', memory: '256Gi', storage: '10Ti' },
      networkRanges: [name === 'dc-hub' ? '10.10.0.0/16' : '10.20.0.0/16'],
    },
  });
  const agency = (name: string, extra: Record<string, unknown> = {}, deletionPolicy = 'Retain') => ({
    apiVersion: API,
    kind: 'Agency',
    metadata: meta(name, extra),
    spec: {
      code: name === 'btc' ? 'G12' : 'G13',
      displayName: name,
      type: 'ministry',
      groups: { admins: [`${name}-admins`], viewers: [`${name}-viewers`] },
      securityLevel: 2,
      placement: { dataCentres: ['dc-hub', 'dc-member'] },
      quotas: ['dc-hub', 'dc-member'].map((dataCentre) => ({ dataCentre, cpu: '4', memory: '8Gi', storage: '20Gi' })),
      workspaces: [{ name: 'app', dataClass: 'shared' }],
      deletionPolicy,
    },
  });
  return {
    '/apis/govcloud.dev/v1alpha1/datacentres': [
      dc('dc-hub', { thisCluster: true }),
      dc('dc-member', { kubeconfigSecretRef: { namespace: NS, name: 'member-kubeconfig' } }),
    ],
    '/apis/govcloud.dev/v1alpha1/agencies': [
      agency('btc'),
      agency('gone', { deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['govcloud.dev/cleanup'] }, 'Delete'),
    ],
    '/apis/govcloud.dev/v1alpha1/networklinks': [
      {
        apiVersion: API,
        kind: 'NetworkLink',
        metadata: { ...meta('wan'), namespace: 'govcloud-btc' },
        spec: { workspace: 'app', direction: 'Egress', peer: { external: { network: 'agencyWAN', cidrs: ['172.16.0.0/16'] } }, ports: [{ port: 443 }] },
      },
    ],
    '/apis/govcloud.dev/v1alpha1/shareddataservices': [
      {
        apiVersion: API,
        kind: 'SharedDataService',
        metadata: { ...meta('registry'), namespace: 'govcloud-btc' },
        spec: {
          displayName: 'x',
          subsystem: 'x',
          serviceCode: 'registry',
          version: 'v1',
          workspace: 'app',
          image: 'r/x@sha256:1',
          port: 8443,
          placement: { dataCentres: ['dc-hub'] },
          dataClass: 'shared',
          sharing: 'default',
        },
      },
    ],
    '/apis/govcloud.dev/v1alpha1/accessrequests': [],
    '/apis/govcloud.dev/v1alpha1/accessgrants': [
      {
        apiVersion: API,
        kind: 'AccessGrant',
        metadata: { ...meta('stray'), namespace: 'govcloud-btc' },
        spec: { service: 'registry', consumer: 'gone', purpose: 'p', legalBasis: 'l', validUntil: '2030-01-01T00:00:00Z' },
      },
    ],
    [`/api/v1/namespaces/${NS}/secrets`]: [
      { apiVersion: 'v1', kind: 'Secret', metadata: { ...meta('member-kubeconfig'), namespace: NS }, stringData: { kubeconfig: kubeconfig(server, 'member') } },
    ],
    '/api/v1/namespaces': [
      { apiVersion: 'v1', kind: 'Namespace', metadata: meta('btc-app', { labels: { ...owned('Agency..btc'), 'kubernetes.io/metadata.name': 'btc-app' } }) },
      { apiVersion: 'v1', kind: 'Namespace', metadata: meta('gone-app', { labels: { ...owned('Agency..gone'), 'kubernetes.io/metadata.name': 'gone-app' } }) },
    ],
    // Owned by btc, no longer rendered: pruned.
    '/apis/networking.k8s.io/v1/networkpolicies': [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { ...meta('govcloud-old'), namespace: 'btc-app', labels: owned('Agency..btc') },
        spec: {},
      },
    ],
    '/api/v1/nodes': [],
  };
}

interface Call {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

/** The RBAC attributes of a request, as the API server derives them; undefined for non-resource URLs. */
function attributes(method: string, pathname: string, query: URLSearchParams): Call | undefined {
  const parts = pathname.split('/').filter(Boolean);
  let rest: string[];
  let group: string;
  if (parts[0] === 'api') {
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1]!;
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, sub] = rest;
  const verb =
    method === 'GET'
      ? name
        ? 'get'
        : query.get('watch') === 'true'
          ? 'watch'
          : 'list'
      : ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method]!;
  const call: Call = { verb, group, resource: sub ? `${resource}/${sub}` : resource! };
  if (namespace) call.namespace = namespace;
  if (name) call.name = name;
  return call;
}

function allowedBy(rules: PolicyRule[], call: Call): boolean {
  return rules.some(
    (r) =>
      r.apiGroups.includes(call.group) &&
      r.resources.includes(call.resource) &&
      r.verbs.includes(call.verb) &&
      (!r.resourceNames || (call.name !== undefined && r.resourceNames.includes(call.name))),
  );
}

test('every call the operator makes is one rbac-requirements.yaml allows', async () => {
  const watches: ServerResponse[] = [];
  let lease: Record<string, unknown> | undefined;
  let data: Record<string, unknown[]> = {};
  const server = await startFakeApiServer([
    (req: IncomingMessage, url: URL, res: ServerResponse, body: string) => {
      const method = req.method ?? 'GET';
      if (url.pathname === '/version') return json(res, 200, { major: '1', minor: '37', gitVersion: 'v1.37.2' });
      if (url.pathname.endsWith('/leases/govcloud-operator') || url.pathname.endsWith('/leases')) {
        if (method === 'GET') return lease ? json(res, 200, lease) : json(res, 404, { kind: 'Status', code: 404, reason: 'NotFound' });
        lease = { ...JSON.parse(body), metadata: { ...JSON.parse(body).metadata, resourceVersion: String(Date.now()) } };
        return json(res, method === 'POST' ? 201 : 200, lease);
      }
      if (method === 'GET' && url.searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        watches.push(res);
        return true;
      }
      if (method === 'GET') {
        const items = data[url.pathname];
        if (items) return json(res, 200, { items, metadata: { resourceVersion: '10' } });
        if (/\/(namespaces\/[^/]+\/)?[a-z]+$/.test(url.pathname)) return json(res, 200, { items: [], metadata: { resourceVersion: '10' } });
        return json(res, 404, { kind: 'Status', code: 404, reason: 'NotFound' });
      }
      if (method === 'PATCH' || method === 'POST' || method === 'PUT') {
        const obj = body ? JSON.parse(body) : {};
        return json(res, method === 'POST' ? 201 : 200, { ...obj, metadata: { ...obj.metadata, resourceVersion: '11' } });
      }
      if (method === 'DELETE') return json(res, 200, { kind: 'Status', status: 'Success' });
      return false;
    },
  ]);
  data = collections(server.url);
  const dir = mkdtempSync(path.join(tmpdir(), 'govcloud-rbac-'));
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(file, kubeconfig(server.url, 'hub'));
  const previous = process.env.KUBECONFIG;
  const stop = new AbortController();
  const logger = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const manager = new Manager({
    kubeconfig: file,
    namespace: NS,
    metricsPort: 0,
    leaderElect: true,
    concurrency: 2,
    logLevel: 'silent',
    identity: 'rbac-test_1',
    logger,
  });
  const running = manager.run(stop.signal);
  // The scenario is complete when every controller has written what it must; the loop waits
  // for that, and the test fails (naming what is missing) if it never happened.
  const expected: [string, RegExp][] = [
    ['PATCH', /agencies\/btc\/status$/],
    ['PATCH', /agencies\/gone$/],
    ['PATCH', /shareddataservices\/registry\/status$/],
    ['PATCH', /accessgrants\/stray\/status$/],
    ['PATCH', /networklinks\/wan\/status$/],
    ['PATCH', /datacentres\/dc-member\/status$/],
    ['DELETE', /networkpolicies\/govcloud-old$/],
    ['DELETE', /namespaces\/gone-app$/],
    ['POST', /events$/],
  ];
  const missing = () => expected.filter(([m, p]) => !server.requests.some((r) => r.method === m && p.test(r.path))).map(([m, p]) => `${m} ${p.source}`);
  const deadline = Date.now() + 20_000;
  while (missing().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const notSeen = missing();
  stop.abort();
  assert.is(await running, 'stopped');
  for (const w of watches) w.end();
  await server.close();
  if (previous === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = previous;

  assert.equal(notSeen, [], 'the scenario made every write it is built for (waited up to 20 s)');

  const rbac = loadRbacRequirements();
  const calls = server.requests.map((r) => attributes(r.method, r.path, r.query)).filter((c): c is Call => c !== undefined);
  const seen = new Set(calls.map((c) => `${c.verb} ${c.group}/${c.resource}`));
  for (const must of [
    'patch govcloud.dev/agencies',
    'patch govcloud.dev/agencies/status',
    'patch govcloud.dev/accessgrants/status',
    'patch govcloud.dev/networklinks/status',
    'patch govcloud.dev/shareddataservices/status',
    'patch govcloud.dev/datacentres/status',
    'delete /namespaces',
    'patch networking.k8s.io/networkpolicies',
    'delete networking.k8s.io/networkpolicies',
    'watch /secrets',
    'update coordination.k8s.io/leases',
    'create events.k8s.io/events',
    'list /nodes',
    'get rbac.authorization.k8s.io/clusterroles',
    'patch apps/deployments',
  ]) {
    assert.ok(seen.has(must), `the scenario exercised "${must}" (seen: ${[...seen].sort().join(', ')})`);
  }
  const denied = new Set<string>();
  for (const c of calls) {
    const ok = allowedBy(rbac.clusterRules, c) || (c.namespace === NS && (allowedBy(rbac.namespaceRules, c) || allowedBy(rbac.systemNamespaceRules, c)));
    if (!ok) denied.add(`${c.verb} ${c.group}/${c.resource}${c.namespace ? ` in ${c.namespace}` : ''}${c.name ? ` (${c.name})` : ''}`);
  }
  assert.equal([...denied], [], 'calls outside rbac-requirements.yaml');
  assert.ok(seen.has('patch admissionregistration.k8s.io/validatingadmissionpolicies'), 'the admission policy is among them');
  // The chart installs the govcloud ClusterRoles: the operator only reads them.
  assert.equal(
    server.requests.filter((r) => r.path.includes('/clusterroles') && r.method !== 'GET').map((r) => `${r.method} ${r.path}`),
    [],
  );
  // bind: every RoleBinding binds a ClusterRole the operator may bind.
  const bindable = rbac.clusterRules.find((r) => r.verbs.includes('bind'))!.resourceNames!;
  for (const r of server.requests.filter((x) => x.method === 'PATCH' && x.path.includes('/rolebindings/'))) {
    const role = (JSON.parse(r.body) as { roleRef: { name: string } }).roleRef.name;
    assert.ok(bindable.includes(role), `RoleBinding to ${role}`);
  }
  // Namespaces are deleted only for the agency whose deletionPolicy is Delete.
  const deleted = server.requests.filter((r) => r.method === 'DELETE' && /\/api\/v1\/namespaces\/[^/]+$/.test(r.path)).map((r) => r.path);
  assert.equal([...new Set(deleted)], ['/api/v1/namespaces/gone-app']);
});

test.run();
