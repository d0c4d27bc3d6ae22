// Issue 11, items 1 and 7, as an attacker tries them on the real API servers: a tenant (its
// agency's admin group, impersonated) writes NetworkLinks to the whole internet, into
// another data centre's range and into another agency's WAN: the API server refuses each
// (the CRD's CEL, then the hub's admission policy govcloud-addresses), and `govcloud
// validate` refuses the same YAML offline with file:line. Internet egress 0.0.0.0/0 of a
// level-2 agency reaches no data centre, declared network or private range: the policy the
// operator applies in the member cluster carries them as except; an Agency naming a data
// centre's range as internet egress is refused by the API server.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import type { DataCentre } from '../../operator/src/api/index.ts';
import { AddressSet, parseStrictCidr, type Cidr } from '../../operator/src/model/ip.ts';
import { ROOT, govcloudBin, waitFor, yamlFiles, type Cluster, type RawResponse } from '../harness/index.ts';
import { agency, API, clusterOf, hubPlatform, uniqueAgency, waitCondition, type Obj } from './platform.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('hardening: addresses (issue 11, items 1 and 7)');
/** The hub's admission policy for addresses (render/address-policy.ts), named as the API server names it in refusals. */
const ADDRESS_POLICY = 'govcloud-addresses';
const run = promisify(execFile);

/** One request as a tenant: the agency's admin group, impersonated as `kubectl --as --as-group` does. */
function asTenant(cluster: Cluster, group: string, method: string, urlPath: string, body?: unknown, contentType?: string): Promise<RawResponse> {
  return cluster.as('tenant-admin@e2e', [group]).request(method, urlPath, body, contentType);
}

const linksPath = (agencyName: string) => `/apis/${API}/namespaces/govcloud-${agencyName}/networklinks`;
const messageOf = (res: RawResponse) => (res.body as { message?: string } | undefined)?.message ?? JSON.stringify(res.body);

function externalLink(agencyName: string, name: string, direction: 'Egress' | 'Ingress', network: string, cidrs: string[]): Obj {
  return {
    apiVersion: API,
    kind: 'NetworkLink',
    metadata: { name, namespace: `govcloud-${agencyName}` },
    spec: { workspace: 'app', direction, peer: { external: { network, cidrs } }, ports: [{ port: 1, endPort: 65535 }] },
  };
}

/** A tenant creates the link; the API server must refuse it with `status`, its message matching `message`. */
async function refusedToTenant(hub: Cluster, agencyName: string, link: Obj, status: number, message: RegExp): Promise<void> {
  const res = await asTenant(hub, `${agencyName}-admins`, 'POST', linksPath(agencyName), link);
  assert.is(res.status, status, `${link.metadata!.name}: ${res.status} ${messageOf(res)}`);
  assert.match(messageOf(res), message);
}

/**
 * `govcloud validate` (the shipped bundle) on the platform's data centres (samples/platform,
 * as the suite registered them), the agency and the objects under test: its lines, exit 1.
 */
async function validateOffline(name: string, objects: Obj[]): Promise<string[]> {
  const dir = path.join(ROOT, '.local', 'e2e-hardening-ranges');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    objects
      .map((o) =>
        stringify({
          apiVersion: o.apiVersion,
          kind: o.kind,
          metadata: { name: o.metadata!.name, ...(o.metadata!.namespace ? { namespace: o.metadata!.namespace } : {}) },
          spec: o.spec,
        }),
      )
      .join('---\n'),
  );
  const files = [...yamlFiles(path.join(ROOT, 'samples', 'platform')), file].map((f) => path.relative(ROOT, f));
  const out = await run(process.execPath, [govcloudBin(), 'validate', ...files], { cwd: ROOT, timeout: 60_000 }).then(
    (): string => {
      throw new Error(`govcloud validate accepted ${path.relative(ROOT, file)}`);
    },
    (err: Error & { code?: number; stdout?: string }) => {
      assert.is(err.code, 1, `govcloud validate exits 1 on an invalid platform: ${String(err)}`);
      return err.stdout ?? '';
    },
  );
  return out.trimEnd().split('\n').slice(0, -1);
}

/** The line for one object, with its file and line: `file:line: Kind/name: field: message`. */
function lineFor(lines: string[], kindName: string): string {
  const found = lines.filter((l) => l.includes(`: ${kindName}: `));
  assert.is(found.length, 1, `one problem for ${kindName} in:\n${lines.join('\n')}`);
  assert.match(found[0]!, /^\.local\/e2e-hardening-ranges\/[a-z-]+\.yaml:\d+: /);
  return found[0]!;
}

async function tenantAgency(ctx: { hub: Cluster; agencies: string[] }, hint: string): Promise<{ name: string; object: Obj }> {
  const a = uniqueAgency(hint);
  ctx.agencies.push(a.name);
  const object = agency(a.name, a.code, { dcs: ['dc-hcm'], workspaces: ['app'] });
  await ctx.hub.apply(object);
  // Ready: its hub namespace and the admins' RoleBinding there are in place.
  await waitCondition(ctx.hub, 'Agency', undefined, a.name, 'Ready', 'True');
  return { name: a.name, object };
}

