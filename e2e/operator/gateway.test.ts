// The exchange gateways through the operator (issue 15), against the real API servers with
// cert-manager's controller: dc-hanoi and dc-hcm declare a gateway, a provider in dc-hanoi
// grants its on-request service to a consumer placed only in dc-hcm. The operator, under the
// chart's RBAC and govcloud-operator-limits, applies both gateways' objects in govcloud-system;
// cert-manager issues the Certificates; tenants can neither read the keys nor rewrite the
// gateway; the operator itself may write the gateway's Deployment only as rendered; removing
// the grant removes the route and the client Certificate. The DataCentres get their gateway
// back off at the end: the other suites share the platform.
import { X509Certificate } from 'node:crypto';
import * as assert from 'uvu/assert';
import {
  CERTIFICATE_PREFIX,
  exchangeHost,
  configFileName,
  GATEWAY_NAME,
  gatewayCertificateName,
  gatewayConfigName,
  workspaceCertificateName,
  workspaceIdentity,
} from '../../operator/src/render/gateway.ts';
import type { DesiredObject } from '../../operator/src/render/types.ts';
import { gatewayConfigText } from '../../operator/test/render/gateway-config.ts';
import { waitFor, type Cluster, type RawResponse } from '../harness/index.ts';
import { agency, API, asOperator, clusterOf, condition, get, NAMESPACE, registryService, rfc3339, uniqueAgency, waitCondition, type Obj } from './platform.ts';
import { operatorSuite } from './suite.ts';

const test = operatorSuite('operator: exchange gateways across data centres');

const GATEWAYS: Record<string, string> = { 'dc-hanoi': '10.10.240.250', 'dc-hcm': '10.20.240.250' };
const CERTS = `/apis/cert-manager.io/v1/namespaces/${NAMESPACE}/certificates`;
const CONFIGMAPS = `/api/v1/namespaces/${NAMESPACE}/configmaps`;
/** The first of the configuration's ConfigMaps: there is one while the gateway serves a route. */
const CONFIGMAP = `${CONFIGMAPS}/${gatewayConfigName(0)}`;
const FIRST_FILE = configFileName(0, 1);
const DEPLOYMENT = `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${GATEWAY_NAME}`;
const MERGE = 'application/merge-patch+json';

/** An admin of the agency, on a data centre's API server (what `kubectl --as --as-group` sends). */
const tenantOf = (cluster: Cluster, agencyName: string): Cluster => cluster.as(`can-bo@${agencyName}.gov.vn`, [`${agencyName}-admins`]);

