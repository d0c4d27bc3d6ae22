/**
 * The matrix for people (rows grouped by source namespace) and for programs (JSON with every
 * source, destination, port, verdict and deciding policies). Pure: strings and values out.
 */
import type { RuleMatch } from './evaluate.ts';
import { destinationLabel, destinationPort, sourceKey, type Cell, type DestinationRef, type Matrix, type SideSummary, type SourceRef } from './matrix.ts';

function ruleRef(m: RuleMatch): string {
  return `${m.policy}[${m.rule}]`;
}

function side(name: 'egress' | 'ingress', s: SideSummary, allowed: boolean): string | undefined {
  if (s.isolatedBy.length === 0) return undefined;
  if (allowed && s.allowedBy.length > 0) return `${name} ${[...new Set(s.allowedBy.map(ruleRef))].join(', ')}`;
  return `${name} isolated by ${s.isolatedBy.join(', ')}`;
}

/** One line: which policies decided the cell. */
export function decidedBy(cell: Cell): string {
  if (cell.verdict === 'no-endpoints') return 'the Service selects no pod';
  const allowed = cell.verdict !== 'denied';
  if (!allowed) {
    // Name the side(s) that refused: a side with no allowing rule.
    const parts: string[] = [];
    if (cell.egress.isolatedBy.length > 0 && cell.egress.allowedBy.length === 0)
      parts.push(`egress isolated by ${cell.egress.isolatedBy.join(', ')}, no rule allows`);
    if (cell.ingress.isolatedBy.length > 0 && cell.ingress.allowedBy.length === 0)
      parts.push(`ingress isolated by ${cell.ingress.isolatedBy.join(', ')}, no rule allows`);
    if (parts.length === 0)
      parts.push([side('egress', cell.egress, false), side('ingress', cell.ingress, false)].filter(Boolean).join('; ') + ' (no single rule pair allows)');
    return parts.join('; ');
  }
  const parts = [side('egress', cell.egress, true), side('ingress', cell.ingress, true)].filter((x): x is string => x !== undefined);
  return parts.length === 0 ? 'no policy isolates either end' : parts.join('; ');
}

export function verdictText(cell: Cell): string {
  const base = cell.verdict;
  if (cell.verdict === 'partial' && cell.pairs.total > 1) return `partial (${cell.pairs.allowed}/${cell.pairs.total} pod pairs)`;
  return base;
}

export interface RowGroup {
  /** The source: a namespace, or `host:<name>`. */
  source: string;
  rows: string[][];
  /** Cells left out of `rows` because they are denied (when denied cells are not shown). */
  denied: number;
}

export const MATRIX_HEADERS = ['SOURCE', 'DESTINATION', 'PORT', 'VERDICT', 'DECIDED BY'];

/**
 * Rows grouped by source namespace. Denied cells are counted, and listed only with `all`:
 * on a real platform almost everything is denied and the allowed paths are what an auditor
 * reads.
 */
export function matrixRows(matrix: Matrix, options: { all?: boolean } = {}): RowGroup[] {
  const groups = new Map<string, RowGroup>();
  for (const s of matrix.sources) groups.set(sourceKey(s), { source: sourceKey(s), rows: [], denied: 0 });
  for (const cell of matrix.cells) {
    const g = groups.get(sourceKey(cell.source));
    if (!g) continue;
    if (!options.all && (cell.verdict === 'denied' || cell.verdict === 'no-endpoints')) {
      g.denied++;
      continue;
    }
    g.rows.push([g.rows.length === 0 ? g.source : '', destinationLabel(cell.destination), cellPort(cell), verdictText(cell), decidedBy(cell)]);
  }
  return [...groups.values()];
}

/** The matrix for programs: sources and destinations once, cells aggregated (compactCells). */
export function matrixJson(matrix: Matrix): { sources: SourceRef[]; destinations: DestinationRef[]; cells: CompactCell[] } {
  return { sources: matrix.sources, destinations: matrix.destinations, cells: compactCells(matrix) };
}

/** Cells that differ only in their source and destination, stored once: they stand for every source × destination listed. */
export interface CompactCell {
  /** Indexes into the matrix's sources. */
  sources: number[];
  /** Indexes into the matrix's destinations. */
  destinations: number[];
  verdict: Cell['verdict'];
  pairs: Cell['pairs'];
  policies: { egress: SideSummary; ingress: SideSummary };
  openPorts?: string[];
}

function contentOf(cell: Cell): Omit<CompactCell, 'sources' | 'destinations'> {
  const out: Omit<CompactCell, 'sources' | 'destinations'> = {
    verdict: cell.verdict,
    pairs: cell.pairs,
    policies: { egress: cell.egress, ingress: cell.ingress },
  };
  if (cell.openPorts) out.openPorts = cell.openPorts;
  return out;
}

