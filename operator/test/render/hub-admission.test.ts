// The hub's admission policies for the tenants' kinds, evaluated offline as the API server
// evaluates them: each refuses exactly the objects whose other party is the agency holding
// them, as the rules do, so the API server and `govcloud validate` agree.
import { parse } from '@marcbachmann/cel-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AccessGrant, AccessRequest, NetworkLink } from '../../src/api/index.ts';
import { checkPlatform } from '../../src/model/rules.ts';
import { ACCESS_PARTIES_POLICY, hubAdmissionPolicies, NETWORKLINK_PEER_POLICY } from '../../src/render/index.ts';
import { validateSamples } from '../validate/helpers.ts';

const objects = hubAdmissionPolicies({ kind: 'DataCentre', name: 'dc-hanoi' }) as any[];
const policyFor = (plural: string) =>
  objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.spec.matchConstraints.resourceRules[0].resources.includes(plural));
const admits = (plural: string, object: NetworkLink | AccessRequest | AccessGrant): boolean =>
  policyFor(plural).spec.validations.every(
    (v: { expression: string }) =>
      (parse(v.expression) as unknown as (c: object) => unknown)({
        object,
        request: { namespace: object.metadata.namespace, operation: 'CREATE', resource: { group: 'govcloud.dev', version: 'v1alpha1', resource: plural } },
      }) === true,
  );
const refusedByRule = (p: ReturnType<typeof validateSamples>['platform'], object: object, rule: string) =>
  checkPlatform(p).some((x) => x.object === object && x.rule === rule && x.severity === 'error');

test('each policy is bound by name, denying, failing closed', () => {
  for (const name of [NETWORKLINK_PEER_POLICY, ACCESS_PARTIES_POLICY]) {
    const policy = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === name);
    const binding = objects.find((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.metadata.name === name);
    assert.is(policy.spec.failurePolicy, 'Fail', name);
    assert.equal(binding.spec, { policyName: name, validationActions: ['Deny'] });
  }
});

test('every sample link, request and grant is admitted', () => {
  const p = validateSamples().platform;
  assert.ok(p.links.some((l) => l.spec.peer.external) && p.links.some((l) => l.spec.peer.agency) && p.requests.length > 0 && p.grants.length > 0);
  for (const l of p.links) assert.ok(admits('networklinks', l), l.metadata.name);
  for (const r of p.requests) assert.ok(admits('accessrequests', r), r.metadata.name);
  for (const g of p.grants) assert.ok(admits('accessgrants', g), g.metadata.name);
});

test('a link to its own agency, a request to itself, a grant to itself: refused at admission and by the rules', () => {
  const p = validateSamples().platform;
  const acting = (o: { metadata: { namespace?: string } }) => o.metadata.namespace!.replace(/^govcloud-/, '');

  const link = structuredClone(p.links.find((l) => l.spec.peer.agency)!);
  link.spec.peer.agency = { name: acting(link), workspace: 'other' };
  const request = structuredClone(p.requests[0]!);
  request.spec.provider = acting(request);
  const grant = structuredClone(p.grants[0]!);
  grant.spec.consumer = acting(grant);
  const q = { ...p, links: [...p.links, link], requests: [...p.requests, request], grants: [...p.grants, grant] };

  assert.not.ok(admits('networklinks', link));
  assert.ok(refusedByRule(q, link, 'self-links'));
  assert.not.ok(admits('accessrequests', request));
  assert.ok(refusedByRule(q, request, 'access-requests'));
  assert.not.ok(admits('accessgrants', grant));
  assert.ok(refusedByRule(q, grant, 'access-grants'));
});

test.run();
