import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closedBecause, parseWindow, windowOf } from '../../src/model/window.ts';

const at = (iso: string) => new Date(iso);

test('window: closed from the millisecond of validUntil, open from the millisecond of validFrom', () => {
  const window = windowOf({ validFrom: '2026-01-01T00:00:00Z', validUntil: '2026-02-01T00:00:00Z' });
  assert.is(closedBecause(window, at('2025-12-31T23:59:59.999Z')), 'NotYetValid');
  assert.is(closedBecause(window, at('2026-01-01T00:00:00.000Z')), undefined);
  assert.is(closedBecause(window, at('2026-01-31T23:59:59.999Z')), undefined);
  assert.is(closedBecause(window, at('2026-02-01T00:00:00.000Z')), 'Expired');
});

test('window: windowOf reads each time on its own where parseWindow refuses the whole window', () => {
  const spec = { validFrom: 'soon', validUntil: '2026-02-01t00:00:00z' };
  assert.equal(windowOf(spec), { until: Date.parse('2026-02-01T00:00:00Z') });
  assert.is(parseWindow(spec).ok, false);
  const backwards = { validFrom: '2026-03-01T00:00:00Z', validUntil: '2026-02-01T00:00:00Z' };
  assert.is(closedBecause(windowOf(backwards), at('2026-02-15T00:00:00Z')), 'NotYetValid');
  assert.equal(parseWindow(backwards), { ok: false, field: 'spec.validUntil', message: 'validFrom must be before validUntil' });
});

test.run();
