/**
 * Hostile and broken input: each case gets a clear message naming the file, exit code 1,
 * no stack trace, and ends (no wall-clock budget here: timings belong in benchmarks; input
 * that made validation hang would stop the suite).
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_ENTRIES_PER_COLLECTION, MAX_FILE_BYTES, MAX_NODES_PER_FILE } from '../../src/load/documents.ts';
import { cli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'govcloud-robust-'));

async function validateBytes(name: string, bytes: Uint8Array | string) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const result = await cli(['validate', path], { cwd: dir });
  assert.not.match(result.out + result.err, /\n\s+at .*\(/, 'no stack trace');
  assert.not.match(result.err, /internal error/);
  return result;
}

const AGENCY = `apiVersion: govcloud.dev/v1alpha1
kind: Agency
metadata:
  name: btc
spec:
  code: G12
  displayName: Bộ Tài chính
  type: ministry
  groups: {}
  securityLevel: 3
  placement:
    dataCentres: [dc-hanoi]
  quotas:
    - {dataCentre: dc-hanoi, cpu: 4, memory: 16Gi, storage: 1Ti}
  workspaces:
    - {name: apps, dataClass: shared}
`;

test('binary junk', async () => {
  const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
  const { code, out } = await validateBytes('junk.yaml', bytes);
  assert.is(code, 1);
  assert.match(out, /^junk\.yaml:\d+: file holds binary data \(a NUL byte\), not YAML$/m);
});

test('invalid UTF-8', async () => {
  const bytes = Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: B'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('\n')]);
  const { code, out } = await validateBytes('latin1.yaml', bytes);
  assert.is(code, 1);
  assert.match(out, /^latin1\.yaml:4: file is not valid UTF-8$/m);
});

test('a file larger than the limit is refused before it is read', async () => {
  const { code, out } = await validateBytes('huge.yaml', Buffer.alloc(MAX_FILE_BYTES + 1, 'a'));
  assert.is(code, 1);
  assert.match(out, new RegExp(`^huge\\.yaml:0: file is ${MAX_FILE_BYTES + 1} bytes, more than the ${MAX_FILE_BYTES} allowed$`, 'm'));
});

test('deeply nested flow collections', async () => {
  const { code, out } = await validateBytes('deep-flow.yaml', '['.repeat(100000) + ']'.repeat(100000));
  assert.is(code, 1);
  assert.match(out, /^deep-flow\.yaml:1: document is nested more than 64 levels deep$/m);
});

test('deeply nested block mappings', async () => {
  const lines = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
  const { code, out } = await validateBytes('deep-block.yaml', lines);
  assert.is(code, 1);
  assert.match(out, /^deep-block\.yaml:\d+: document is nested (more than 64 levels deep|too deeply to read)$/m);
});

test('too many documents in one file: refused at the line of document 5001', async () => {
  const { code, out } = await validateBytes('many.yaml', 'a: 1\n---\n'.repeat(6000));
  assert.is(code, 1);
  assert.match(out, /^many\.yaml:10000: more than 5000 documents in one file: document 5001 starts here$/m);
});

test('four megabytes of empty documents: refused while counting, before any is parsed', async () => {
  const { code, out } = await validateBytes('dashes.yaml', '---\n'.repeat(MAX_FILE_BYTES / 4 - 1));
  assert.is(code, 1);
  assert.match(out, /^dashes\.yaml:5001: more than 5000 documents in one file: document 5001 starts here$/m);
});

test('four megabytes of list items: refused at the line where the node limit is crossed', async () => {
  // Lists of 4,000 items, under the limit per list, one a document: each `- 1` is an item and
  // a scalar, two nodes, so a document of 4,001 lines holds 8,000 nodes.
  const perDocument = 4000;
  const document = '---\n' + '- 1\n'.repeat(perDocument);
  const { code, out } = await validateBytes('items.yaml', document.repeat(Math.floor(MAX_FILE_BYTES / document.length)));
  assert.is(code, 1);
  const before = Math.floor(MAX_NODES_PER_FILE / (2 * perDocument));
  const item = Math.ceil((MAX_NODES_PER_FILE + 1 - before * 2 * perDocument) / 2);
  const line = before * (perDocument + 1) + 1 + item;
  assert.match(out, new RegExp(`^items\\.yaml:${line}: more than ${MAX_NODES_PER_FILE} YAML nodes in one file: split it$`, 'm'));
});

test('a block list of 150,000 items: refused while scanning, at the item over the limit', async () => {
  const { code, out } = await validateBytes('block.yaml', `spec:\n  admins:\n${'    - 1\n'.repeat(150000)}`);
  assert.is(code, 1);
  assert.match(out, new RegExp(`^block\\.yaml:${MAX_ENTRIES_PER_COLLECTION + 3}: more than ${MAX_ENTRIES_PER_COLLECTION} items in one list$`, 'm'));
});

test('150,000 items in a list of an Agency: refused with the line of the list, no crash', async () => {
  const many = AGENCY.replace('groups: {}', `groups:\n    admins: [${Array(150000).fill('1').join(',')}]`);
  const { code, out } = await validateBytes('admins.yaml', many);
  assert.is(code, 1);
  assert.match(out, new RegExp(`^admins\\.yaml:10: more than ${MAX_ENTRIES_PER_COLLECTION} items in one list$`, 'm'));
});

test('a list at the limit is read and checked: each wrong item is reported, capped per document', async () => {
  const many = AGENCY.replace('groups: {}', `groups:\n    admins: [${Array(MAX_ENTRIES_PER_COLLECTION).fill('1').join(',')}]`);
  const { code, out } = await validateBytes('admins-limit.yaml', many);
  assert.is(code, 1);
  assert.match(out, /^admins-limit\.yaml:10: Agency\/btc: spec\.groups\.admins: must have at most 32 items, not 5000$/m);
  assert.match(out, /more problems in this document not shown/);
});

test('100,000 keys in one mapping: refused at the first key over the limit', async () => {
  const keys = Array.from({ length: 100000 }, (_, i) => `  k${i}: 1\n`).join('');
  const { code, out } = await validateBytes('keys.yaml', `a:\n${keys}`);
  assert.is(code, 1);
  assert.match(out, new RegExp(`^keys\\.yaml:${MAX_ENTRIES_PER_COLLECTION + 2}: more than ${MAX_ENTRIES_PER_COLLECTION} keys in one mapping$`, 'm'));
});

test('a repeated key among the most keys a mapping may hold: found, with its line', async () => {
  const keys = Array.from({ length: MAX_ENTRIES_PER_COLLECTION - 1 }, (_, i) => `  k${i}: 1\n`).join('');
  const { code, out } = await validateBytes('dup-keys.yaml', `a:\n${keys}  k17: 2\n`);
  assert.is(code, 1);
  assert.match(out, new RegExp(`^dup-keys\\.yaml:${MAX_ENTRIES_PER_COLLECTION + 1}: duplicate key "k17": a key may appear only once in a mapping$`, 'm'));
});

test('a huge scalar where a short name goes: one message, bounded', async () => {
  const { code, out } = await validateBytes('long.yaml', AGENCY.replace('displayName: Bộ Tài chính', `displayName: ${'Bộ '.repeat(400000)}`));
  assert.is(code, 1);
  assert.match(out, /^long\.yaml:7: Agency\/btc: spec\.displayName: must be at most 256 characters long, not \d+$/m);
});

test('a large list of wrong items: problems are capped per document', async () => {
  const many = AGENCY.replace('dataCentres: [dc-hanoi]', `dataCentres: [${Array.from({ length: MAX_ENTRIES_PER_COLLECTION }, () => 'X').join(', ')}]`);
  const { code, out } = await validateBytes('list.yaml', many);
  assert.is(code, 1);
  const lines = out.trimEnd().split('\n');
  assert.ok(lines.length <= 33, `${lines.length} lines`);
  assert.match(out, /more problems in this document not shown/);
});

test('wrong shapes: spec a string, metadata missing, a number where a list goes, a scalar document', async () => {
  const text = [
    'apiVersion: govcloud.dev/v1alpha1\nkind: DataCentre\nmetadata: {name: dc-a}\nspec: hello',
    'apiVersion: govcloud.dev/v1alpha1\nkind: DataCentre\nspec: {}',
    AGENCY.replace('dataCentres: [dc-hanoi]', 'dataCentres: 5'),
    '42',
    'apiVersion: govcloud.dev/v1alpha1\nkind: [Agency]\nmetadata: {name: x}',
  ].join('\n---\n');
  const { code, out } = await validateBytes('shapes.yaml', text);
  assert.is(code, 1);
  assert.match(out, /^shapes\.yaml:4: DataCentre\/dc-a: spec: must be a mapping of fields, not the string "hello"$/m);
  assert.match(out, /^shapes\.yaml:\d+: DataCentre\/\(no name\): metadata: required field is missing$/m);
  assert.match(out, /^shapes\.yaml:\d+: Agency\/btc: spec\.placement\.dataCentres: must be a list, not the number 5$/m);
  assert.match(out, /^shapes\.yaml:\d+: document is the number 42, not a Kubernetes object/m);
  assert.match(out, /^shapes\.yaml:\d+: kind: not a Kubernetes object: kind is missing or not a string$/m);
});

test('a v1 List: its items are checked as documents, with their own lines', async () => {
  const list = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: x}
  - apiVersion: govcloud.dev/v1alpha1
    kind: Agency
    metadata:
      name: btc
    spec:
      code: g12
`;
  const { code, out } = await validateBytes('list-kind.yaml', list);
  assert.is(code, 1);
  assert.match(out, /^list-kind\.yaml:12: Agency\/btc: spec\.code: "g12" is not an agency code/m);
  assert.match(out, /list-kind\.yaml: 2 objects in 1 file: .*1 agency.*1 other Kubernetes object \(not checked\)/);
});

test('an empty file and a comment-only file are fine: nothing in them', async () => {
  const { code, out } = await validateBytes('empty.yaml', '# nothing yet\n');
  assert.is(code, 0);
  assert.match(out, /empty\.yaml: 0 objects in 1 file: .*: valid$/m);
});

test('a byte-order mark and CRLF line endings are read as usual', async () => {
  const { code, out } = await validateBytes('crlf.yaml', '\ufeff' + 'apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: x\r\n');
  assert.is(code, 0, out);
});

test('a path that does not exist', async () => {
  const { code, out } = await cli(['validate', 'no/such/folder'], { cwd: dir });
  assert.is(code, 1);
  assert.match(out, /^no\/such\/folder:0: no such file or folder$/m);
});

test('a folder with a symlink loop is walked once', async () => {
  const loop = join(dir, 'loop');
  mkdirSync(loop);
  writeFileSync(join(loop, 'a.yaml'), AGENCY);
  symlinkSync(loop, join(loop, 'again'));
  const { code, out } = await cli(['validate', 'loop'], { cwd: dir });
  assert.match(out, /^loop: 1 object in 1 file: /m);
  assert.is(code, 1); // dc-hanoi does not exist
});

test('five thousand agencies in one file: every one is read and checked', async () => {
  const docs = Array.from({ length: 5000 }, (_, i) =>
    AGENCY.replace('name: btc', `name: a${i}`).replace(
      'code: G12',
      `code: K${String(i % 100).padStart(2, '0')}.${String(Math.floor(i / 100)).padStart(2, '0')}`,
    ),
  );
  const { code, out } = await validateBytes('big.yaml', docs.join('---\n'));
  assert.is(code, 1);
  assert.match(out, /big\.yaml: 5000 objects in 1 file/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
