import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderService } from '../../src/render/service.ts';
import type { DesiredObject } from '../../src/render/types.ts';
import { agency, at, find, get, grant, NOW, objectsIn, platform, request, service, threeDataCentres } from './fixtures.ts';

// Owner: Bộ Công an (G04) with the population service in workspace app; consumers: two agencies.
const owner = (o: Parameters<typeof agency>[1] = {}) => agency('bo-cong-an', { code: 'G04', workspaces: ['app', 'noi-bo'], ...o });
const mof = (o: Parameters<typeof agency>[1] = {}) => agency('bo-tai-chinh', { code: 'G12', workspaces: ['thue', 'kho-bac'], ...o });
const hcm = (o: Parameters<typeof agency>[1] = {}) => agency('ubnd-tp-hcm', { code: '000.00.00.H29', workspaces: ['dvc'], ...o });

const useName = 'govcloud-use-bo-cong-an.dan-cu';
const sds = (spec: Parameters<typeof service>[2] = {}) => service('bo-cong-an', 'dan-cu', spec);
const svcPolicy = (objects: DesiredObject[]) => find(objects, 'NetworkPolicy', 'bo-cong-an-app', 'govcloud-svc-dan-cu');

test('onRequest: a request alone, or a grant alone, opens nothing', () => {
  const s = sds();
  const req = request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] });
  const gr = grant('bo-cong-an', 'bo-tai-chinh-dan-cu', { service: 'dan-cu', consumer: 'bo-tai-chinh' });
  for (const extra of [{ requests: [req] }, { grants: [gr] }]) {
    const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner(), mof()], services: [s], ...extra }), s, NOW);
    assert.equal(r.consumers, []);
    assert.equal(r.access, []);
    const objects = objectsIn(r.perDataCentre, 'dc-hanoi');
    assert.not.ok(svcPolicy(objects), 'no ingress for anyone');
    assert.not.ok(objects.some((o) => o.metadata.name === useName));
    assert.ok(find(objects, 'Deployment', 'bo-cong-an-app', 'svc-dan-cu'), 'the service itself runs');
  }
});

test('onRequest: request and grant together open the requested workspaces, both ends', () => {
  const s = sds();
  const req = request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] });
  const gr = grant('bo-cong-an', 'bo-tai-chinh-dan-cu', { service: 'dan-cu', consumer: 'bo-tai-chinh', validUntil: '2026-12-31T00:00:00Z' });
  const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner(), mof()], services: [s], requests: [req], grants: [gr] }), s, NOW);
  assert.equal(r.consumers, ['bo-tai-chinh/thue']);
  assert.equal(r.access, [
    { consumer: 'bo-tai-chinh', request: 'govcloud-bo-tai-chinh/dan-cu', grant: 'govcloud-bo-cong-an/bo-tai-chinh-dan-cu', workspaces: ['thue'] },
  ]);
  assert.equal(r.nextChange, new Date('2026-12-31T00:00:00Z'));
  const objects = objectsIn(r.perDataCentre, 'dc-hanoi');
  const ingress = svcPolicy(objects);
  assert.equal(at(ingress, 'spec'), {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc-dan-cu', 'govcloud.dev/service': 'svc-dan-cu' } },
    policyTypes: ['Ingress'],
    ingress: [
      { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-tai-chinh-thue' } } }], ports: [{ protocol: 'TCP', port: 8443 }] },
    ],
  });
  const egress = get(objects, 'NetworkPolicy', 'bo-tai-chinh-thue', useName);
  assert.equal(at(egress, 'spec'), {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-cong-an-app' } },
            podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc-dan-cu', 'govcloud.dev/service': 'svc-dan-cu' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 8443 }],
      },
    ],
  });
  assert.is(egress.metadata.labels['govcloud.dev/owner'], 'SharedDataService.govcloud-bo-cong-an.dan-cu');
  assert.is(egress.metadata.labels['govcloud.dev/agency'], 'G12', "the consumer's code: the namespace is the consumer's");
  assert.not.ok(find(objects, 'NetworkPolicy', 'bo-tai-chinh-kho-bac', useName), 'only the requested workspace');
});

