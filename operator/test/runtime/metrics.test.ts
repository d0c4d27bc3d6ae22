import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PlatformMetrics } from '../../src/controllers/metrics.ts';
import { RuntimeMetrics } from '../../src/runtime/metrics.ts';
import { WorkQueue } from '../../src/runtime/queue.ts';
import { FakeClock, settle } from './fake-clock.ts';

const NAMES = [
  'controller_runtime_reconcile_total',
  'controller_runtime_reconcile_errors_total',
  'controller_runtime_terminal_reconcile_errors_total',
  'controller_runtime_reconcile_time_seconds',
  'controller_runtime_active_workers',
  'controller_runtime_max_concurrent_reconciles',
  'workqueue_depth',
  'workqueue_adds_total',
  'workqueue_retries_total',
  'workqueue_queue_duration_seconds',
  'workqueue_work_duration_seconds',
  'workqueue_unfinished_work_seconds',
  'workqueue_longest_running_processor_seconds',
  'leader_election_master_status',
  'rest_client_requests_total',
];

test('the registry exposes every controller-runtime metric name', async () => {
  const metrics = new RuntimeMetrics();
  const text = await metrics.render();
  for (const name of NAMES) assert.ok(text.includes(`# TYPE ${name} `), `missing ${name}`);
  assert.ok(metrics.contentType.startsWith('text/plain'));
});

test('answers of the API servers count by code, method and host, as client-go labels them', async () => {
  const metrics = new RuntimeMetrics();
  const observe = metrics.restClientRequest;
  observe('200', 'GET', '10.0.0.1:6443');
  observe('200', 'GET', '10.0.0.1:6443');
  observe('409', 'PATCH', '10.0.0.1:6443');
  observe('<error>', 'GET', '10.0.0.2:6443');
  const text = await metrics.render();
  assert.ok(text.includes('rest_client_requests_total{code="200",method="GET",host="10.0.0.1:6443"} 2'));
  assert.ok(text.includes('rest_client_requests_total{code="409",method="PATCH",host="10.0.0.1:6443"} 1'));
  assert.ok(text.includes('rest_client_requests_total{code="<error>",method="GET",host="10.0.0.2:6443"} 1'));
});

test('a registered controller has zero-valued series before its first reconcile', async () => {
  const metrics = new RuntimeMetrics();
  metrics.registerController('tenant', 4);
  const text = await metrics.render();
  assert.ok(text.includes('controller_runtime_max_concurrent_reconciles{controller="tenant"} 4'));
  assert.ok(text.includes('controller_runtime_reconcile_total{controller="tenant",result="success"} 0'));
  assert.ok(text.includes('controller_runtime_reconcile_total{controller="tenant",result="requeue_after"} 0'));
  assert.ok(text.includes('controller_runtime_active_workers{controller="tenant"} 0'));
});

test('queue metrics carry the queue name and in-flight gauges are computed at scrape time', async () => {
  const metrics = new RuntimeMetrics();
  const clock = new FakeClock();
  let release!: () => void;
  const q: WorkQueue = new WorkQueue({
    name: 'tenant',
    clock,
    process: () => new Promise<void>((resolve) => (release = resolve)),
    metrics: metrics.workqueue('tenant', {
      unfinishedWorkSeconds: () => q.unfinishedWorkSeconds(),
      longestRunningProcessorSeconds: () => q.longestRunningProcessorSeconds(),
    }),
  });
  q.add('a');
  q.add('b');
  let text = await metrics.render();
  assert.ok(text.includes('workqueue_depth{controller="tenant",name="tenant"} 2'));
  assert.ok(text.includes('workqueue_adds_total{controller="tenant",name="tenant"} 2'));
  q.start();
  await settle();
  await clock.advance(3000);
  text = await metrics.render();
  assert.ok(text.includes('workqueue_longest_running_processor_seconds{controller="tenant",name="tenant"} 3'));
  assert.ok(text.includes('workqueue_depth{controller="tenant",name="tenant"} 1'));
  release();
  await settle();
});

