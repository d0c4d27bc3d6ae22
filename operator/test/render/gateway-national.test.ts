// The exchange gateways at national scale: the bench's 5,000-agency platform (its own
// generator, over samples/), every data centre with a gateway and encrypted links, and every
// workspace of every generated agency granted both the population registry in dc-hanoi and a
// registry in dc-hcm: the most routes and consumer workspaces the renderers can be asked for.
// Every object the gateways' renderer produces, serialised as the API server stores it, stays
// far below the API server's limits (ConfigMap data 1 MiB, a request body 3 MiB, etcd 1.5 MiB
// per object); the configuration is split into ConfigMaps of whole sections, global and
// defaults first; the pod names every one of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BENCH_CAPACITY, generateAgencies } from '../../../bench/agencies.ts';
import type { Platform } from '../../src/model/platform.ts';
import {
  CONFIG_SHARD_BYTES,
  GATEWAY_UNAVAILABLE,
  gatewayEndpoints,
  LISTEN_PORT_SPAN,
  MAX_CLIENT_CERTIFICATES,
  renderGateways,
} from '../../src/render/gateway.ts';
import type { DesiredObject } from '../../src/render/types.ts';
import { validateSamples } from '../validate/helpers.ts';
import { grant, request, service } from './fixtures.ts';
import { gatewayConfigFiles } from './gateway-config.ts';

const AGENCIES = 5000;
const NOW = new Date('2026-06-01T00:00:00Z');
const ETCD_OBJECT_BYTES = 1.5 * 1024 * 1024;
const REQUEST_BODY_BYTES = 3 * 1024 * 1024;
/** Below half of etcd's limit for any object (the Deployment's ReplicaSet and pod carry its template again), a sixth of a request's. */
const OBJECT_BUDGET = ETCD_OBJECT_BYTES / 2;
const ADDRESSES: Record<string, string> = { 'dc-hanoi': '10.10.255.1', 'dc-hcm': '10.20.255.1', 'dc-danang': '10.30.255.1' };

function nationalPlatform(): Platform {
  const samples = validateSamples().platform;
  const dataCentres = samples.dataCentres.map((d) => ({
    ...d,
    spec: { ...d.spec, capacity: { ...BENCH_CAPACITY }, encryptedLinks: true, exchangeGateway: { address: ADDRESSES[d.metadata.name]! } },
  }));
  const agencies = generateAgencies({ count: AGENCIES });
  // Five registries in dc-hanoi (bca's), five in dc-hcm (btc's): a consumer in dc-danang uses ten, as many as fill a gateway's listener ports.
  const registries = [
    ...Array.from({ length: 5 }, (_, i) => ({ agency: 'bca', workspace: 'dancu', dc: 'dc-hanoi', name: `registry-${i}` })),
    ...Array.from({ length: 5 }, (_, i) => ({ agency: 'btc', workspace: 'thue', dc: 'dc-hcm', name: `registry-${i}` })),
  ];
  const services = registries.map((r) =>
    service(r.agency, r.name, { workspace: r.workspace, serviceCode: r.name, placement: { dataCentres: [r.dc] }, sharing: 'onRequest' }),
  );
  const pairs = agencies.flatMap((a) =>
    registries.map((r) => ({
      request: request(a.metadata.name, `${r.agency}-${r.name}`, { provider: r.agency, service: r.name, workspaces: a.spec.workspaces.map((w) => w.name) }),
      grant: grant(r.agency, `${a.metadata.name}-${r.name}`, { service: r.name, consumer: a.metadata.name }),
    })),
  );
  return {
    ...samples,
    dataCentres,
    agencies: [...samples.agencies, ...agencies],
    services: [...samples.services, ...services],
    requests: [...samples.requests, ...pairs.map((p) => p.request)],
    grants: [...samples.grants, ...pairs.map((p) => p.grant)],
  };
}

/**
 * An object as the API server returns it: what the operator applied and the metadata the
 * server adds. Its managedFields stay small: the lists that grow with the routes (projected
 * sources, policy rules) are atomic, one field each; MANAGED_FIELDS_BYTES is far more.
 */