test('onRequest: workspaces are the request ∩ the grant', () => {
  const s = sds();
  const req = request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue', 'kho-bac'] });
  const gr = grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh', workspaces: ['kho-bac', 'khac'] });
  const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner(), mof()], services: [s], requests: [req], grants: [gr] }), s, NOW);
  assert.equal(r.consumers, ['bo-tai-chinh/kho-bac']);
});

test('onRequest: an expired grant or request, or one not yet valid, opens nothing; nextChange says when', () => {
  const s = sds();
  const base = () => ({
    req: request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] }),
    gr: grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh' }),
  });
  const render = (req: ReturnType<typeof request>, gr: ReturnType<typeof grant>, now = NOW) =>
    renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner(), mof()], services: [s], requests: [req], grants: [gr] }), s, now);

  let { req, gr } = base();
  gr.spec.validUntil = NOW.toISOString(); // ends exactly now: closed
  assert.equal(render(req, gr).consumers, []);
  ({ req, gr } = base());
  req.spec.validUntil = '2026-01-01T00:00:00Z';
  assert.equal(render(req, gr).consumers, []);
  ({ req, gr } = base());
  gr.spec.validFrom = '2026-07-01T00:00:00Z';
  const pending = render(req, gr);
  assert.equal(pending.consumers, []);
  assert.equal(pending.nextChange, new Date('2026-07-01T00:00:00Z'));
  assert.equal(render(req, gr, new Date('2026-07-01T00:00:00Z')).consumers, ['bo-tai-chinh/thue']);
});

test('onRequest: a grant or request in the wrong namespace matches nothing', () => {
  const s = sds();
  const req = request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] });
  const gr = grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh' });
  const wrongGrants = [
    grant('x', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh' }, 'govcloud-bo-tai-chinh'), // the consumer granting itself
    grant('x', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh' }, 'bo-cong-an-app'), // not a hub namespace
  ];
  for (const wrong of wrongGrants) {
    const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner(), mof()], services: [s], requests: [req], grants: [wrong] }), s, NOW);
    assert.equal(r.consumers, [], wrong.metadata.namespace);
  }
  const wrongRequests = [
    request('x', 'r', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] }, 'bo-tai-chinh-thue'), // workspace, not hub
    request('x', 'r', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] }, 'govcloud-system'),
    request('x', 'r', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] }, 'govcloud-ubnd-tp-hcm'), // another agency asking for bo-tai-chinh's workspace
  ];
  for (const wrong of wrongRequests) {
    const r = renderService(
      platform({ dataCentres: threeDataCentres(), agencies: [owner(), mof(), hcm()], services: [s], requests: [wrong], grants: [gr] }),
      s,
      NOW,
    );
    assert.equal(r.consumers, [], wrong.metadata.namespace);
  }
});

test('default sharing: every workspace of every agency, except the service its own', () => {
  const s = sds({ sharing: 'default' });
  const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [hcm(), owner(), mof()], services: [s] }), s, NOW);
  assert.equal(r.consumers, ['bo-cong-an/noi-bo', 'bo-tai-chinh/kho-bac', 'bo-tai-chinh/thue', 'ubnd-tp-hcm/dvc']);
  const objects = objectsIn(r.perDataCentre, 'dc-hanoi');
  assert.equal(at(svcPolicy(objects), 'spec', 'ingress', 0, 'from'), [
    {
      namespaceSelector: {
        matchExpressions: [
          { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['bo-cong-an-noi-bo', 'bo-tai-chinh-kho-bac', 'bo-tai-chinh-thue', 'ubnd-tp-hcm-dvc'] },
        ],
      },
    },
  ]);
  for (const ns of ['bo-cong-an-noi-bo', 'bo-tai-chinh-kho-bac', 'bo-tai-chinh-thue', 'ubnd-tp-hcm-dvc'])
    assert.ok(find(objects, 'NetworkPolicy', ns, useName), ns);
  assert.not.ok(find(objects, 'NetworkPolicy', 'bo-cong-an-app', useName));
});

