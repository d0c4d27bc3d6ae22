/**
 * A PlanDiff for people: a table for terminals and CI logs, Markdown for a pull-request
 * comment (the summary first, the details folded in <details>), and JSON for programs.
 */
import { renderTable } from '../cli/table.ts';
import type { PlatformObject } from '../model/rules.ts';
import type { DesiredObject, RenderIssue } from '../render/index.ts';
import type { AccessPair, Justification, RecordRef } from './access.ts';
import { valueText, type Changed, type FieldChange, type ListDiff } from './diff.ts';
import { boundedMarkdown, COMMENT_LIMIT, type Block } from './bounded-markdown.ts';
import { isEmpty, RESOURCES, type DataCentreChange, type PlanDiff } from './plan-diff.ts';

export interface BaseInfo {
  label: string;
  commit?: string;
  /** Errors govcloud validate finds at the base: the base is compared as far as it is valid. */
  errors: number;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function counts(d: ListDiff<unknown>): string {
  return `${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed`;
}

function objectName(o: DesiredObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

function recordName(o: PlatformObject | RecordRef): string {
  const namespace = 'metadata' in o ? o.metadata.namespace : o.namespace;
  const name = 'metadata' in o ? o.metadata.name : o.name;
  return `${o.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

function fieldLine(f: FieldChange): string {
  if (!('before' in f)) return `${f.path}: added ${valueText(f.after)}`;
  if (!('after' in f)) return `${f.path}: removed (was ${valueText(f.before)})`;
  return `${f.path}: ${valueText(f.before)} → ${valueText(f.after)}`;
}

export function justificationText(j: Justification): string {
  return `${j.basis}: ${j.records.map(recordName).join(' + ')}`;
}

export function windowText(p: AccessPair): string {
  const { validFrom, validUntil } = p.window;
  if (validFrom === undefined && validUntil === undefined) return 'no end';
  return `${validFrom ?? '…'} to ${validUntil ?? 'no end'}`;
}

function changesTotal(d: ListDiff<unknown>): number {
  return d.added.length + d.changed.length + d.removed.length;
}

/** One line: what the change does, in numbers. */
export function summary(diff: PlanDiff, base: BaseInfo): string {
  if (isEmpty(diff)) return `No change against ${base.label}`;
  const objects = diff.dataCentres.reduce((n, d) => n + changesTotal(d.objects), 0);
  const touched = diff.dataCentres.filter((d) => changesTotal(d.objects) > 0).length;
  return [
    `${plural(changesTotal(diff.records), 'govcloud record')} (${counts(diff.records)})`,
    `${plural(objects, 'Kubernetes object')} in ${plural(touched, 'data centre')}`,
    `access: ${diff.access.opened.length} opened, ${diff.access.closed.length} closed${diff.access.changed.length > 0 ? `, ${diff.access.changed.length} changed` : ''}`,
  ].join('; ');
}

function baseLine(base: BaseInfo): string {
  const at = base.commit ? ` (${base.commit.slice(0, 12)})` : '';
  const warn = base.errors > 0 ? `; the base has ${plural(base.errors, 'validation error')}: compared as far as it is valid` : '';
  return `against ${base.label}${at}${warn}`;
}

function quotaLines(d: DataCentreChange): string[] {
  return RESOURCES.flatMap((r) => {
    const q = d.quota[r];
    const c = d.capacity[r];
    if (q.delta === '0' && c.delta === '0') return [];
    const capacity = c.delta === '0' ? c.after : `${c.before} → ${c.after} (${c.delta})`;
    return [`${r}: quota ${q.before} → ${q.after} (${q.delta}) of capacity ${capacity}`];
  });
}

function listLines<T>(d: ListDiff<T>, name: (o: T) => string): string[] {
  const out: string[] = [];
  for (const o of d.added) out.push(`+ ${name(o)}`);
  for (const c of d.changed as Changed<T>[]) {
    out.push(`~ ${name(c.after)}`);
    for (const f of c.fields) out.push(`    ${fieldLine(f)}`);
  }
  for (const o of d.removed) out.push(`- ${name(o)}`);
  return out;
}

const ACCESS_HEADERS = ['DATA CENTRE', 'SOURCE', 'DESTINATION', 'PORT', 'VERDICT', 'JUSTIFIED BY', 'VALID'];
const CHANGED_HEADERS = [...ACCESS_HEADERS, 'BEFORE'];

/** What a changed pair was: only what differs. */
function beforeText(before: AccessPair, after: AccessPair): string {
  const parts: string[] = [];
  if (before.verdict !== after.verdict) parts.push(before.verdict);
  const justified = (p: AccessPair) => p.justifications.map(justificationText).join('; ');
  if (justified(before) !== justified(after)) parts.push(justified(before) || '(no govcloud record)');
  if (windowText(before) !== windowText(after)) parts.push(`valid ${windowText(before)}`);
  return parts.join('; ');
}

function changedRow(c: { before: AccessPair; after: AccessPair }): string[] {
  return [...accessRow(c.after), beforeText(c.before, c.after)];
}

function accessRow(p: AccessPair): string[] {
  const source = p.sourceWorkspace ? `${p.source} (${p.sourceWorkspace})` : p.source;
  return [p.dataCentre, source, p.destination, p.port, p.verdict, p.justifications.map(justificationText).join('; ') || '(no govcloud record)', windowText(p)];
}

function issueLine(i: RenderIssue): string {
  return `${i.owner.kind} ${i.owner.namespace ? `${i.owner.namespace}/` : ''}${i.owner.name}${i.field ? `: ${i.field}` : ''}: ${i.message}${i.dataCentre ? ` (in ${i.dataCentre})` : ''}`;
}

export function planDiffTable(diff: PlanDiff, base: BaseInfo, paths: readonly string[]): string {
  const out: string[] = [`Plan for ${paths.join(' ')} ${baseLine(base)} at ${diff.now}`, summary(diff, base), ''];
  if (changesTotal(diff.records) > 0) out.push('govcloud records:', ...listLines(diff.records, recordName), '');
  for (const d of diff.dataCentres) {
    const quota = quotaLines(d);
    if (changesTotal(d.objects) === 0 && quota.length === 0) continue;
    out.push(`Data centre ${d.dataCentre}: ${counts(d.objects)}`, ...listLines(d.objects, objectName), ...quota.map((q) => `  ${q}`), '');
  }
  for (const [title, pairs] of [
    ['Access opened', diff.access.opened],
    ['Access closed', diff.access.closed],
  ] as const) {
    out.push(`${title} (${pairs.length})${pairs.length === 0 ? ': none' : ''}`);
    if (pairs.length > 0)
      out.push(
        renderTable(
          ACCESS_HEADERS.map((header) => ({ header })),
          pairs.map(accessRow),
        ).trimEnd(),
      );
    out.push('');
  }
  if (diff.access.changed.length > 0) {
    out.push(
      `Access changed (${diff.access.changed.length}): open before and after`,
      renderTable(
        CHANGED_HEADERS.map((header) => ({ header })),
        diff.access.changed.map(changedRow),
      ).trimEnd(),
      '',
    );
  }
  for (const [title, issues] of [
    ['New issues', diff.issues.added],
    ['Issues resolved', diff.issues.resolved],
  ] as const) {
    if (issues.length > 0) out.push(`${title} (${issues.length}):`, ...issues.map((i) => `  ${issueLine(i)}`), '');
  }
  return out.join('\n').replace(/\n+$/, '\n');
}

/** Text safe in a Markdown table cell or paragraph: no markup, no HTML, no line breaks. */
export function markdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]<>|~&]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

function tableRow(cells: readonly string[]): string {
  return `| ${cells.map(markdownText).join(' | ')} |`;
}

/** A fence longer than any backtick run in the lines it holds. */
function fenceFor(lines: readonly string[]): string {
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...[...l.matchAll(/`+/g)].map((m) => m[0].length))));
  return '`'.repeat(longest + 1);
}

