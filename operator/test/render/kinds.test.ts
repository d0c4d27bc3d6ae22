// The one table of child kinds (render/kinds.ts) against what the renderers emit for
// samples/: a kind rendered and missing from the table, or a row nothing renders, fails here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadAndValidate } from '../../src/cli/check.ts';
import { captureIo } from '../../src/cli/io.ts';
import { checkPlatform } from '../../src/model/rules.ts';
import { applyRank, CHILD_RESOURCES, renderPlatform } from '../../src/render/index.ts';

/**
 * samples/, and the same with an exchange gateway declared in dc-hanoi and dc-hcm (the
 * samples declare none: the local platform runs them without cert-manager) and the business
 * registry in dc-hanoi only, so that its consumer's workspace in dc-hcm is routed through the
 * gateways: the gateway's kinds.
 */
async function renderedSamples() {
  const result = await loadAndValidate(['samples'], captureIo({ cwd: process.cwd() }));
  assert.equal(result.errors, []);
  const withGateways = structuredClone(result.platform);
  for (const dc of withGateways.dataCentres) {
    const range = dc.spec.networkRanges[0]!;
    if (dc.metadata.name !== 'dc-danang') dc.spec.exchangeGateway = { address: range.replace(/\.0\/\d+$/, '.1') };
  }
  withGateways.services.find((s) => s.metadata.name === 'business-registry')!.spec.placement.dataCentres = ['dc-hanoi'];
  assert.equal(
    checkPlatform(withGateways).filter((p) => p.severity === 'error'),
    [],
    'the samples with gateways are valid',
  );
  const now = new Date('2026-01-01T00:00:00Z');
  return [...renderPlatform(result.platform, now).perDataCentre, ...renderPlatform(withGateways, now).perDataCentre];
}

test('kinds: every kind the renderers emit is a row of the table, with its apiVersion, and every row is rendered', async () => {
  const rendered = new Set((await renderedSamples()).flatMap((d) => d.objects.map((o) => `${o.apiVersion} ${o.kind}`)));
  const table = new Set(CHILD_RESOURCES.map((r) => `${r.apiVersion} ${r.kind}`));
  assert.equal([...rendered].filter((k) => !table.has(k)).sort(), [], 'rendered but not in render/kinds.ts');
  assert.equal([...table].filter((k) => !rendered.has(k)).sort(), [], 'in render/kinds.ts but rendered for no sample');
  assert.is(CHILD_RESOURCES.length, new Set(CHILD_RESOURCES.map((r) => r.kind)).size, 'one row per kind');
});

test('kinds: objects come out in the table order, namespaces and cluster-wide objects before what lives in namespaces', async () => {
  for (const { dataCentre, objects } of await renderedSamples()) {
    const ranks = objects.map((o) => applyRank(o.kind));
    assert.equal(
      ranks,
      [...ranks].sort((a, b) => a - b),
      `${dataCentre}: apply order`,
    );
    const firstNamespaced = objects.findIndex((o) => o.metadata.namespace !== undefined);
    assert.ok(
      objects.slice(firstNamespaced).every((o) => o.metadata.namespace !== undefined),
      `${dataCentre}: cluster-wide objects first`,
    );
  }
  const scopeOf = new Map(CHILD_RESOURCES.map((r) => [r.kind, r.namespaced]));
  for (const { objects } of await renderedSamples()) {
    for (const o of objects) assert.is(o.metadata.namespace !== undefined, scopeOf.get(o.kind), `${o.kind} ${o.metadata.name}: namespaced as its row says`);
  }
  assert.is(applyRank('Secret'), CHILD_RESOURCES.length, 'a kind not in the table comes last');
});

test.run();
