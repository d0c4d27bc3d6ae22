// The Prometheus text parser the e2e suite and the bench share (e2e/harness/prometheus.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { metricSamples, metricSum } from '../../../e2e/harness/prometheus.ts';

const TEXT = `# HELP workqueue_adds_total Total number of adds handled by workqueue
# TYPE workqueue_adds_total counter
workqueue_adds_total{controller="agency",name="agency"} 12
workqueue_adds_total{controller="service",name="service"} 3
workqueue_adds_total_extra 99
govcloud_agencies 7
controller_runtime_reconcile_time_seconds_sum{controller="agency"} 1.5
apiserver_request_total{code="200",verb="APPLY",message="a \\"quoted\\" value, with a comma"} 4
`;

test('samples of one metric, with their labels; other names and comments are not read', () => {
  assert.equal(metricSamples(TEXT, 'workqueue_adds_total'), [
    { labels: { controller: 'agency', name: 'agency' }, value: 12 },
    { labels: { controller: 'service', name: 'service' }, value: 3 },
  ]);
  assert.equal(metricSamples(TEXT, 'govcloud_agencies'), [{ labels: {}, value: 7 }]);
  assert.equal(metricSamples(TEXT, 'controller_runtime_reconcile_time_seconds_sum'), [{ labels: { controller: 'agency' }, value: 1.5 }]);
  assert.equal(
    metricSamples(TEXT, 'apiserver_request_total'),
    [{ labels: { code: '200', verb: 'APPLY', message: 'a \\"quoted\\" value, with a comma' }, value: 4 }],
    'escaped quotes and commas inside a value',
  );
  assert.equal(metricSamples(TEXT, 'absent'), []);
});

test('the sum over the samples whose labels include the ones asked for', () => {
  assert.is(metricSum(TEXT, 'workqueue_adds_total'), 15);
  assert.is(metricSum(TEXT, 'workqueue_adds_total', { controller: 'service' }), 3);
  assert.is(metricSum(TEXT, 'workqueue_adds_total', { controller: 'link' }), 0);
});
test.run();
