/**
 * Random bytes and random mutations of the samples (seeded, bounded): validation never
 * throws, the CLI exits 0 or 1, every problem names a file. Where a mutation still
 * validates, the renderers must take the platform too.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_DOCUMENTS_PER_FILE, MAX_ENTRIES_PER_COLLECTION, MAX_NODES_PER_FILE } from '../../src/load/documents.ts';
import { renderPlatform } from '../../src/render/index.ts';
import { validateSources, type ValidationResult } from '../../src/validate/index.ts';
import { cli, sampleSources } from './helpers.ts';

/** mulberry32: small, fast, reproducible. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

const SEED = Number(process.env.GOVCLOUD_FUZZ_SEED ?? 20260101);
const CASES = Number(process.env.GOVCLOUD_FUZZ_CASES ?? 250);
const NOW = new Date('2026-01-01T00:00:00Z');

const TOKENS = [
  '',
  ' ',
  '\n',
  '\t',
  ':',
  ': ',
  '- ',
  '-',
  '[',
  ']',
  '{',
  '}',
  ',',
  '"',
  "'",
  '#',
  '&a ',
  '*a',
  '!!str ',
  '!!binary ',
  '? ',
  '|',
  '>',
  '---\n',
  '...\n',
  'null',
  '~',
  'true',
  'false',
  '0',
  '-1',
  '1e309',
  '0x1F',
  '.nan',
  '99999999999999999999',
  '2.5',
  '"3"',
  '[]',
  '{}',
  '[[[]]]',
  'stateSecret',
  'govcloud-x',
  'dc-hanoi',
  'G22',
  '000.00.00.G22',
  '000.05.00.G22',
  'Ingress',
  'onRequest',
  '0.0.0.0/0',
  '::/0',
  '2030-01-01T00:00:00Z',
  '2020-01-01T00:00:00Z',
  'Đà Nẵng',
  '\u0000',
  '\ufeff',
  '\u202e',
  '💥',
  'apiVersion: v1\n',
  'kind: List\nitems: [1]\n',
  '__proto__',
  'constructor',
  'metadata',
  'spec',
  'namespace: default',
  'namespace: govcloud-ghost',
];

function mutate(bytes: Uint8Array, r: ReturnType<typeof prng>): Uint8Array {
  let text = Buffer.from(bytes).toString('utf8');
  const edits = 1 + r.int(4);
  for (let e = 0; e < edits; e++) {
    const lines = text.split('\n');
    const at = r.int(lines.length);
    switch (r.int(8)) {
      case 0: // replace a value with a token
        lines[at] = lines[at]!.replace(/:\s.*$/, `: ${r.pick(TOKENS)}`);
        break;
      case 1: // insert a token anywhere
        {
          const pos = r.int(text.length + 1);
          text = text.slice(0, pos) + r.pick(TOKENS) + text.slice(pos);
        }
        continue;
      case 2: // delete a line
        lines.splice(at, 1);
        break;
      case 3: // duplicate a line
        lines.splice(at, 0, lines[at] ?? '');
        break;
      case 4: // re-indent a line
        lines[at] = ' '.repeat(r.int(6)) + (lines[at] ?? '').trimStart();
        break;
      case 5: // swap two lines
        {
          const other = r.int(lines.length);
          [lines[at], lines[other]] = [lines[other]!, lines[at]!];
        }
        break;
      case 6: // truncate
        text = text.slice(0, r.int(text.length + 1));
        continue;
      default: {
        // flip a byte
        const b = Buffer.from(text, 'utf8');
        if (b.length > 0) b[r.int(b.length)] = r.int(256);
        return new Uint8Array(b);
      }
    }
    text = lines.join('\n');
  }
  return new TextEncoder().encode(text);
}

function randomBytes(r: ReturnType<typeof prng>): Uint8Array {
  const n = r.int(3000);
  if (r.next() < 0.5) return new Uint8Array(n).map(() => r.int(256));
  // YAML-ish noise: tokens glued together.
  let s = '';
  while (s.length < n) s += r.pick(TOKENS) + (r.next() < 0.3 ? '\n' : '') + (r.next() < 0.2 ? 'k' + r.int(9) + ': ' : '');
  return new TextEncoder().encode(s);
}

function checkResult(result: ValidationResult, files: readonly string[], label: string) {
  for (const p of [...result.errors, ...result.warnings]) {
    assert.ok(typeof p.file === 'string' && p.file.length > 0, `${label}: a problem without a file: ${JSON.stringify(p)}`);
    assert.ok(files.includes(p.file), `${label}: a problem names an unknown file: ${p.file}`);
    assert.ok(Number.isInteger(p.line) && p.line >= 0, `${label}: bad line ${p.line}`);
    assert.ok(typeof p.message === 'string' && p.message.length > 0 && !p.message.includes('\n    at '), `${label}: ${p.message}`);
  }
}

test(`random bytes (${CASES} cases, seed ${SEED}): no exception, every problem names its file`, () => {
  const r = prng(SEED);
  for (let i = 0; i < CASES; i++) {
    const file = `fuzz/random-${i}.yaml`;
    const bytes = randomBytes(r);
    let result: ValidationResult;
    try {
      result = validateSources([{ file, bytes }]);
    } catch (err) {
      assert.unreachable(`case ${i} threw: ${(err as Error).stack}\ninput: ${JSON.stringify(Buffer.from(bytes).toString('latin1'))}`);
      return;
    }
    checkResult(result, [file], `case ${i}`);
  }
});

test(`mutated samples (${CASES} cases, seed ${SEED}): no exception, every problem names its file, valid ones render`, () => {
  const r = prng(SEED + 1);
  const base = sampleSources();
  let stillValid = 0;
  for (let i = 0; i < CASES; i++) {
    const which = r.int(base.length);
    const files = base.map((s, j) => (j === which ? { file: s.file, bytes: mutate(s.bytes, r) } : s));
    let result: ValidationResult;
    try {
      result = validateSources(files);
    } catch (err) {
      assert.unreachable(`case ${i} (${base[which]!.file}) threw: ${(err as Error).stack}\ninput: ${Buffer.from(files[which]!.bytes).toString('utf8')}`);
      return;
    }
    checkResult(
      result,
      files.map((f) => f.file),
      `case ${i}`,
    );
    if (result.errors.length === 0) {
      stillValid++;
      try {
        renderPlatform(result.platform, NOW);
      } catch (err) {
        assert.unreachable(`case ${i}: a valid platform does not render: ${(err as Error).stack}\ninput: ${Buffer.from(files[which]!.bytes).toString('utf8')}`);
      }
    }
  }
  assert.ok(stillValid > 0, 'some mutations keep the platform valid (the renderers get exercised)');
});

/** A repeated shape, seeded, sized near or past one of the reader's limits. */
function oversized(r: ReturnType<typeof prng>): { text: string; over: boolean } {
  const shapes: [(n: number) => string, number][] = [
    [(n) => `spec:\n  groups:\n    admins: [${Array(n).fill('1').join(',')}]\n`, MAX_ENTRIES_PER_COLLECTION],
    [(n) => `list:\n${'- x\n'.repeat(n)}`, MAX_ENTRIES_PER_COLLECTION],
    [(n) => `m:\n${Array.from({ length: n }, (_, i) => `  k${i}: 1\n`).join('')}`, MAX_ENTRIES_PER_COLLECTION],
    [(n) => 'a: 1\n' + '---\na: 1\n'.repeat(n - 1), MAX_DOCUMENTS_PER_FILE],
    // About n nodes (fewer by up to 3): lines `kI: [1,1,...]` of a key, an entry, a list and its items.
    [
      (n) =>
        Array.from(
          { length: Math.ceil(n / 4003) },
          (_, i) =>
            `k${i}: [${Array(Math.max(0, Math.min(4000, n - i * 4003 - 3)))
              .fill('1')
              .join(',')}]\n`,
        ).join(''),
      MAX_NODES_PER_FILE,
    ],
  ];
  const [make, limit] = r.pick(shapes);
  const over = r.next() < 0.5;
  return { text: make(over ? limit + 4 + r.int(limit) : limit - r.int(Math.min(limit, 100)) - 2), over };
}

