/**
 * IPv4 and IPv6 addresses, CIDR ranges and sets of addresses, exactly (bigint intervals):
 * one reading of addresses for the rules across objects (data centre ranges, external
 * networks) and for the NetworkPolicy evaluator (ipBlocks, hosts).
 *
 * ipBlock peers are sets (`cidr` minus every `except`), and an external host may itself be a
 * range (a data centre's network range), so "does this peer match this host" has three
 * answers: all of the host's addresses, some of them, or none. Address sets answer it exactly.
 *
 * The two families never meet: an IPv4 block never matches an IPv6 host, and an
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is treated as IPv6, as the Kubernetes API
 * treats the families separately.
 */

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  /** The network address: first address of the range (host bits cleared). */
  network: bigint;
  prefix: number;
  /** The range as text: normalised by parseCidr (`10.0.0.0/8`, `2001:db8::/32`), as written by parseStrictCidr. */
  text: string;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // No leading zeros: Kubernetes (Go's netip) refuses them since they read as octal elsewhere.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

export function parseIPv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined; // zones have no place in a policy
  let s = text;
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    // An embedded IPv4 tail (`::ffff:10.0.0.1`) stands for the last two groups.
    const v4 = parseIPv4(last);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const group = /^[0-9a-fA-F]{1,4}$/;
  const split = (part: string): string[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((g) => group.test(g)) ? groups : undefined;
  };
  const halves = s.split('::');
  let groups: string[];
  if (halves.length === 2) {
    const left = split(halves[0] ?? '');
    const right = split(halves[1] ?? '');
    if (!left || !right || left.length + right.length > 7) return undefined;
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  } else if (halves.length === 1) {
    const all = split(s);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  } else {
    return undefined;
  }
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  return value;
}

