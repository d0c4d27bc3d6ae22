/** Tables: aligned as a terminal shows them, Vietnamese in either normal form. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { displayWidth, paint, renderTable } from '../../src/cli/table.ts';

test('display width: precomposed and decomposed Vietnamese are as wide as they look', () => {
  const nfc = 'Ủy ban nhân dân Thành phố Đà Nẵng';
  const nfd = nfc.normalize('NFD');
  assert.is.not(nfc.length, nfd.length);
  assert.is(displayWidth(nfc), 33);
  assert.is(displayWidth(nfd), 33);
});

test('display width: wide characters take two columns; colour escapes and zero-width characters none', () => {
  assert.is(displayWidth('数据中心'), 8);
  assert.is(displayWidth('\x1b[31mred\x1b[39m'), 3);
  assert.is(displayWidth('a\u200bb'), 2);
});

test('columns line up whatever the script', () => {
  const out = renderTable(
    [{ header: 'AGENCY' }, { header: 'NAME' }, { header: 'CPU', align: 'right' }],
    [
      ['btc', 'Bộ Tài chính', '64'],
      ['danang', 'Ủy ban nhân dân Thành phố Đà Nẵng'.normalize('NFD'), '8'],
      ['x', '数据', '128'],
    ],
  );
  assert.is(
    out,
    [
      'AGENCY  NAME                               CPU',
      'btc     Bộ Tài chính                        64',
      `danang  ${'Ủy ban nhân dân Thành phố Đà Nẵng'.normalize('NFD')}    8`,
      'x       数据                               128',
      '',
    ].join('\n'),
  );
});

test('no trailing spaces; a last left-aligned column is not padded', () => {
  const out = renderTable(
    [{ header: 'A' }, { header: 'B' }],
    [
      ['1', 'long value'],
      ['2', 'x'],
    ],
  );
  assert.is(out, 'A  B\n1  long value\n2  x\n');
});

test('colour only when asked: headers bold', () => {
  const plain = renderTable([{ header: 'A' }], [['1']]);
  assert.not.match(plain, /\x1b/);
  const coloured = renderTable([{ header: 'A' }], [['1']], { colour: true });
  assert.is(coloured, '\x1b[1mA\x1b[22m\n1\n');
  assert.is(paint('x', 'red', false), 'x');
});

test.run();
