/**
 * The CEL rules of the schemas (`x-kubernetes-validations`), evaluated offline with
 * cel-js as the API server evaluates them: at every schema node that has a value, with
 * `self` bound to that value. Transition rules (those reading `oldSelf`) need the stored
 * object and are left to the API server.
 *
 * A rule cel-js cannot evaluate is a bug in our rules, never the user's mistake; it is
 * reported as such (and a unit test runs every rule against the samples so it cannot
 * ship unnoticed).
 */
import { parse } from '@marcbachmann/cel-js';
import type { TSchema } from '@sinclair/typebox';
import { CEL_KEY, RFC3339, type CelRule } from '../api/index.ts';
import { parseTime } from '../model/window.ts';
import { isWithin, parseFieldPath, type FieldProblem, type Path } from './path.ts';

type Json = Record<string, unknown>;
type Compiled = (context: Record<string, unknown>) => unknown;

/** What happened when a rule was evaluated, for tests that prove every rule runs. */
export type RuleOutcome = 'pass' | 'fail' | 'error' | 'skipped-transition';
/** Told of each rule evaluated: the rule, what came of it, the path of its node, and the kind of the object. */
export type RuleObserver = (rule: CelRule, outcome: RuleOutcome, path: Path, kind?: string) => void;

const compiled = new Map<string, Compiled | Error>();

function compile(rule: string): Compiled | Error {
  let fn = compiled.get(rule);
  if (!fn) {
    try {
      fn = parse(rule) as unknown as Compiled;
    } catch (err) {
      fn = err instanceof Error ? err : new Error(String(err));
    }
    compiled.set(rule, fn);
  }
  return fn;
}

export function isTransitionRule(rule: CelRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

export type Evaluation = { ok: true; value: boolean } | { ok: false; error: string };

/** Evaluates one rule; `oldSelf` is bound only when given (tests of transition rules). */
export function evaluateRule(rule: CelRule, self: unknown, oldSelf?: unknown): Evaluation {
  return evaluateExpression(rule.rule, oldSelf === undefined ? { self } : { self, oldSelf });
}

/**
 * Evaluates a boolean expression over variables of plain data: a CRD rule's `self`, or an
 * admission policy's `object` (evaluated offline on the document a pull request holds).
 */
export function evaluateExpression(expression: string, variables: Record<string, unknown>): Evaluation {
  const context: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(variables)) context[name] = toCel(value);
  return evaluateCel(expression, context);
}

/** As evaluateExpression, the variables already converted (toCel): several rules over one value convert it once. */
function evaluateCel(expression: string, context: Record<string, unknown>): Evaluation {
  const fn = compile(expression);
  if (fn instanceof Error) return { ok: false, error: firstLine(fn.message) };
  try {
    const value = fn(context);
    if (typeof value !== 'boolean') return { ok: false, error: `the rule returned ${typeof value}, not a bool` };
    return { ok: true, value };
  } catch (err) {
    return { ok: false, error: firstLine(err instanceof Error ? err.message : String(err)) };
  }
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}

/**
 * Plain data as CEL sees it: integers become CEL ints (bigint), as the API server types
 * integer fields; everything else is unchanged.
 */
export function toCel(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      // An own key `__proto__` must stay a key: plain assignment would set the prototype.
      if (k === '__proto__') Object.defineProperty(out, k, { value: toCel(v), enumerable: true, writable: true, configurable: true });
      else out[k] = toCel(v);
    }
    return out;
  }
  return value;
}

function rulesOf(schema: Json): CelRule[] {
  const rules = schema[CEL_KEY];
  return Array.isArray(rules) ? (rules as CelRule[]) : [];
}

/** A value passes the (non-transition) rules of its own node: used to list the enum values a field really allows. */
export function allowedByRules(schema: Json, value: unknown): boolean {
  return rulesOf(schema).every((rule) => {
    if (isTransitionRule(rule)) return true;
    const result = evaluateRule(rule, value);
    return !result.ok || result.value;
  });
}