test('default and open sharing, level 3 and above: only the workspaces a request declares, inside its window; no grant needed', () => {
  for (const sharing of ['default', 'open'] as const) {
    const s = sds({ sharing, dataClass: sharing === 'open' ? 'open' : 'shared' });
    const agencies = [owner(), mof({ level: 3 }), hcm({ level: 1 })];
    const render = (requests: ReturnType<typeof request>[], now = NOW) =>
      renderService(platform({ dataCentres: threeDataCentres(), agencies, services: [s], requests }), s, now);

    const none = render([]);
    assert.equal(none.consumers, ['bo-cong-an/noi-bo', 'ubnd-tp-hcm/dvc'], `${sharing}: level 1-2 and the owner's own, automatically; level 3 not`);
    assert.equal(none.requests, []);
    const hanoi = objectsIn(none.perDataCentre, 'dc-hanoi');
    assert.not.ok(JSON.stringify(at(svcPolicy(hanoi), 'spec', 'ingress')).includes('bo-tai-chinh'));
    assert.not.ok(hanoi.some((o) => o.metadata.namespace?.startsWith('bo-tai-chinh-') && o.metadata.name === useName));

    const req = request('bo-tai-chinh', 'dan-cu', {
      provider: 'bo-cong-an',
      service: 'dan-cu',
      workspaces: ['thue', 'khong-co'],
      validUntil: '2026-12-31T00:00:00Z',
    });
    const declared = render([req]);
    assert.equal(declared.consumers, ['bo-cong-an/noi-bo', 'bo-tai-chinh/thue', 'ubnd-tp-hcm/dvc'], sharing);
    assert.equal(declared.requests, [{ consumer: 'bo-tai-chinh', request: 'govcloud-bo-tai-chinh/dan-cu', workspaces: ['thue'] }]);
    assert.equal(declared.access, [], 'no request/grant pair: no grant is needed');
    assert.equal(declared.nextChange, new Date('2026-12-31T00:00:00Z'), 'the request window ends then');
    const objects = objectsIn(declared.perDataCentre, 'dc-hanoi');
    assert.ok(find(objects, 'NetworkPolicy', 'bo-tai-chinh-thue', useName));
    assert.not.ok(find(objects, 'NetworkPolicy', 'bo-tai-chinh-kho-bac', useName), 'only the declared workspace');
    assert.ok(JSON.stringify(at(svcPolicy(objects), 'spec', 'ingress', 0, 'from')).includes('"bo-tai-chinh-thue"'));

    assert.equal(render([req], new Date('2026-12-31T00:00:00Z')).consumers, ['bo-cong-an/noi-bo', 'ubnd-tp-hcm/dvc'], 'closed at validUntil');
    const notYet = { ...req, spec: { ...req.spec, validFrom: '2026-07-01T00:00:00Z' } };
    assert.equal(render([notYet]).consumers, ['bo-cong-an/noi-bo', 'ubnd-tp-hcm/dvc']);
    assert.equal(render([notYet]).nextChange, new Date('2026-07-01T00:00:00Z'));
    // Written by another agency (its hub namespace acts for it), or outside a hub namespace: nothing for bo-tai-chinh.
    for (const namespace of ['govcloud-ubnd-tp-hcm', 'bo-tai-chinh-thue']) {
      assert.equal(render([{ ...req, metadata: { ...req.metadata, namespace } }]).consumers, ['bo-cong-an/noi-bo', 'ubnd-tp-hcm/dvc'], namespace);
    }
  }
});