async function body<T = Obj>(cluster: Cluster, path: string): Promise<T | undefined> {
  const res = await cluster.request('GET', path);
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`${cluster.name}: GET ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** The gateway's configuration as its pod reads it: the files of its numbered ConfigMaps, in order; undefined without any. A list's items carry no kind. */
const haproxyConfig = async (cluster: Cluster): Promise<string | undefined> =>
  gatewayConfigText((await body<{ items: DesiredObject[] }>(cluster, CONFIGMAPS))!.items.map((o) => ({ ...o, kind: 'ConfigMap' }))) || undefined;

/** Gives dc-hanoi and dc-hcm a gateway (or takes it away, with null); both offer encrypted links already (samples/platform). */
async function setGateways(hub: Cluster, on: boolean): Promise<void> {
  for (const [dc, address] of Object.entries(GATEWAYS)) {
    await hub.call('PATCH', `/apis/${API}/datacentres/${dc}`, { spec: { exchangeGateway: on ? { address } : null } }, MERGE);
  }
}

/** The issued certificate of a Certificate: waits for Ready, reads its Secret as the platform admin. */
async function issued(cluster: Cluster, name: string): Promise<X509Certificate> {
  await waitFor(`Certificate ${name} Ready in ${cluster.name}`, async () => condition(await body(cluster, `${CERTS}/${name}`), 'Ready')?.status === 'True', {
    timeoutMs: 60_000,
    intervalMs: 250,
  });
  const secret = await body<{ data: Record<string, string> }>(cluster, `/api/v1/namespaces/${NAMESPACE}/secrets/${name}`);
  assert.ok(secret?.data['tls.crt'] && secret.data['tls.key'], `Secret ${name} holds the certificate and its key`);
  return new X509Certificate(Buffer.from(secret.data['tls.crt'], 'base64'));
}

const denied = (r: RawResponse) => r.status === 403;
const outcome = (r: RawResponse) => `${r.status} ${(r.body as { message?: string } | undefined)?.message ?? ''}`.trim();

test('both gateways applied by the operator, certificates issued by cert-manager, closed to tenants; the grant removed, its route and client certificate go', async (ctx) => {
  const { hub, clusters } = ctx;
  const hanoi = clusterOf(clusters, 'dc-hanoi');
  const hcm = clusterOf(clusters, 'dc-hcm');
  const provider = uniqueAgency('gwprov');
  const consumer = uniqueAgency('gwcons');
  ctx.agencies.push(provider.name, consumer.name);
  const clientName = workspaceCertificateName(consumer.name, 'app');
  const serverName = gatewayCertificateName('dc-hanoi');
  try {
    await setGateways(hub, true);
    await hub.apply(agency(provider.name, provider.code, { dcs: ['dc-hanoi'], workspaces: ['data'] }));
    await hub.apply(agency(consumer.name, consumer.code, { dcs: ['dc-hcm'], workspaces: ['app'] }));
    for (const a of [provider, consumer]) await waitCondition(hub, 'Agency', undefined, a.name, 'Ready', 'True');
    const service = registryService(provider.name, { sharing: 'onRequest', dcs: ['dc-hanoi'], replicas: 1 });
    await hub.apply(service);
    await hub.apply({
      apiVersion: API,
      kind: 'AccessRequest',
      metadata: { name: 'registry', namespace: `govcloud-${consumer.name}` },
      spec: { provider: provider.name, service: 'registry', workspaces: ['app'], purpose: 'Tra cứu đăng ký (e2e)', legalBasis: 'Nghị định 47/2024/NĐ-CP' },
    });
    const grant = {
      apiVersion: API,
      kind: 'AccessGrant',
      metadata: { name: `for-${consumer.name}`, namespace: `govcloud-${provider.name}` },
      spec: {
        service: 'registry',
        consumer: consumer.name,
        purpose: 'Tra cứu đăng ký (e2e)',
        legalBasis: 'Nghị định 47/2024/NĐ-CP',
        validUntil: rfc3339(Date.now() + 3_600_000),
      },
    };
    await hub.apply(grant);

    // The route, in both gateways' configuration: the consumer's asks for the service by name,
    // the provider's admits the consumer's certificate for it.
    const host = exchangeHost('svc-registry', `${provider.name}-data`);
    const identity = workspaceIdentity(consumer.code, 'app');
    const started = Date.now();
    await waitFor(
      'the route in both gateways',
      async () => (await haproxyConfig(hcm))?.includes(host) === true && (await haproxyConfig(hanoi))?.includes(host) === true,
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    console.log(`      the route in both gateways ${Date.now() - started} ms after the grant was applied`);
    assert.ok((await haproxyConfig(hanoi))!.includes(identity.commonName), "the provider's gateway names the consumer's identity");
    for (const c of [hanoi, hcm]) {
      // Applied after the ConfigMaps and Certificates (render/kinds.ts order): it may come a moment later.
      await waitFor(`Deployment ${GATEWAY_NAME} in ${c.name}`, async () => (await body(c, DEPLOYMENT)) !== undefined, { timeoutMs: 30_000, intervalMs: 250 });
      const d = await body<{ spec: { template: { spec: { volumes: { projected?: { sources: { secret?: { name: string } }[] } }[] } } } }>(c, DEPLOYMENT);
      assert.ok(d, `Deployment ${GATEWAY_NAME} in ${c.name}`);
      const secrets = d.spec.template.spec.volumes.flatMap((v) => v.projected?.sources ?? []).flatMap((s) => (s.secret ? [s.secret.name] : []));
      assert.ok(
        secrets.length > 0 && secrets.every((s) => s.startsWith(CERTIFICATE_PREFIX)),
        `${c.name}: the gateway projects its Certificates' Secrets ${secrets.join(', ')}`,
      );
      const account = await body(c, `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/${GATEWAY_NAME}`);
      assert.ok(account, `ServiceAccount ${GATEWAY_NAME} in ${c.name}`);
      // Its pod passes govcloud-system's Pod Security (restricted).
      await waitFor(
        `a pod of ${GATEWAY_NAME} in ${c.name}`,
        async () =>
          ((await body<{ items: unknown[] }>(c, `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=app.kubernetes.io%2Fname%3D${GATEWAY_NAME}`))?.items
            .length ?? 0) > 0,
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    }
    for (const dc of Object.keys(GATEWAYS)) {
      const live = await waitCondition(hub, 'DataCentre', undefined, dc, 'Ready', 'True');
      const reasons = ((live?.status?.conditions ?? []) as { reason?: string }[]).map((c) => c.reason);
      assert.not.ok(reasons.includes('CertManagerMissing'), `${dc}: ${reasons.join(', ')}`);
    }

    // cert-manager issued both Certificates with the identities the renderer asks for.
    const client = await issued(hcm, clientName);
    assert.match(client.subjectAltName ?? '', `URI:${identity.uri}`);
    assert.match(client.subject, `CN=${identity.commonName}`);
    const server = await issued(hanoi, serverName);
    assert.match(server.subjectAltName ?? '', `DNS:*.${provider.name}-data.exchange.govcloud.dev`);

    // Tenants: neither the consumer nor the provider reads the keys or rewrites the gateway.
    const asConsumer = tenantOf(hcm, consumer.name);
    const asProvider = tenantOf(hanoi, provider.name);
    const certificate = (namespace: string) => ({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'gw-mine', namespace },
      spec: {
        secretName: 'gw-mine',
        commonName: `${provider.code}/data`,
        uris: [workspaceIdentity(provider.code, 'data').uri],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'govcloud-platform-ca' },
      },
    });
    const attacks: [string, RawResponse][] = [
      ["consumer reads its workspace's key", await asConsumer.request('GET', `/api/v1/namespaces/${NAMESPACE}/secrets/${clientName}`)],
      ["consumer lists govcloud-system's Secrets", await asConsumer.request('GET', `/api/v1/namespaces/${NAMESPACE}/secrets`)],
      ['consumer rewrites the gateway configuration', await asConsumer.request('PATCH', CONFIGMAP, { data: { [FIRST_FILE]: 'global\n' } }, MERGE)],
      [
        'consumer renames its Certificate',
        await asConsumer.request('PATCH', `${CERTS}/${clientName}`, { spec: { commonName: `${provider.code}/data` } }, MERGE),
      ],
      ['consumer asks for a certificate in govcloud-system', await asConsumer.request('POST', CERTS, certificate(NAMESPACE))],
      [
        "consumer asks the platform CA for the provider's identity in its own workspace",
        await asConsumer.request('POST', `/apis/cert-manager.io/v1/namespaces/${consumer.name}-app/certificates`, certificate(`${consumer.name}-app`)),
      ],
      ["consumer changes the gateway's Deployment", await asConsumer.request('PATCH', DEPLOYMENT, { spec: { replicas: 0 } }, MERGE)],
      [
        'consumer drops its egress policy to the gateway',
        await asConsumer.request('DELETE', `/apis/networking.k8s.io/v1/namespaces/${consumer.name}-app/networkpolicies/govcloud-gw-egress`),
      ],
      ["provider reads its gateway's key", await asProvider.request('GET', `/api/v1/namespaces/${NAMESPACE}/secrets/${serverName}`)],
      ['provider rewrites the gateway configuration', await asProvider.request('PATCH', CONFIGMAP, { data: { [FIRST_FILE]: 'global\n' } }, MERGE)],
      ["provider changes the gateway's Deployment", await asProvider.request('PATCH', DEPLOYMENT, { spec: { replicas: 0 } }, MERGE)],
      [
        "provider drops the gateway's ingress policy",
        await asProvider.request('DELETE', `/apis/networking.k8s.io/v1/namespaces/${provider.name}-data/networkpolicies/govcloud-gw-ingress`),
      ],
    ];
    assert.equal(
      attacks.filter(([, r]) => !denied(r)).map(([what, r]) => `${what}: ${outcome(r)}`),
      [],
      'refused to tenants',
    );

    // The operator itself (its own credentials, the chart's limits): the rendered Deployment passes,
    // the same Deployment projecting any other Secret does not.
    const op = asOperator(hcm);
    const live = (await body<Obj>(hcm, DEPLOYMENT))!;
    // Unconditional (no resourceVersion): the operator may roll the Deployment meanwhile, as a
    // certificate is issued, and a 409 would say nothing of what the limits admit.
    delete (live.metadata as { resourceVersion?: string }).resourceVersion;
    const dryRun = `${DEPLOYMENT}?dryRun=All`;
    assert.is((await op.request('PUT', dryRun, live)).status, 200, 'the rendered Deployment, as the operator');
    const stealing = structuredClone(live);
    stealing.spec.template.spec.volumes[0].projected.sources.push({ secret: { name: 'dc-hcm-kubeconfig' } });
    const refused = await op.request('PUT', dryRun, stealing);
    assert.ok(denied(refused) && JSON.stringify(refused.body).includes('govcloud-operator-limits'), `another Secret, as the operator: ${outcome(refused)}`);
    for (const [what, name] of [
      ['the unnumbered ConfigMap', GATEWAY_NAME],
      ['the showback ConfigMap', 'govcloud-showback-usage'],
      ['a ConfigMap named like a shard', `${GATEWAY_NAME}-1-x`],
    ]) {
      const projecting = structuredClone(live);
      projecting.spec.template.spec.volumes[0].projected.sources.push({ configMap: { name } });
      const r = await op.request('PUT', dryRun, projecting);
      assert.ok(denied(r) && JSON.stringify(r.body).includes('govcloud-operator-limits'), `projecting ${what}, as the operator: ${outcome(r)}`);
    }
    // Its ConfigMaps in govcloud-system: the numbered names, nothing else (RBAC cannot say it; the limits do).
    const configMap = (name: string) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'govcloud' } },
      data: { [FIRST_FILE]: 'global\n' },
    });
    assert.is((await op.request('POST', `${CONFIGMAPS}?dryRun=All`, configMap(gatewayConfigName(7)))).status, 201, 'a numbered ConfigMap, as the operator');
    for (const name of [`${GATEWAY_NAME}-x`, `${GATEWAY_NAME}-07`, GATEWAY_NAME, 'cluster-settings']) {
      const r = await op.request('POST', `${CONFIGMAPS}?dryRun=All`, configMap(name));
      assert.ok(denied(r) && JSON.stringify(r.body).includes('govcloud-operator-limits'), `ConfigMap ${name}, as the operator: ${outcome(r)}`);
    }
    const rootCa = await op.request('PATCH', `${CONFIGMAPS}/kube-root-ca.crt?dryRun=All`, { data: { 'ca.crt': 'x' } }, MERGE);
    assert.ok(denied(rootCa), `the cluster's CA ConfigMap, as the operator: ${outcome(rootCa)}`);

    // The grant withdrawn: no route, no client certificate (the provider's gateway goes too: it serves no route).
    await hub.call('DELETE', `/apis/${API}/namespaces/${grant.metadata.namespace}/accessgrants/${grant.metadata.name}`);
    const withdrawn = Date.now();
    await waitFor(
      'the route, the client Certificate and its key gone',
      async () =>
        (await haproxyConfig(hcm))?.includes(host) !== true &&
        (await haproxyConfig(hanoi))?.includes(host) !== true &&
        (await body(hcm, `${CERTS}/${clientName}`)) === undefined &&
        (await body(hcm, `/api/v1/namespaces/${NAMESPACE}/secrets/${clientName}`)) === undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    console.log(`      route, client Certificate and key gone ${Date.now() - withdrawn} ms after the grant was deleted`);
  } finally {
    await setGateways(hub, false);
    await waitFor(
      'no gateway left in dc-hanoi and dc-hcm',
      async () => (await body(hanoi, CONFIGMAP)) === undefined && (await body(hcm, CONFIGMAP)) === undefined && (await body(hcm, DEPLOYMENT)) === undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    // The operator deletes a pruned Certificate's key; a failed run's are removed here.
    for (const [c, name] of [
      [hcm, clientName],
      [hanoi, serverName],
    ] as const)
      await c.request('DELETE', `/api/v1/namespaces/${NAMESPACE}/secrets/${name}`);
    for (const dc of Object.keys(GATEWAYS)) assert.not.ok((await get(hub, 'DataCentre', undefined, dc))?.spec.exchangeGateway, `${dc} without a gateway again`);
  }
});

test.run();
