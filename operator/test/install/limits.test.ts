// govcloud-operator-limits evaluated offline as the API server evaluates it, on the operator's
// own requests: the exchange gateway's objects in govcloud-system (render/gateway.ts) are
// admitted, and nothing more there: no other name, no other volume, no other Secret, no
// Certificate writing another Secret. e2e/operator/gateway.test.ts proves it on an API server.
import { parse } from '@marcbachmann/cel-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_OPERATOR, operatorLimits } from '../../src/install/manifests.ts';
import { renderGateways, gatewayEndpoints } from '../../src/render/gateway.ts';
import type { DesiredObject } from '../../src/render/types.ts';
import { toCel } from '../../src/validate/cel.ts';
import { agency, get, grant, NOW, objectsIn, platform, request, service, threeDataCentres } from '../render/fixtures.ts';

type Any = Record<string, any>;
const NS = DEFAULT_OPERATOR.namespace;
const policy = operatorLimits(DEFAULT_OPERATOR).find((o) => o.kind === 'ValidatingAdmissionPolicy') as Any;
const PLURAL: Record<string, string> = {
  Deployment: 'deployments',
  ServiceAccount: 'serviceaccounts',
  NetworkPolicy: 'networkpolicies',
  Certificate: 'certificates',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
};
const GROUP: Record<string, string> = {
  Deployment: 'apps',
  ServiceAccount: '',
  NetworkPolicy: 'networking.k8s.io',
  Certificate: 'cert-manager.io',
  ConfigMap: '',
  Secret: '',
};
const managed = { 'app.kubernetes.io/managed-by': 'govcloud' };
/** govcloud-system is the chart's (or the platform's), not govcloud's: its labels never say managed-by govcloud. */
const namespaceObject = (name: string) => ({ metadata: { name, labels: name === NS ? { 'app.kubernetes.io/managed-by': 'Helm' } : managed } });

const evaluate = (expression: string, context: Any): unknown => (parse(expression) as unknown as (c: object) => unknown)(context);

/** The reasons the policy refuses the operator's request, in its order; none when admitted. */
function refusals(object: Any, operation: 'CREATE' | 'UPDATE' | 'DELETE' = 'CREATE', oldObject?: Any): string[] {
  const plural = PLURAL[object.kind as string]!;
  const matched = (policy.spec.matchConstraints.resourceRules as Any[]).some((r) => r.resources.includes(plural) && r.operations.includes(operation));
  assert.ok(matched, `the policy matches ${operation} of ${plural}`);
  // A DELETE carries the live object as oldObject and no object.
  const context = toCel({
    object: operation === 'DELETE' ? null : object,
    oldObject: operation === 'DELETE' ? object : (oldObject ?? null),
    namespaceObject: namespaceObject(object.metadata.namespace),
    request: {
      operation,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      resource: { group: GROUP[object.kind as string], resource: plural },
      userInfo: { username: `system:serviceaccount:${NS}:${DEFAULT_OPERATOR.name}` },
    },
  }) as Any;
  for (const c of policy.spec.matchConditions as Any[]) assert.is(evaluate(c.expression, context), true, c.name);
  context.variables = {};
  for (const v of policy.spec.variables as Any[]) context.variables[v.name] = evaluate(v.expression, context);
  return (policy.spec.validations as Any[]).filter((v) => evaluate(v.expression, context) !== true).map((v) => v.message ?? v.messageExpression);
}

// Bộ Công an (G04) runs dan-cu in dc-hanoi; Bộ Tài chính (G12), only in dc-hcm, has a current pair.
function gatewayObjects(dc: string): DesiredObject[] {
  const dcs = threeDataCentres();
  dcs.find((d) => d.metadata.name === 'dc-hanoi')!.spec.exchangeGateway = { address: '10.10.255.1' };
  dcs.find((d) => d.metadata.name === 'dc-hcm')!.spec.exchangeGateway = { address: '10.20.255.1' };
  const p = platform({
    dataCentres: dcs,
    agencies: [
      agency('bo-cong-an', { code: 'G04', workspaces: ['app'], dcs: ['dc-hanoi'] }),
      agency('bo-tai-chinh', { code: 'G12', workspaces: ['thue'], dcs: ['dc-hcm'] }),
    ],
    services: [service('bo-cong-an', 'dan-cu')],
    requests: [request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] })],
    grants: [grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh' })],
  });
  const objects = objectsIn(renderGateways(p, NOW, gatewayEndpoints(p)).perDataCentre, dc);
  assert.ok(objects.length > 0, `a gateway in ${dc}`);
  return objects;
}