test('default sharing, level 3 and above: never by range; a declared consumer only elsewhere gets an issue', () => {
  const s = sds({ sharing: 'default' });
  // The service in dc-hanoi. bo-tai-chinh (level 3, declared) only in dc-hcm; ubnd-tp-hcm (level 1) in dc-danang.
  const req = request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] });
  const p = platform({
    dataCentres: threeDataCentres(),
    agencies: [owner({ level: 3, dcs: ['dc-hanoi', 'dc-hcm'] }), mof({ level: 3, dcs: ['dc-hcm'] }), hcm({ level: 1, dcs: ['dc-danang'] })],
    services: [s],
    requests: [req],
  });
  const r = renderService(p, s, NOW);
  assert.equal(r.consumers, ['bo-cong-an/noi-bo', 'ubnd-tp-hcm/dvc']);
  assert.equal(r.requests, []);
  assert.equal(
    r.issues.map((i) => [i.reason, i.field, i.message]),
    [
      [
        'CrossDataCentreAccessUnsupported',
        'spec.placement.dataCentres',
        "workspace thue of agency bo-tai-chinh is only in dc-hcm, where the service does not run: place the service in dc-hcm or the consumer's workspace in one of dc-hanoi; " +
          'cross-data-centre access for consumers at security level 3 and above is not carried: the exchange gateways carry on-request services (an AccessRequest and an AccessGrant) and links between two agencies (a NetworkLink on each side) only',
      ],
    ],
  );
  // The level 1 consumer in dc-danang by range; dc-hcm's range is not admitted (only level 3 workspaces there).
  assert.equal(at(svcPolicy(objectsIn(r.perDataCentre, 'dc-hanoi')), 'spec', 'ingress', 0, 'from'), [
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-cong-an-noi-bo' } } },
    { ipBlock: { cidr: '10.30.0.0/16' } },
  ]);
  assert.equal(at(get(objectsIn(r.perDataCentre, 'dc-danang'), 'NetworkPolicy', 'ubnd-tp-hcm-dvc', useName), 'spec', 'egress', 0, 'to'), [
    { ipBlock: { cidr: '10.10.0.0/16' } },
  ]);
  // The owner's own level 3 workspace: in dc-hanoi, where the service runs, not from dc-hcm by range.
  assert.ok(find(objectsIn(r.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-cong-an-noi-bo', useName));
  assert.equal(objectsIn(r.perDataCentre, 'dc-hcm'), []);
});

test('consumers in other data centres: ranges both ways', () => {
  const s = sds({ sharing: 'default' });
  // The owner and service in dc-hanoi; one consumer in dc-hcm only, one in dc-hanoi and dc-danang.
  const p = platform({
    dataCentres: threeDataCentres(),
    agencies: [owner(), mof({ dcs: ['dc-hcm'] }), hcm({ dcs: ['dc-hanoi', 'dc-danang'] })],
    services: [s],
  });
  const r = renderService(p, s, NOW);
  const hanoi = objectsIn(r.perDataCentre, 'dc-hanoi');
  assert.equal(at(svcPolicy(hanoi), 'spec', 'ingress', 0, 'from'), [
    { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['bo-cong-an-noi-bo', 'ubnd-tp-hcm-dvc'] }] } },
    { ipBlock: { cidr: '10.20.0.0/16' } },
    { ipBlock: { cidr: '10.21.0.0/16' } },
    { ipBlock: { cidr: '10.30.0.0/16' } },
  ]);
  const hcmObjects = objectsIn(r.perDataCentre, 'dc-hcm');
  assert.equal(at(get(hcmObjects, 'NetworkPolicy', 'bo-tai-chinh-thue', useName), 'spec', 'egress', 0, 'to'), [{ ipBlock: { cidr: '10.10.0.0/16' } }]);
  assert.not.ok(find(hcmObjects, 'Deployment', 'bo-cong-an-app', 'svc-dan-cu'), 'the service runs only where placed');
  const danang = objectsIn(r.perDataCentre, 'dc-danang');
  assert.equal(at(get(danang, 'NetworkPolicy', 'ubnd-tp-hcm-dvc', useName), 'spec', 'egress', 0, 'to'), [{ ipBlock: { cidr: '10.10.0.0/16' } }]);
});

