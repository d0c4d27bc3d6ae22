import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AddressSet, formatIP, isStrictSubset, parseCidr, parseIP } from '../../src/model/ip.ts';

const cidr = (t: string) => {
  const r = parseCidr(t, true);
  if (!r.ok) throw new Error(r.message);
  return r.cidr;
};

test('IPv4: parses dotted quads, refuses leading zeros and out-of-range octets', () => {
  assert.equal(parseIP('10.1.2.3'), { family: 4, value: 0x0a010203n });
  assert.is(parseIP('010.1.2.3'), undefined);
  assert.is(parseIP('256.1.2.3'), undefined);
  assert.is(parseIP('1.2.3'), undefined);
});

test('IPv6: compressed, full, embedded IPv4 and the unspecified address', () => {
  assert.equal(parseIP('::'), { family: 6, value: 0n });
  assert.equal(parseIP('::1'), { family: 6, value: 1n });
  assert.equal(parseIP('2001:db8::1')?.value, (0x20010db8n << 96n) | 1n);
  assert.equal(parseIP('2001:0db8:0000:0000:0000:0000:0000:0001')?.value, (0x20010db8n << 96n) | 1n);
  assert.equal(parseIP('::ffff:192.0.2.1')?.value, (0xffffn << 32n) | 0xc0000201n);
  assert.equal(parseIP('64:ff9b::192.0.2.1')?.value, (0x64ff9bn << 96n) | 0xc0000201n);
  assert.equal(parseIP('1:2:3:4:5:6:192.0.2.1')?.value, (0x0001000200030004n << 64n) | (0x00050006n << 32n) | 0xc0000201n);
  for (const bad of ['1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7']) assert.is(parseIP(bad), undefined, bad);
});

test('formatting follows RFC 5952', () => {
  assert.is(formatIP(6, (0x20010db8n << 96n) | 1n), '2001:db8::1');
  assert.is(formatIP(6, 0n), '::');
  assert.is(formatIP(6, (1n << 112n) | (1n << 16n)), '1::1:0');
  assert.is(formatIP(6, (1n << 96n) | 1n), '0:1::1');
  assert.is(formatIP(4, 0xc0000201n), '192.0.2.1');
});

test('CIDR: host bits are cleared and reported; bare addresses only where allowed', () => {
  const r = parseCidr('10.1.2.3/8');
  assert.ok(r.ok && r.cidr.text === '10.0.0.0/8' && r.hostBitsSet);
  assert.not.ok(parseCidr('10.1.2.3').ok);
  assert.equal(cidr('2001:db8::1').text, '2001:db8::1/128');
  assert.not.ok(parseCidr('10.0.0.0/33').ok);
  assert.not.ok(parseCidr('::/129').ok);
});

test('strict subsets, as ipBlock.except needs them', () => {
  assert.ok(isStrictSubset(cidr('10.1.0.0/16'), cidr('10.0.0.0/8')));
  assert.not.ok(isStrictSubset(cidr('10.0.0.0/8'), cidr('10.0.0.0/8')));
  assert.not.ok(isStrictSubset(cidr('11.0.0.0/16'), cidr('10.0.0.0/8')));
  assert.not.ok(isStrictSubset(cidr('::/96'), cidr('0.0.0.0/0')));
});

test('address sets: block minus excepts, coverage, and back to CIDRs', () => {
  const block = AddressSet.block(cidr('10.0.0.0/8'), [cidr('10.128.0.0/9')]);
  assert.equal(block.toCidrs(), ['10.0.0.0/9']);
  assert.ok(block.covers(AddressSet.of([cidr('10.1.0.0/16')])));
  assert.not.ok(block.covers(AddressSet.of([cidr('10.0.0.0/8')])));
  const union = AddressSet.of([cidr('10.0.0.0/9'), cidr('10.128.0.0/9')]);
  assert.equal(union.toCidrs(), ['10.0.0.0/8']);
  assert.equal(AddressSet.of([cidr('10.0.0.1'), cidr('10.0.0.2')]).toCidrs(), ['10.0.0.1/32', '10.0.0.2/32']);
  assert.ok(AddressSet.ALL.covers(AddressSet.of([cidr('2001:db8::/32'), cidr('1.2.3.4')])));
});

test.run();
