/** Schema checks: one clear message per field, with the field's path. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AgencyKind, DataCentreKind, NetworkLinkKind } from '../../src/api/index.ts';
import { classify } from '../../src/validate/document.ts';
import { checkStructure, pruneNulls, QUANTITY_MESSAGE, suggest } from '../../src/validate/structure.ts';

const agencySpec = () => ({
  code: 'G12',
  displayName: 'Bộ Tài chính',
  type: 'ministry',
  groups: {},
  securityLevel: 3,
  placement: { dataCentres: ['dc-hanoi'] },
  quotas: [{ dataCentre: 'dc-hanoi', cpu: 4, memory: '16Gi', storage: '1Ti' }],
  workspaces: [{ name: 'apps', dataClass: 'shared' }],
});

const check = (spec: unknown) => checkStructure(AgencyKind.spec, spec, ['spec']).map((p) => `${p.path.join('/')}: ${p.message}`);

test('a valid spec has no problems', () => {
  assert.equal(check(agencySpec()), []);
});

test('a quantity that is neither integer nor quantity string: one message, not one per union branch', () => {
  const spec = agencySpec();
  (spec.quotas[0] as Record<string, unknown>).cpu = '4 cores';
  (spec.quotas[0] as Record<string, unknown>).memory = -1;
  assert.equal(check(spec), [`spec/quotas/0/cpu: ${QUANTITY_MESSAGE}`, `spec/quotas/0/memory: ${QUANTITY_MESSAGE}`]);
});

test('a field of the wrong type hides everything beneath it', () => {
  const spec = { ...agencySpec(), quotas: 'lots', placement: [1, 2] };
  assert.equal(check(spec), ['spec/placement: must be a mapping of fields, not a list', 'spec/quotas: must be a list, not the string "lots"']);
  assert.equal(check('spec as a string'), ['spec: must be a mapping of fields, not the string "spec as a string"']);
});

test('missing required fields are named, each once', () => {
  const { displayName: _, ...spec } = agencySpec();
  assert.equal(check(spec), ['spec/displayName: required field is missing']);
});

test('enums list the values allowed, leaving out values only named to be refused', () => {
  const spec = agencySpec();
  spec.workspaces[0]!.dataClass = 'secret';
  assert.equal(check(spec), ['spec/workspaces/0/dataClass: must be one of open, shared, private, not "secret"']);
});

test('unknown fields are reported, with a suggestion when one is close', () => {
  const spec = { ...agencySpec(), securitylevel: 3, colour: 'red' } as Record<string, unknown>;
  delete spec.securityLevel;
  assert.equal(check(spec).sort(), [
    'spec/colour: unknown field',
    'spec/securityLevel: required field is missing',
    'spec/securitylevel: unknown field (did you mean "securityLevel"?)',
  ]);
  assert.is(suggest('placment', ['placement', 'quotas']), 'placement');
  assert.is(suggest('zzz', ['placement', 'quotas']), undefined);
});

test('set and map lists refuse duplicates, as the API server does', () => {
  const spec = agencySpec();
  spec.placement.dataCentres = ['dc-hanoi', 'dc-hanoi'];
  spec.workspaces.push({ name: 'apps', dataClass: 'open' });
  assert.equal(check(spec), [
    'spec/placement/dataCentres/1: duplicate entry: "dc-hanoi" is already at [0]',
    'spec/workspaces/1/name: duplicate entry: name "apps" is already at [0]',
  ]);
});

test('numbers in quotes get a hint; ranges are stated', () => {
  assert.equal(check({ ...agencySpec(), securityLevel: '3' }), [
    'spec/securityLevel: must be a whole number from 1 to 5, not the string "3" (remove the quotes)',
  ]);
  assert.equal(check({ ...agencySpec(), securityLevel: 9 }), ['spec/securityLevel: must be from 1 to 5, not 9']);
  assert.equal(check({ ...agencySpec(), securityLevel: 2.5 }), ['spec/securityLevel: must be a whole number from 1 to 5, not the number 2.5']);
});

test('pattern failures say what is expected', () => {
  assert.equal(check({ ...agencySpec(), code: 'g12' }), [
    'spec/code: "g12" is not an agency code: expected a form like G22 or G22.05.01 (or the older 000.00.05.G22)',
  ]);
  const link = {
    workspace: 'Apps',
    direction: 'Egress',
    peer: { external: { network: 'agencyWAN', cidrs: ['10.0.0.0'] } },
    ports: [{ port: 443 }],
    validUntil: 'tomorrow',
  };
  assert.equal(
    checkStructure(NetworkLinkKind.spec, link, ['spec']).map((p) => `${p.path.join('/')}: ${p.message}`),
    [
      "spec/workspace: must be a DNS label: lowercase letters a-z, digits and '-', starting and ending with a letter or digit",
      'spec/validUntil: must be a time in RFC 3339 form, like 2027-01-01T00:00:00Z',
      'spec/peer/external/cidrs/0: must be an address range in CIDR form, like 10.20.0.0/16 or fd00:20::/48',
    ],
  );
});

test('null fields are pruned as the API server prunes them', () => {
  assert.equal(pruneNulls({ a: null, b: [null, { c: null, d: 1 }] }), { b: [null, { d: 1 }] });
  const spec = { ...agencySpec(), parent: null, deletionPolicy: null };
  const c = classify({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'Agency', metadata: { name: 'btc' }, spec });
  assert.is(c.sort, 'govcloud');
  if (c.sort === 'govcloud') {
    assert.equal(c.problems, []);
    assert.not.ok('parent' in (c.value.spec as object));
  }
});

test('a __proto__ key is a plain unknown field, not a prototype', () => {
  const spec = JSON.parse('{"__proto__": {"polluted": true}}');
  const problems = checkStructure(DataCentreKind.spec, { ...spec }, ['spec']);
  assert.ok(problems.length > 0);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
});

test('documents: identity and namespace rules', () => {
  const problems = (doc: unknown) => {
    const c = classify(doc);
    return c.sort === 'other' ? 'other' : c.problems.map((p) => `${p.path.join('/')}: ${p.message}`);
  };
  assert.is(problems({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 'other');
  assert.equal(problems({ apiVersion: 'apps/v1', kind: 'Deployment' }), 'other');
  assert.equal(
    problems('text'),
    ['document is the string "text", not a Kubernetes object (a mapping with apiVersion, kind and metadata)'].map((m) => `: ${m}`),
  );
  assert.equal(problems({ kind: 'Agency' }), ['apiVersion: not a Kubernetes object: apiVersion is missing or not a string']);
  assert.equal(problems({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'Agency', spec: agencySpec() }), ['metadata: required field is missing']);
  assert.equal(problems({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'Agency', metadata: { name: 7 }, spec: agencySpec() }), [
    'metadata/name: must be a string, not the number 7',
  ]);
  assert.equal(problems({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'Agency', metadata: { name: 'govcloud-x' }, spec: agencySpec() }), [
    'metadata/name: an Agency name has at most 30 characters and does not start with govcloud or kube-',
  ]);
  assert.equal(problems({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'Agency', metadata: { name: 'btc', labels: { a: 1 } }, spec: agencySpec() }), [
    'metadata/labels/a: must be a string, not the number 1 (quote it)',
  ]);
  assert.equal(problems({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'Agency', metadata: { name: 'btc' }, spec: agencySpec(), extra: 1 }), [
    'extra: unknown field',
  ]);
  assert.equal(problems({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'Agency', metadata: { name: 'btc' }, spec: agencySpec(), status: 'ignored' }), []);
});

test.run();
