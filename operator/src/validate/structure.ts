/**
 * The structural checks the API server makes against a CRD's OpenAPI schema, offline:
 * types, required fields, patterns, lengths, ranges, enums, unknown fields (as kubectl's
 * strict field validation reports them) and the uniqueness of `set` and `map` lists.
 *
 * TypeBox's `Value.Errors` finds most of them; what it does not check (enum on strings,
 * unknown fields, list types) a walk over schema and value adds. The raw errors are then
 * collapsed to one clear message per field: a field of the wrong type hides everything
 * beneath it, and an int-or-string union says "a quantity" instead of listing branches.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { AGENCY_CODE_PATTERN, CIDR, DNS_LABEL, QUANTITY, RFC3339, normaliseAgencyCode } from '../api/index.ts';
import { allowedByRules } from './cel.ts';
import { describeValue, pathKey, quote, type FieldProblem, type Path } from './path.ts';

/** Raw errors read from TypeBox before collapsing; a hostile document cannot make more work. */
const MAX_RAW_ERRORS = 2000;

type Json = Record<string, unknown>;

interface Raw {
  path: Path;
  message: string;
  /** Lower comes first when two errors are about the same field. */
  rank: number;
  /** The field has the wrong shape: nothing beneath it is worth reporting. */
  blocking: boolean;
}

export const QUANTITY_MESSAGE = 'must be a quantity like "4", "500m" or "64Gi"';

/**
 * Removes fields whose value is null, as the API server prunes them before validation
 * (`nullable` is false everywhere in these schemas). Returns a new value; lists keep
 * their null items, which are then reported as having the wrong type.
 */
export function pruneNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pruneNulls);
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null) continue;
      Object.defineProperty(out, k, { value: pruneNulls(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Checks `value` against `schema`; problem paths start with `base`. */
export function checkStructure(schema: TSchema, value: unknown, base: Path): FieldProblem[] {
  const raw: Raw[] = [];
  let count = 0;
  // Nearly every object is valid: Check says so without building the errors.
  for (const e of Value.Check(schema, value) ? [] : Value.Errors(schema, value)) {
    if (++count > MAX_RAW_ERRORS) break;
    const path = [...base, ...pointerToPath(e.path, value)];
    raw.push(fromTypeBox(e.type, e.schema as Json, e.value, path));
  }
  walk(schema as Json, value, [...base], raw);
  return collapse(raw);
}

function collapse(raw: Raw[]): FieldProblem[] {
  raw.sort((a, b) => a.path.length - b.path.length || a.rank - b.rank);
  const blocked = new Set<string>();
  const seen = new Set<string>();
  const out: FieldProblem[] = [];
  for (const r of raw) {
    const key = pathKey(r.path);
    if (seen.has(key)) continue;
    let hidden = false;
    for (let n = r.path.length - 1; n >= 0 && !hidden; n--) hidden = blocked.has(pathKey(r.path.slice(0, n)));
    if (hidden) continue;
    seen.add(key);
    if (r.blocking) blocked.add(key);
    out.push({ path: r.path, message: r.message });
  }
  return out;
}

/** JSON pointer of a TypeBox error to path parts, with list indexes as numbers. */
function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (pointer === '') return [];
  const parts: (string | number)[] = [];
  let node: unknown = root;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      parts.push(Number(key));
      node = node[Number(key)];
    } else {
      parts.push(key);
      node = node !== null && typeof node === 'object' ? (node as Json)[key] : undefined;
    }
  }
  return parts;
}

const TYPE_ERRORS = new Set<ValueErrorType>([
  ValueErrorType.Object,
  ValueErrorType.Array,
  ValueErrorType.String,
  ValueErrorType.Integer,
  ValueErrorType.Number,
  ValueErrorType.Boolean,
  ValueErrorType.Union,
]);

function fromTypeBox(type: ValueErrorType, schema: Json, value: unknown, path: Path): Raw {
  const blocking = TYPE_ERRORS.has(type);
  const r = (message: string, rank: number): Raw => ({ path, message, rank, blocking });
  switch (type) {
    case ValueErrorType.ObjectRequiredProperty:
      return { path, message: 'required field is missing', rank: 0, blocking: true };
    case ValueErrorType.Object:
      return r(`must be a mapping of fields, not ${describeValue(value)}`, 1);
    case ValueErrorType.Array:
      return r(`must be a list, not ${describeValue(value)}`, 1);
    case ValueErrorType.String:
      if (Array.isArray(schema.enum)) return r(`must be one of ${listValues(schema)}, not ${describeValue(value)}`, 1);
      return r(`must be a string, not ${describeValue(value)}`, 1);
    case ValueErrorType.Integer:
    case ValueErrorType.Number:
      return r(
        `must be ${type === ValueErrorType.Integer ? 'a whole number' : 'a number'}${rangeText(schema)}, not ${describeValue(value)}${typeof value === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(value) ? ' (remove the quotes)' : ''}`,
        1,
      );
    case ValueErrorType.Boolean:
      return r(`must be true or false, not ${describeValue(value)}`, 1);
    case ValueErrorType.Union:
      if (schema['x-kubernetes-int-or-string'] === true) return r(QUANTITY_MESSAGE, 1);
      return r(`has the wrong type: ${describeValue(value)}`, 1);
    case ValueErrorType.StringPattern:
      return r(patternMessage(String(schema.pattern), value), 2);
    case ValueErrorType.StringMinLength:
      return r(schema.minLength === 1 ? 'must not be empty' : `must be at least ${limit(schema.minLength)} characters long`, 2);
    case ValueErrorType.StringMaxLength:
      return r(`must be at most ${limit(schema.maxLength)} characters long, not ${[...String(value)].length}`, 2);
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMaximum:
      return r(`must be${rangeText(schema)}, not ${String(value)}`, 2);
    case ValueErrorType.ArrayMinItems:
      return r(schema.minItems === 1 ? 'must have at least one item' : `must have at least ${limit(schema.minItems)} items`, 2);
    case ValueErrorType.ArrayMaxItems:
      return r(`must have at most ${limit(schema.maxItems)} items, not ${Array.isArray(value) ? value.length : '?'}`, 2);
    case ValueErrorType.ObjectAdditionalProperties:
      return r('unknown field', 2);
    default:
      return r(`invalid: ${describeValue(value)}`, 3);
  }
}