export interface CelOptions {
  /** Paths that already have structural problems: rules over them are not evaluated. */
  problems?: readonly FieldProblem[];
  observe?: RuleObserver | undefined;
}

/** Evaluates the rules of `rules` at `path` against `self`. */
export function checkRules(rules: readonly CelRule[], self: unknown, path: Path, observe?: RuleObserver): FieldProblem[] {
  const out: FieldProblem[] = [];
  let context: { self: unknown } | undefined;
  for (const rule of rules) {
    if (isTransitionRule(rule)) {
      observe?.(rule, 'skipped-transition', path);
      continue;
    }
    context ??= { self: toCel(self) };
    const result = evaluateCel(rule.rule, context);
    const at = rule.fieldPath ? [...path, ...(parseFieldPath(rule.fieldPath) ?? [])] : [...path];
    if (!result.ok) {
      observe?.(rule, 'error', path);
      out.push({
        path: [...path],
        message: `cannot check the rule ${JSON.stringify(rule.rule)} offline (${result.error}); this is a bug in govcloud's rules, please report it`,
      });
    } else if (!result.value) {
      observe?.(rule, 'fail', path);
      out.push({ path: at, message: rule.message });
    } else {
      observe?.(rule, 'pass', path);
    }
  }
  return out;
}

/**
 * Walks schema and value together and evaluates every rule at every node that has a value
 * and no structural problem at or beneath it (those would make the rule misfire).
 */
export function checkCel(schema: TSchema, value: unknown, base: Path, options: CelOptions = {}): FieldProblem[] {
  const problems = options.problems ?? [];
  const clean = (path: Path) => !problems.some((p) => isWithin(p.path, path));
  const out: FieldProblem[] = [];
  const visit = (node: Json, v: unknown, path: (string | number)[]) => {
    if (v === undefined) return;
    const rules = rulesOf(node);
    if (rules.length > 0 && clean(path)) for (const p of checkRules(rules, withCelTimes(node, v), path, options.observe)) out.push(p);
    if (node.type === 'object' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const props = (node.properties ?? {}) as Record<string, Json>;
      for (const [key, sub] of Object.entries(props)) {
        if (!Object.hasOwn(v, key)) continue;
        path.push(key);
        visit(sub, (v as Json)[key], path);
        path.pop();
      }
    } else if (node.type === 'array' && Array.isArray(v) && node.items) {
      v.forEach((item, i) => {
        path.push(i);
        visit(node.items as Json, item, path);
        path.pop();
      });
    }
  };
  visit(schema as Json, value, [...base]);
  return out;
}

/**
 * The object with its times (fields of the RFC 3339 pattern) written as cel-js's
 * timestamp() reads them: cel-js refuses more than 30 characters (nine fractional digits
 * with an offset), which Go's, the API server's, reads. The instant is kept, to the millisecond.
 */
function withCelTimes(node: Json, v: unknown): unknown {
  if (node.type !== 'object' || v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const props = (node.properties ?? {}) as Record<string, Json>;
  let out: Json | undefined;
  for (const [key, sub] of Object.entries(props)) {
    const value = (v as Json)[key];
    if (sub.pattern !== RFC3339 || typeof value !== 'string') continue;
    const time = parseTime(value);
    if (time === undefined) continue;
    out ??= { ...(v as Json) };
    out[key] = new Date(time).toISOString();
  }
  return out ?? v;
}

/** Every rule of a schema with the path of its node (`[]` items as `*`), for tests. */
export function listRules(schema: TSchema, base: (string | number)[] = []): { path: string; rule: CelRule }[] {
  const out: { path: string; rule: CelRule }[] = [];
  const visit = (node: Json, path: string) => {
    for (const rule of rulesOf(node)) out.push({ path, rule });
    if (node.properties) for (const [k, sub] of Object.entries(node.properties as Record<string, Json>)) visit(sub, `${path}.${k}`);
    if (node.items) visit(node.items as Json, `${path}[*]`);
    if (Array.isArray(node.anyOf)) for (const sub of node.anyOf as Json[]) visit(sub, path);
  };
  visit(schema as Json, base.join('.'));
  return out;
}