/** Lines folded in <details> as a fenced block, one item per line, cut where the comment's room ends. */
export function fencedBlock(name: string, title: string | undefined, lang: string, lines: readonly string[], tier: 0 | 1): Block {
  const fence = fenceFor(lines);
  const [open, close] =
    title === undefined
      ? [[], []]
      : [
          ['<details>', `<summary>${markdownText(title)}</summary>`, ''],
          ['', '</details>'],
        ];
  return { name, unit: 'lines', open: [...open, fence + lang], items: lines.map((l) => [l]), close: [fence, ...close, ''], tier };
}

function tableBlock(name: string, unit: string, title: string[], headers: readonly string[], rows: readonly (readonly string[])[]): Block {
  const table = [tableRow(headers), `|${headers.map(() => ' --- |').join('')}`];
  return {
    name,
    unit,
    open: rows.length > 0 ? [...title, ...table] : title,
    items: rows.map((r) => [tableRow(r)]),
    close: [''],
    tier: 0,
  };
}

const ACCESS_COLUMNS = ['Data centre', 'Source', 'Destination', 'Port', 'Verdict', 'Justified by', 'Valid'];

/**
 * The pull-request comment: the summary, the access opened, closed and changed, the counts per
 * data centre and new issues first; the records and each data centre's objects folded in
 * <details> after them. Within GitHub's comment limit: what does not fit is counted, not shown.
 */
