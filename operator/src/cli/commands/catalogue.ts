/**
 * `govcloud catalogue PATH...`: the shared data services of a platform, for agencies and
 * auditors: owner, identifier, data class, sharing, data centres and consumers at a time.
 */
import { catalogue, consumersText, dataCentresText, type CatalogueEntry } from '../../catalogue/index.ts';
import { parseNow, parseOptions } from '../args.ts';
import { loadAndValidate, printProblems } from '../check.ts';
import { UsageError, type Command } from '../command.ts';
import { EXIT, useColour } from '../io.ts';
import { paint, renderTable } from '../table.ts';

export const catalogueCommand: Command = {
  name: 'catalogue',
  usage: `Usage: govcloud catalogue PATH... [--output table|json|markdown] [--now RFC3339]

Validates the files and folders given (invalid input prints the problems and exits 1), then
lists every SharedDataService: its owner (the agency whose hub namespace holds it, never a
field), its identifier VN/GOV/<owner code>/<subsystem>/<service>/<version> with the owner's
normalised code, data class, sharing mode, the data centres it runs in (an agency's own data
centre, inherited or dedicated, shown as that agency's) and its consumers.

Consumers are those the operator would open the network to at --now: for onRequest, the
workspaces named by both a consumer's AccessRequest and the owner's AccessGrant, both inside
their validity windows; for default and open, every agency's workspaces.

Options:
  --output table|json|markdown   table (default); json: every field and the request/grant
                                 pairs; markdown: a table and the access details, for a wiki
  --now RFC3339                  the time windows are judged at (default: now)

Exit codes: 0 listed, 1 invalid input, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      output: { value: true, choices: ['table', 'json', 'markdown'], short: 'o' },
      now: { value: true },
    });
    if (positionals.length === 0) throw new UsageError('name at least one file or folder');
    const now = parseNow(values.now as string | undefined);
    const output = (values.output as string | undefined) ?? 'table';
    const result = await loadAndValidate(positionals, io);
    if (result.errors.length > 0) {
      printProblems(positionals, result, output, io);
      return EXIT.invalid;
    }
    const entries = catalogue(result.platform, now);
    if (output === 'json') io.stdout(JSON.stringify({ now: now.toISOString(), services: entries }, null, 2) + '\n');
    else if (output === 'markdown') io.stdout(catalogueMarkdown(entries, now));
    else io.stdout(catalogueTable(entries, now, useColour(io)));
    return EXIT.ok;
  },
};

const HEADERS = ['OWNER', 'SERVICE', 'IDENTIFIER', 'CLASS', 'SHARING', 'DATA CENTRES', 'CONSUMERS'];

function row(e: CatalogueEntry): string[] {
  return [e.owner ?? '(no agency)', `${e.name} (${e.displayName})`, e.identifier ?? '-', e.dataClass, e.sharing, dataCentresText(e), consumersText(e)];
}

export function catalogueTable(entries: readonly CatalogueEntry[], now: Date, colour: boolean): string {
  const out = [paint(`${entries.length} shared data service${entries.length === 1 ? '' : 's'} at ${now.toISOString()}`, 'bold', colour) + '\n\n'];
  if (entries.length > 0)
    out.push(
      renderTable(
        HEADERS.map((header) => ({ header })),
        entries.map(row),
        { colour },
      ),
    );
  const issues = entries.flatMap((e) => e.issues.map((i) => `${e.ref}: ${i}`));
  if (issues.length > 0) out.push(`\n${paint('Not rendered as asked:', 'bold', colour)}\n${issues.map((i) => paint(i, 'yellow', colour) + '\n').join('')}`);
  return out.join('');
}

const md = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function catalogueMarkdown(entries: readonly CatalogueEntry[], now: Date): string {
  const lines = [`# Shared data services`, '', `At ${now.toISOString()}: ${entries.length} service${entries.length === 1 ? '' : 's'}.`, ''];
  lines.push(`| ${['Owner', 'Service', 'Identifier', 'Class', 'Sharing', 'Data centres', 'Consumers'].join(' | ')} |`);
  lines.push(`|${' --- |'.repeat(7)}`);
  for (const e of entries) {
    const owner = e.owner ? `${e.ownerDisplayName ?? e.owner} (\`${e.owner}\`)` : '(no agency)';
    const cells = [
      owner,
      `${e.displayName} (\`${e.name}\`)`,
      e.identifier ? `\`${e.identifier}\`` : '-',
      e.dataClass,
      e.sharing,
      dataCentresText(e),
      consumersText(e),
    ];
    lines.push(`| ${cells.map(md).join(' | ')} |`);
  }
  const onRequest = entries.filter((e) => e.access.length > 0);
  if (onRequest.length > 0) {
    lines.push('', '## Access granted on request', '');
    for (const e of onRequest) {
      lines.push(`### ${md(e.displayName)} (\`${e.identifier ?? e.ref}\`)`, '');
      for (const a of e.access) lines.push(`- ${md(a.consumer)}: workspaces ${a.workspaces.join(', ')} (request \`${a.request}\`, grant \`${a.grant}\`)`);
      lines.push('');
    }
  }
  return lines.join('\n').replace(/\n*$/, '\n');
}
