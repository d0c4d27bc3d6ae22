/** The address rule at admission (render/address-policy.ts): on the hub only, from every DataCentre's ranges. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ADDRESS_POLICY } from '../../src/render/address-policy.ts';
import { platformObjects } from '../../src/render/platform-objects.ts';
import { at, threeDataCentres } from './fixtures.ts';

const variable = (objects: ReturnType<typeof platformObjects>, name: string): string => {
  const policy = objects.find((o) => o.kind === 'ValidatingAdmissionPolicy' && o.metadata.name === ADDRESS_POLICY);
  const variables = at(policy, 'spec', 'variables') as { name: string; expression: string }[];
  return variables.find((v) => v.name === name)!.expression;
};

test('the hub holds the policy and its binding (Deny); member data centres do not', () => {
  const dcs = threeDataCentres();
  const hub = platformObjects(dcs[0]!, dcs);
  assert.ok(
    hub.some((o) => o.kind === 'ValidatingAdmissionPolicyBinding' && o.metadata.name === ADDRESS_POLICY && at(o, 'spec', 'validationActions', 0) === 'Deny'),
  );
  assert.not.ok(platformObjects(dcs[1]!, dcs).some((o) => o.metadata.name === ADDRESS_POLICY));
});

test("every data centre's ranges are reserved for all, a WAN for all but its agency, the declared and private networks for internet egress", () => {
  const dcs = threeDataCentres();
  const reserved = variable(platformObjects(dcs[0]!, dcs), 'reserved');
  for (const range of ['10.10.0.0/16', '10.20.0.0/16', '10.21.0.0/16', '10.30.0.0/16']) {
    assert.ok(reserved.includes(`{"cidr": "${range}", "what": "networkRanges of DataCentre/`), range);
  }
  assert.ok(
    reserved.includes(
      '{"cidr": "192.168.0.0/16", "what": "the WAN of Agency/bo-tai-chinh (declared by DataCentre/dc-hanoi)", "scope": "others", "agency": "bo-tai-chinh"}',
    ),
  );
  assert.ok(reserved.includes('{"cidr": "172.16.0.0/12", "what": "specialisedLevelI as DataCentre/dc-hanoi declares it", "scope": "internet", "agency": ""}'));
  assert.ok(reserved.includes('{"cidr": "fc00::/7", "what": "a private or local range, never internet", "scope": "internet", "agency": ""}'));
  const declared = variable(platformObjects(dcs[0]!, dcs), 'declared');
  assert.ok(declared.includes('{"network": "agencyWAN", "agency": "bo-tai-chinh", "cidr": "192.168.0.0/16"}'));
  assert.ok(declared.includes('{"network": "specialisedLevelI", "agency": "", "cidr": "100.64.0.0/10"}'));
});

test('a new data centre range changes the policy (the operator re-renders it from the DataCentres)', () => {
  const dcs = threeDataCentres();
  const before = variable(platformObjects(dcs[0]!, dcs), 'reserved');
  dcs[2]!.spec.networkRanges = [...dcs[2]!.spec.networkRanges, '10.31.0.0/16'];
  const after = variable(platformObjects(dcs[0]!, dcs), 'reserved');
  assert.not.ok(before.includes('10.31.0.0/16'));
  assert.ok(after.includes('{"cidr": "10.31.0.0/16", "what": "networkRanges of DataCentre/dc-danang"'));
});

test.run();
