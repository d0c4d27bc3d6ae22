/**
 * What `govcloud connectivity` prints besides --explain and --probe: the summary (the
 * default: counts, and the open paths grouped by destination) and the detail (--detail: every
 * path), as text or JSON. The detail JSON is written as it is produced, one item a line, so
 * that a platform of thousands of workspaces never becomes one giant string.
 */
import type { CrossCell } from '../../connectivity/govcloud.ts';
import { destinationLabel } from '../../connectivity/matrix.ts';
import { matrixJson, type MatrixSummary, type VerdictCounts } from '../../connectivity/report.ts';
import type { ViewMatrix } from '../../connectivity/view.ts';
import type { Io } from '../io.ts';
import { paint, renderTable } from '../table.ts';

/** Sources named per group of open paths in the summary. */
export const SUMMARY_FIRST = 5;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function sourcesText(g: { sources: number; first: string[] }): string {
  const more = g.sources - g.first.length;
  return `${g.sources}: ${g.first.join(', ')}${more > 0 ? `, … ${more} more` : ''}`;
}

function countsText(v: VerdictCounts): string {
  const parts = [`${v.allowed} allowed`, `${v.partial} partial`, `${v.denied} denied`];
  if (v['no-endpoints'] > 0) parts.push(`${v['no-endpoints']} without endpoints`);
  return parts.join(', ');
}

export function summaryText(dataCentre: string | null, s: MatrixSummary, colour: boolean): string {
  const title = dataCentre === null ? 'Connectivity' : `Connectivity in data centre ${dataCentre}`;
  const open = s.verdicts.allowed + s.verdicts.partial;
  const out = [
    paint(`${title}: ${plural(open, 'path')} open`, 'bold', colour) + '\n',
    `${plural(s.sources, 'source')} × ${plural(s.destinations, 'destination')}: ${countsText(s.verdicts)}\n\n`,
  ];
  if (s.open.length > 0) {
    const rows = s.open.map((g) => [
      destinationLabel(g.destination),
      g.port,
      paint(g.verdict, g.verdict.startsWith('allowed') ? 'green' : 'yellow', colour),
      sourcesText(g),
    ]);
    out.push(
      renderTable(
        ['DESTINATION', 'PORT', 'VERDICT', 'SOURCES'].map((header) => ({ header })),
        rows,
        { colour },
      ),
    );
  }
  return out.join('');
}

/** Open cross-data-centre paths grouped by sending data centre, destination and verdict. */
export interface CrossGroup {
  from: string;
  to: CrossCell['to'];
  verdict: CrossCell['verdict'];
  sources: number;
  first: string[];
}

export function crossSummary(cells: readonly CrossCell[], first = SUMMARY_FIRST): { paths: number; open: CrossGroup[] } {
  const groups = new Map<string, CrossGroup>();
  for (const c of cells) {
    const key = JSON.stringify([c.from.dataCentre, c.to, c.verdict]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { from: c.from.dataCentre, to: c.to, verdict: c.verdict, sources: 0, first: [] }));
    g.sources++;
    if (g.first.length < first) g.first.push(c.from.namespace);
  }
  return { paths: cells.length, open: [...groups.values()] };
}

export function crossSummaryText(s: { paths: number; open: CrossGroup[] }, colour: boolean): string {
  const out = [paint(`Across data centres, via network range: ${plural(s.paths, 'path')} open`, 'bold', colour) + '\n\n'];
  if (s.open.length === 0) return out.join('');
  const rows = s.open.map((g) => [
    g.from,
    `${g.to.dataCentre} ${g.to.namespace}/${g.to.name} (${g.to.kind})`,
    `${g.to.port}/${g.to.protocol}${g.to.targetPort !== g.to.port ? ` → ${g.to.targetPort}` : ''}`,
    paint(g.verdict, g.verdict === 'allowed' ? 'green' : 'yellow', colour),
    sourcesText(g),
  ]);
  out.push(
    renderTable(
      ['FROM', 'DESTINATION', 'PORT', 'VERDICT', 'SOURCES'].map((header) => ({ header })),
      rows,
      { colour },
    ),
  );
  return out.join('');
}

/** Writes text in pieces of about this many characters. */
const CHUNK = 1 << 16;

/** `"key":[` then one JSON value a line, then `]`; written in chunks. */
function writeArray(io: Io, key: string, items: Iterable<unknown>, last: boolean): void {
  let buffer = `${JSON.stringify(key)}:[`;
  let first = true;
  for (const item of items) {
    buffer += `${first ? '\n' : ',\n'}${JSON.stringify(item)}`;
    first = false;
    if (buffer.length >= CHUNK) {
      io.stdout(buffer);
      buffer = '';
    }
  }
  io.stdout(`${buffer}${first ? '' : '\n'}]${last ? '' : ','}`);
}

/**
 * The detail as JSON: `{"now"?, "matrices": [{dataCentre, sources, destinations, cells}],
 * "crossDataCentre": [...]}`, each matrix computed when it is written (and dropped after).
 * Cells are aggregated (report.ts compactCells): each stands for every source × destination
 * it lists, by index.
 */
export function writeDetailJson(io: Io, now: string | undefined, matrices: Iterable<ViewMatrix>, cross: () => readonly CrossCell[]): void {
  io.stdout(`{${now !== undefined ? `"now":${JSON.stringify(now)},` : ''}"matrices":[`);
  let first = true;
  for (const m of matrices) {
    const json = matrixJson(m.matrix);
    io.stdout(`${first ? '\n' : ',\n'}{"dataCentre":${JSON.stringify(m.dataCentre)},`);
    writeArray(io, 'sources', json.sources, false);
    writeArray(io, 'destinations', json.destinations, false);
    writeArray(io, 'cells', json.cells, true);
    io.stdout('}');
    first = false;
  }
  io.stdout(`${first ? '' : '\n'}],`);
  writeArray(io, 'crossDataCentre', cross(), true);
  io.stdout('}\n');
}
