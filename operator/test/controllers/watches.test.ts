// What each controller declares it watches (controllers/watches.ts), in cert-manager's
// style: a change to X enqueues Y. The mappings are pure functions of the event's object and
// the hub's lists; the wiring of every watch to its informer is core.ts's (core.test.ts).
import type { KubernetesObject } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DataCentre, MigrationPlan, NetworkLink } from '../../src/api/index.ts';
import { agencyController } from '../../src/controllers/agency.ts';
import { dataCentreController, dataCentresForSecret } from '../../src/controllers/datacentre.ts';
import { linkController, linksForAgency, linksForLink } from '../../src/controllers/link.ts';
import { consolidationTargetController, migrationPlanController, plansForAgency } from '../../src/controllers/roadmap.ts';
import { serviceController, serviceForGrant, serviceForRequest } from '../../src/controllers/service.ts';
import { itself, type ControllerSetup, type HubView, type WatchSource } from '../../src/controllers/watches.ts';
import { agency, dataCentre, grant, link, linkPair, request, service } from '../render/fixtures.ts';

type Dc = DataCentre & KubernetesObject;
type Link = NetworkLink & KubernetesObject;
type Plan = MigrationPlan & KubernetesObject;

function hubOf(dataCentres: DataCentre[], links: NetworkLink[] = [], plans: MigrationPlan[] = []): HubView {
  return {
    dataCentres: { list: () => dataCentres as Dc[] },
    links: { list: (namespace) => (links as Link[]).filter((l) => namespace === undefined || l.metadata.namespace === namespace) },
    plans: { list: (namespace) => (plans as Plan[]).filter((p) => namespace === undefined || p.metadata.namespace === namespace) },
    dataCentre: (name) => (dataCentres as Dc[]).find((dc) => dc.metadata.name === name),
  };
}

const secret = (namespace: string, name: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace, name } });

test('watches: a change to a Secret enqueues the DataCentres whose kubeconfig it holds, and no other', () => {
  const hub = hubOf([dataCentre('dc-hanoi', { hub: true }), dataCentre('dc-hcm'), dataCentre('dc-danang')]);
  assert.equal(dataCentresForSecret(hub, secret('govcloud-system', 'dc-hcm-kubeconfig')), [{ name: 'dc-hcm' }]);
  assert.equal(dataCentresForSecret(hub, secret('default', 'dc-hcm-kubeconfig')), [], 'same name, another namespace');
  assert.equal(dataCentresForSecret(hub, secret('govcloud-system', 'unrelated')), []);
});

test("watches: a change to a NetworkLink enqueues it and the links in its peer's hub namespace (those that may answer it)", () => {
  const [out, answer] = linkPair({ agency: 'vpcp', workspace: 'app' }, { agency: 'btc', workspace: 'api' });
  const elsewhere = link('mof', 'other', { workspace: 'app', peer: { agency: { name: 'vpcp', workspace: 'app' } } });
  const hub = hubOf([], [out, answer, elsewhere]);
  assert.equal(linksForLink(hub, out as Link), [
    { namespace: 'govcloud-vpcp', name: 'to-btc' },
    { namespace: 'govcloud-btc', name: 'from-vpcp' },
  ]);
  const external = link('vpcp', 'to-wan', { workspace: 'app', peer: { external: { network: 'agencyWAN', cidrs: ['172.16.0.0/24'] } } });
  assert.equal(linksForLink(hub, external as Link), [{ namespace: 'govcloud-vpcp', name: 'to-wan' }], 'an external peer has no links to answer it');
});

test('watches: a change to an Agency enqueues the links it is a party to: in its hub namespace, or naming it as peer', () => {
  const [out, answer] = linkPair({ agency: 'vpcp', workspace: 'app' }, { agency: 'btc', workspace: 'api' });
  const unrelated = link('mof', 'to-sbv', { workspace: 'app', peer: { agency: { name: 'sbv', workspace: 'app' } } });
  const hub = hubOf([], [out, answer, unrelated]);
  assert.equal(linksForAgency(hub, agency('btc')), [
    { namespace: 'govcloud-vpcp', name: 'to-btc' },
    { namespace: 'govcloud-btc', name: 'from-vpcp' },
  ]);
  assert.equal(linksForAgency(hub, agency('nobody')), []);
});