const cidr = (text: string): Cidr => {
  const r = parseStrictCidr(text);
  if (!r.ok) throw new Error(r.message);
  return r.cidr;
};

/** Every range the live DataCentres reserve from internet egress: their networkRanges and declared networks. */
function declaredByDataCentres(dcs: DataCentre[]): AddressSet {
  return AddressSet.of(
    dcs
      .flatMap((d) => [
        ...d.spec.networkRanges,
        ...(d.spec.externalNetworks?.specialisedLevelI ?? []),
        ...(d.spec.externalNetworks?.specialisedLevelII ?? []),
        ...(d.spec.externalNetworks?.agencyWANs ?? []).flatMap((w) => w.cidrs),
      ])
      .map(cidr),
  );
}

test("a tenant's links to the whole internet (0.0.0.0/0, ::/0; Egress and Ingress, ports 1-65535) are refused by the API server and by validate", async (ctx) => {
  const { hub } = ctx;
  const a = await tenantAgency(ctx, 'wide');
  const out = externalLink(a.name, 'everything-out', 'Egress', 'agencyWAN', ['0.0.0.0/0', '::/0']);
  const inbound = externalLink(a.name, 'everything-in', 'Ingress', 'specialisedLevelI', ['0.0.0.0/0']);
  const bound = /spec\.peer\.external\.cidrs: Invalid value: .*every range must be \/8 or narrower in IPv4 and \/32 or narrower in IPv6/;
  await refusedToTenant(hub, a.name, out, 422, bound);
  await refusedToTenant(hub, a.name, inbound, 422, bound);
  await refusedToTenant(hub, a.name, externalLink(a.name, 'v6-only', 'Egress', 'agencyWAN', ['::/0']), 422, bound);

  const lines = await validateOffline('whole-internet', [a.object, out, inbound]);
  assert.match(
    lineFor(lines, 'NetworkLink/everything-out'),
    /: spec\.peer\.external\.cidrs: every range must be \/8 or narrower in IPv4 and \/32 or narrower in IPv6/,
  );
  assert.match(lineFor(lines, 'NetworkLink/everything-in'), /: spec\.peer\.external\.cidrs: every range must be \/8 or narrower/);
});

