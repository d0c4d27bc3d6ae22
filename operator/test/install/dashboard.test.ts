// The Grafana dashboard in the chart: every metric it queries is one the operator registers,
// and the chart ships it as a ConfigMap Grafana's sidecar finds, only when asked.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlatformMetrics } from '../../src/controllers/metrics.ts';
import { RuntimeMetrics } from '../../src/runtime/index.ts';
import { CHART, template } from './helm.ts';

const FILE = path.join(CHART, 'dashboards', 'showback.json');
const dashboard = JSON.parse(readFileSync(FILE, 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };

/** Metric names in a PromQL expression: identifiers followed by `{`, `)` or space that are not functions or labels. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:govcloud|controller_runtime|workqueue)_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}

test('every metric the dashboard queries is registered by the operator', async () => {
  const runtime = new RuntimeMetrics();
  new PlatformMetrics(runtime);
  const served = [...(await runtime.registry.getMetricsAsJSON()), ...(await runtime.agencyRegistry.getMetricsAsJSON())];
  const registered = new Set(served.map((m) => m.name));
  const queried = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr))));
  assert.ok(queried.size >= 6, [...queried].join(', '));
  for (const name of queried) assert.ok(registered.has(name), `${name} is queried but the operator has no such metric`);
  for (const wanted of [
    'govcloud_agency_quota_allocated',
    'govcloud_agency_quota_used',
    'govcloud_migration_systems_overdue',
    'govcloud_consolidation_target_share_percent',
  ])
    assert.ok(queried.has(wanted), `the dashboard shows ${wanted}`);
});

test('the chart ships the dashboard as a ConfigMap labelled for Grafana only when dashboards.enabled', () => {
  assert.not.ok(
    template().some((o) => o.kind === 'ConfigMap' && o.metadata.name.includes('dashboard')),
    'off by default',
  );
  const on = template(['dashboards.enabled=true']).filter((o) => o.kind === 'ConfigMap' && o.metadata.name.includes('dashboard'));
  assert.is(on.length, 1);
  const cm = on[0]! as unknown as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
  assert.is(cm.metadata.labels.grafana_dashboard, '1');
  assert.equal(JSON.parse(cm.data['showback.json']!), dashboard);
});

test.run();
