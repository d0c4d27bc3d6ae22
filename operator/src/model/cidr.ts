/**
 * IPv4 and IPv6 address ranges in CIDR form, read as Go's net.ParseCIDR reads them (what
 * the API servers of the data centres will apply), and compared for overlap.
 */

export interface Cidr {
  family: 4 | 6;
  /** The network address (host bits cleared). */
  network: bigint;
  prefix: number;
  text: string;
}

export type CidrResult = { ok: true; cidr: Cidr } | { ok: false; message: string };

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseIPv6(text: string): bigint | undefined {
  let s = text;
  let tailGroups: string[] = [];
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (v4 === undefined) return undefined;
    tailGroups = [((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16)];
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (x: string) => (x === '' ? [] : x.split(':'));
  let groups: string[];
  if (halves.length === 2) {
    const left = groupsOf(halves[0]!);
    const right = [...groupsOf(halves[1]!), ...tailGroups];
    const fill = 8 - left.length - right.length;
    if (fill < 1) return undefined;
    groups = [...left, ...Array<string>(fill).fill('0'), ...right];
  } else {
    groups = [...groupsOf(s), ...tailGroups];
  }
  if (groups.length !== 8) return undefined;
  let out = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out = (out << 16n) | BigInt(parseInt(g, 16));
  }
  return out;
}

export function parseCidr(text: string): CidrResult {
  const bad = { ok: false as const, message: `${JSON.stringify(text)} is not an address range: expected an address and a prefix length, like 10.20.0.0/16 or fd00:20::/48` };
  const slash = text.indexOf('/');
  if (slash < 0 || text.length > 64) return bad;
  const addr = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return bad;
  const prefix = Number(prefixText);
  const family: 4 | 6 = addr.includes(':') ? 6 : 4;
  const address = family === 4 ? parseIPv4(addr) : parseIPv6(addr);
  if (address === undefined || prefix > bits(family)) return bad;
  const hostBits = BigInt(bits(family) - prefix);
  const network = (address >> hostBits) << hostBits;
  return { ok: true, cidr: { family, network, prefix, text } };
}

/** Last address of a range. */
export function lastAddress(c: Cidr): bigint {
  return c.network + (1n << BigInt(bits(c.family) - c.prefix)) - 1n;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/**
 * Pairs of overlapping ranges among tagged ranges, each later range against one earlier
 * range it overlaps. Sorted sweep: n log n, whatever the input size.
 */
export function findOverlaps<T>(ranges: readonly { cidr: Cidr; tag: T }[]): { range: { cidr: Cidr; tag: T }; with: { cidr: Cidr; tag: T } }[] {
  const out: { range: { cidr: Cidr; tag: T }; with: { cidr: Cidr; tag: T } }[] = [];
  const indexed = ranges.map((r, i) => ({ ...r, i }));
  for (const family of [4, 6] as const) {
    const list = indexed
      .filter((r) => r.cidr.family === family)
      .sort((a, b) => (a.cidr.network < b.cidr.network ? -1 : a.cidr.network > b.cidr.network ? 1 : a.i - b.i));
    let reach: (typeof list)[number] | undefined;
    for (const r of list) {
      if (reach && r.cidr.network <= lastAddress(reach.cidr)) {
        const [earlier, later] = reach.i < r.i ? [reach, r] : [r, reach];
        out.push({ range: { cidr: later.cidr, tag: later.tag }, with: { cidr: earlier.cidr, tag: earlier.tag } });
      }
      if (!reach || lastAddress(r.cidr) > lastAddress(reach.cidr)) reach = r;
    }
  }
  return out;
}
