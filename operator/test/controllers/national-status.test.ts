// The largest status the controllers write for the bench's 5,000-agency platform (the bench's
// own generator, over samples/): a `default` service such as ndxp has every agency's workspaces
// as consumers and, while their namespaces are being made, an egress policy waiting in each.
// Its status must stay far below the API server's limits (a condition message at most 32768
// bytes, an object at most 1.5 MiB in etcd), as must every agency's, whatever is held or failing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BENCH_CAPACITY, generateAgencies } from '../../../bench/agencies.ts';
import { agencyOutcome } from '../../src/controllers/agency.ts';
import { HISTORY_LIMIT, type HistoryEntry } from '../../src/controllers/access.ts';
import type { Member } from '../../src/controllers/members.ts';
import { serviceStatus } from '../../src/controllers/service.ts';
import { conditionsFor, type Outcome } from '../../src/controllers/status.ts';
import { inManagedNamespaces, renderedOutcome, type DcOutcome } from '../../src/controllers/sync.ts';
import type { Platform } from '../../src/model/platform.ts';
import { renderAgency, renderService } from '../../src/render/index.ts';
import { ApplyError, byteLength, MESSAGE_BYTES, STATUS_LISTED } from '../../src/runtime/index.ts';
import { validateSamples } from '../validate/helpers.ts';

const AGENCIES = 5000;
const MESSAGE_LIMIT = 32768;
const OBJECT_LIMIT = 1.5 * 1024 * 1024;
const NOW = Date.UTC(2026, 5, 1);

let national: Platform | undefined;

function nationalPlatform(): Platform {
  if (national) return national;
  const samples = validateSamples().platform;
  const dataCentres = samples.dataCentres.map((d) => ({ ...d, spec: { ...d.spec, capacity: { ...BENCH_CAPACITY } } }));
  national = { ...samples, dataCentres, agencies: [...samples.agencies, ...generateAgencies({ count: AGENCIES })] };
  return national;
}

/** A data centre where no namespace exists yet: everything rendered for it is held. */
const emptyMember = (name: string) => ({ name, namespace: () => undefined }) as unknown as Member;

/** What the API server answers to a write it refuses: a long message with the whole Status body. */
function refusal(o: { kind: string; metadata: { namespace?: string; name: string } }): Error {
  const body = JSON.stringify({
    kind: 'Status',
    status: 'Failure',
    message: `admission webhook denied ${o.kind} ${o.metadata.namespace}/${o.metadata.name}: ${'x'.repeat(600)}`,
    code: 422,
  });
  return new Error(`HTTP-Code: 422\nMessage: PATCH /apis/${o.kind}/${o.metadata.namespace}/${o.metadata.name}\nBody: ${body}`);
}

/** Worst cases per data centre: every object held for its namespace, and every object refused. */
function worstOutcomes(
  perDataCentre: readonly { dataCentre: string; objects: { kind: string; metadata: { namespace?: string; name: string } }[] }[],
): DcOutcome[][] {
  const held = perDataCentre.map((r): DcOutcome => ({
    dataCentre: r.dataCentre,
    state: 'applied',
    wanted: true,
    held: inManagedNamespaces(emptyMember(r.dataCentre), r.objects as never).held,
  }));
  const failed = perDataCentre.map((r): DcOutcome => {
    const counts = { created: 0, updated: 0, unchanged: 0, deleted: 0, retained: 0 };
    return {
      dataCentre: r.dataCentre,
      state: 'failed',
      wanted: true,
      held: [],
      message: `${r.dataCentre}: ${new ApplyError(r.objects.map(refusal), counts as never).message}`,
    };
  });
  return [held, failed, held.map((h, i) => ({ ...failed[i]!, held: h.held }))];
}

function assertMessagesBounded(what: string, outcome: Outcome): void {
  const conditions = conditionsFor(undefined, outcome, 1, NOW);
  for (const c of conditions) {
    assert.ok(byteLength(c.message) <= MESSAGE_BYTES, `${what}: ${c.type} message of ${byteLength(c.message)} bytes`);
    assert.ok(byteLength(c.message) < MESSAGE_LIMIT / 4);
  }
}

test(`at ${AGENCIES} agencies, the largest service status stays far below the API server's limits`, () => {
  const platform = nationalPlatform();
  const defaults = platform.services.filter((s) => s.spec.sharing === 'default');
  assert.ok(defaults.length >= 2, 'the samples have default services (ndxp, document-exchange)');
  let largest = { name: '', bytes: 0, consumers: 0 };
  for (const service of platform.services) {
    const render = renderService(platform, service, new Date(NOW));
    const history: HistoryEntry[] = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({
      time: '2026-06-01T00:00:00Z',
      event: 'Granted',
      consumer: 'c'.repeat(63),
      grant: `govcloud-${'p'.repeat(54)}/${'g'.repeat(240)}${i}`,
      request: `govcloud-${'c'.repeat(54)}/${'r'.repeat(240)}${i}`,
    }));
    const dataCentres = render.dataCentres.map((dc) => ({ dataCentre: dc, availableReplicas: 2, endpoint: `svc-${service.metadata.name}.ns.svc:8443` }));
    for (const outcomes of worstOutcomes(render.perDataCentre)) {
      const outcome = renderedOutcome(render.issues, outcomes);
      assert.ok(outcome, `${service.metadata.name}: held or failing objects make an outcome`);
      assertMessagesBounded(`SharedDataService ${service.metadata.name}`, outcome);
      const status = serviceStatus(service, render, dataCentres, history, conditionsFor(undefined, outcome, 1, NOW));
      const object = { apiVersion: service.apiVersion, kind: service.kind, metadata: service.metadata, spec: service.spec, status };
      const bytes = byteLength(JSON.stringify(object));
      if (bytes > largest.bytes) largest = { name: service.metadata.name, bytes, consumers: render.consumers.length };
      assert.ok((status.consumers as string[]).length <= STATUS_LISTED);
      assert.is(status.consumerCount, render.consumers.length);
    }
  }
  assert.ok(largest.consumers > AGENCIES, `a default service has more consumer workspaces than there are agencies (${largest.consumers})`);
  assert.ok(largest.bytes < OBJECT_LIMIT / 10, `the largest service (${largest.name}) is ${largest.bytes} bytes`);
});

test(`at ${AGENCIES} agencies, the held message of a default service says how many and shows ten`, () => {
  const platform = nationalPlatform();
  const ndxp = platform.services.find((s) => s.metadata.name === 'ndxp')!;
  const render = renderService(platform, ndxp, new Date(NOW));
  const [held] = worstOutcomes(render.perDataCentre);
  const outcome = renderedOutcome(render.issues, held!)!;
  const total = held!.reduce((n, o) => n + o.held.length, 0);
  assert.ok(total > AGENCIES);
  assert.is(outcome.reason, 'WaitingForNamespace');
  assert.match(outcome.message ?? '', new RegExp(`^${total} objects wait for their namespace in \\d data centres?; first 10: NetworkPolicy `));
});

test(`at ${AGENCIES} agencies, every agency's status messages stay bounded, held or failing`, () => {
  const platform = nationalPlatform();
  for (const agency of platform.agencies) {
    const render = renderAgency(platform, agency);
    for (const outcomes of worstOutcomes(render.perDataCentre)) assertMessagesBounded(`Agency ${agency.metadata.name}`, agencyOutcome(render, outcomes));
  }
});

test.run();