test('onRequest across data centres: no range ever; the pair opens something only where the exchange gateways carry it', () => {
  const s = sds();
  // The service in dc-hanoi; bo-tai-chinh only in dc-hcm, granted and requested.
  const req = request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue', 'kho-bac'] });
  const gr = grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh' });
  const dcs = threeDataCentres();
  const p = platform({ dataCentres: dcs, agencies: [owner(), mof({ dcs: ['dc-hcm'] })], services: [s], requests: [req], grants: [gr] });
  const r = renderService(p, s, NOW);
  assert.equal(r.consumers, []);
  assert.equal(r.access, [], 'the pair opens nothing');
  assert.equal(r.issues, [], "the gateway renderer's to report (GatewayUnavailable, operator/test/render/gateway.test.ts)");
  assert.not.ok(svcPolicy(objectsIn(r.perDataCentre, 'dc-hanoi')), 'no ingress at all: never a range');
  assert.equal(objectsIn(r.perDataCentre, 'dc-hcm'), [], 'no egress towards the remote service');

  // Both data centres with a gateway (and encrypted links): the pair is open, carried by the gateways, still no range.
  dcs[0]!.spec.exchangeGateway = { address: '10.10.255.1' };
  dcs[1]!.spec.exchangeGateway = { address: '10.20.255.1' };
  const carried = renderService(p, s, NOW);
  assert.equal(carried.consumers, ['bo-tai-chinh/kho-bac', 'bo-tai-chinh/thue']);
  assert.equal(
    carried.access.map((a) => `${a.consumer} ${a.request} ${a.grant}`),
    ['bo-tai-chinh govcloud-bo-tai-chinh/dan-cu govcloud-bo-cong-an/g'],
  );
  assert.equal(carried.issues, []);
  assert.not.ok(svcPolicy(objectsIn(carried.perDataCentre, 'dc-hanoi')), 'the gateway renderer admits its gateway, not a range');
  assert.equal(objectsIn(carried.perDataCentre, 'dc-hcm'), []);

  // One side without encrypted links: nothing carried.
  dcs[1]!.spec.encryptedLinks = false;
  assert.equal(renderService(p, s, NOW).access, []);
});

test("onRequest: a consumer in the service's data centre and others is given access there only, never by range", () => {
  const s = sds({ placement: { dataCentres: ['dc-hanoi', 'dc-hcm'] } });
  const req = request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'] });
  const gr = grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh' });
  const hcmRequest = request('ubnd-tp-hcm', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['dvc'] });
  const hcmGrant = grant('bo-cong-an', 'hcm', { service: 'dan-cu', consumer: 'ubnd-tp-hcm' });
  const p = platform({
    dataCentres: threeDataCentres(),
    agencies: [owner({ dcs: ['dc-hanoi', 'dc-hcm'] }), mof({ dcs: ['dc-hanoi', 'dc-danang'] }), hcm({ dcs: ['dc-hcm', 'dc-danang'] })],
    services: [s],
    requests: [req, hcmRequest],
    grants: [gr, hcmGrant],
  });
  const r = renderService(p, s, NOW);
  assert.equal(r.issues, []);
  assert.equal(r.consumers, ['bo-tai-chinh/thue', 'ubnd-tp-hcm/dvc']);
  assert.equal(
    r.access.map((a) => a.consumer),
    ['bo-tai-chinh', 'ubnd-tp-hcm'],
  );
  const from = (dc: string) => at(svcPolicy(objectsIn(r.perDataCentre, dc)), 'spec', 'ingress', 0, 'from');
  assert.equal(from('dc-hanoi'), [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-tai-chinh-thue' } } }]);
  assert.equal(from('dc-hcm'), [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ubnd-tp-hcm-dvc' } } }]);
  assert.ok(find(objectsIn(r.perDataCentre, 'dc-hanoi'), 'NetworkPolicy', 'bo-tai-chinh-thue', useName));
  assert.ok(find(objectsIn(r.perDataCentre, 'dc-hcm'), 'NetworkPolicy', 'ubnd-tp-hcm-dvc', useName));
  assert.equal(objectsIn(r.perDataCentre, 'dc-danang'), [], 'both consumers are in dc-danang too, where the service does not run: nothing there');
  for (const { objects } of r.perDataCentre) assert.not.ok(JSON.stringify(objects).includes('ipBlock'), 'no range anywhere');
});

test('open sharing admits every other data centre by its ranges', () => {
  const s = sds({ sharing: 'open', dataClass: 'open' });
  const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner()], services: [s] }), s, NOW);
  assert.equal(at(svcPolicy(objectsIn(r.perDataCentre, 'dc-hanoi')), 'spec', 'ingress', 0, 'from'), [
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bo-cong-an-noi-bo' } } },
    { ipBlock: { cidr: '10.20.0.0/16' } },
    { ipBlock: { cidr: '10.21.0.0/16' } },
    { ipBlock: { cidr: '10.30.0.0/16' } },
  ]);
});