test('a duplicate add of a pending key counts once in workqueue_adds_total', async () => {
  const metrics = new RuntimeMetrics();
  const q: WorkQueue = new WorkQueue({
    name: 'tenant',
    clock: new FakeClock(),
    process: async () => {},
    metrics: metrics.workqueue('tenant', {
      unfinishedWorkSeconds: () => q.unfinishedWorkSeconds(),
      longestRunningProcessorSeconds: () => q.longestRunningProcessorSeconds(),
    }),
  });
  q.add('a');
  q.add('a');
  q.add('a');
  const text = await metrics.render();
  assert.ok(text.includes('workqueue_adds_total{controller="tenant",name="tenant"} 1'), text);
  assert.ok(text.includes('workqueue_depth{controller="tenant",name="tenant"} 1'));
});

// The platform's gauges are computed at scrape time from what the controllers bind; a standby
// (nothing bound) exports no per-data-centre series and 0 agencies (docs/operations.md says so).
test('the platform gauges: a standby exports no data centre series, a leader what its sources say', async () => {
  const runtime = new RuntimeMetrics();
  const platform = new PlatformMetrics(runtime);
  let text = await runtime.render();
  assert.ok(text.includes('\ngovcloud_agencies 0\n'), 'govcloud_agencies is 0 on a standby');
  assert.not.ok(/^govcloud_datacentre_connected\{/m.test(text), 'no govcloud_datacentre_connected series on a standby');
  assert.not.ok(/^govcloud_namespaces\{/m.test(text), 'no govcloud_namespaces series on a standby');

  let dataCentres = [
    { name: 'dc-hanoi', connected: true, namespaces: 12 },
    { name: 'dc-hcm', connected: false, namespaces: 3 },
  ];
  platform.bind({ agencies: () => 7, dataCentres: () => dataCentres });
  text = await runtime.render();
  assert.ok(text.includes('\ngovcloud_agencies 7\n'));
  assert.ok(text.includes('govcloud_datacentre_connected{datacentre="dc-hanoi"} 1'));
  assert.ok(text.includes('govcloud_datacentre_connected{datacentre="dc-hcm"} 0'));
  assert.ok(text.includes('govcloud_namespaces{datacentre="dc-hanoi"} 12'));

  dataCentres = [{ name: 'dc-hanoi', connected: true, namespaces: 13 }];
  text = await runtime.render();
  assert.not.ok(text.includes('datacentre="dc-hcm"'), 'a data centre no longer registered leaves no stale series');
  assert.ok(text.includes('govcloud_namespaces{datacentre="dc-hanoi"} 13'));
});

// Tens of thousands of series at national scale: never in the text the probes, the alerts and
// every health scrape read.
test('series per agency are served apart from the operator metrics, and aggregates stay', async () => {
  const runtime = new RuntimeMetrics();
  const platform = new PlatformMetrics(runtime);
  platform.bind({
    agencies: () => 1,
    dataCentres: () => [],
    roadmap: () => ({
      agencies: [{ agency: 'mof', systems: 3, done: 1, overdue: 2, sharePercent: 33, byState: { planned: 2, migrated: 1 } }],
      targets: [{ name: 'by-2027', sharePercent: 33, duePercent: 50 }],
    }),
  });
  const main = await runtime.render();
  const perAgency = await runtime.renderAgencies();
  assert.ok(perAgency.includes('govcloud_migration_systems{agency="mof",state="planned"} 2'), perAgency);
  assert.ok(perAgency.includes('govcloud_migration_systems_overdue{agency="mof"} 2'));
  assert.not.ok(/agency="mof"/.test(main), 'no series of the agency in /metrics');
  for (const name of ['govcloud_agency_quota_allocated', 'govcloud_agency_quota_used', 'govcloud_agency_quota_used_month_mean', 'govcloud_agency_services']) {
    assert.ok(perAgency.includes(`# TYPE ${name} gauge`), name);
    assert.not.ok(main.includes(`# TYPE ${name} `), `${name} not in /metrics`);
  }
  assert.ok(main.includes('govcloud_consolidation_target_share_percent{consolidationtarget="by-2027"} 33'), 'aggregates stay in /metrics');
  assert.ok(main.includes('\ngovcloud_agencies 1\n'));
});

test.run();