test("watches: a change to an AccessRequest enqueues the service it names, in its provider's hub namespace", () => {
  const r = request('btc', 'use-dancu', { provider: 'bca', service: 'dancu' });
  assert.equal(serviceForRequest(hubOf([]), r), [{ namespace: 'govcloud-bca', name: 'dancu' }]);
});

test("watches: a change to an AccessGrant enqueues the service it names in the grant's own namespace (wherever it was written)", () => {
  assert.equal(serviceForGrant(hubOf([]), grant('bca', 'to-btc', { service: 'dancu', consumer: 'btc' })), [{ namespace: 'govcloud-bca', name: 'dancu' }]);
  const misplaced = grant('bca', 'to-btc', { service: 'dancu', consumer: 'btc' }, 'govcloud-btc');
  assert.equal(serviceForGrant(hubOf([]), misplaced), [{ namespace: 'govcloud-btc', name: 'dancu' }], 'the service named there says the grant grants nothing');
});

test("watches: an object's own key, namespaced or not", () => {
  assert.equal(itself(hubOf([]), service('bca', 'dancu') as KubernetesObject), [{ namespace: 'govcloud-bca', name: 'dancu' }]);
  assert.equal(itself(hubOf([]), agency('bca') as KubernetesObject), [{ name: 'bca' }]);
});

const everyOn = (setup: ControllerSetup): WatchSource[] => setup.watches.filter((w) => w.keys === 'every').map((w) => w.source);
const mappedOn = (setup: ControllerSetup): WatchSource[] => setup.watches.filter((w) => w.keys !== 'every').map((w) => w.source);

test('watches: a change to a DataCentre enqueues every object of every kind (placement, accreditation and ranges feed every render, the address policy every range)', () => {
  for (const setup of [dataCentreController, agencyController, linkController, serviceController])
    assert.ok(everyOn(setup).includes('dataCentres'), setup.kind);
});

test('watches: each controller watches its own kind, and what else it declares', () => {
  assert.equal(mappedOn(dataCentreController), ['dataCentres', 'secrets']);
  assert.ok(everyOn(dataCentreController).includes('agencies'), 'an agency reaches the DataCentres after a moment: a burst is one reconcile each');
  assert.equal(mappedOn(agencyController), ['agencies']);
  assert.equal(mappedOn(linkController), ['links', 'agencies']);
  assert.equal(mappedOn(serviceController), ['services', 'requests', 'grants']);
  assert.equal(everyOn(serviceController), ['agencies', 'dataCentres'], 'a change to an Agency enqueues every service: every agency may consume one');
  assert.ok(serviceController.watches.find((w) => w.source === 'grants')?.deleted, 'a deleted grant has its expiry forgotten');
  assert.equal(mappedOn(migrationPlanController), ['plans', 'agencies']);
  assert.equal(mappedOn(consolidationTargetController), ['targets']);
  assert.equal(everyOn(consolidationTargetController), ['plans', 'agencies'], 'every plan and agency (its type) moves every target');
});

test("watches: a change to an Agency enqueues the MigrationPlans in its hub namespace, and no other agency's", () => {
  const plan = (namespace: string, name: string) =>
    ({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'MigrationPlan', metadata: { namespace, name }, spec: { systems: [] } }) as MigrationPlan;
  const hub = hubOf([], [], [plan('govcloud-btc', 'lo-trinh'), plan('govcloud-btc', 'giai-doan-2'), plan('govcloud-bca', 'lo-trinh')]);
  assert.equal(plansForAgency(hub, agency('btc')), [
    { namespace: 'govcloud-btc', name: 'lo-trinh' },
    { namespace: 'govcloud-btc', name: 'giai-doan-2' },
  ]);
  assert.equal(plansForAgency(hub, agency('hanoi')), []);
});

test.run();
