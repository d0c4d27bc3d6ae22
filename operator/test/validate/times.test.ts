/** Times in RFC 3339: what the schema admits, offline and in the model, agree (the API server's side is e2e/time-boundary.test.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stringify } from 'yaml';
import { parseTime, parseWindow } from '../../src/model/window.ts';
import { validateSources } from '../../src/validate/index.ts';
import { ACCEPTED, REFUSED } from './time-boundary.ts';

/** A NetworkLink whose window is [validFrom, validUntil), with every other problem of the platform ignored. */
function linkProblems(validFrom: string | undefined, validUntil: string): string[] {
  const link = {
    apiVersion: 'govcloud.dev/v1alpha1',
    kind: 'NetworkLink',
    metadata: { name: 'l', namespace: 'govcloud-btc' },
    spec: {
      workspace: 'apps',
      direction: 'Egress',
      peer: { agency: { name: 'hanoi', workspace: 'web' } },
      ports: [{ port: 443 }],
      ...(validFrom ? { validFrom } : {}),
      validUntil,
    },
  };
  const result = validateSources([{ file: 'l.yaml', bytes: new TextEncoder().encode(stringify(link)) }]);
  return result.errors.filter((e) => /valid(From|Until)/.test(e.field ?? '') || /rule/.test(e.message)).map((e) => `${e.field}: ${e.message}`);
}

test('accepted times: validate takes them, and the model reads the instant they stand for', () => {
  for (const [text, instant] of ACCEPTED) {
    assert.equal(linkProblems(undefined, text), [], text);
    assert.is(parseTime(text), Date.parse(instant), text);
  }
});

test('refused times: validate names the field, the model reads nothing', () => {
  for (const text of REFUSED) {
    const problems = linkProblems(undefined, text);
    assert.is(problems.length, 1, `${text}: ${problems.join('; ')}`);
    assert.match(problems[0]!, /^spec\.validUntil: must (be a time in RFC 3339 form|be at most 64 characters long)/, text);
    assert.is(parseTime(text), undefined, text);
  }
});

test('the window rule reads nine fractional digits with an offset and lower-case t and z: no "bug in govcloud\'s rules"', () => {
  assert.equal(linkProblems('2026-01-01t00:00:00z', '2027-01-01T07:00:00.123456789+07:00'), []);
  assert.equal(linkProblems('2027-01-01T07:00:00.123456789+07:00', '2027-01-01t00:00:00.100z'), ['spec.validUntil: validFrom must be before validUntil']);
  assert.equal(parseWindow({ validFrom: '2026-01-01t00:00:00z', validUntil: '2027-01-01T07:00:00.123456789+07:00' }), {
    ok: true,
    window: { from: Date.parse('2026-01-01T00:00:00Z'), until: Date.parse('2027-01-01T00:00:00.123Z') },
  });
});

test.run();
