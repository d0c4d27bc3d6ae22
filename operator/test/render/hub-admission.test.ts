// The hub's NetworkLink admission policy, evaluated offline as the API server evaluates it:
// it refuses exactly the links whose peer is the agency holding them, as the rule self-links
// does, so the API server and `govcloud validate` agree.
import { parse } from '@marcbachmann/cel-js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { NetworkLink } from '../../src/api/index.ts';
import { checkPlatform } from '../../src/model/rules.ts';
import { networkLinkPeerPolicy, NETWORKLINK_PEER_POLICY } from '../../src/render/index.ts';
import { validateSamples } from '../validate/helpers.ts';

const [policy, binding] = networkLinkPeerPolicy({ kind: 'DataCentre', name: 'dc-hanoi' }) as [any, any];
const admits = (link: NetworkLink): boolean =>
  policy.spec.validations.every((v: { expression: string }) => (parse(v.expression) as unknown as (c: object) => unknown)({ object: link, request: { namespace: link.metadata.namespace, operation: 'CREATE' } }) === true);

test('binds the policy by name, denying', () => {
  assert.is(binding.spec.policyName, NETWORKLINK_PEER_POLICY);
  assert.equal(binding.spec.validationActions, ['Deny']);
  assert.equal(policy.spec.matchConstraints.resourceRules[0].resources, ['networklinks']);
  assert.is(policy.spec.failurePolicy, 'Fail');
});

test('admits every sample link (external peers too) and refuses a link to another workspace of its own agency, as the rules do', () => {
  const platform = validateSamples().platform;
  assert.ok(platform.links.some((l) => l.spec.peer.external) && platform.links.some((l) => l.spec.peer.agency));
  for (const link of platform.links) assert.ok(admits(link), link.metadata.name);
  const own = structuredClone(platform.links.find((l) => l.spec.peer.agency)!);
  const agency = own.metadata.namespace!.replace(/^govcloud-/, '');
  own.spec.peer.agency = { name: agency, workspace: 'other' };
  assert.not.ok(admits(own));
  const rules = checkPlatform({ ...platform, links: [...platform.links, own] }).filter((p) => p.object === own && p.rule === 'self-links');
  assert.is(rules.length, 1, 'the rules refuse it too');
});

test.run();