test('the workload: ServiceAccount, Deployment, Service and PDB, restricted and identified', () => {
  const s = sds({
    env: [
      { name: 'Z', value: '1' },
      { name: 'A', value: 'Đà Nẵng' },
    ],
  });
  const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner()], services: [s] }), s, NOW);
  assert.is(r.identifier, 'VN/GOV/G04/dancu/population/v1');
  assert.equal(r.dataCentres, ['dc-hanoi']);
  const objects = objectsIn(r.perDataCentre, 'dc-hanoi');
  const sa = get(objects, 'ServiceAccount', 'bo-cong-an-app', 'svc-dan-cu');
  assert.is(sa.automountServiceAccountToken, false);
  const deploy = get(objects, 'Deployment', 'bo-cong-an-app', 'svc-dan-cu');
  assert.is(deploy.metadata.annotations?.['govcloud.dev/identifier'], 'VN/GOV/G04/dancu/population/v1');
  assert.is(deploy.metadata.annotations?.['govcloud.dev/display-name'], 'Cơ sở dữ liệu quốc gia về dân cư');
  assert.is(at(deploy, 'spec', 'replicas'), 2);
  const pod = at(deploy, 'spec', 'template', 'spec') as Record<string, unknown>;
  assert.is(pod.serviceAccountName, 'svc-dan-cu');
  assert.is(pod.automountServiceAccountToken, false);
  assert.equal(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  const c = at(pod, 'containers', 0) as Record<string, unknown>;
  assert.equal(c.securityContext, {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.equal(c.resources, { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '250m', memory: '256Mi' } });
  assert.equal(at(c, 'readinessProbe', 'tcpSocket'), { port: 8443 });
  assert.equal(at(c, 'livenessProbe', 'tcpSocket'), { port: 8443 });
  assert.equal(c.env, [
    { name: 'A', value: 'Đà Nẵng' },
    { name: 'Z', value: '1' },
  ]);
  assert.equal(at(pod, 'topologySpreadConstraints', 0, 'topologyKey'), 'topology.kubernetes.io/zone');
  assert.equal(at(pod, 'topologySpreadConstraints', 0, 'whenUnsatisfiable'), 'ScheduleAnyway');
  assert.is(pod.nodeSelector, undefined);
  const svc = get(objects, 'Service', 'bo-cong-an-app', 'svc-dan-cu');
  assert.equal(at(svc, 'spec'), {
    type: 'ClusterIP',
    selector: { 'app.kubernetes.io/name': 'svc-dan-cu', 'govcloud.dev/service': 'svc-dan-cu' },
    ports: [{ name: 'service', port: 8443, targetPort: 8443, protocol: 'TCP' }],
  });
  assert.is(svc.metadata.annotations?.['govcloud.dev/identifier'], 'VN/GOV/G04/dancu/population/v1');
  assert.equal(at(get(objects, 'PodDisruptionBudget', 'bo-cong-an-app', 'svc-dan-cu'), 'spec', 'maxUnavailable'), 1);

  const one = sds({ replicas: 1, resources: { cpu: 1, memory: '1Gi' } });
  const r1 = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner()], services: [one] }), one, NOW);
  const o1 = objectsIn(r1.perDataCentre, 'dc-hanoi');
  assert.not.ok(find(o1, 'PodDisruptionBudget', 'bo-cong-an-app', 'svc-dan-cu'));
  assert.equal(at(get(o1, 'Deployment', 'bo-cong-an-app', 'svc-dan-cu'), 'spec', 'template', 'spec', 'containers', 0, 'resources', 'limits'), {
    cpu: '1',
    memory: '1Gi',
  });
});

