import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { crdFor, toOpenApi } from '../../src/api/crd.ts';
import { KINDS } from '../../src/api/index.ts';
import { CEL_KEY } from '../../src/api/schema.ts';

type Json = { [key: string]: unknown };

function walk(node: Json, path: string, visit: (node: Json, path: string) => void): void {
  visit(node, path);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Json>)) walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items as Json, `${path}[]`, visit);
}

test('every field of every kind has a description, so kubectl explain documents the API', () => {
  const missing: string[] = [];
  for (const def of KINDS) {
    for (const part of ['spec', 'status'] as const) {
      walk(toOpenApi(def[part]), `${def.kind}.${part}`, (node, path) => {
        if (typeof node.description !== 'string' || node.description.length === 0) missing.push(path);
      });
    }
  }
  assert.equal(missing, []);
});

test('schemas are structural: a type on every node, no additionalProperties false, int-or-string in the Kubernetes form', () => {
  for (const def of KINDS) {
    walk(toOpenApi(def.spec), def.kind, (node, path) => {
      assert.not.equal(node.additionalProperties, false, path);
      if (node['x-kubernetes-int-or-string']) {
        assert.equal(node.anyOf, [{ type: 'integer' }, { type: 'string' }], path);
        assert.type(node.pattern, 'string', path);
      } else {
        assert.type(node.type, 'string', `${path} has no type`);
      }
    });
  }
});

test('each CRD has the status subresource, short names, the govcloud category and printer columns', () => {
  for (const def of KINDS) {
    const crd = crdFor(def) as any;
    assert.is(crd.metadata.name, `${def.plural}.govcloud.dev`);
    const version = crd.spec.versions[0];
    assert.equal(version.subresources, { status: {} });
    assert.ok(crd.spec.names.shortNames.length > 0);
    assert.equal(crd.spec.names.categories, ['govcloud']);
    assert.ok(version.additionalPrinterColumns.length > 0);
    assert.equal(version.schema.openAPIV3Schema.required, ['spec']);
  }
});

test('CEL rules carry a message, and the agency code is immutable', () => {
  const agency = KINDS.find((k) => k.kind === 'Agency')!;
  const code = (toOpenApi(agency.spec).properties as any).code;
  assert.equal(
    code[CEL_KEY].map((r: any) => r.rule),
    ['self == oldSelf'],
  );
  for (const def of KINDS) {
    walk(toOpenApi(def.spec), def.kind, (node, path) => {
      for (const rule of (node[CEL_KEY] as any[] | undefined) ?? []) assert.ok(rule.message, `${path}: ${rule.rule}`);
    });
  }
});

test('root rules keep no fieldPath into metadata, which the API server refuses', () => {
  for (const def of KINDS) {
    const root = (crdFor(def) as any).spec.versions[0].schema.openAPIV3Schema;
    for (const rule of root[CEL_KEY] ?? []) assert.not.ok(String(rule.fieldPath ?? '').startsWith('.metadata'), `${def.kind}: ${rule.rule}`);
  }
  assert.ok(
    KINDS.some((k) => k.rootRules?.some((r) => r.fieldPath === '.metadata.name')),
    'the offline definition keeps it',
  );
});

test.run();
