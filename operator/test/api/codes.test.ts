import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normaliseAgencyCode, serviceIdentifier } from '../../src/api/codes.ts';

const ok = (raw: string) => {
  const r = normaliseAgencyCode(raw);
  if (!r.ok) throw new Error(r.message);
  return r.code;
};

test('the left-to-right form is kept as it is', () => {
  assert.is(ok('G22'), 'G22');
  assert.is(ok('H26.05.01'), 'H26.05.01');
  assert.is(ok('G12.05.01.001'), 'G12.05.01.001');
});

test('the older right-to-left form reads zero groups as absent levels', () => {
  assert.is(ok('000.00.00.G22'), 'G22');
  assert.is(ok('000.00.05.G12'), 'G12.05');
  assert.is(ok('000.01.05.G12'), 'G12.05.01');
  assert.is(ok('123.01.05.H26'), 'H26.05.01.123');
});

test('both spellings of one agency normalise to the same code', () => {
  assert.is(ok('000.00.00.G12'), ok('G12'));
  assert.is(ok('000.07.03.H01'), ok('H01.03.07'));
});

test('a lower level under an empty one is refused', () => {
  const r = normaliseAgencyCode('000.05.00.G22');
  assert.is(r.ok, false);
  if (!r.ok) assert.match(r.message, /lower level under an empty one/);
});

test('malformed codes are refused with a message naming the expected forms', () => {
  for (const bad of ['g22', 'G2', 'G222', 'G22.5', '00.00.00.G22', 'G22.05.01.01', '', 'Bộ Tài chính', '000.00.00.G22.1']) {
    const r = normaliseAgencyCode(bad);
    assert.is(r.ok, false, bad);
    if (!r.ok) assert.match(r.message, /expected a form like G22/);
  }
});

test('service identifiers follow the X-Road shape', () => {
  assert.is(serviceIdentifier('G22', 'vpcp', 'document-exchange', 'v1'), 'VN/GOV/G22/vpcp/document-exchange/v1');
});

test.run();
