import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { boundedName, isDnsLabel, isValidLabelValue, ownerFromLabels, ownerKey, ownerLabelValue } from '../../src/render/names.ts';
import { metadata } from '../../src/render/meta.ts';
import { closedBecause, futureBoundaries, isOpen, parseWindow } from '../../src/model/window.ts';

test('owner label is Kind.namespace.name where it fits', () => {
  assert.is(ownerLabelValue({ kind: 'Agency', name: 'bo-tai-chinh' }), 'Agency..bo-tai-chinh');
  assert.is(ownerLabelValue({ kind: 'NetworkLink', namespace: 'govcloud-bo-tai-chinh', name: 'to-ndxp' }), 'NetworkLink.govcloud-bo-tai-chinh.to-ndxp');
});

test('a too long owner becomes Kind_<hash>: valid, stable, distinct', () => {
  const long = { kind: 'SharedDataService', namespace: 'govcloud-ubnd-thanh-pho-ho-chi-minh', name: 'co-so-du-lieu-dan-cu-phien-ban-moi' };
  const value = ownerLabelValue(long);
  assert.ok(isValidLabelValue(value), value);
  assert.match(value, /^SharedDataService_[0-9a-f]{32}$/);
  assert.is(ownerLabelValue({ ...long }), value);
  assert.is.not(ownerLabelValue({ ...long, name: long.name + 'x' }), value);
  assert.is(ownerKey(long), 'SharedDataService.govcloud-ubnd-thanh-pho-ho-chi-minh.co-so-du-lieu-dan-cu-phien-ban-moi');
});

test('an owner name with characters no label value allows is hashed too', () => {
  const value = ownerLabelValue({ kind: 'NetworkLink', namespace: 'govcloud-a', name: 'x-' });
  assert.match(value, /^NetworkLink_/); // would end in '-'
});

test('ownerFromLabels reads the owner label, and the annotation where the label is hashed', () => {
  assert.equal(ownerFromLabels({ labels: { 'govcloud.dev/owner': 'Agency..btc' } }), { kind: 'Agency', name: 'btc' });
  assert.equal(ownerFromLabels({ labels: { 'govcloud.dev/owner': 'NetworkLink.govcloud-hanoi.to.ndxp' } }), {
    kind: 'NetworkLink',
    namespace: 'govcloud-hanoi',
    name: 'to.ndxp',
  });
  const long = { kind: 'SharedDataService', namespace: 'govcloud-bo-tai-nguyen-va-moi-truong', name: 'co-so-du-lieu-quoc-gia-ve-dat-dai' };
  const value = ownerLabelValue(long);
  assert.match(value, /^SharedDataService_/);
  assert.equal(
    ownerFromLabels({ labels: { 'govcloud.dev/owner': value }, annotations: { 'govcloud.dev/owner': `${long.kind}.${long.namespace}.${long.name}` } }),
    long,
  );
  assert.is(ownerFromLabels({ labels: { 'govcloud.dev/owner': value } }), undefined, 'hashed without annotation');
  assert.is(ownerFromLabels({ labels: {} }), undefined);
});

test('ownerFromLabels reads back what metadata() writes, short or hashed', () => {
  for (const owner of [
    { kind: 'Agency', name: 'bo-tai-chinh' },
    { kind: 'NetworkLink', namespace: 'govcloud-bo-tai-chinh', name: 'to.ndxp' },
    { kind: 'SharedDataService', namespace: 'govcloud-ubnd-thanh-pho-ho-chi-minh', name: 'co-so-du-lieu-dan-cu-phien-ban-moi' },
  ]) {
    assert.equal(ownerFromLabels(metadata({ name: 'x', owner })), owner);
  }
});

test('bounded names: as is when a short DNS label, else cut with a hash', () => {
  assert.is(boundedName('svc-', 'population'), 'svc-population');
  const long = boundedName('govcloud-link-', 'a'.repeat(80));
  assert.ok(isDnsLabel(long), long);
  assert.is(long.length, 63);
  assert.is.not(boundedName('govcloud-link-', 'a'.repeat(81)), long);
  const dotted = boundedName('svc-', 'dan.cu');
  assert.ok(isDnsLabel(dotted), dotted);
  assert.is(boundedName('govcloud-use-', 'bo-cong-an.dan-cu', { dots: true }), 'govcloud-use-bo-cong-an.dan-cu');
});

test('windows: from inclusive, until exclusive', () => {
  const w = parseWindow({ validFrom: '2026-01-01T00:00:00Z', validUntil: '2026-02-01T00:00:00Z' });
  assert.ok(w.ok);
  if (!w.ok) return;
  assert.not.ok(isOpen(w.window, new Date('2025-12-31T23:59:59.999Z')));
  assert.ok(isOpen(w.window, new Date('2026-01-01T00:00:00Z')));
  assert.ok(isOpen(w.window, new Date('2026-01-31T23:59:59.999Z')));
  assert.not.ok(isOpen(w.window, new Date('2026-02-01T00:00:00Z')));
  assert.is(closedBecause(w.window, new Date('2025-01-01T00:00:00Z')), 'NotYetValid');
  assert.is(closedBecause(w.window, new Date('2026-03-01T00:00:00Z')), 'Expired');
  assert.equal(futureBoundaries(w.window, new Date('2026-01-15T00:00:00Z')), [Date.parse('2026-02-01T00:00:00Z')]);
  assert.not.ok(parseWindow({ validFrom: 'tomorrow' }).ok);
  assert.not.ok(parseWindow({ validFrom: '2026-02-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }).ok);
});

test.run();
