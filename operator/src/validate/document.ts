/**
 * Checks of one document on its own: is it a govcloud object at all, its identity
 * (apiVersion, kind, metadata.name, namespace), its spec against the schema, and the CEL
 * rules. What needs other objects is in model/rules.ts.
 */
import { API_VERSION, GROUP, KINDS, agencyNameOfHubNamespace, kindByName, type KindDefinition, SYSTEM_NAMESPACE } from '../api/index.ts';
import { checkCel, checkRules, type RuleObserver } from './cel.ts';
import { describeValue, isWithin, quote, type FieldProblem, type Path } from './path.ts';
import { checkStructure, pruneNulls } from './structure.ts';

type Json = Record<string, unknown>;

/** What one document turned out to be. */
export type Classified =
  /** Not a mapping, or no apiVersion/kind: a mistake. */
  | { sort: 'invalid'; object: string; problems: FieldProblem[] }
  /** A Kubernetes object of another API group: counted, not checked. */
  | { sort: 'other'; object: string; apiVersion: string; kind: string }
  /** A govcloud.dev object: checked. `value` is the object as the API server would store it (nulls pruned, status dropped). */
  | {
      sort: 'govcloud';
      object: string;
      def: KindDefinition | undefined;
      name: string | undefined;
      namespace: string | undefined;
      value: Json;
      problems: FieldProblem[];
    };

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Kinds whose names end up inside other names (namespaces, labels, references by DNS label). */
const LABEL_NAMED = new Set(['DataCentre', 'Agency']);
const TOP_LEVEL = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];
const METADATA_FIELDS = new Set([
  'name',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'generation',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'finalizers',
  'ownerReferences',
  'managedFields',
  'generateName',
  'selfLink',
]);

