/**
 * `govcloud audit --audit-log FILE...`: the access history from the hub API server's audit
 * log, for auditors: who requested, who granted, purpose, legal basis, window, who revoked,
 * and when each path opened and closed.
 */
import {
  AccessHistoryBuilder,
  csvText,
  selectAccesses,
  selectRefused,
  tableRow,
  TABLE_COLUMNS,
  type Access,
  type AccessHistory,
  type RefusedWrite,
} from '../../audit/index.ts';
import { normaliseAgencyCode } from '../../api/index.ts';
import { parseTime } from '../../model/window.ts';
import { parseNow, parseOptions } from '../args.ts';
import { readAuditLogs, type ReadSummary } from '../audit-log.ts';
import { UsageError, type Command } from '../command.ts';
import { EXIT, useColour, type Io } from '../io.ts';
import { paint, renderTable } from '../table.ts';

export const auditCommand: Command = {
  name: 'audit',
  usage: `Usage: govcloud audit --audit-log FILE... [--since DURATION|TIME] [--agency CODE|NAME] [--output table|csv|json] [--now RFC3339]

Reads the hub API server's audit log (JSON lines, as --audit-log-path writes it with the
chart's policy files/audit-policy.yaml; rotated files in any order, .gz ones too) and prints,
per access (an AccessRequest and the AccessGrant answering it, or two NetworkLinks naming each
other): who requested it and who granted it (user and groups, and who impersonated them),
when, the purpose and legal basis, the validity window, who changed, revoked or withdrew it,
and when the path opened and closed (the operator's status writes). Writes the API server
refused are listed too. Lines that are not audit events are counted and named (file:line)
on stderr; they never stop the reading.

Options:
  --audit-log FILE...      the log files (a shell glob: --audit-log /var/log/kubernetes/audit/*)
  --since DURATION|TIME    only accesses with something recorded since then, or open then:
                           a duration back from --now (90m, 24h, 30d) or an RFC 3339 time
  --agency CODE|NAME       only accesses this agency takes part in, by its Agency name or
                           its code (G01, 000.00.00.G22: from the Agency writes in the log)
  --output table|csv|json  table (default); csv: one row per access (RFC 4180); json: every
                           write of every access, the refused writes and the bad lines
  --now RFC3339            the time --since counts back from (default: now)

Exit codes: 0 printed (also with bad lines: they are reported), 1 unreadable file, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      'audit-log': { value: true },
      since: { value: true },
      agency: { value: true },
      output: { value: true, choices: ['table', 'csv', 'json'], short: 'o' },
      now: { value: true },
    });
    const first = values['audit-log'] as string | undefined;
    if (first === undefined) throw new UsageError('name the audit log with --audit-log FILE...');
    const files = [first, ...positionals];
    const now = parseNow(values.now as string | undefined);
    const since = values.since === undefined ? undefined : parseSince(values.since as string, now);
    const output = (values.output as string | undefined) ?? 'table';
    const builder = new AccessHistoryBuilder();
    const summary = await readAuditLogs(files, io.cwd, (r) => builder.add(r));
    const history = builder.result();
    const agencies = values.agency === undefined ? undefined : agencyNames(values.agency as string, history, io);
    const selection = { ...(since !== undefined ? { since } : {}), ...(agencies ? { agencies } : {}) };
    const accesses = selectAccesses(history, selection);
    const refused = selectRefused(history, accesses, selection);
    if (output === 'json') {
      io.stdout(JSON.stringify({ ...summary, writes: history.writes, agencyCodes: history.codes, accesses, refused }, null, 2) + '\n');
    } else if (output === 'csv') {
      io.stdout(csvText(accesses));
    } else {
      io.stdout(auditTable(accesses, refused, history.writes, summary, useColour(io)));
    }
    if (output !== 'json') reportBad(summary, io);
    return EXIT.ok;
  },
};

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: 90m, 24h, 30d, 1h30m back from now, or an RFC 3339 time. */
export function parseSince(text: string, now: Date): number {
  if (/^(\d+[smhd])+$/.test(text)) {
    let ms = 0;
    for (const m of text.matchAll(/(\d+)([smhd])/g)) ms += Number(m[1]) * UNITS[m[2]!]!;
    return now.getTime() - ms;
  }
  const time = parseTime(text);
  if (time === undefined) throw new UsageError(`--since must be a duration like 24h, 30d, 1h30m or an RFC 3339 time, not "${text}"`);
  return time;
}

/** The agency names an --agency value stands for: the name itself, or the agencies whose code it is. */
function agencyNames(value: string, history: AccessHistory, io: Io): string[] {
  const code = normaliseAgencyCode(value);
  const byCode = code.ok
    ? Object.entries(history.codes)
        .filter(([, c]) => c === code.code)
        .map(([name]) => name)
    : [];
  const named = history.accesses.some((a) => a.agencies.includes(value)) || value in history.codes;
  if (byCode.length === 0 && !named) io.stderr(`govcloud audit: no Agency named ${value} and none with that code in the log read\n`);
  return [...new Set([value, ...byCode])];
}

function auditTable(accesses: readonly Access[], refused: readonly RefusedWrite[], writes: number, summary: ReadSummary, colour: boolean): string {
  const s = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const out = [
    paint(
      `${accesses.length} access${accesses.length === 1 ? '' : 'es'} from ${s(summary.files.length, 'file')}: ${s(summary.lines, 'line')}, ${s(writes, 'write')} to govcloud.dev objects, ${s(summary.badLines, 'bad line')}`,
      'bold',
      colour,
    ) + '\n\n',
  ];
  if (accesses.length > 0)
    out.push(
      renderTable(
        TABLE_COLUMNS.map((header) => ({ header })),
        accesses.map(tableRow),
        { colour },
      ),
    );
  if (refused.length > 0) {
    out.push(`\n${paint(`Refused writes (${refused.length}):`, 'bold', colour)}\n`);
    for (const r of refused) {
      const by = r.actor.via ? `${r.actor.user} (via ${r.actor.via})` : r.actor.user;
      out.push(paint(`${r.time.replace(/\.\d+Z$/, 'Z')}  ${by}  ${r.verb} ${r.object}: HTTP ${r.code}`, 'yellow', colour) + '\n');
    }
  }
  return out.join('');
}

function reportBad(summary: ReadSummary, io: Io): void {
  if (summary.badLines === 0) return;
  for (const b of summary.bad) io.stderr(`${b.file}:${b.line}: ${b.message}\n`);
  const more = summary.badLines - summary.bad.length;
  io.stderr(`govcloud audit: ${summary.badLines} bad line${summary.badLines === 1 ? '' : 's'} skipped${more > 0 ? ` (${more} more not listed)` : ''}\n`);
}
