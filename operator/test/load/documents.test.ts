/** The YAML loader: documents that know their lines; hostile input becomes a Problem. */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPaths, type ParsedFiles, MAX_ALIASES, MAX_DOCUMENTS_PER_FILE, MAX_ENTRIES_PER_COLLECTION, parseYamlText } from '../../src/load/documents.ts';
import { expandPaths } from '../../src/load/files.ts';
import { compareProblems, fieldPath, formatProblem } from '../../src/load/problem.ts';

const enc = (s: string) => new TextEncoder().encode(s);

test('lineOf finds the line of a field, or of its nearest ancestor', () => {
  const text = 'apiVersion: v1\nkind: X\nspec:\n  list:\n    - a: 1\n    - b: 2\n      c: [x, y]\n';
  const { documents, problems } = parseYamlText('f.yaml', enc(text));
  assert.equal(problems, []);
  const d = documents[0]!;
  assert.is(d.line, 1);
  assert.is(d.lineOf(['spec', 'list', 1, 'c', 1]), 7);
  assert.is(d.lineOf(['spec', 'list', 0, 'a']), 5);
  assert.is(d.lineOf(['spec', 'list', 1, 'missing']), 6);
  assert.is(d.lineOf(['nothing', 'here']), 1);
});

test('several documents: each knows where it starts; empty ones (a trailing ---, only comments) are skipped', () => {
  const { documents, problems } = parseYamlText('f.yaml', enc('---\n# c\na: 1\n---\n# second\nb: 2\n---\n---\n# nothing\n---\nc: 3\n---\n~\n---\n'));
  assert.equal(problems, []);
  assert.equal(
    documents.map((d) => [d.line, d.value]),
    [
      [3, { a: 1 }],
      [6, { b: 2 }],
      [11, { c: 3 }],
      [13, null],
    ],
  );
});

test('a duplicate key names the key and its line', () => {
  for (const [text, key, line, column] of [
    ['a: 1\nb:\n  x: 1\n  x: 2\n', 'x', 4, 3],
    ['"quoted key": 1\n"quoted key": 2\n', 'quoted key', 2, 1],
    ['m: {k: 1, k: 2}\n', 'k', 1, 11],
  ] as const) {
    const { problems } = parseYamlText('d.yaml', enc(text));
    assert.equal(problems, [{ file: 'd.yaml', line, column, object: '', message: `duplicate key "${key}": a key may appear only once in a mapping` }], text);
  }
});

test('syntax errors: one problem per broken document, on the line of the first error', () => {
  const { problems, documents } = parseYamlText('s.yaml', enc('ok: 1\n---\nbad: [1, 2\nnext: 3\n---\nfine: true\n'));
  assert.is(problems.length, 1);
  assert.match(problems[0]!.message, /^YAML syntax: /);
  assert.equal(
    documents.map((d) => d.value),
    [{ ok: 1 }, { fine: true }],
  );
});

test('aliases: a few are fine, a bomb is refused', () => {
  const ok = parseYamlText('a.yaml', enc('base: &b {x: 1}\nuse: *b\n'));
  assert.equal(ok.documents[0]!.value, { base: { x: 1 }, use: { x: 1 } });
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 6; i++)
    levels.push(
      `${'abcdef'[i]}: &${'abcdef'[i]} [${Array(10)
        .fill('*' + 'abcdef'[i - 1])
        .join(', ')}]`,
    );
  const bomb = parseYamlText('bomb.yaml', enc(levels.join('\n')));
  assert.equal(bomb.documents, []);
  assert.match(bomb.problems[0]!.message, new RegExp(`more than ${MAX_ALIASES} uses`));
});

test('binary data, invalid UTF-8 and deep nesting become problems with a line', () => {
  assert.equal(parseYamlText('b.yaml', new Uint8Array([0x61, 0x0a, 0x00])).problems, [
    { file: 'b.yaml', line: 2, object: '', message: 'file holds binary data (a NUL byte), not YAML' },
  ]);
  assert.equal(parseYamlText('u.yaml', new Uint8Array([0x61, 0x0a, 0x62, 0x0a, 0xe0, 0x80])).problems, [
    { file: 'u.yaml', line: 3, object: '', message: 'file is not valid UTF-8' },
  ]);
  assert.match(parseYamlText('n.yaml', enc('{'.repeat(70) + '}'.repeat(70))).problems[0]!.message, /nested more than 64 levels/);
  const quoted = parseYamlText('q.yaml', enc(`a: "${'['.repeat(200)}"\n# ${'{'.repeat(200)}\n`));
  assert.equal(quoted.problems, [], 'brackets in strings and comments are not nesting');
});

test('duplicate keys are keys with the same value, as YAML compares them: 1 and "1" differ', () => {
  assert.equal(parseYamlText('k.yaml', enc('1: a\n"1": b\n')).problems, []);
  assert.equal(parseYamlText('k.yaml', enc('x: 1\ny: 2\n"x": 3\n')).problems, [
    { file: 'k.yaml', line: 3, column: 1, object: '', message: 'duplicate key "x": a key may appear only once in a mapping' },
  ]);
  assert.equal(parseYamlText('k.yaml', enc('x:\n  - {a: 1}\n  - {b: 1, c: 2, b: 3}\n')).problems[0]!.line, 3, 'found in a mapping inside a list');
});

