// The govcloud ClusterRoles come with the chart, and the operator, which holds no escalate,
// cannot write them: when one is changed in a data centre (an aggregationRule, a wider rule)
// its DataCentre says so at once, naming the role, and turns Ready again once the chart's
// copy is back. The operator never rewrites it itself.
import * as assert from 'uvu/assert';
import { platformClusterRoles, WORKSPACE_ADMIN_ROLE } from '../../operator/src/render/index.ts';
import { waitFor } from '../harness/index.ts';
import { operatorSuite } from './suite.ts';
import { chartIdentityObjects, clusterOf, condition, get } from './platform.ts';

const test = operatorSuite('operator: the govcloud ClusterRoles');
const PATH = `/apis/rbac.authorization.k8s.io/v1/clusterroles/${WORKSPACE_ADMIN_ROLE}`;

test("govcloud-workspace-admin widened in dc-hcm: its DataCentre is not Ready and names it; the chart's copy makes it Ready again", async ({
  hub,
  clusters,
}) => {
  const hcm = clusterOf(clusters, 'dc-hcm');
  const chartCopy = chartIdentityObjects('member').find((o) => o.kind === 'ClusterRole' && o.metadata?.name === WORKSPACE_ADMIN_ROLE)!;
  assert.equal((chartCopy as unknown as { rules: unknown }).rules, platformClusterRoles()[0]!.rules);
  try {
    await hcm.call(
      'PATCH',
      PATH,
      { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'e2e.govcloud.dev/extra': 'true' } }] } },
      'application/merge-patch+json',
    );
    const degraded = await waitFor(
      'dc-hcm Ready=False, PlatformRolesDiffer',
      async () => {
        const c = condition(await get(hub, 'DataCentre', undefined, 'dc-hcm'), 'Ready');
        return c?.status === 'False' && c.reason === 'PlatformRolesDiffer' ? c : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.match(degraded.message, /ClusterRole govcloud-workspace-admin differs from the platform's: has an aggregationRule/);
    assert.is(condition(await get(hub, 'DataCentre', undefined, 'dc-danang'), 'Ready')?.status, 'True', 'the other data centres are not affected');
    const live = (await hcm.call('GET', PATH)) as { aggregationRule?: unknown };
    assert.ok(live.aggregationRule, 'the operator left the role as it found it: it may not write ClusterRoles');
  } finally {
    await hcm.call('PATCH', PATH, { aggregationRule: null }, 'application/merge-patch+json');
    await hcm.apply(chartCopy);
  }
  await waitFor('dc-hcm Ready again', async () => condition(await get(hub, 'DataCentre', undefined, 'dc-hcm'), 'Ready')?.status === 'True', {
    timeoutMs: 30_000,
    intervalMs: 250,
  });
});

test.run();