// The schemas' length and item limits are numbers; a missing one prints as "?" rather than "undefined".
function limit(value: unknown): string {
  return typeof value === 'number' ? String(value) : '?';
}

function rangeText(schema: Json): string {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

function listValues(schema: Json): string {
  const allowed = (schema.enum as unknown[]).filter((v) => typeof v !== 'string' || allowedByRules(schema, v));
  return allowed.map((v) => String(v)).join(', ');
}

const PATTERNS: Record<string, (value: unknown) => string> = {
  [DNS_LABEL]: () => "must be a DNS label: lowercase letters a-z, digits and '-', starting and ending with a letter or digit",
  [RFC3339]: () => 'must be a time in RFC 3339 form, like 2027-01-01T00:00:00Z',
  [CIDR]: () => 'must be an address range in CIDR form, like 10.20.0.0/16 or fd00:20::/48',
  [QUANTITY]: () => QUANTITY_MESSAGE,
  [AGENCY_CODE_PATTERN]: (value) => {
    const result = normaliseAgencyCode(String(value));
    return result.ok ? 'is not an agency code' : result.message;
  },
  '^v[0-9]+([a-z0-9.-]*)$': () => 'must be a version like v1 or v2beta1',
  '^[^\\s]+$': () => 'must not contain spaces',
  '^[A-Za-z_][A-Za-z0-9_]*$': () => "must be a variable name: letters, digits and '_', not starting with a digit",
};

function patternMessage(pattern: string, value: unknown): string {
  const known = PATTERNS[pattern];
  return known ? known(value) : `must match the pattern ${pattern}, not ${describeValue(value)}`;
}

/**
 * What Value.Errors leaves out: enums on strings, unknown fields, and the uniqueness of
 * `x-kubernetes-list-type` set and map lists. Walks only where the value has the shape
 * the schema wants, so its findings never duplicate a type error.
 */
function walk(schema: Json, value: unknown, path: (string | number)[], out: Raw[]): void {
  if (value === undefined) return;
  if (Array.isArray(schema.enum) && typeof value === 'string' && !schema.enum.includes(value)) {
    out.push({ path: [...path], message: `must be one of ${listValues(schema)}, not ${quote(value)}`, rank: 2, blocking: false });
  }
  if (schema.type === 'object' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const props = (schema.properties ?? {}) as Record<string, Json>;
    for (const [key, child] of Object.entries(value as Json)) {
      const sub = Object.hasOwn(props, key) ? props[key] : undefined;
      if (!sub) {
        const hint = suggest(key, Object.keys(props));
        out.push({ path: [...path, key], message: hint ? `unknown field (did you mean "${hint}"?)` : 'unknown field', rank: 2, blocking: true });
        continue;
      }
      path.push(key);
      walk(sub, child, path, out);
      path.pop();
    }
  } else if (schema.type === 'array' && Array.isArray(value)) {
    const items = schema.items as Json | undefined;
    const listType = schema['x-kubernetes-list-type'];
    const keys = schema['x-kubernetes-list-map-keys'] as string[] | undefined;
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      let identity: string | undefined;
      let shown = '';
      if (listType === 'set' && (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean')) {
        identity = JSON.stringify(item);
        shown = quote(String(item));
      } else if (listType === 'map' && keys && item !== null && typeof item === 'object' && !Array.isArray(item)) {
        const parts = keys.map((k) => (item as Json)[k]);
        if (parts.every((p) => typeof p === 'string' || typeof p === 'number')) {
          identity = JSON.stringify(parts);
          shown = keys.map((k, j) => `${k} ${quote(String(parts[j]))}`).join(', ');
        }
      }
      if (identity !== undefined) {
        const first = seen.get(identity);
        if (first !== undefined) {
          const at = listType === 'map' && keys && keys.length === 1 ? [...path, i, keys[0]!] : [...path, i];
          out.push({ path: at, message: `duplicate entry: ${shown} is already at [${first}]`, rank: 2, blocking: false });
        } else seen.set(identity, i);
      }
      if (items) {
        path.push(i);
        walk(items, item, path, out);
        path.pop();
      }
    });
  }
}

/** The known field a misspelt one most likely meant: same letters ignoring case, or one or two edits away. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  const lower = key.toLowerCase();
  const same = known.find((k) => k.toLowerCase() === lower);
  if (same) return same;
  let best: string | undefined;
  let bestDistance = key.length <= 4 ? 1 : 2;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
