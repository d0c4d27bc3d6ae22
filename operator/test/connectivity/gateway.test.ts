/**
 * Across data centres through the exchange gateways: a consumer workspace reaches an
 * on-request service in another data centre exactly when the gateways carry a route, and
 * otherwise the explanation names what is missing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explainGateway, formatGatewayExplanation, gatewayModel, gatewayPaths } from '../../src/connectivity/gateway.ts';
import { crossDataCentre, platformViews } from '../../src/connectivity/govcloud.ts';
import { buildMatrix, destinationLabel, sourceKey } from '../../src/connectivity/matrix.ts';
import { EXCHANGE_PORT, GATEWAY_NAME, GATEWAY_POD_LABELS, gatewayEndpoints, renderGateways } from '../../src/render/gateway.ts';
import { renderPlatform, type DesiredObject, type PlatformRender } from '../../src/render/index.ts';
import type { Platform } from '../../src/model/platform.ts';
import { grant, NOW, service } from '../render/fixtures.ts';
import { exchangePlatform } from './exchange-fixtures.ts';

const THUE = { dataCentre: 'dc-hcm', namespace: 'bo-tai-chinh-thue' };
const DAN_CU = { dataCentre: 'dc-hanoi', namespace: 'bo-cong-an-app', name: 'svc-dan-cu' };

test('a current pair across data centres is one path via gateway: the hop, the pair and its end', () => {
  const model = gatewayModel(exchangePlatform(), NOW);
  const paths = gatewayPaths(model);
  assert.is(paths.length, 1);
  const p = paths[0]!;
  assert.equal(p.from, { dataCentre: 'dc-hcm', namespace: 'bo-tai-chinh-thue', agency: 'bo-tai-chinh', workspace: 'thue' });
  assert.equal(p.to, {
    dataCentre: 'dc-hanoi',
    kind: 'Service',
    namespace: 'bo-cong-an-app',
    name: 'svc-dan-cu',
    port: 8443,
    protocol: 'TCP',
    agency: 'bo-cong-an',
    service: 'dan-cu',
  });
  assert.is(p.via, 'gateway');
  assert.is(p.verdict, 'allowed');
  assert.is(p.request, 'govcloud-bo-tai-chinh/dan-cu');
  assert.is(p.grant, 'govcloud-bo-cong-an/g');
  assert.is(p.until, '2026-06-01T01:00:00.750Z');
  assert.is(p.gateway.exchangePort, 8443);
  assert.ok(p.gateway.listenPort >= 20000 && p.gateway.listenPort < 30000);

  const x = explainGateway(model, THUE, DAN_CU);
  assert.is(x.verdict, 'allowed');
  assert.is(
    formatGatewayExplanation(x),
    'bo-tai-chinh-thue (dc-hcm) → bo-cong-an-app/svc-dan-cu (dc-hanoi): ALLOWED via gateway\n' +
      `  dc-hcm/bo-tai-chinh/thue → gateway dc-hcm (listener ${p.gateway.listenPort}) → mutual TLS → gateway dc-hanoi → bo-cong-an/dan-cu:8443; ` +
      'via gateway, grant bo-cong-an/g, request bo-tai-chinh/dan-cu, until 2026-06-01T01:00:00.750Z\n',
  );
});

const reasons = (p: Platform, from = THUE, at = NOW) => {
  const x = explainGateway(gatewayModel(p, at), from, DAN_CU);
  assert.is(x.verdict, 'refused');
  assert.equal(
    gatewayPaths(gatewayModel(p, at)).filter((g) => g.from.namespace === from.namespace),
    [],
    'no path either',
  );
  return x.verdict === 'refused' ? x.reasons : [];
};

test('refused without a grant, without a request, for a workspace neither names, and for another agency: each names what is missing', () => {
  assert.equal(reasons(exchangePlatform({ grants: [] })), ['no AccessGrant of agency bo-cong-an for dan-cu to agency bo-tai-chinh']);
  assert.equal(reasons(exchangePlatform({ requests: [] })), ['no AccessRequest of agency bo-tai-chinh for bo-cong-an/dan-cu']);
  assert.equal(reasons(exchangePlatform(), { dataCentre: 'dc-hcm', namespace: 'bo-tai-chinh-kho-bac' }), [
    'AccessRequest bo-tai-chinh/dan-cu of agency bo-tai-chinh does not name workspace kho-bac',
  ]);
  assert.equal(reasons(exchangePlatform(), { dataCentre: 'dc-hcm', namespace: 'bo-y-te-bhyt' }), ['no AccessRequest of agency bo-y-te for bo-cong-an/dan-cu']);
  const onlyKhoBac = exchangePlatform({ grants: [grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh', workspaces: ['kho-bac'] })] });
  assert.equal(reasons(onlyKhoBac), ['AccessGrant bo-cong-an/g does not name workspace thue']);
});

test('refused after the end: the grant (or the request) expired, at the millisecond', () => {
  const end = new Date('2026-06-01T01:00:00.750Z');
  assert.equal(reasons(exchangePlatform(), THUE, end), ['AccessGrant bo-cong-an/g expired at 2026-06-01T01:00:00.750Z (now: 2026-06-01T01:00:00.750Z)']);
  assert.is(explainGateway(gatewayModel(exchangePlatform(), new Date(end.getTime() - 1)), THUE, DAN_CU).verdict, 'allowed');
  assert.equal(reasons(exchangePlatform({ requestUntil: '2026-05-31T00:00:00Z' })), [
    'AccessRequest bo-tai-chinh/dan-cu expired at 2026-05-31T00:00:00.000Z (now: 2026-06-01T00:00:00.000Z)',
  ]);
});

test('refused where a data centre has no gateway or no encrypted links: GatewayUnavailable, naming what each data centre lacks', () => {
  assert.equal(reasons(exchangePlatform({ gateways: ['dc-hanoi'] })), [
    'GatewayUnavailable: give a data centre on each side spec.exchangeGateway and spec.encryptedLinks: true to exchange through the gateways (DataCentre/dc-hcm lacks spec.exchangeGateway)',
  ]);
  // dc-danang has a gateway but offers no encrypted links.
  const danang = exchangePlatform({ mofIn: ['dc-danang'], gateways: ['dc-hanoi', 'dc-danang'] });
  assert.equal(reasons(danang, { dataCentre: 'dc-danang', namespace: 'bo-tai-chinh-thue' }), [
    'GatewayUnavailable: give a data centre on each side spec.exchangeGateway and spec.encryptedLinks: true to exchange through the gateways (DataCentre/dc-danang lacks spec.encryptedLinks: true)',
  ]);
});

test('what the gateways never carry: a default service (by range), a Service of no shared data service, a namespace of no agency', () => {
  const shared = explainGateway(
    gatewayModel(exchangePlatform({ services: [service('bo-cong-an', 'dan-cu', { sharing: 'default', dataClass: 'shared' })] }), NOW),
    THUE,
    DAN_CU,
  );
  assert.is(
    formatGatewayExplanation(shared),
    'bo-tai-chinh-thue (dc-hcm) → bo-cong-an-app/svc-dan-cu (dc-hanoi): not carried by the exchange gateways\n' +
      '  bo-cong-an/dan-cu is shared "default": across data centres it is reached by network range, not through the gateways\n',
  );
  const model = gatewayModel(exchangePlatform(), NOW);
  const other = explainGateway(model, THUE, { ...DAN_CU, name: 'web' });
  assert.is(other.verdict, 'not-served');
  assert.equal(other.verdict !== 'allowed' && other.reasons, [
    "bo-cong-an-app/web is no shared data service's Service and no link names it: the exchange gateways carry on-request shared data services and the Services links name",
  ]);
  const stranger = explainGateway(model, { dataCentre: 'dc-hcm', namespace: 'kube-system' }, DAN_CU);
  assert.is(stranger.verdict, 'not-served');
  assert.equal(stranger.verdict !== 'allowed' && stranger.reasons, ["kube-system is no agency's workspace: only agency workspaces use the exchange gateways"]);
});

test('a consumer placed in the service data centre too is served there by NetworkPolicy; from its other data centre, via gateway', () => {
  const model = gatewayModel(exchangePlatform({ mofIn: ['dc-hanoi', 'dc-hcm'] }), NOW);
  assert.equal(
    gatewayPaths(model).map((p) => `${p.from.dataCentre} ${p.from.namespace} → ${p.to.dataCentre}`),
    ['dc-hcm bo-tai-chinh-thue → dc-hanoi'],
  );
});

/** The platform's objects with the gateways' and a gateway workload listening on its ports, each object once. */
function withGatewayObjects(p: Platform): PlatformRender {
  const rendered = renderPlatform(p, NOW);
  const gateways = renderGateways(p, NOW, gatewayEndpoints(p));
  const key = (o: DesiredObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return {
    ...rendered,
    perDataCentre: rendered.perDataCentre.map((r) => {
      const ports = [EXCHANGE_PORT, ...gateways.routes.filter((x) => x.consumer.dataCentre === r.dataCentre).map((x) => x.listenPort)];
      const workload: DesiredObject = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: GATEWAY_NAME, namespace: 'govcloud-system', labels: { ...GATEWAY_POD_LABELS } },
        spec: {
          selector: { matchLabels: { ...GATEWAY_POD_LABELS } },
          template: {
            metadata: { labels: { ...GATEWAY_POD_LABELS } },
            spec: { containers: [{ name: 'haproxy', image: 'haproxy', ports: ports.map((containerPort) => ({ containerPort, protocol: 'TCP' })) }] },
          },
        },
      };
      const added = [...(gateways.perDataCentre.find((g) => g.dataCentre === r.dataCentre)?.objects ?? []), workload];
      const seen = new Set(r.objects.map(key));
      return { ...r, objects: [...r.objects, ...added.filter((o) => !seen.has(key(o)))] };
    }),
  };
}

