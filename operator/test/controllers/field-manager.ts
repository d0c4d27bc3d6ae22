// Field management as the API server does it, far enough for the drift tests: each write
// records in metadata.managedFields which manager owns which fields (maps by key, lists
// whole). A server-side apply removes only fields its manager owned alone and no longer
// sets, and takes over (force) the fields it sets; an update (PUT, merge patch) takes over
// the fields whose value it changed, and every manager loses the fields it removed.
import type { Obj } from './fakes.ts';

type FieldSet = { [key: string]: FieldSet };
type Path = string[];
interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  fieldsV1: FieldSet;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields managedFields tracks: content, labels and annotations. */
function tracked(obj: Obj | undefined): Record<string, unknown> {
  if (!obj) return {};
  const { apiVersion: _a, kind: _k, metadata, status: _s, ...content } = obj;
  const meta: Record<string, unknown> = {};
  if (metadata?.labels) meta.labels = metadata.labels;
  if (metadata?.annotations) meta.annotations = metadata.annotations;
  return structuredClone({ ...content, metadata: meta });
}

function fieldsOf(value: unknown): FieldSet {
  if (!isMap(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [`f:${k}`, fieldsOf(v)]));
}

function leaves(fields: FieldSet, prefix: Path = []): Path[] {
  const keys = Object.keys(fields);
  if (keys.length === 0) return prefix.length > 0 ? [prefix] : [];
  return keys.flatMap((k) => leaves(fields[k]!, [...prefix, k.slice(2)]));
}

function at(value: unknown, path: Path): unknown {
  let v = value;
  for (const k of path) v = isMap(v) ? v[k] : undefined;
  return v;
}

function owns(fields: FieldSet, path: Path): boolean {
  let node: FieldSet | undefined = fields;
  for (const k of path) node = node?.[`f:${k}`];
  return node !== undefined;
}

function drop(fields: FieldSet, path: Path): void {
  const [head, ...rest] = path;
  const child = fields[`f:${head}`];
  if (!child) return;
  if (rest.length === 0) {
    delete fields[`f:${head}`];
    return;
  }
  if (Object.keys(child).length === 0) return;
  drop(child, rest);
  if (Object.keys(child).length === 0) delete fields[`f:${head}`];
}

function remove(value: Record<string, unknown>, path: Path): void {
  const [head, ...rest] = path;
  if (rest.length === 0) delete value[head!];
  else if (isMap(value[head!])) remove(value[head!] as Record<string, unknown>, rest);
}

function merge(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(from)) into[k] = isMap(v) && isMap(into[k]) ? merge(into[k] as Record<string, unknown>, v) : structuredClone(v);
  return into;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function entries(obj: Obj | undefined): Entry[] {
  return structuredClone((obj?.metadata?.managedFields ?? []) as unknown as Entry[]);
}

function assemble(base: Obj, result: Record<string, unknown>, managed: Entry[], live: Obj | undefined): Obj {
  const { metadata: meta, ...content } = result as { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } };
  const metadata: Record<string, unknown> = { ...base.metadata, managedFields: managed.filter((e) => Object.keys(e.fieldsV1).length > 0) };
  delete metadata.labels;
  delete metadata.annotations;
  if (meta.labels && Object.keys(meta.labels).length > 0) metadata.labels = meta.labels;
  if (meta.annotations && Object.keys(meta.annotations).length > 0) metadata.annotations = meta.annotations;
  const out: Obj = { apiVersion: base.apiVersion!, kind: base.kind!, metadata: metadata as Obj['metadata'], ...content };
  if (live?.status) out.status = live.status;
  return out;
}

/** A forced server-side apply of `body` by `manager` over `live`. */
export function applied(live: Obj | undefined, body: Obj, manager: string): Obj {
  const before = tracked(live);
  const wanted = tracked(body);
  const bodyFields = fieldsOf(wanted);
  const all = entries(live);
  const previous = all.find((e) => e.manager === manager && e.operation === 'Apply')?.fieldsV1 ?? {};
  const others = all.filter((e) => !(e.manager === manager && e.operation === 'Apply'));
  const result = structuredClone(before);
  for (const leaf of leaves(previous)) {
    if (!owns(bodyFields, leaf) && !others.some((o) => owns(o.fieldsV1, leaf))) remove(result, leaf);
  }
  merge(result, wanted);
  for (const leaf of leaves(bodyFields)) if (!same(at(before, leaf), at(wanted, leaf))) for (const o of others) drop(o.fieldsV1, leaf);
  const base = { ...body, metadata: { ...live?.metadata, ...body.metadata } } as Obj;
  return assemble(base, result, [...others, { manager, operation: 'Apply', fieldsV1: bodyFields }], live);
}

/** `next` written over `live` by `manager` with an update (PUT, or a patch already merged). */
export function updated(live: Obj, next: Obj, manager: string): Obj {
  const before = tracked(live);
  const after = tracked(next);
  const all = entries(live);
  const changed = leaves(fieldsOf(after)).filter((leaf) => !same(at(before, leaf), at(after, leaf)));
  for (const e of all) {
    for (const leaf of leaves(e.fieldsV1)) if (at(after, leaf) === undefined) drop(e.fieldsV1, leaf);
    for (const leaf of changed) drop(e.fieldsV1, leaf);
  }
  let mine = all.find((e) => e.manager === manager && e.operation === 'Update');
  if (!mine) all.push((mine = { manager, operation: 'Update', fieldsV1: {} }));
  for (const leaf of changed)
    merge(
      mine.fieldsV1 as Record<string, unknown>,
      leaf.reduceRight<Record<string, unknown>>((acc, k) => ({ [`f:${k}`]: acc }), {}),
    );
  return assemble(next, after, all, live);
}

/** A JSON merge patch (null removes). */
export function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(target);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (isMap(v)) out[k] = mergePatch(isMap(out[k]) ? (out[k] as Record<string, unknown>) : {}, v);
    else out[k] = structuredClone(v);
  }
  return out;
}