test("a tenant's links into another data centre's range or another agency's WAN are refused by the API server and by validate; a declared network is rendered with the data centres excepted", async (ctx) => {
  const { hub, clusters } = ctx;
  const a = await tenantAgency(ctx, 'reach');
  // dc-hanoi's range, on the specialised network as dc-hanoi declares it (10.0.0.0/8): the agency is in dc-hcm.
  const intoHanoi = externalLink(a.name, 'into-hanoi', 'Egress', 'specialisedLevelI', ['10.10.0.0/16']);
  const intoWan = externalLink(a.name, 'into-danang-wan', 'Egress', 'agencyWAN', ['192.168.50.0/24']);
  // The policy is the operator's: wait until the API server enforces it (before the fix it never does).
  await waitFor(
    `the admission policy ${ADDRESS_POLICY} enforced`,
    async () => {
      const res = await asTenant(hub, `${a.name}-admins`, 'POST', `${linksPath(a.name)}?dryRun=All`, intoHanoi);
      return res.status !== 201;
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );

  await refusedToTenant(
    hub,
    a.name,
    intoHanoi,
    403,
    new RegExp(`ValidatingAdmissionPolicy '${ADDRESS_POLICY}'.*10\\.10\\.0\\.0/16 lies in 10\\.10\\.0\\.0/16, networkRanges of DataCentre/dc-hanoi`),
  );
  await refusedToTenant(
    hub,
    a.name,
    intoWan,
    403,
    new RegExp(`ValidatingAdmissionPolicy '${ADDRESS_POLICY}'.*192\\.168\\.50\\.0/24 not on Agency/${a.name}'s own WAN`),
  );

  const lines = await validateOffline('reserved-range', [a.object, intoHanoi, intoWan]);
  assert.match(
    lineFor(lines, 'NetworkLink/into-hanoi'),
    /: spec\.peer\.external\.cidrs\[0\]: 10\.10\.0\.0\/16 lies in 10\.10\.0\.0\/16, networkRanges of DataCentre\/dc-hanoi/,
  );
  assert.match(
    lineFor(lines, 'NetworkLink/into-danang-wan'),
    new RegExp(`: spec\\.peer\\.external\\.cidrs\\[0\\]: 192\\.168\\.50\\.0/24 is not on Agency/${a.name}'s own WAN`),
  );

  // The network itself is allowed, and reaches no data centre: the tenant's link is rendered with every data centre's range as except.
  const network = externalLink(a.name, 'specialised', 'Egress', 'specialisedLevelI', ['10.0.0.0/8']);
  const created = await asTenant(hub, `${a.name}-admins`, 'POST', linksPath(a.name), network);
  assert.is(created.status, 201, messageOf(created));
  const hcm = clusterOf(clusters, 'dc-hcm');
  const policy = await waitFor('the link policy in dc-hcm', async () => {
    const res = await hcm.request('GET', `/apis/networking.k8s.io/v1/namespaces/${a.name}-app/networkpolicies/govcloud-link-specialised`);
    return res.status === 200 ? (res.body as { spec: { egress: { to: { ipBlock: { cidr: string; except?: string[] } }[] }[] } }) : undefined;
  });
  const block = policy.spec.egress[0]!.to[0]!.ipBlock;
  assert.is(block.cidr, '10.0.0.0/8');
  const dcs = (await hubPlatform(hub)).dataCentres;
  const reached = AddressSet.block(cidr(block.cidr), (block.except ?? []).map(cidr));
  // Nor can the tenant widen its admitted link afterwards.
  const widened = await asTenant(
    hub,
    `${a.name}-admins`,
    'PATCH',
    `${linksPath(a.name)}/specialised`,
    { spec: { peer: { external: { cidrs: ['10.10.0.0/16'] } } } },
    'application/merge-patch+json',
  );
  assert.is(widened.status, 403, messageOf(widened));
  assert.match(messageOf(widened), /10\.10\.0\.0\/16 lies in 10\.10\.0\.0\/16, networkRanges of DataCentre\/dc-hanoi/);
  for (const dc of dcs)
    for (const range of dc.spec.networkRanges.filter((r) => !r.includes(':'))) {
      assert.ok(reached.intersect(AddressSet.of([cidr(range)])).isEmpty(), `${range} of ${dc.metadata.name} is reachable through the link`);
    }
});

test("internet egress 0.0.0.0/0 and ::/0 reach no data centre, declared network or private range; an Agency naming a data centre's range is refused", async (ctx) => {
  const { hub, clusters } = ctx;
  const a = uniqueAgency('egress');
  ctx.agencies.push(a.name);
  const wide = agency(a.name, a.code, { dcs: ['dc-hcm'], workspaces: ['app'], level: 2 });
  wide.spec.workspaces[0].internetEgress = ['0.0.0.0/0', '::/0'];
  await hub.apply(wide);
  await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True');
  const hcm = clusterOf(clusters, 'dc-hcm');
  const policy = await waitFor('the internet egress policy in dc-hcm', async () => {
    const res = await hcm.request('GET', `/apis/networking.k8s.io/v1/namespaces/${a.name}-app/networkpolicies/govcloud-allow-internet-egress`);
    return res.status === 200 ? (res.body as { spec: { egress: { to: { ipBlock: { cidr: string; except?: string[] } }[] }[] } }) : undefined;
  });
  const blocks = policy.spec.egress[0]!.to.map((p) => p.ipBlock);
  assert.equal(blocks.map((b) => b.cidr).sort(), ['0.0.0.0/0', '::/0']);
  const reached = blocks.reduce((set, b) => set.union(AddressSet.block(cidr(b.cidr), (b.except ?? []).map(cidr))), AddressSet.EMPTY);
  const reserved = declaredByDataCentres((await hubPlatform(hub)).dataCentres).union(
    AddressSet.of(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', 'fc00::/7', 'fe80::/10'].map(cidr)),
  );
  assert.ok(reached.intersect(reserved).isEmpty(), `reachable reserved addresses: ${reached.intersect(reserved).toCidrs().join(', ')}`);
  assert.ok(reached.covers(AddressSet.of([cidr('8.8.8.0/24'), cidr('2001:4860::/32')])), 'the internet itself stays reachable');

  // A platform engineer's Agency naming dc-hcm's range as internet egress.
  const b = uniqueAgency('egress-dc');
  ctx.agencies.push(b.name);
  const intoDc = agency(b.name, b.code, { dcs: ['dc-hcm'], workspaces: ['app'], level: 2 });
  intoDc.spec.workspaces[0].internetEgress = ['198.51.100.0/24', '10.20.0.0/16'];
  await waitFor(
    `the admission policy ${ADDRESS_POLICY} enforced`,
    async () => (await hub.request('POST', `/apis/${API}/agencies?dryRun=All`, intoDc)).status !== 201,
    {
      timeoutMs: 30_000,
      intervalMs: 500,
    },
  );
  const res = await hub.request('POST', `/apis/${API}/agencies`, intoDc);
  assert.is(res.status, 403, messageOf(res));
  assert.match(
    messageOf(res),
    new RegExp(
      `ValidatingAdmissionPolicy '${ADDRESS_POLICY}'.*workspace app internetEgress: 10\\.20\\.0\\.0/16 lies in 10\\.20\\.0\\.0/16, networkRanges of DataCentre/dc-hcm`,
    ),
  );
  const lines = await validateOffline('internet-egress', [intoDc]);
  assert.match(
    lineFor(lines, `Agency/${b.name}`),
    /: spec\.workspaces\[0\]\.internetEgress\[1\]: 10\.20\.0\.0\/16 lies in 10\.20\.0\.0\/16, networkRanges of DataCentre\/dc-hcm/,
  );
});

test.run();