test('level 4 owners: service pods pinned to the dedicated nodes', () => {
  const s = sds();
  const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner({ level: 4 })], services: [s] }), s, NOW);
  const pod = at(get(objectsIn(r.perDataCentre, 'dc-hanoi'), 'Deployment', 'bo-cong-an-app', 'svc-dan-cu'), 'spec', 'template', 'spec') as Record<
    string,
    unknown
  >;
  assert.equal(pod.nodeSelector, { 'govcloud.dev/dedicated': 'level4' });
  assert.equal(pod.tolerations, [{ key: 'govcloud.dev/dedicated', operator: 'Equal', value: 'level4', effect: 'NoSchedule' }]);
});

test("placement must be within the owner's; state secrets and foreign workspaces are refused", () => {
  const s = sds({ placement: { dataCentres: ['dc-hanoi', 'dc-hcm'] } });
  const r = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner()], services: [s] }), s, NOW);
  assert.equal(r.dataCentres, ['dc-hanoi']);
  assert.equal(
    r.issues.map((i) => [i.reason, i.dataCentre]),
    [['OwnerNotPlaced', 'dc-hcm']],
  );
  assert.equal(objectsIn(r.perDataCentre, 'dc-hcm'), []);

  const cases: [Parameters<typeof sds>[0], string][] = [
    [{ dataClass: 'stateSecret' }, 'StateSecret'],
    [{ workspace: 'khong-co' }, 'WorkspaceNotFound'],
    [{ dataClass: 'private', sharing: 'default' }, 'SharingNotAllowed'],
    [{ dataClass: 'private' }, 'DataClassAboveWorkspace'], // workspace app handles shared data at most
  ];
  for (const [spec, reason] of cases) {
    const bad = sds(spec);
    const rb = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner()], services: [bad] }), bad, NOW);
    assert.equal(
      rb.issues.map((i) => i.reason),
      [reason],
    );
    assert.equal(rb.perDataCentre, []);
  }
  const outside = { ...sds(), metadata: { name: 'dan-cu', namespace: 'bo-cong-an-app' } };
  const ro = renderService(platform({ dataCentres: threeDataCentres(), agencies: [owner()], services: [outside] }), outside, NOW);
  assert.equal(
    ro.issues.map((i) => i.reason),
    ['NotInHubNamespace'],
  );
});

test('use policies of two owners never share a name', () => {
  // owner "a-b" with service "c" and owner "a" with service "b-c" would both read a-b-c with a dash.
  const ab = agency('a-b', { code: 'G30', workspaces: ['app'] });
  const a = agency('a', { code: 'G31', workspaces: ['app'] });
  const consumer = agency('z', { code: 'G32', workspaces: ['app'] });
  const s1 = service('a-b', 'c', { sharing: 'default' });
  const s2 = service('a', 'b-c', { sharing: 'default' });
  const p = platform({ dataCentres: threeDataCentres(), agencies: [ab, a, consumer], services: [s1, s2] });
  const n1 = objectsIn(renderService(p, s1, NOW).perDataCentre, 'dc-hanoi')
    .filter((o) => o.metadata.namespace === 'z-app')
    .map((o) => o.metadata.name);
  const n2 = objectsIn(renderService(p, s2, NOW).perDataCentre, 'dc-hanoi')
    .filter((o) => o.metadata.namespace === 'z-app')
    .map((o) => o.metadata.name);
  assert.equal(n1, ['govcloud-use-a-b.c']);
  assert.equal(n2, ['govcloud-use-a.b-c']);
});

test.run();