export function planDiffMarkdown(diff: PlanDiff, base: BaseInfo, paths: readonly string[], limit = COMMENT_LIMIT): string {
  const head: string[] = [
    `### govcloud plan: ${markdownText(summary(diff, base))}`,
    '',
    markdownText(`${paths.join(' ')} ${baseLine(base)} at ${diff.now}`),
    '',
  ];
  if (isEmpty(diff)) return head.join('\n');
  const blocks: Block[] = [
    tableBlock(
      'access opened',
      'access pairs opened',
      [`**Access opened: ${diff.access.opened.length}**`, ''],
      ACCESS_COLUMNS,
      diff.access.opened.map(accessRow),
    ),
    tableBlock(
      'access closed',
      'access pairs closed',
      [`**Access closed: ${diff.access.closed.length}**`, ''],
      ACCESS_COLUMNS,
      diff.access.closed.map(accessRow),
    ),
  ];
  if (diff.access.changed.length > 0)
    blocks.push(
      tableBlock(
        'access changed',
        'access pairs changed',
        [`**Access changed: ${diff.access.changed.length}** (open before and after)`, ''],
        [...ACCESS_COLUMNS, 'Before'],
        diff.access.changed.map(changedRow),
      ),
    );
  const rows = diff.dataCentres.map((d) => [
    d.dataCentre,
    String(d.objects.added.length),
    String(d.objects.changed.length),
    String(d.objects.removed.length),
    RESOURCES.map((r) => `${r} ${d.quota[r].delta}`).join(', '),
  ]);
  blocks.push(tableBlock('the counts per data centre', 'data centres', [], ['Data centre', 'Objects added', 'Changed', 'Removed', 'Quota change'], rows));
  if (diff.issues.added.length > 0)
    blocks.push({
      name: 'new issues',
      unit: 'new issues',
      open: [`**New issues: ${diff.issues.added.length}** (asked for, not rendered)`, ''],
      items: diff.issues.added.map((i) => [`- ${markdownText(issueLine(i))}`]),
      close: [''],
      tier: 0,
    });
  if (changesTotal(diff.records) > 0)
    blocks.push(fencedBlock('the govcloud records', `govcloud records: ${counts(diff.records)}`, 'diff', listLines(diff.records, recordName), 1));
  for (const d of diff.dataCentres) {
    const quota = quotaLines(d);
    if (changesTotal(d.objects) === 0 && quota.length === 0) continue;
    const lines = [...listLines(d.objects, objectName), ...quota.map((q) => `  ${q}`)];
    blocks.push(fencedBlock(`${d.dataCentre}'s objects`, `${d.dataCentre}: ${counts(d.objects)}`, 'diff', lines, 1));
  }
  if (diff.issues.resolved.length > 0)
    blocks.push({
      name: 'issues resolved',
      unit: 'issues resolved',
      open: ['<details>', `<summary>${markdownText(`Issues resolved: ${diff.issues.resolved.length}`)}</summary>`, ''],
      items: diff.issues.resolved.map((i) => [`- ${markdownText(issueLine(i))}`]),
      close: ['', '</details>', ''],
      tier: 1,
    });
  return boundedMarkdown(head, blocks, limit);
}

export function planDiffJson(diff: PlanDiff, base: BaseInfo): unknown {
  return { base, summary: summary(diff, base), ...diff };
}
