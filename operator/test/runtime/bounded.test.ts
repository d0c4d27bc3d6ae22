// Bounded text: a long list says how many, shows the first few and where to see the rest;
// a message is cut by bytes (as the API server counts), never inside a character.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LISTED, MESSAGE_BYTES, listText, truncateBytes } from '../../src/runtime/bounded.ts';
import { Ready, setCondition } from '../../src/runtime/conditions.ts';

test('a short list is shown whole, repeats once', () => {
  assert.is(listText(['a', 'b', 'a'], { noun: 'things' }), 'a; b');
  assert.is(listText(['a', 'b'], { noun: 'things', separator: ', ' }), 'a, b');
});

test('a long list says how many, shows the first ten and where the rest is', () => {
  const items = Array.from({ length: 212 }, (_, i) => `agency-${i}/app`);
  const text = listText(items, { noun: 'consumer workspaces', separator: ', ', see: '`govcloud catalogue`' });
  assert.is(text, `212 consumer workspaces; first ${LISTED}: ${items.slice(0, LISTED).join(', ')}; see \`govcloud catalogue\``);
});

test('the items shown share one message: ten huge items stay within it, one keeps most of it', () => {
  const text = listText(
    Array.from({ length: 50 }, (_, i) => `${i}: ${'x'.repeat(100_000)}`),
    { noun: 'errors' },
  );
  assert.ok(Buffer.byteLength(text) <= MESSAGE_BYTES, `${Buffer.byteLength(text)} bytes`);
  assert.match(text, /^50 errors; first 10: 0: x+…; 1: /);
  const one = listText([`dc-hcm: ${'y'.repeat(100_000)}`], { noun: 'errors' });
  assert.ok(Buffer.byteLength(one) <= MESSAGE_BYTES && Buffer.byteLength(one) > MESSAGE_BYTES / 2, `${Buffer.byteLength(one)} bytes`);
});

test('truncateBytes cuts on a character boundary within the byte budget', () => {
  assert.is(truncateBytes('abc', 3), 'abc');
  const cut = truncateBytes('ữữữữ', 8);
  assert.is(cut, 'ữ…', 'ữ is 3 bytes, … is 3: two ữ would need 9');
  assert.ok(Buffer.byteLength(cut) <= 8);
});

test('every condition message is cut to MESSAGE_BYTES, whoever built it', () => {
  const [c] = setCondition(undefined, { type: Ready, status: 'False', reason: 'X', message: 'đ'.repeat(40_000) }, 0);
  assert.ok(Buffer.byteLength(c!.message) <= MESSAGE_BYTES);
  assert.ok(Buffer.byteLength(c!.message) > MESSAGE_BYTES - 8);
});

test.run();