/**
 * The matrix's cells aggregated: identical cells of one source are one entry with their
 * destinations, and entries of several sources with the same cell and the same destinations
 * are merged. Each entry stands for the product of its sources and destinations; expanding
 * them (expandCells) gives back every cell. In the order of first appearance.
 */
export function compactCells(matrix: Matrix): CompactCell[] {
  const sourceIndex = new Map(matrix.sources.map((s, i) => [s, i]));
  const destinationIndex = new Map(matrix.destinations.map((d, i) => [d, i]));
  // Per source: content key → destinations (cells of one source are contiguous).
  const merged = new Map<string, CompactCell>();
  const out: CompactCell[] = [];
  let row = new Map<string, { content: Omit<CompactCell, 'sources' | 'destinations'>; destinations: number[] }>();
  let rowSource = -1;
  const flush = () => {
    for (const [key, { content, destinations }] of row) {
      const k = `${key}\u0000${destinations.join(',')}`;
      const found = merged.get(k);
      if (found) found.sources.push(rowSource);
      else {
        const entry: CompactCell = { sources: [rowSource], destinations, ...content };
        merged.set(k, entry);
        out.push(entry);
      }
    }
    row = new Map();
  };
  for (const cell of matrix.cells) {
    const s = sourceIndex.get(cell.source) as number;
    if (s !== rowSource) {
      flush();
      rowSource = s;
    }
    const content = contentOf(cell);
    const key = JSON.stringify(content);
    const d = destinationIndex.get(cell.destination) as number;
    const found = row.get(key);
    if (found) found.destinations.push(d);
    else row.set(key, { content, destinations: [d] });
  }
  flush();
  return out;
}

/** Every cell an aggregated matrix stands for, as cellJson gives it, source by source. */
export function expandCells(m: { sources: readonly unknown[]; destinations: readonly unknown[]; cells: readonly CompactCell[] }): Record<string, unknown>[] {
  const bySource = new Map<number, { d: number; c: CompactCell }[]>();
  for (const c of m.cells)
    for (const s of c.sources) {
      let list = bySource.get(s);
      if (!list) bySource.set(s, (list = []));
      for (const d of c.destinations) list.push({ d, c });
    }
  const out: Record<string, unknown>[] = [];
  for (const s of [...bySource.keys()].sort((a, b) => a - b)) {
    for (const { d, c } of (bySource.get(s) ?? []).sort((a, b) => a.d - b.d)) {
      const cell: Record<string, unknown> = { source: m.sources[s], destination: m.destinations[d], verdict: c.verdict, pairs: c.pairs, policies: c.policies };
      if (c.openPorts) cell.openPorts = c.openPorts;
      out.push(cell);
    }
  }
  return out;
}

/** The text of the PORT column for a cell: the destination's port, or the ports found open. */
export function cellPort(cell: Cell): string {
  if (!cell.openPorts) return destinationPort(cell.destination);
  return cell.openPorts.length === 0 ? '*' : cell.openPorts.join(',') === 'all/TCP,all/UDP,all/SCTP' ? 'all ports' : cell.openPorts.join(', ');
}

export type VerdictCounts = Record<Cell['verdict'], number>;

/** The open paths to one destination on one port with one verdict: how many sources, the first few by name. */
export interface OpenGroup {
  destination: DestinationRef;
  port: string;
  verdict: string;
  sources: number;
  first: string[];
}

export interface MatrixSummary {
  sources: number;
  destinations: number;
  cells: number;
  verdicts: VerdictCounts;
  open: OpenGroup[];
}

/** Counts by verdict, and the open paths grouped by destination, port and verdict (at most `first` sources named each). */
export function matrixSummary(matrix: Matrix, first = 5): MatrixSummary {
  const verdicts: VerdictCounts = { allowed: 0, partial: 0, denied: 0, 'no-endpoints': 0 };
  const groups = new Map<string, OpenGroup>();
  for (const cell of matrix.cells) {
    verdicts[cell.verdict]++;
    if (cell.verdict === 'denied' || cell.verdict === 'no-endpoints') continue;
    const port = cellPort(cell);
    const verdict = verdictText(cell);
    const key = `${destinationLabel(cell.destination)}\u0000${port}\u0000${verdict}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { destination: cell.destination, port, verdict, sources: 0, first: [] }));
    g.sources++;
    if (g.first.length < first) g.first.push(sourceKey(cell.source));
  }
  return { sources: matrix.sources.length, destinations: matrix.destinations.length, cells: matrix.cells.length, verdicts, open: [...groups.values()] };
}