const deploymentOf = (objects: DesiredObject[]) => structuredClone(get(objects, 'Deployment', NS, 'govcloud-gateway')) as Any;
const projected = (d: Any) => d.spec.template.spec.volumes[0].projected.sources as Any[];

test("every object of both data centres' gateways that the policy judges is admitted, on create and on update", () => {
  for (const dc of ['dc-hanoi', 'dc-hcm']) {
    const judged = gatewayObjects(dc).filter((o) => PLURAL[o.kind]);
    assert.equal([...new Set(judged.map((o) => o.kind))].sort(), ['Certificate', 'ConfigMap', 'Deployment', 'NetworkPolicy', 'ServiceAccount'], dc);
    for (const o of judged) {
      assert.equal(refusals(o), [], `${dc} ${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
      assert.equal(refusals(o, 'UPDATE', o), [], `${dc} ${o.kind} ${o.metadata.name} updated`);
    }
  }
  // The Deployment does project Secrets: the exception is what admits it.
  assert.ok(projected(deploymentOf(gatewayObjects('dc-hcm'))).some((s) => s.secret?.name.startsWith('gw-')));
});

test("the gateway's Deployment may project its ConfigMap and its Certificates' Secrets, nothing else", () => {
  const objects = gatewayObjects('dc-hcm');
  const attacks: [string, (d: Any) => void][] = [
    ['a Secret not of a Certificate (a kubeconfig)', (d) => projected(d).push({ secret: { name: 'dc-hcm-kubeconfig' } })],
    ['another ConfigMap', (d) => projected(d).push({ configMap: { name: 'govcloud-showback-usage' } })],
    ['the unnumbered name', (d) => projected(d).push({ configMap: { name: 'govcloud-gateway' } })],
    ['a name that only starts like a shard', (d) => projected(d).push({ configMap: { name: 'govcloud-gateway-1-other' } })],
    ['a shard number with a leading zero', (d) => projected(d).push({ configMap: { name: 'govcloud-gateway-01' } })],
    ['a shard named by letters', (d) => projected(d).push({ configMap: { name: 'govcloud-gateway-x' } })],
    ['the cluster CA ConfigMap', (d) => projected(d).push({ configMap: { name: 'kube-root-ca.crt' } })],
    ['a service-account token', (d) => projected(d).push({ serviceAccountToken: { path: 'token' } })],
    ['a Secret volume, not projected', (d) => d.spec.template.spec.volumes.push({ name: 's', secret: { secretName: 'gw-dc-hcm' } })],
    ['a hostPath', (d) => d.spec.template.spec.volumes.push({ name: 'h', hostPath: { path: '/' } })],
    ['the token mounted', (d) => (d.spec.template.spec.automountServiceAccountToken = true)],
    [
      'a Secret in the environment',
      (d) => (d.spec.template.spec.containers[0].env = [{ name: 'K', valueFrom: { secretKeyRef: { name: 'gw-x', key: 'tls.key' } } }]),
    ],
  ];
  for (const [what, change] of attacks) {
    const d = deploymentOf(objects);
    change(d);
    assert.equal(refusals(d), [policy.spec.validations.find((v: Any) => v.message?.startsWith('a Deployment'))!.message], what);
  }
});

test('in govcloud-system, the exception holds for the gateway by name and by label only; elsewhere the projection is refused', () => {
  const objects = gatewayObjects('dc-hcm');
  const renamed = deploymentOf(objects);
  renamed.metadata.name = 'govcloud-gateway-2';
  assert.is(refusals(renamed).length, 3, 'another Deployment in govcloud-system: off limits, not managed, and its projection');
  const unlabelled = deploymentOf(objects);
  unlabelled.metadata.labels = {};
  assert.equal(refusals(unlabelled).length, 1, "without govcloud's label");
  assert.ok(refusals(deploymentOf(objects), 'UPDATE', unlabelled).length > 0, "over an object that is not govcloud's");
  const inWorkspace = deploymentOf(objects);
  inWorkspace.metadata.namespace = 'govcloud-bo-tai-chinh-thue';
  assert.equal(refusals(inWorkspace).length, 1, "the gateway's projection in a workspace namespace");
  const account = structuredClone(get(objects, 'ServiceAccount', NS, 'govcloud-gateway')) as Any;
  account.metadata.name = 'govcloud-operator';
  assert.ok(refusals(account).length > 0, "the operator's own ServiceAccount");
  const kubeSystem = deploymentOf(objects);
  kubeSystem.metadata.namespace = 'kube-system';
  assert.ok(refusals(kubeSystem).length > 0, 'kube-system');
});

test("the configuration's ConfigMaps: exactly govcloud-gateway-<n> in govcloud-system; the old single one may only be deleted; the showback's stay admitted", () => {
  const shard = structuredClone(get(gatewayObjects('dc-hanoi'), 'ConfigMap', NS, 'govcloud-gateway-0')) as Any;
  const named = (name: string, namespace = NS) => ({ ...structuredClone(shard), metadata: { ...shard.metadata, name, namespace } });
  for (const name of ['govcloud-gateway-0', 'govcloud-gateway-1', 'govcloud-gateway-17']) {
    for (const op of ['CREATE', 'UPDATE', 'DELETE'] as const) assert.equal(refusals(named(name), op, named(name)), [], `${op} ${name}`);
  }
  for (const name of ['govcloud-gateway-01', 'govcloud-gateway-x', 'govcloud-gateway-1-other', 'govcloud-gateway-', 'kube-root-ca.crt', 'govcloud-operator']) {
    for (const op of ['CREATE', 'UPDATE', 'DELETE'] as const) assert.ok(refusals(named(name), op, named(name)).length > 0, `${op} ${name}`);
  }
  assert.equal(refusals(named('govcloud-gateway'), 'DELETE'), [], 'the single ConfigMap of older versions is pruned');
  assert.ok(refusals(named('govcloud-gateway')).length > 0, 'but not written again');
  assert.ok(refusals(named('govcloud-gateway-0', 'kube-system')).length > 0, 'kube-system');
  const unlabelled = named('govcloud-gateway-1');
  unlabelled.metadata.labels = {};
  assert.ok(refusals(unlabelled, 'UPDATE', named('govcloud-gateway-1')).length > 0, "without govcloud's label");
  // The showback's history and use on the hub (controllers/showback.ts): govcloud's, by their label.
  const showback = named('govcloud-showback-usage-0');
  showback.metadata.labels = { 'app.kubernetes.io/managed-by': 'govcloud', 'app.kubernetes.io/component': 'showback' };
  assert.equal(refusals(showback), []);
  assert.equal(refusals(showback, 'UPDATE', showback), []);
});

test('a gateway Certificate writes only the Secret of its own name, and only gw-* Certificates in govcloud-system', () => {
  const certificate = gatewayObjects('dc-hcm').find((o) => o.kind === 'Certificate') as Any;
  assert.equal(refusals(certificate), []);
  const other = structuredClone(certificate);
  other.spec.secretName = 'dc-hcm-kubeconfig';
  assert.equal(refusals(other), ['a Certificate of the govcloud operator writes only the Secret of its own name']);
  const renamed = structuredClone(certificate);
  renamed.metadata.name = renamed.spec.secretName = 'govcloud-operator';
  assert.ok(refusals(renamed).length > 0, 'not gw-*');
});

test("the operator deletes a gateway Certificate's Secret (gw-*, cert-manager's, unlabelled) in govcloud-system, and no other Secret", () => {
  const certificate = gatewayObjects('dc-hcm').find((o) => o.kind === 'Certificate')!;
  const secret = (name: string, namespace = NS): Any => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'kubernetes.io/tls' });
  assert.equal(refusals(secret(certificate.metadata.name), 'DELETE'), []);
  const only = "the govcloud operator deletes only the exchange gateway's Secrets (gw-*) in govcloud-system, and no other Secret";
  assert.ok(refusals(secret('dc-hcm-kubeconfig'), 'DELETE').includes(only), 'the kubeconfigs in govcloud-system');
  assert.ok(refusals(secret('govcloud-platform-ca', 'cert-manager'), 'DELETE').includes(only), "the CA's key");
  const tenants = secret(certificate.metadata.name, 'bo-tai-chinh-thue');
  tenants.metadata.labels = managed;
  assert.ok(refusals(tenants, 'DELETE').includes(only), "a gw-* Secret in a tenant's namespace, even one labelled govcloud's");
});

test.run();
