/**
 * The access history as flat rows: one per access, the columns an auditor puts in a
 * spreadsheet (CSV, RFC 4180) or reads in a terminal table. Several open periods of one access
 * share a cell, separated by "; ".
 */
import type { Actor } from './event.ts';
import type { Access, Period, Step } from './history.ts';

export const CSV_COLUMNS = [
  'kind',
  'consumer',
  'provider',
  'service',
  'request',
  'requested_by',
  'requested_groups',
  'requested_via',
  'requested_at',
  'grant',
  'granted_by',
  'granted_groups',
  'granted_via',
  'granted_at',
  'purpose',
  'legal_basis',
  'valid_from',
  'valid_until',
  'opened_at',
  'closed_at',
  'closed_reason',
  'ended_by',
  'ended_at',
  'ended_how',
  'changes',
] as const;

const join = (values: (string | undefined)[]) => values.map((v) => v ?? '').join('; ');
const actorCells = (step: Step | undefined) => [step?.actor.user ?? '', step?.actor.groups.join(' ') ?? '', step?.actor.via ?? '', step?.time ?? ''];

function changesText(a: Access): string {
  return [a.request, a.grant]
    .filter((s) => s !== undefined)
    .flatMap((s) => s.changes.map((c) => `${c.time} ${c.actor.user} changed ${s.kind} ${s.ref} (${c.fields.join(', ')})`))
    .sort()
    .join('; ');
}

export function csvRow(a: Access): string[] {
  return [
    a.kind,
    a.consumer,
    a.provider,
    a.service ?? '',
    a.request?.ref ?? '',
    ...actorCells(a.request?.created),
    a.grant?.ref ?? '',
    ...actorCells(a.grant?.created),
    a.purpose ?? '',
    a.legalBasis ?? '',
    a.window.from ?? '',
    a.window.until ?? '',
    join(a.periods.map((p) => p.opened.time)),
    join(a.periods.map((p) => p.closed?.time)),
    join(a.periods.map((p) => p.closed?.reason)),
    a.ended?.actor?.user ?? '',
    a.ended?.time ?? '',
    a.ended?.how ?? '',
    changesText(a),
  ];
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** RFC 4180: a header line, CRLF line ends, cells quoted where they must be. */
export function csvText(accesses: readonly Access[]): string {
  return [CSV_COLUMNS as readonly string[], ...accesses.map(csvRow)].map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}

/** Seconds are enough for people; JSON and CSV keep the log's microseconds. */
const short = (time: string | undefined) => (time === undefined ? '' : time.replace(/\.\d+Z$/, 'Z'));
const who = (actor: Actor | undefined) => (actor === undefined ? '' : actor.via ? `${actor.user} (via ${actor.via})` : actor.user);
const byAt = (step: Step | undefined, missing: string) => (step ? `${who(step.actor)} ${short(step.time)}` : missing);

export const TABLE_COLUMNS = ['ACCESS', 'REQUESTED', 'GRANTED', 'PURPOSE', 'LEGAL BASIS', 'WINDOW', 'OPEN', 'ENDED'] as const;

function periodText(p: Period): string {
  return `${short(p.opened.time)} → ${p.closed ? `${short(p.closed.time)}${p.closed.reason ? ` (${p.closed.reason})` : ''}` : 'open'}`;
}

export function tableRow(a: Access): string[] {
  const what = a.kind === 'service' ? `${a.consumer} → ${a.provider}/${a.service ?? '?'}` : `link ${a.consumer} → ${a.provider}`;
  const before = 'before the log';
  return [
    what,
    a.request ? byAt(a.request.created, before) : 'none',
    a.grant ? byAt(a.grant.created, before) : a.kind === 'link' && a.request?.spec.peer && !isAgencyPeer(a) ? 'n/a (external)' : 'none',
    a.purpose ?? '',
    a.legalBasis ?? '',
    a.window.from || a.window.until ? `${short(a.window.from) || '…'} – ${short(a.window.until) || '…'}` : 'no end',
    a.periods.length > 0 ? a.periods.map(periodText).join('; ') : 'never',
    a.ended ? `${a.ended.actor ? `${who(a.ended.actor)}: ` : ''}${a.ended.how} ${short(a.ended.time)}` : '',
  ];
}

function isAgencyPeer(a: Access): boolean {
  const peer = a.request?.spec.peer as { agency?: unknown } | undefined;
  return peer?.agency !== undefined;
}