test('collections at the limit are read; one entry more is refused at that entry (its `-`)', () => {
  const items = (n: number) => `list:\n${'  - x\n'.repeat(n)}`;
  assert.equal(parseYamlText('l.yaml', enc(items(MAX_ENTRIES_PER_COLLECTION))).problems, []);
  assert.equal(parseYamlText('l.yaml', enc(items(MAX_ENTRIES_PER_COLLECTION + 1))).problems, [
    { file: 'l.yaml', line: MAX_ENTRIES_PER_COLLECTION + 2, column: 3, object: '', message: `more than ${MAX_ENTRIES_PER_COLLECTION} items in one list` },
  ]);
});

test('documents are counted by their starts; `---` inside a block scalar or a quoted string is not one', () => {
  const docs = (n: number) => 'a: 1\n' + '---\na: 1\n'.repeat(n - 1);
  assert.is(parseYamlText('d.yaml', enc(docs(MAX_DOCUMENTS_PER_FILE))).documents.length, MAX_DOCUMENTS_PER_FILE);
  assert.match(parseYamlText('d.yaml', enc(docs(MAX_DOCUMENTS_PER_FILE + 1))).problems[0]!.message, /document 5001 starts here/);
  const text = `script: |\n${'  ---\n'.repeat(MAX_DOCUMENTS_PER_FILE + 1)}quoted: "${'\n  ---'.repeat(MAX_DOCUMENTS_PER_FILE + 1)}"\n`;
  const inside = parseYamlText('s.yaml', enc(text));
  assert.equal(inside.problems, []);
  assert.is(inside.documents.length, 1);
});

test('Vietnamese text survives reading', () => {
  const { documents } = parseYamlText('v.yaml', enc('name: Ủy ban nhân dân tỉnh Quảng Ninh\n'));
  assert.equal(documents[0]!.value, { name: 'Ủy ban nhân dân tỉnh Quảng Ninh' });
});

test('loadPaths: files relative to the working folder, sorted walk, missing paths reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-load-'));
  try {
    writeFileSync(join(dir, 'b.yaml'), 'b: 1\n');
    writeFileSync(join(dir, 'a.yml'), 'a: 1\n');
    writeFileSync(join(dir, 'c.txt'), 'c: 1\n');
    const listed = await expandPaths([dir], dir);
    assert.equal(
      listed.files.map((f) => f.slice(dir.length + 1)),
      ['a.yml', 'b.yaml'],
    );
    const loaded = await loadPaths([join(dir, 'a.yml'), join(dir, 'nope.yaml')], dir);
    assert.equal(loaded.files, ['a.yml']);
    assert.equal(
      loaded.problems.map((p) => p.message),
      ['no such file or folder'],
    );
    symlinkSync(dir, join(dir, 'loop'));
    const walked = await loadPaths([dir], dir);
    assert.equal(walked.files, ['a.yml', 'b.yaml'], 'a folder is walked once, a symlink loop is not followed round');
    const outside = await loadPaths([join(dir, 'a.yml')], join(dir, 'sub'));
    assert.equal(outside.files, [join(dir, 'a.yml')], 'a file outside the working folder keeps its path');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('problems: formatting, field paths and order', () => {
  assert.is(formatProblem({ file: 'f.yaml', line: 3, object: 'Agency/btc', field: 'spec.code', message: 'bad' }), 'f.yaml:3: Agency/btc: spec.code: bad');
  assert.is(formatProblem({ file: 'f.yaml', line: 1, object: '', message: 'bad' }), 'f.yaml:1: bad');
  assert.is(fieldPath(['spec', 'quotas', 1, 'cpu']), 'spec.quotas[1].cpu');
  const a = { file: 'a', line: 2, object: '', message: 'x' };
  const b = { file: 'a', line: 10, object: '', message: 'x' };
  assert.equal([b, a].sort(compareProblems), [a, b]);
});

test('loadPaths with files parsed before: the same bytes under the same name are not parsed again; changed ones are', async () => {
  const base = mkdtempSync(join(tmpdir(), 'govcloud-load-base-'));
  const head = mkdtempSync(join(tmpdir(), 'govcloud-load-head-'));
  try {
    for (const dir of [base, head]) writeFileSync(join(dir, 'same.yaml'), 'a: 1\n');
    writeFileSync(join(base, 'changed.yaml'), 'b: 1\n');
    writeFileSync(join(head, 'changed.yaml'), 'b: 2\n');
    const parsed: ParsedFiles = new Map();
    const h = await loadPaths(['.'], head, parsed);
    const b = await loadPaths(['.'], base, parsed);
    const byFile = (r: typeof h) => new Map(r.documents.map((d) => [d.file, d]));
    assert.is(byFile(b).get('same.yaml'), byFile(h).get('same.yaml'));
    assert.equal(byFile(b).get('changed.yaml')!.value, { b: 1 });
    assert.equal(byFile(h).get('changed.yaml')!.value, { b: 2 });
  } finally {
    rmSync(base, { recursive: true, force: true });
    rmSync(head, { recursive: true, force: true });
  }
});

test.run();
