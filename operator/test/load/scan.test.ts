// The streaming count of keys and items (scan.ts) against the parser's: in every YAML shape a
// GitOps file uses, a collection at the limit passes and one entry more is refused, and
// collections that only share a column are never counted as one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import { MAX_ENTRIES_PER_COLLECTION, scanLimits } from '../../src/load/scan.ts';

const N = MAX_ENTRIES_PER_COLLECTION;
const times = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('');

/** Each shape: a document whose one long collection has `n` entries, among others at the same columns. */
const SHAPES: Record<string, { text: (n: number) => string; refusal: RegExp }> = {
  'block list at its key column, siblings after': {
    text: (n) => `spec:\n  admins:\n  ${times(n, (i) => `- u${i}\n  `)}other: [a, b]\n  more:\n  - x\n`,
    refusal: /items in one list/,
  },
  'keys whose lists sit at their own column': {
    text: (n) => `m:\n${times(n, (i) => `  k${i}:\n  - a\n  - b\n`)}`,
    refusal: /keys in one mapping/,
  },
  'block list indented under its key': {
    text: (n) => `spec:\n  admins:\n${times(n, (i) => `    - u${i}\n`)}  after: 1\n`,
    refusal: /items in one list/,
  },
  'list of mappings, three keys each': {
    text: (n) => `items:\n${times(n, (i) => `- name: n${i}\n  kind: K\n  spec: {a: 1}\n`)}`,
    refusal: /items in one list/,
  },
  'mapping of mappings at the same columns': {
    text: (n) => `data:\n${times(n, (i) => `  k${i}:\n    a: 1\n    b: [1, 2]\n`)}`,
    refusal: /keys in one mapping/,
  },
  'keys with anchors, tags and quotes': {
    text: (n) => `m:\n${times(n, (i) => (i % 3 === 0 ? `  &a${i} k${i}: v\n` : i % 3 === 1 ? `  !!str k${i}: v\n` : `  "k${i}": v\n`))}`,
    refusal: /keys in one mapping/,
  },
  'block scalars and multi-line values between keys': {
    text: (n) => `m:\n${times(n, (i) => (i % 2 === 0 ? `  k${i}: |\n    line one\n    line two\n` : `  k${i}: plain\n    continued\n`))}`,
    refusal: /keys in one mapping/,
  },
  'explicit keys': {
    text: (n) => `m:\n${times(n, (i) => `  ? k${i}\n  : v\n`)}`,
    refusal: /keys in one mapping/,
  },
  'nested compact lists': {
    text: (n) => `- - a\n${times(n - 1, (i) => `  - b${i}\n`)}- - c\n  - d\n`,
    refusal: /items in one list/,
  },
  'flow list': {
    text: (n) => `spec:\n  admins: [${times(n, (i) => `${i === 0 ? '' : ', '}u${i}`)}]\n  x: [1, 2]\n`,
    refusal: /items in one list/,
  },
  'flow mapping over lines': {
    text: (n) => `labels: {\n${times(n, (i) => `${i === 0 ? '' : ',\n'}  k${i}: v`)}\n}\nother: {a: 1}\n`,
    refusal: /keys in one mapping/,
  },
  'comments between entries': {
    text: (n) => `m:\n${times(n, (i) => `  # about k${i}\n  k${i}: v  # trailing\n`)}`,
    refusal: /keys in one mapping/,
  },
};

/** The parser's own count of the largest collection, to hold the shapes to what they claim. */
function largest(text: string): number {
  let most = 0;
  for (const doc of parseAllDocuments(text, { uniqueKeys: false }) as ReturnType<typeof parseAllDocuments> & unknown[]) {
    assert.equal(doc.errors, [], 'the shape is valid YAML');
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) {
        most = Math.max(most, v.length);
        v.forEach(walk);
      } else if (v !== null && typeof v === 'object') {
        const values = Object.values(v);
        most = Math.max(most, values.length);
        values.forEach(walk);
      }
    };
    walk(doc.toJS());
  }
  return most;
}

for (const [name, shape] of Object.entries(SHAPES)) {
  test(`${name}: ${N} entries pass, ${N + 1} are refused while scanning`, () => {
    assert.is(scanLimits(shape.text(N)), undefined);
    const over = shape.text(N + 1);
    assert.is(largest(over), N + 1);
    const problem = scanLimits(over);
    assert.ok(problem, 'refused');
    assert.match(problem.message, shape.refusal);
  });
}

test('each document counts afresh: three documents of 3,000 keys at the same column pass', () => {
  const doc = `m:\n${times(3000, (i) => `  k${i}: v\n`)}`;
  assert.is(scanLimits([doc, doc, doc].join('---\n')), undefined);
});

test('the refusal points at the entry over the limit', () => {
  const text = `m:\n${times(N + 1, (i) => `  k${i}: v\n`)}`;
  const problem = scanLimits(text)!;
  assert.is(text.slice(0, problem.offset).split('\n').length, N + 2);
});

test.run();