/** "a DataCentre", "an Agency". */
export function withArticle(kind: string): string {
  return `${/^[AEIOU]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

export function objectLabel(kind: string, name: string | undefined): string {
  return `${kind}/${name ?? '(no name)'}`;
}

export function classify(raw: unknown, observe?: RuleObserver): Classified {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      sort: 'invalid',
      object: '',
      problems: [{ path: [], message: `document is ${describeValue(raw)}, not a Kubernetes object (a mapping with apiVersion, kind and metadata)` }],
    };
  }
  const doc = raw as Json;
  const { apiVersion, kind } = doc;
  const metadata = doc.metadata;
  const rawName = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Json).name : undefined;
  const name = typeof rawName === 'string' && rawName.length > 0 ? rawName : undefined;
  const kindText = typeof kind === 'string' && kind.length > 0 ? kind : undefined;

  if (typeof apiVersion !== 'string' || !kindText) {
    const missing = [typeof apiVersion !== 'string' ? 'apiVersion' : '', !kindText ? 'kind' : ''].filter(Boolean);
    return {
      sort: 'invalid',
      object: kindText ? objectLabel(kindText, name) : '',
      problems: [
        { path: [missing[0]!], message: `not a Kubernetes object: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing or not a string` },
      ],
    };
  }
  const object = objectLabel(kindText, name);
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  if (group !== GROUP) return { sort: 'other', object, apiVersion, kind: kindText };

  const def = kindByName(kindText);
  const problems: FieldProblem[] = [];
  const base = { sort: 'govcloud' as const, object, def, name, namespace: undefined as string | undefined, value: doc, problems };
  if (apiVersion !== API_VERSION) {
    problems.push({ path: ['apiVersion'], message: `${quote(apiVersion)} is not served: this govcloud knows ${API_VERSION}` });
    return base;
  }
  if (!def) {
    problems.push({ path: ['kind'], message: `unknown kind ${quote(kindText)} in ${API_VERSION}: expected one of ${KINDS.map((k) => k.kind).join(', ')}` });
    return base;
  }

  const observeKind: RuleObserver | undefined = observe && ((rule, outcome, path) => observe(rule, outcome, path, def.kind));
  const value = pruneNulls(doc) as Json;
  delete value.status;
  base.value = value;

  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL.includes(key)) problems.push({ path: [key], message: 'unknown field' });
  }
  const meta = checkMetadata(def, value.metadata);
  for (const p of meta.problems) problems.push(p);
  base.namespace = meta.namespace;

  if (value.spec === undefined) problems.push({ path: ['spec'], message: 'required field is missing' });
  else for (const p of checkStructure(def.spec, value.spec, ['spec'])) problems.push(p);

  const structural = [...problems];
  for (const p of checkCel(def.spec, value.spec, ['spec'], { problems: structural, observe: observeKind })) problems.push(p);
  if (def.rootRules && def.rootRules.length > 0) {
    const onlyMetadata = def.rootRules.every((r) => !/\bself\.(?!metadata\b)/.test(r.rule));
    const blocking = (p: Path) => structural.some((s) => isWithin(s.path, p));
    if (!blocking(['metadata']) && (onlyMetadata || structural.length === 0)) {
      for (const p of checkRules(def.rootRules, value, [], observeKind)) problems.push(p);
    }
  }
  return base;
}

function checkMetadata(def: KindDefinition, metadata: unknown): { problems: FieldProblem[]; namespace: string | undefined } {
  const problems: FieldProblem[] = [];
  if (metadata === undefined) return { problems: [{ path: ['metadata'], message: 'required field is missing' }], namespace: undefined };
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    return { problems: [{ path: ['metadata'], message: `must be a mapping of fields, not ${describeValue(metadata)}` }], namespace: undefined };
  }
  const m = metadata as Json;
  for (const key of Object.keys(m)) {
    if (!METADATA_FIELDS.has(key)) problems.push({ path: ['metadata', key], message: 'unknown field' });
  }
  const name = m.name;
  if (name === undefined) {
    problems.push({ path: ['metadata', 'name'], message: 'required field is missing' });
  } else if (typeof name !== 'string') {
    problems.push({ path: ['metadata', 'name'], message: `must be a string, not ${describeValue(name)}` });
  } else if (LABEL_NAMED.has(def.kind)) {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      problems.push({
        path: ['metadata', 'name'],
        message: `${withArticle(def.kind)} name must be a DNS label: at most 63 lowercase letters a-z, digits and '-', starting and ending with a letter or digit`,
      });
    }
  } else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    problems.push({ path: ['metadata', 'name'], message: "must be a DNS subdomain name: lowercase letters a-z, digits, '-' and '.', at most 253 characters" });
  }
  for (const field of ['labels', 'annotations']) {
    const map = m[field];
    if (map === undefined) continue;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      problems.push({ path: ['metadata', field], message: `must be a mapping of strings, not ${describeValue(map)}` });
      continue;
    }
    for (const [k, v] of Object.entries(map)) {
      if (typeof v !== 'string') problems.push({ path: ['metadata', field, k], message: `must be a string, not ${describeValue(v)} (quote it)` });
    }
  }

  const ns = m.namespace;
  let namespace: string | undefined;
  if (def.scope === 'Cluster') {
    if (ns !== undefined) problems.push({ path: ['metadata', 'namespace'], message: `${withArticle(def.kind)} is cluster-scoped: remove the namespace` });
  } else if (ns === undefined) {
    problems.push({
      path: ['metadata', 'namespace'],
      message: `required: ${withArticle(def.kind)} lives in the hub namespace of its agency, govcloud-<agency>`,
    });
  } else if (typeof ns !== 'string') {
    problems.push({ path: ['metadata', 'namespace'], message: `must be a string, not ${describeValue(ns)}` });
  } else if (ns === SYSTEM_NAMESPACE || agencyNameOfHubNamespace(ns) === undefined || !DNS_LABEL.test(ns) || ns.length > 63) {
    problems.push({
      path: ['metadata', 'namespace'],
      message: `${quote(ns)} is not an agency's hub namespace: ${withArticle(def.kind)} lives in govcloud-<agency>, and the agency owning that namespace is the one acting`,
    });
  } else {
    namespace = ns;
  }
  return { problems, namespace };
}