test("with the gateways' policies rendered, no network range reaches the service: only the gateway hop is open by range, to the other gateway's address alone", () => {
  const p = exchangePlatform();
  const { views } = platformViews(p, NOW, {}, withGatewayObjects(p));
  const cross = crossDataCentre(views);
  assert.equal(
    cross.map((c) => `${c.from.dataCentre} ${c.from.namespace} → ${c.to.dataCentre} ${c.to.namespace}/${c.to.name}:${c.to.port} ${c.verdict}`),
    ['dc-hcm govcloud-system → dc-hanoi govcloud-system/govcloud-gateway:8443 partial'],
    'the gateways reach each other (partial: only their own addresses); no workspace reaches the service by range',
  );
  const hcm = buildMatrix(views.find((v) => v.dataCentre === 'dc-hcm')!.input);
  const listener = gatewayPaths(gatewayModel(p, NOW))[0]!.gateway.listenPort;
  const toGateway = (source: string) =>
    hcm.cells.filter((c) => sourceKey(c.source) === source && destinationLabel(c.destination) === 'govcloud-system/govcloud-gateway (Deployment)');
  assert.equal(
    toGateway('bo-tai-chinh-thue')
      .filter((c) => c.verdict === 'allowed')
      .map((c) => c.destination.kind === 'Pod' && c.destination.port),
    [listener],
    'the consumer reaches its own listener at its gateway, nothing else there',
  );
  assert.equal(
    toGateway('bo-y-te-bhyt').filter((c) => c.verdict !== 'denied'),
    [],
    'another agency in the same data centre reaches no listener',
  );
});

test.run();
