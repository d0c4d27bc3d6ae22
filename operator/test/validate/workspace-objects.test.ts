/**
 * Services and Secrets for workspaces: `govcloud validate` refuses exactly what the rendered
 * admission policies refuse, because it evaluates the expressions the API server is given.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { platformObjects } from '../../src/render/index.ts';
import { evaluateExpression } from '../../src/validate/cel.ts';
import { validateSources } from '../../src/validate/index.ts';
import { checkWorkspaceObject, workspacePolicyFor } from '../../src/validate/workspace-objects.ts';
import { agency, dataCentre } from '../render/fixtures.ts';

const NS = 'bo-y-te-app';

/** What a tenant may write for a workspace, and whether a workspace admits it. */
const CASES: { what: string; admitted: boolean; object: Record<string, unknown> }[] = [
  { what: 'a ClusterIP Service', admitted: true, object: svc({ type: 'ClusterIP' }) },
  { what: 'a Service of no type (ClusterIP by default)', admitted: true, object: svc({}) },
  { what: 'a headless Service', admitted: true, object: svc({ clusterIP: 'None' }) },
  { what: 'a Service with an empty externalIPs', admitted: true, object: svc({ externalIPs: [] }) },
  { what: 'a NodePort Service', admitted: false, object: svc({ type: 'NodePort' }) },
  { what: 'a LoadBalancer Service', admitted: false, object: svc({ type: 'LoadBalancer' }) },
  {
    what: 'an ExternalName Service',
    admitted: false,
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'ra-ngoai', namespace: NS }, spec: { type: 'ExternalName', externalName: 'moh.gov.vn' } },
  },
  { what: 'a ClusterIP Service with externalIPs', admitted: false, object: svc({ externalIPs: ['10.10.0.1'] }) },
  { what: 'an Opaque Secret', admitted: true, object: secret('Opaque') },
  { what: 'a Secret of no type (Opaque by default)', admitted: true, object: secret(undefined) },
  { what: 'a TLS Secret', admitted: true, object: secret('kubernetes.io/tls') },
  { what: 'a legacy service-account token Secret', admitted: false, object: secret('kubernetes.io/service-account-token') },
];

function svc(spec: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'dich-vu', namespace: NS },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
  };
}

function secret(type: string | undefined): Record<string, unknown> {
  const s: Record<string, unknown> = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bi-mat', namespace: NS }, stringData: { k: 'v' } };
  if (type) s.type = type;
  return s;
}

/** The verdict of the policy as rendered for the API server, its expressions evaluated here. */
function renderedVerdict(object: Record<string, unknown>): boolean {
  const resource = `${String(object.kind).toLowerCase()}s`;
  const policies = platformObjects(dataCentre('dc-hanoi', { hub: true })).filter(
    (o) =>
      o.kind === 'ValidatingAdmissionPolicy' &&
      (o.spec as { matchConstraints: { resourceRules: { resources: string[] }[] } }).matchConstraints.resourceRules[0]!.resources.includes(resource),
  );
  assert.is(policies.length, 1, `one policy for ${resource}`);
  const validations = (policies[0]!.spec as { validations: { expression: string }[] }).validations;
  return validations.every((v) => {
    const result = evaluateExpression(v.expression, { object });
    assert.ok(result.ok, `${v.expression}: ${result.ok ? '' : result.error}`);
    return result.ok && result.value;
  });
}

test('the rendered policies and the offline check agree on every case', () => {
  for (const c of CASES) {
    assert.is(renderedVerdict(c.object), c.admitted, `rendered policy: ${c.what}`);
    const policy = workspacePolicyFor('v1', String(c.object.kind))!;
    assert.is(checkWorkspaceObject(policy, c.object).length === 0, c.admitted, `offline check: ${c.what}`);
  }
});

test('validate: refused in a workspace of the tree (error at the field), warned without a namespace, left alone elsewhere', () => {
  const a = agency('bo-y-te', { code: 'G17', dcs: ['dc-hanoi'] });
  const refused = CASES.filter((c) => !c.admitted);
  const documents = [
    dataCentre('dc-hanoi', { hub: true }),
    a,
    ...CASES.map((c) => c.object),
    ...refused.map((c) => ({ ...c.object, metadata: { name: 'khong-ten' } })),
    ...refused.map((c) => ({ ...c.object, metadata: { name: 'he-thong', namespace: 'kube-system' } })),
  ];
  const yaml = documents.map((d) => stringify(d)).join('---\n');
  const result = validateSources([{ file: 'workspace.yaml', bytes: new TextEncoder().encode(yaml) }]);
  assert.equal(
    result.errors.map((e) => `${e.object} ${e.field}`),
    ['Service/dich-vu spec.type', 'Service/dich-vu spec.type', 'Service/ra-ngoai spec.type', 'Service/dich-vu spec.externalIPs', 'Secret/bi-mat type'],
  );
  assert.ok(result.errors.every((e) => e.file === 'workspace.yaml' && e.line > 0));
  assert.is(result.warnings.length, refused.length);
  assert.ok(result.warnings.every((w) => w.object.endsWith('/khong-ten') && w.message.startsWith('no namespace:')));
  assert.is(result.counts.checkedOther, CASES.length + refused.length);
});

test('the offline check reads the document as written: defaults the API server fills are not needed', () => {
  const policy = workspacePolicyFor('v1', 'Service')!;
  assert.equal(checkWorkspaceObject(policy, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }), []);
  assert.is(workspacePolicyFor('v1', 'ConfigMap'), undefined);
  assert.is(workspacePolicyFor('serving.knative.dev/v1', 'Service'), undefined);
});

test.run();