test(`inputs near the reader's limits (seed ${SEED}): refused with file and line past a limit, read below it`, () => {
  const r = prng(SEED + 3);
  for (let i = 0; i < 12; i++) {
    const file = `fuzz/limit-${i}.yaml`;
    const { text, over } = oversized(r);
    const result = validateSources([{ file, bytes: new TextEncoder().encode(text) }]);
    checkResult(result, [file], `case ${i}`);
    const limitProblems = result.errors.filter((e) => /^more than \d+ /.test(e.message));
    if (over) {
      assert.is(limitProblems.length, 1, `case ${i}: ${result.errors.map((e) => e.message).join('; ')}`);
      assert.ok(limitProblems[0]!.line > 1, `case ${i}: the line where the limit is crossed, not the file's start`);
    } else assert.equal(limitProblems, [], `case ${i}`);
  }
});

test('through the CLI on files: exit code 0 or 1, never 70, no stack trace', async () => {
  const r = prng(SEED + 2);
  const dir = mkdtempSync(join(tmpdir(), 'govcloud-fuzz-'));
  try {
    const base = sampleSources();
    for (let i = 0; i < 40; i++) {
      const name = `case-${i}.yaml`;
      const bytes = i % 2 === 0 ? randomBytes(r) : mutate(r.pick(base).bytes, r);
      writeFileSync(join(dir, name), bytes);
      for (const command of ['validate', 'plan']) {
        const { code, out, err } = await cli([command, name, '--now', '2026-01-01T00:00:00Z'].slice(0, command === 'plan' ? 4 : 2), { cwd: dir });
        assert.ok(code === 0 || code === 1, `${command} ${name}: exit ${code}\n${err}`);
        assert.not.match(out + err, /\n\s+at .*\(/, 'no stack trace');
        if (code === 1 && command === 'validate') {
          for (const line of out.trimEnd().split('\n').slice(0, -1)) assert.ok(line.startsWith(`${name}:`), `${line} names the file`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
