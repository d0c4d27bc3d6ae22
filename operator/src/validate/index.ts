/**
 * Offline validation of a GitOps folder: every document on its own (identity, schema,
 * CEL), then the rules across objects (model/rules.ts) over the objects that passed, and
 * the Services and Secrets meant for the agencies' workspaces against the workspace
 * admission policies (workspace-objects.ts), each problem with its file and line. Pure:
 * documents in, problems and the Platform out.
 */
import { KINDS } from '../api/index.ts';
import { parseYamlText, type LoadedDocument, type LoadResult } from '../load/documents.ts';
import { fieldPath, formatProblem, type Problem } from '../load/problem.ts';
import { emptyPlatform, PLATFORM_FIELD, type Platform } from '../model/platform.ts';
import { checkPlatform, type ObjectRef, type PlatformObject } from '../model/rules.ts';
import type { RuleObserver } from './cel.ts';
import { classify, type Classified } from './document.ts';
import type { Path } from './path.ts';
import { checkWorkspaceObject, namespaceOf, workspaceNamespaces, workspacePolicyFor } from './workspace-objects.ts';
import type { WorkspaceObjectPolicy } from '../render/index.ts';

/** More than this many problems in one document are summed up in one line. */
export const MAX_PROBLEMS_PER_DOCUMENT = 30;

export interface ValidationOptions {
  /** Told of every CEL rule evaluated (tests prove each rule runs). */
  observe?: RuleObserver;
  /**
   * Documents checked on their own by an earlier validateLoaded, by their value; read and
   * filled. `plan --base` shares the documents of files unchanged between base and head, so
   * each is checked once (the check is pure) and both platforms hold the same objects.
   */
  classified?: WeakMap<object, Classified>;
}

export interface Counts {
  files: number;
  /** Documents that are objects: govcloud ones and others. */
  objects: number;
  /** govcloud objects per kind. */
  byKind: Record<string, number>;
  /** Kubernetes objects of other API groups: counted; only Services and Secrets are checked. */
  other: number;
  /** Of those, the Services and Secrets checked against the workspace admission policies. */
  checkedOther: number;
}

export interface ValidationResult {
  errors: Problem[];
  warnings: Problem[];
  /** The objects valid on their own (rules across objects may still have found errors in them). */
  platform: Platform;
  counts: Counts;
  /** Where each object of the platform came from. */
  sourceOf: Map<PlatformObject, LoadedDocument>;
}

/** A `v1 List`'s items are documents of their own. */
function expandLists(documents: readonly LoadedDocument[]): LoadedDocument[] {
  const out: LoadedDocument[] = [];
  for (const doc of documents) {
    const v = doc.value as { apiVersion?: unknown; kind?: unknown; items?: unknown } | null;
    if (v && typeof v === 'object' && v.apiVersion === 'v1' && typeof v.kind === 'string' && /List$/.test(v.kind) && Array.isArray(v.items)) {
      v.items.forEach((item, i) => {
        out.push({
          file: doc.file,
          line: doc.lineOf(['items', i]),
          value: item,
          lineOf: (path) => doc.lineOf(['items', i, ...path]),
          placeOf: (path) => doc.placeOf(['items', i, ...path]),
        });
      });
    } else out.push(doc);
  }
  return out;
}

export function validateLoaded(load: LoadResult, options: ValidationOptions = {}): ValidationResult {
  const errors: Problem[] = [...load.problems];
  const warnings: Problem[] = [];
  const platform = emptyPlatform();
  const counts: Counts = { files: load.files.length, objects: 0, byKind: Object.fromEntries(KINDS.map((k) => [k.kind, 0])), other: 0, checkedOther: 0 };
  const sourceOf = new Map<PlatformObject, LoadedDocument>();
  const alsoPresent: ObjectRef[] = [];
  const forWorkspaces: { doc: LoadedDocument; object: string; policy: WorkspaceObjectPolicy }[] = [];

  // Only whole documents are looked up in options.classified: a List's items may repeat one value (a YAML alias).
  const documentValues = options.classified ? new Set(load.documents.map((d) => d.value)) : undefined;
  for (const doc of expandLists(load.documents)) {
    const c = classifyOnce(doc.value, options, documentValues);
    if (c.sort === 'other') {
      counts.objects++;
      counts.other++;
      const policy = workspacePolicyFor(c.apiVersion, c.kind);
      if (policy) forWorkspaces.push({ doc, object: c.object, policy });
      continue;
    }
    if (c.sort === 'govcloud') {
      counts.objects++;
      if (c.def) counts.byKind[c.def.kind] = (counts.byKind[c.def.kind] ?? 0) + 1;
    }
    const problems = c.problems;
    const at = (path: Path) => ({ file: doc.file, ...doc.placeOf(path), object: c.object });
    for (const p of problems.slice(0, MAX_PROBLEMS_PER_DOCUMENT)) {
      errors.push({ ...at(p.path), field: fieldPath(p.path), message: p.message });
    }
    if (problems.length > MAX_PROBLEMS_PER_DOCUMENT) {
      errors.push({ ...at([]), message: `${problems.length - MAX_PROBLEMS_PER_DOCUMENT} more problems in this document not shown` });
    }
    if (c.sort !== 'govcloud' || !c.def || c.name === undefined) continue;
    if (problems.length > 0) {
      alsoPresent.push({ kind: c.def.kind, namespace: c.namespace, name: c.name });
      continue;
    }
    const object = c.value as unknown as PlatformObject;
    (platform[PLATFORM_FIELD[c.def.kind]!] as PlatformObject[]).push(object);
    sourceOf.set(object, doc);
  }

  for (const p of checkPlatform(platform, { alsoPresent })) {
    const doc = sourceOf.get(p.object)!;
    const related = p.related ? sourceOf.get(p.related) : undefined;
    const message = related ? `${p.message} (see ${related.file}:${related.lineOf(['metadata', 'name'])})` : p.message;
    const problem: Problem = {
      file: doc.file,
      ...doc.placeOf(p.path),
      object: `${p.object.kind}/${p.object.metadata.name}`,
      field: fieldPath(p.path),
      message,
    };
    (p.severity === 'error' ? errors : warnings).push(problem);
  }
  const workspaces = workspaceNamespaces(platform);
  for (const { doc, object, policy } of forWorkspaces) {
    const namespace = namespaceOf(doc.value);
    if (namespace === undefined || (namespace !== null && workspaces.has(namespace))) {
      counts.checkedOther++;
      for (const p of checkWorkspaceObject(policy, doc.value)) {
        const at = { file: doc.file, ...doc.placeOf(p.path), object, field: fieldPath(p.path) };
        if (namespace === undefined) warnings.push({ ...at, message: `no namespace: in a govcloud workspace the API server refuses it: ${p.message}` });
        else errors.push({ ...at, message: p.message });
      }
    }
  }
  errors.sort(compareByPlace);
  warnings.sort(compareByPlace);
  return { errors, warnings, platform, counts, sourceOf };
}

