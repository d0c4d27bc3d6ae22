/**
 * Turns a kind definition into its CustomResourceDefinition. The schema is the TypeBox
 * schema as plain JSON, with the few shapes Kubernetes spells its own way rewritten.
 */
import type { TSchema } from '@sinclair/typebox';
import type { KindDefinition } from './kind.ts';
import { CEL_KEY, GROUP, VERSION, type CelRule } from './schema.ts';

type Json = { [key: string]: unknown };

export const CATEGORY = 'govcloud';

export function crdFor(def: KindDefinition): Json {
  const root: Json = {
    type: 'object',
    description: def.description,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { type: 'object' },
      spec: toOpenApi(def.spec),
      status: toOpenApi(def.status),
    },
  };
  if (def.rootRules && def.rootRules.length > 0) root[CEL_KEY] = def.rootRules.map(serverRule);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${def.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/part-of': 'govcloud', 'app.kubernetes.io/managed-by': 'govcloud' },
    },
    spec: {
      group: GROUP,
      scope: def.scope,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: [CATEGORY],
      },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: def.printerColumns,
          schema: { openAPIV3Schema: root },
        },
      ],
    },
  };
}

/**
 * The API server accepts a rule's fieldPath only where the schema declares the field, and a
 * CRD cannot declare metadata's fields; `govcloud validate` still uses it to point at the line.
 */
function serverRule(rule: CelRule): CelRule {
  if (!rule.fieldPath?.startsWith('.metadata')) return rule;
  const { fieldPath: _offlineOnly, ...rest } = rule;
  return rest;
}

/** Plain OpenAPI v3 (structural) from a TypeBox schema. */
export function toOpenApi(schema: TSchema): Json {
  const plain = JSON.parse(JSON.stringify(schema)) as Json;
  return rewrite(plain);
}

function rewrite(node: Json): Json {
  if (node['x-kubernetes-int-or-string'] === true) {
    const branches = (node.anyOf as Json[] | undefined) ?? [];
    const pattern = branches.find((b) => typeof b.pattern === 'string')?.pattern;
    const out: Json = { description: node.description, anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true };
    if (pattern) out.pattern = pattern;
    return out;
  }
  // A union of string literals (Type.Union of Type.Literal): TypeBox writes anyOf of const
  // branches, which a structural schema refuses (no type on the node, no const); an enum says it.
  const literals = node.anyOf as Json[] | undefined;
  if (literals?.length && literals.every((b) => typeof b.const === 'string')) {
    const { anyOf: _branches, ...rest } = node;
    return { ...rest, type: 'string', enum: literals.map((b) => b.const) };
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id') continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, rewrite(v)]));
    } else if (key === 'items' && value && typeof value === 'object') {
      out.items = rewrite(value as Json);
    } else {
      out[key] = value;
    }
  }
  return out;
}
