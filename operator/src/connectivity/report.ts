/**
 * The matrix for people (rows grouped by source namespace) and for programs (JSON with every
 * source, destination, port, verdict and deciding policies). Pure: strings and values out.
 */
import type { RuleMatch } from './evaluate.ts';
import { destinationLabel, destinationPort, sourceKey, type Cell, type Matrix, type SideSummary } from './matrix.ts';

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
    let port = destinationPort(cell.destination);
    if (cell.openPorts)
      port = cell.openPorts.length === 0 ? '*' : cell.openPorts.join(',') === 'all/TCP,all/UDP,all/SCTP' ? 'all ports' : cell.openPorts.join(', ');
    g.rows.push([g.rows.length === 0 ? g.source : '', destinationLabel(cell.destination), port, verdictText(cell), decidedBy(cell)]);
  }
  return [...groups.values()];
}

/** Plain JSON value of a cell. */
export function cellJson(cell: Cell): Record<string, unknown> {
  const out: Record<string, unknown> = {
    source: cell.source,
    destination: cell.destination,
    verdict: cell.verdict,
    pairs: cell.pairs,
    policies: { egress: cell.egress, ingress: cell.ingress },
  };
  if (cell.openPorts) out.openPorts = cell.openPorts;
  return out;
}

export function matrixJson(matrix: Matrix): Record<string, unknown> {
  return {
    sources: matrix.sources,
    destinations: matrix.destinations,
    cells: matrix.cells.map(cellJson),
  };
}
