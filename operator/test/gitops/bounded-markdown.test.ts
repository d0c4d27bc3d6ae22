/**
 * plan --output markdown within GitHub's comment limit: a huge change keeps the summary and
 * the access opened and closed first, cuts the rest with a count of what is left out, and
 * still parses as Markdown (marked's lexer, as GitHub's renderer would read it).
 */
import { marked, type Token, type Tokens } from 'marked';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { COMMENT_LIMIT } from '../../src/gitops/bounded-markdown.ts';
import { planDiff, type PlanDiff } from '../../src/gitops/plan-diff.ts';
import { planDiffMarkdown } from '../../src/gitops/report.ts';
import type { DesiredObject } from '../../src/render/index.ts';
import { GRANT_FOR_THUE, NOW, POPULATION_FOR_THUE, samplesWith } from './fixtures.ts';

const BASE = { label: 'origin/main', commit: '0c12adec941c0c12adec941c', errors: 0 };
const OPENED = 3000;
const CLOSED = 5;
const OBJECTS = 4000;

/** The samples with one request and grant, then inflated: thousands of pairs and objects, as a change to hundreds of agencies would make. */
export function hugeDiff(): PlanDiff {
  const d = planDiff(samplesWith({}).platform, samplesWith({ 'samples/tenants/btc/thue.yaml': POPULATION_FOR_THUE + '---\n' + GRANT_FOR_THUE }).platform, NOW);
  const pair = d.access.opened[0]!;
  const hanoi = d.dataCentres.find((x) => x.dataCentre === 'dc-hanoi')!;
  const object = hanoi.objects.added[0]!;
  const many = (n: number, name: (i: number) => string): DesiredObject[] =>
    Array.from({ length: n }, (_, i) => ({ ...object, metadata: { ...object.metadata, name: name(i) } }));
  return {
    ...d,
    access: {
      opened: Array.from({ length: OPENED }, (_, i) => ({ ...pair, source: `${pair.source}-${i}` })),
      closed: Array.from({ length: CLOSED }, (_, i) => ({ ...pair, source: `gone-${i}` })),
      changed: [],
    },
    dataCentres: d.dataCentres.map((x) =>
      x.dataCentre === 'dc-hanoi' ? { ...x, objects: { ...x.objects, added: many(OBJECTS, (i) => `govcloud-use-${i}`) } } : x,
    ),
  };
}

function lex(md: string): Token[] {
  return marked.lexer(md).filter((t) => t.type !== 'space');
}

const moreCount = (t: Token | undefined, unit: string): number => {
  assert.is(t?.type, 'paragraph');
  const m = new RegExp(`^… and (\\d+) more ${unit} not shown here \\(a comment holds 65536 characters\\): the full plan is in the CI job's artifacts\\.$`).exec(
    (t as Tokens.Paragraph).tokens.map((x) => ('text' in x ? x.text : '')).join(''),
  );
  assert.ok(m, `a line counting the ${unit} left out: ${t?.raw}`);
  return Number(m![1]);
};