const MANAGED_FIELDS_BYTES = 8 * 1024;
function storedBytes(o: DesiredObject): number {
  const stored = {
    ...o,
    metadata: {
      ...o.metadata,
      uid: '01234567-89ab-cdef-0123-456789abcdef',
      resourceVersion: '18446744073709551615',
      generation: 9007199254740991,
      creationTimestamp: '2026-12-31T23:59:59Z',
      managedFields: [{ manager: 'govcloud-datacentre', operation: 'Apply', apiVersion: o.apiVersion, time: '2026-12-31T23:59:59Z', fieldsType: 'FieldsV1' }],
    },
  };
  return Buffer.byteLength(JSON.stringify(stored)) + MANAGED_FIELDS_BYTES;
}

test(`at ${AGENCIES} agencies, every gateway object stays far below the API server's limits; the configuration is split into whole sections`, () => {
  const platform = nationalPlatform();
  const rendered = renderGateways(platform, NOW, gatewayEndpoints(platform));
  const workspaces = platform.agencies.reduce((n, a) => n + a.spec.workspaces.length, 0);
  assert.ok(rendered.routes.length > 2 * MAX_CLIENT_CERTIFICATES, `${rendered.routes.length} routes for ${workspaces} workspaces`);

  // More consumer workspaces than a gateway carries: the rest are refused, one issue per data centre.
  const limited = rendered.issues.filter((i) => i.reason === GATEWAY_UNAVAILABLE && i.owner.kind === 'DataCentre');
  assert.ok(limited.length > 0 && limited.every((i) => i.message.includes(`carries at most ${MAX_CLIENT_CERTIFICATES} consumer workspaces`)));
  assert.ok(rendered.issues.length < 20, `${rendered.issues.length} issues`);

  // The worst a gateway can be asked for: as many consumer workspaces as it carries, a listener on every port.
  const danang = rendered.routes.filter((r) => r.consumer.dataCentre === 'dc-danang');
  assert.is(danang.length, LISTEN_PORT_SPAN, 'dc-danang: every listener port taken');
  assert.is(new Set(danang.map((r) => `${r.consumer.agency}/${r.consumer.workspace}`)).size, MAX_CLIENT_CERTIFICATES, 'and as many workspaces as it carries');

  let largest = { name: '', bytes: 0 };
  const byKind = new Map<string, number>();
  let shardsSeen = 0;
  for (const { dataCentre, objects } of rendered.perDataCentre) {
    for (const o of objects) {
      const bytes = storedBytes(o);
      const name = `${dataCentre} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      if (bytes > largest.bytes) largest = { name, bytes };
      byKind.set(o.kind, Math.max(byKind.get(o.kind) ?? 0, bytes));
      assert.ok(bytes < OBJECT_BUDGET && bytes < REQUEST_BODY_BYTES / 3, `${name}: ${bytes} bytes`);
      if (o.kind === 'ConfigMap') assert.ok(bytes <= CONFIG_SHARD_BYTES, `${name}: ${bytes} bytes`);
    }
    const files = gatewayConfigFiles(objects);
    shardsSeen = Math.max(shardsSeen, files.length);
    assert.match(files[0]![1], /^# govcloud exchange gateway of data centre [a-z-]+: rendered by the operator, do not edit\.\nglobal\n/, 'global first');
    assert.ok(files[0]![1].includes('\ndefaults\n'), 'and the defaults with it');
    for (const [file, text] of files) {
      // Each file starts a section (or a comment before one): HAProxy reads each file outside any section.
      assert.match(text, /^(# .*\n)*(global|frontend|backend) /m, file);
      assert.ok(/^(#|global$|frontend |backend )/.test(text.split('\n')[0]!), `${file} starts outside a section`);
    }
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const sources = (deployment.spec as any).template.spec.volumes[0].projected.sources as { configMap?: { name: string; items: { path: string }[] } }[];
    assert.equal(
      sources.filter((s) => s.configMap).map((s) => s.configMap!.items[0]!.path),
      files.map(([file]) => `haproxy.d/${file}`),
      `${dataCentre}: the pod reads every file, in lexical order as HAProxy does`,
    );
  }
  console.log(`largest per kind (bytes): ${JSON.stringify(Object.fromEntries(byKind))}; ${shardsSeen} configuration files at most`);
  assert.ok(shardsSeen > 4, `the configuration of the largest gateway is split (${shardsSeen} files)`);
  assert.ok(largest.bytes > 100 * 1024, `the largest object is measured, not empty: ${largest.name}, ${largest.bytes} bytes`);
});

test.run();
