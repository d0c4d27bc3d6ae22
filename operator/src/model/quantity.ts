/**
 * Kubernetes resource quantities ("4", "500m", "64Gi", 8), exactly: no floating point.
 *
 * A quantity parses to a bigint of milli-units (CPU: millicores; memory and storage:
 * thousandths of a byte). Decimal fractions finer than a milli-unit are rounded up, as
 * Kubernetes rounds CPU; bytes are whole (rounded up). Dividing a quota among workspaces
 * rounds down, so the parts never add up to more than the whole.
 */
import { QUANTITY } from '../api/index.ts';

const PATTERN = new RegExp(QUANTITY);

const SUFFIX: Record<string, bigint> = {
  '': 1n,
  m: 1n, // handled apart: milli
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
};

const BINARY: [string, bigint][] = [
  ['Pi', 1n << 50n],
  ['Ti', 1n << 40n],
  ['Gi', 1n << 30n],
  ['Mi', 1n << 20n],
  ['Ki', 1n << 10n],
];
const DECIMAL: [string, bigint][] = [
  ['P', 10n ** 15n],
  ['T', 10n ** 12n],
  ['G', 10n ** 9n],
  ['M', 10n ** 6n],
  ['k', 10n ** 3n],
];

function ceilDiv(a: bigint, b: bigint): bigint {
  return a % b === 0n ? a / b : a / b + 1n;
}

/** The quantity in milli-units, or undefined when it is not a quantity. */
export function parseMilli(quantity: string | number): bigint | undefined {
  if (typeof quantity === 'number') {
    return Number.isSafeInteger(quantity) && quantity >= 0 ? BigInt(quantity) * 1000n : undefined;
  }
  const match = PATTERN.exec(quantity.trim());
  if (!match) return undefined;
  const [, number = '', , suffix = ''] = match;
  const [whole = '0', fraction = ''] = number.split('.');
  // number = digits / 10^fraction.length; in milli-units times the suffix's multiplier.
  const digits = BigInt(whole + fraction);
  const denominator = 10n ** BigInt(fraction.length);
  if (suffix === 'm') return ceilDiv(digits, denominator);
  const multiplier = SUFFIX[suffix];
  if (multiplier === undefined) return undefined;
  return ceilDiv(digits * multiplier * 1000n, denominator);
}

/** The quantity in whole bytes (or whole units), rounded up; undefined when not a quantity. */
export function parseBytes(quantity: string | number): bigint | undefined {
  const milli = parseMilli(quantity);
  return milli === undefined ? undefined : ceilDiv(milli, 1000n);
}

/** CPU canonically: whole cores as "3", else millicores as "3333m". */
export function formatMilli(milli: bigint): string {
  return milli % 1000n === 0n ? `${milli / 1000n}` : `${milli}m`;
}

/**
 * Bytes canonically: the shortest of plain bytes, the largest binary suffix that divides
 * exactly, and the largest decimal suffix that divides exactly; binary wins a tie.
 */
export function formatBytes(bytes: bigint): string {
  const candidates = [`${bytes}`];
  if (bytes > 0n) {
    const binary = BINARY.find(([, unit]) => bytes % unit === 0n);
    if (binary) candidates.push(`${bytes / binary[1]}${binary[0]}`);
    const decimal = DECIMAL.find(([, unit]) => bytes % unit === 0n);
    if (decimal) candidates.push(`${bytes / decimal[1]}${decimal[0]}`);
  }
  let best = candidates[0] as string;
  for (const c of candidates.slice(1)) {
    if (c.length < best.length || (c.length === best.length && /i$/.test(c) && !/i$/.test(best))) best = c;
  }
  return best;
}

/** `total` divided into `parts` equal shares, rounded down. */
export function share(total: bigint, parts: number): bigint {
  return parts > 0 ? total / BigInt(parts) : 0n;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