test('a huge change: under the limit, the summary first, every pair counted, the small closed table whole, and it parses', () => {
  const md = planDiffMarkdown(hugeDiff(), BASE, ['platform', 'agencies']);
  assert.ok(md.length <= COMMENT_LIMIT, `${md.length} characters`);
  assert.ok(md.length > COMMENT_LIMIT - 5_000, 'the room is used, not thrown away');
  const tokens = lex(md);
  const heading = tokens[0] as Tokens.Heading;
  assert.is(heading.type, 'heading');
  assert.match(heading.text, new RegExp(`^govcloud plan: 2 govcloud records .*; access: ${OPENED} opened, ${CLOSED} closed$`));

  // Access opened: its table cut, the rest counted exactly, right after it.
  const tables = tokens.filter((t): t is Tokens.Table => t.type === 'table');
  const opened = tables[0]!;
  assert.ok(opened.rows.length > 10 && opened.rows.length < OPENED, `${opened.rows.length} rows shown`);
  assert.is(opened.rows[0]![1]!.text, 'btc-thue-0 (btc/thue)');
  assert.is(opened.rows.length + moreCount(tokens[tokens.indexOf(opened) + 1], 'access pairs opened'), OPENED);
  // Access closed: small, so whole, though the opened table alone would fill the comment.
  const closed = tables[1]!;
  assert.is(closed.rows.length, CLOSED);
  assert.equal(
    closed.rows.map((r) => r[1]!.text),
    Array.from({ length: CLOSED }, (_, i) => `gone-${i} (btc/thue)`),
  );
  // The counts per data centre: whole.
  assert.equal(
    tables[2]!.rows.map((r) => [r[0]!.text, r[1]!.text]),
    [
      ['dc-danang', '0'],
      ['dc-hanoi', String(OBJECTS)],
      ['dc-hcm', '0'],
    ],
  );
  // The details come after, folded; dc-hanoi's objects cut with a count of the lines left out.
  const summaryEnd = tokens.indexOf(tables[2]!);
  const html = tokens.filter((t) => t.type === 'html');
  assert.ok(tokens.findIndex((t) => t.type === 'html' && t.raw.startsWith('<details>')) > summaryEnd);
  assert.is(html.filter((t) => t.raw.includes('<details>')).length, html.filter((t) => t.raw.includes('</details>')).length);
  const codes = tokens.filter((t): t is Tokens.Code => t.type === 'code');
  assert.ok(codes.every((c) => c.lang === 'diff'));
  const objects = codes.find((c) => c.text.startsWith('+ NetworkPolicy btc-thue/govcloud-use-0'));
  if (objects) {
    const shown = objects.text.split('\n').length;
    // The changed policy and its two field lines follow the 4000 added ones.
    // The count comes after </details>, in sight when the details are folded.
    assert.is(tokens[tokens.indexOf(objects) + 1]!.raw.trim(), '</details>');
    assert.is(shown + moreCount(tokens[tokens.indexOf(objects) + 2], 'lines'), OBJECTS + 3);
  } else assert.match(md, /\*\*Not shown\*\* \(a comment holds 65536 characters\): .*dc-hanoi's objects \(4003 lines\)/);
  assert.not.match(md, /<script/);
});

test('a comment within the limit is left whole: nothing counted as left out', () => {
  const d = planDiff(samplesWith({}).platform, samplesWith({ 'samples/tenants/btc/thue.yaml': POPULATION_FOR_THUE + '---\n' + GRANT_FOR_THUE }).platform, NOW);
  const md = planDiffMarkdown(d, BASE, ['samples']);
  assert.not.match(md, /not shown/i);
  const tokens = lex(md);
  assert.is(tokens.filter((t) => t.type === 'table').length, 2);
  assert.ok(tokens.filter((t): t is Tokens.Code => t.type === 'code').some((c) => c.text.includes('+ NetworkPolicy btc-thue/govcloud-use-bca.population')));
});

test('any limit: under it, balanced, and every part either shown (whole or counted) or named in one closing line', () => {
  const diff = hugeDiff();
  for (const limit of [3_500, 6_000, 20_000, COMMENT_LIMIT]) {
    const md = planDiffMarkdown(diff, BASE, ['platform', 'agencies'], limit);
    assert.ok(md.length <= limit, `${md.length} > ${limit}`);
    const tokens = lex(md);
    assert.is(tokens[0]!.type, 'heading');
    const html = tokens.filter((t) => t.type === 'html');
    assert.is(html.filter((t) => t.raw.includes('<details>')).length, html.filter((t) => t.raw.includes('</details>')).length, `${limit}`);
    const last = tokens[tokens.length - 1]!;
    const omitted = last.type === 'paragraph' && last.raw.startsWith('**Not shown**') ? last.raw : '';
    if (limit === 3_500) assert.ok(omitted, 'so tight that some parts are left out whole');
    if (omitted) assert.match(omitted, /; the full plan is in the CI job's artifacts\.\n?$/);
    for (const [shown, named] of [
      [`**Access opened: ${OPENED}**`, `access opened (${OPENED} access pairs opened)`],
      [`**Access closed: ${CLOSED}**`, `access closed (${CLOSED} access pairs closed)`],
      ['| Data centre | Objects added |', 'the counts per data centre (3 data centres)'],
      ['<summary>govcloud records:', 'the govcloud records (2 lines)'],
      ['<summary>dc-hanoi:', "dc-hanoi's objects (4003 lines)"],
    ] as const)
      assert.ok(md.includes(shown) !== omitted.includes(named), `${limit}: ${shown} shown, or ${named} named, not both`);
  }
});

test.run();