export function parseIP(text: string): { family: Family; value: bigint } | undefined {
  const t = text.trim();
  if (t.includes(':')) {
    const v = parseIPv6(t);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIPv4(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

export function formatIP(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (of two or more) of zero groups becomes `::`.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export type CidrResult = { ok: true; cidr: Cidr; hostBitsSet: boolean } | { ok: false; message: string };

/**
 * Parses `a.b.c.d/n` or `x:y::/n`. A bare address is a single-host range (/32 or /128) only
 * when `allowBare` is set (hosts may be written as addresses; ipBlock.cidr may not).
 */
export function parseCidr(text: string, allowBare = false): CidrResult {
  if (typeof text !== 'string' || text.trim() === '') return { ok: false, message: 'empty address range' };
  const t = text.trim();
  const slash = t.indexOf('/');
  const addrText = slash < 0 ? t : t.slice(0, slash);
  const ip = parseIP(addrText);
  if (!ip) return { ok: false, message: `"${text}" is not an IPv4 or IPv6 address range` };
  let prefix: number;
  if (slash < 0) {
    if (!allowBare) return { ok: false, message: `"${text}" has no prefix length (write it as ${addrText}/${BITS[ip.family]})` };
    prefix = BITS[ip.family];
  } else {
    const p = t.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > BITS[ip.family]) {
      return { ok: false, message: `"${text}" has an invalid prefix length for IPv${ip.family}` };
    }
    prefix = Number(p);
  }
  const network = ip.value & maskOf(ip.family, prefix);
  return {
    ok: true,
    hostBitsSet: network !== ip.value,
    cidr: { family: ip.family, network, prefix, text: `${formatIP(ip.family, network)}/${prefix}` },
  };
}

/**
 * A range in CIDR form read as Go's net.ParseCIDR reads it (what the API servers of the data
 * centres will apply): the text exactly, with no white space, and a prefix length. The range
 * keeps its text as written; host bits are cleared from the network address.
 */
export function parseStrictCidr(text: string): { ok: true; cidr: Cidr } | { ok: false; message: string } {
  const parsed = text.length <= 64 && !/\s/.test(text) ? parseCidr(text) : undefined;
  if (!parsed?.ok) {
    return {
      ok: false,
      message: `${JSON.stringify(text)} is not an address range: expected an address and a prefix length, like 10.20.0.0/16 or fd00:20::/48`,
    };
  }
  const { family, network, prefix } = parsed.cidr;
  return { ok: true, cidr: { family, network, prefix, text } };
}

function maskOf(family: Family, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  const all = (1n << bits) - 1n;
  return (all >> BigInt(prefix)) ^ all;
}

/** Last address of a range. */
export function lastOf(c: Cidr): bigint {
  return c.network | (((1n << BigInt(BITS[c.family])) - 1n) >> BigInt(c.prefix));
}

/** `inner` lies inside `outer` and is smaller: what Kubernetes requires of ipBlock.except. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.prefix > outer.prefix && inner.network >= outer.network && lastOf(inner) <= lastOf(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.network <= lastOf(b) && b.network <= lastOf(a);
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
      if (reach && r.cidr.network <= lastOf(reach.cidr)) {
        const [earlier, later] = reach.i < r.i ? [reach, r] : [r, reach];
        out.push({ range: { cidr: later.cidr, tag: later.tag }, with: { cidr: earlier.cidr, tag: earlier.tag } });
      }
      if (!reach || lastOf(r.cidr) > lastOf(reach.cidr)) reach = r;
    }
  }
  return out;
}

type Interval = readonly [bigint, bigint];

/** A set of addresses of both families, as sorted disjoint closed intervals. */
export class AddressSet {
  readonly v4: readonly Interval[];
  readonly v6: readonly Interval[];

  private constructor(v4: readonly Interval[], v6: readonly Interval[]) {
    this.v4 = v4;
    this.v6 = v6;
  }

  static readonly EMPTY = new AddressSet([], []);
  static readonly ALL = new AddressSet([[0n, (1n << 32n) - 1n]], [[0n, (1n << 128n) - 1n]]);

  static of(cidrs: readonly Cidr[]): AddressSet {
    let set = AddressSet.EMPTY;
    for (const c of cidrs) {
      const iv: Interval = [c.network, lastOf(c)];
      set = set.union(c.family === 4 ? new AddressSet([iv], []) : new AddressSet([], [iv]));
    }
    return set;
  }

  /** An ipBlock: cidr minus its excepts. */
  static block(cidr: Cidr, except: readonly Cidr[]): AddressSet {
    return AddressSet.of([cidr]).minus(AddressSet.of(except));
  }

  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  union(o: AddressSet): AddressSet {
    return new AddressSet(merge([...this.v4, ...o.v4]), merge([...this.v6, ...o.v6]));
  }

  intersect(o: AddressSet): AddressSet {
    return new AddressSet(intersect(this.v4, o.v4), intersect(this.v6, o.v6));
  }

  minus(o: AddressSet): AddressSet {
    return new AddressSet(subtract(this.v4, o.v4), subtract(this.v6, o.v6));
  }

  /** Every address of `o` is in this set. */
  covers(o: AddressSet): boolean {
    return o.minus(this).isEmpty();
  }

  equals(o: AddressSet): boolean {
    return this.covers(o) && o.covers(this);
  }

  /** The set as a short list of CIDR ranges (largest aligned blocks). */
  toCidrs(): string[] {
    const out: string[] = [];
    for (const [family, ivs] of [
      [4, this.v4],
      [6, this.v6],
    ] as const) {
      for (const [lo, hi] of ivs) out.push(...intervalToCidrs(family, lo, hi));
    }
    return out;
  }
}

function merge(ivs: Interval[]): Interval[] {
  const sorted = [...ivs].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [alo, ahi] of a) {
    for (const [blo, bhi] of b) {
      const lo = alo > blo ? alo : blo;
      const hi = ahi < bhi ? ahi : bhi;
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return merge(out);
}

function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  let current: Interval[] = [...a];
  for (const [blo, bhi] of b) {
    const next: Interval[] = [];
    for (const [lo, hi] of current) {
      if (bhi < lo || blo > hi) {
        next.push([lo, hi]);
        continue;
      }
      if (blo > lo) next.push([lo, blo - 1n]);
      if (bhi < hi) next.push([bhi + 1n, hi]);
    }
    current = next;
  }
  return current;
}

function intervalToCidrs(family: Family, lo: bigint, hi: bigint): string[] {
  const bits = BITS[family];
  const out: string[] = [];
  let start = lo;
  while (start <= hi) {
    let size = 0;
    // Grow the block while it stays aligned and inside the interval.
    while (size < bits) {
      const next = size + 1;
      const blockSize = 1n << BigInt(next);
      if (start % blockSize !== 0n || start + blockSize - 1n > hi) break;
      size = next;
    }
    out.push(`${formatIP(family, start)}/${bits - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}