function classifyOnce(value: unknown, options: ValidationOptions, documentValues: Set<unknown> | undefined): Classified {
  const cache = options.observe === undefined && value !== null && typeof value === 'object' && documentValues?.has(value) ? options.classified : undefined;
  const known = cache?.get(value as object);
  if (known !== undefined) return known;
  const c = classify(value, options.observe);
  cache?.set(value as object, c);
  return c;
}

/** File, line, then field and message: a stable order whatever the order of discovery. */
export function compareByPlace(a: Problem, b: Problem): number {
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    text(a.file, b.file) ||
    a.line - b.line ||
    (a.column ?? 0) - (b.column ?? 0) ||
    text(a.object, b.object) ||
    text(a.field ?? '', b.field ?? '') ||
    text(a.message, b.message)
  );
}

/** Validates file contents that never touched a disk (tests, fuzzing, the operator's admission path). */
export function validateSources(sources: readonly { file: string; bytes: Uint8Array }[], options: ValidationOptions = {}): ValidationResult {
  const load: LoadResult = { documents: [], problems: [], files: [] };
  for (const s of sources) {
    load.files.push(s.file);
    const parsed = parseYamlText(s.file, s.bytes);
    for (const d of parsed.documents) load.documents.push(d);
    for (const p of parsed.problems) load.problems.push(p);
  }
  return validateLoaded(load, options);
}

export function formatWarning(p: Problem): string {
  return formatProblem({ ...p, object: p.object ? `${p.object}: warning` : 'warning' });
}

const KIND_WORDS: Record<string, [string, string]> = {
  DataCentre: ['data centre', 'data centres'],
  Agency: ['agency', 'agencies'],
  NetworkLink: ['link', 'links'],
  SharedDataService: ['service', 'services'],
  AccessRequest: ['request', 'requests'],
  AccessGrant: ['grant', 'grants'],
  MigrationPlan: ['migration plan', 'migration plans'],
  ConsolidationTarget: ['consolidation target', 'consolidation targets'],
};

/** The roadmap's kinds say nothing about what a folder of tenancy and access opens: named only when it has some. */
const NAMED_WHEN_PRESENT = new Set(['MigrationPlan', 'ConsolidationTarget']);

function count(n: number, [one, many]: [string, string]): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `samples/: 42 objects in 9 files: 3 data centres, 8 agencies, ...: valid` */
export function summaryLine(paths: readonly string[], result: ValidationResult): string {
  const { counts } = result;
  const kinds = KINDS.filter((k) => !NAMED_WHEN_PRESENT.has(k.kind) || (counts.byKind[k.kind] ?? 0) > 0).map((k) =>
    count(counts.byKind[k.kind] ?? 0, KIND_WORDS[k.kind] ?? [k.kind, `${k.kind}s`]),
  );
  if (counts.other > 0) {
    const checked = counts.checkedOther > 0 ? `${counts.checkedOther} checked against the workspace admission policies` : 'not checked';
    kinds.push(`${count(counts.other, ['other Kubernetes object', 'other Kubernetes objects'])} (${checked})`);
  }
  const verdict = result.errors.length > 0 ? `invalid: ${count(result.errors.length, ['error', 'errors'])}` : 'valid';
  const warned = result.warnings.length > 0 ? `, ${count(result.warnings.length, ['warning', 'warnings'])}` : '';
  return `${paths.join(' ')}: ${count(counts.objects, ['object', 'objects'])} in ${count(counts.files, ['file', 'files'])}: ${kinds.join(', ')}: ${verdict}${warned}`;
}
