/**
 * What `govcloud connectivity` prints besides --explain and --probe: the summary (the
 * default: counts, and the open paths grouped by destination) and the detail (--detail: every
 * path), as text or JSON. The detail JSON is written as it is produced, one item a line, so
 * that a platform of thousands of workspaces never becomes one giant string.
 */
import { objectRef, viaGatewayText, type GatewayPath } from '../../connectivity/gateway.ts';
import type { CrossCell } from '../../connectivity/govcloud.ts';
import { destinationLabel } from '../../connectivity/matrix.ts';
import { MATRIX_HEADERS, matrixJson, type MatrixSummary, type VerdictCounts } from '../../connectivity/report.ts';
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

/** Paths via the exchange gateways grouped by sending data centre, destination and the pair that opens them. */
export interface GatewayGroup {
  from: string;
  to: GatewayPath['to'];
  via: 'gateway';
  pair: GatewayPath['pair'];
  grant: string;
  until?: string;
  sources: number;
  first: string[];
}

export function gatewaySummary(paths: readonly GatewayPath[], first = SUMMARY_FIRST): { paths: number; open: GatewayGroup[] } {
  const groups = new Map<string, GatewayGroup>();
  for (const p of paths) {
    const key = JSON.stringify([p.from.dataCentre, p.to, p.grant, p.until]);
    let g = groups.get(key);
    if (!g) {
      g = { from: p.from.dataCentre, to: p.to, via: 'gateway', pair: p.pair, grant: p.grant, sources: 0, first: [] };
      if (p.until !== undefined) g.until = p.until;
      groups.set(key, g);
    }
    g.sources++;
    if (g.first.length < first) g.first.push(p.from.namespace);
  }
  return { paths: paths.length, open: [...groups.values()] };
}

const serviceText = (to: GatewayPath['to']) => `${to.dataCentre} ${to.namespace}/${to.name} (Service)`;

export function gatewaySummaryText(s: { paths: number; open: GatewayGroup[] }, colour: boolean): string {
  const out = [paint(`Across data centres, via gateway: ${plural(s.paths, 'path')} open`, 'bold', colour) + '\n\n'];
  if (s.open.length === 0) return out.join('');
  const rows = s.open.map((g) => [
    g.from,
    serviceText(g.to),
    `${g.to.port}/${g.to.protocol}`,
    paint('allowed', 'green', colour),
    `${g.pair === 'link' ? 'link' : 'grant'} ${objectRef(g.grant)}, ${g.until === undefined ? 'no end' : `until ${g.until}`}`,
    sourcesText(g),
  ]);
  out.push(
    renderTable(
      ['FROM', 'DESTINATION', 'PORT', 'VERDICT', 'VIA GATEWAY', 'SOURCES'].map((header) => ({ header })),
      rows,
      { colour },
    ),
  );
  return out.join('');
}

/** Every path via the gateways, with its hop and the pair that opens it. */
export function gatewayTable(paths: readonly GatewayPath[], colour: boolean): string {
  const out = [paint(`Across data centres, via gateway: ${plural(paths.length, 'path')} open`, 'bold', colour) + '\n'];
  out.push(
    "Each consumer workspace reaches its own listener at its data centre's gateway, which presents the\nworkspace's certificate to the provider data centre's gateway (mutual TLS); that gateway checks the\ncertificate, the service's name and the pair's window (a request and a grant, or a link on each\nside). No network range opens these paths.\n\n",
  );
  if (paths.length === 0) return out.join('');
  const rows = paths.map((p) => [
    `${p.from.dataCentre} ${p.from.namespace}`,
    serviceText(p.to),
    `${p.to.port}/${p.to.protocol}`,
    paint(p.verdict, 'green', colour),
    `listener ${p.gateway.listenPort} at gateway ${p.from.dataCentre}; ${viaGatewayText(p)}`,
  ]);
  out.push(
    renderTable(
      MATRIX_HEADERS.map((header) => ({ header })),
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
 * "crossDataCentre": [...], "viaGateway"?: [...]}` (viaGateway for govcloud input), each matrix computed when it is written (and
 * dropped after).
 * Cells are aggregated (report.ts compactCells): each stands for every source × destination
 * it lists, by index.
 */
export function writeDetailJson(
  io: Io,
  now: string | undefined,
  matrices: Iterable<ViewMatrix>,
  cross: () => readonly CrossCell[],
  viaGateway?: readonly GatewayPath[],
): void {
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
  writeArray(io, 'crossDataCentre', cross(), viaGateway === undefined);
  if (viaGateway) writeArray(io, 'viaGateway', viaGateway, true);
  io.stdout('}\n');
}
