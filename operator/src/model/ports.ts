/** Port sets of links: normalised to sorted, merged ranges per protocol, and intersected. */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortRange {
  protocol: Protocol;
  port: number;
  /** Present only when the range spans more than one port. */
  endPort?: number;
}

/** A range of ports of one protocol, both ends included. */
export interface Span {
  protocol: Protocol;
  from: number;
  to: number;
}

const PROTOCOL_ORDER: Protocol[] = ['TCP', 'UDP', 'SCTP'];

function toSpans(ports: readonly { protocol?: string; port: number; endPort?: number }[]): Span[] {
  return ports.map((p) => ({
    protocol: (p.protocol ?? 'TCP') as Protocol,
    from: p.port,
    to: Math.max(p.port, p.endPort ?? p.port),
  }));
}

/** Sorted (TCP, UDP, SCTP; by port) and merged: overlapping and adjacent spans become one. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => PROTOCOL_ORDER.indexOf(a.protocol) - PROTOCOL_ORDER.indexOf(b.protocol) || a.from - b.from || a.to - b.to);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && last.protocol === s.protocol && s.from <= last.to + 1) last.to = Math.max(last.to, s.to);
    else out.push({ protocol: s.protocol, from: s.from, to: s.to });
  }
  return out;
}

function fromSpans(spans: Span[]): PortRange[] {
  return spans.map((s) => (s.to > s.from ? { protocol: s.protocol, port: s.from, endPort: s.to } : { protocol: s.protocol, port: s.from }));
}

/** Sorted (TCP, UDP, SCTP; by port) and merged: overlapping and adjacent ranges become one. */
export function normalisePorts(ports: readonly { protocol?: string; port: number; endPort?: number }[]): PortRange[] {
  return fromSpans(mergeSpans(toSpans(ports)));
}

/** The ports in both sets (same protocol, overlapping ranges). */
export function intersectPorts(
  a: readonly { protocol?: string; port: number; endPort?: number }[],
  b: readonly { protocol?: string; port: number; endPort?: number }[],
): PortRange[] {
  const left = mergeSpans(toSpans(a));
  const right = mergeSpans(toSpans(b));
  const out: Span[] = [];
  for (const l of left) {
    for (const r of right) {
      if (l.protocol !== r.protocol) continue;
      const from = Math.max(l.from, r.from);
      const to = Math.min(l.to, r.to);
      if (from <= to) out.push({ protocol: l.protocol, from, to });
    }
  }
  return fromSpans(mergeSpans(out));
}
