// The access history from audit events. fixtures/access.jsonl holds lines of the local
// platform's real hub audit log (e2e/operator/audit.test.ts's run: an agency admin of each side,
// impersonated, requests and grants; the operator opens the path; the provider revokes; the
// consumer deletes its request; two refused writes; a few lines about other objects), with
// metadata.managedFields removed to keep the file small. Other cases change one real event.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AccessHistoryBuilder, parseAuditEvent, selectAccesses, selectRefused, type AccessHistory, type AuditRecord } from '../../src/audit/index.ts';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'access.jsonl');
const CONSUMER = 'e2e-aud-cons-99edb4';
const PROVIDER = 'e2e-aud-prov-ec614e';
const OPERATOR = 'system:serviceaccount:govcloud-system:govcloud-operator';
const REQUEST = `govcloud-${CONSUMER}/registry-for-app`;
const GRANT = `govcloud-${PROVIDER}/app-access`;

type Event = Record<string, any>;
const events = (): Event[] =>
  readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);

function records(list: Event[]): AuditRecord[] {
  return list.flatMap((e) => {
    const p = parseAuditEvent(e);
    return p.kind === 'record' ? [p.record] : [];
  });
}

function history(list: Event[]): AccessHistory {
  const b = new AccessHistoryBuilder();
  for (const r of records(list)) b.add(r);
  return b.result();
}

/** The first successful real event of this verb on this resource (not a subresource), copied. */
function find(list: Event[], resource: string, verb: string): Event {
  const hit = list.find((e) => e.objectRef?.resource === resource && e.verb === verb && e.objectRef?.subresource === undefined && e.responseStatus?.code < 300);
  if (!hit) throw new Error(`no ${verb} of ${resource} in the fixture`);
  return structuredClone(hit);
}

test('the real log: who requested and granted, purpose, legal basis, window, opened and closed by the operator, revoked by the provider', () => {
  const h = history(events());
  assert.is(h.accesses.length, 1);
  const a = h.accesses[0]!;
  assert.equal([a.kind, a.consumer, a.provider, a.service, a.agencies], ['service', CONSUMER, PROVIDER, 'registry', [CONSUMER, PROVIDER]]);
  assert.is(a.request!.ref, REQUEST);
  assert.is(a.grant!.ref, GRANT);
  assert.equal(a.request!.created!.actor, {
    user: `can-bo@${CONSUMER}.gov.vn`,
    groups: [`${CONSUMER}-admins`, 'system:authenticated'],
    via: 'govcloud-admin-dc-hanoi',
  });
  assert.is(a.grant!.created!.actor.user, `can-bo@${PROVIDER}.gov.vn`);
  assert.is(a.purpose, 'Tra cứu đăng ký doanh nghiệp (e2e kiểm toán)');
  assert.is(a.legalBasis, 'Nghị định 47/2024/NĐ-CP, Điều 12');
  assert.equal(Object.keys(a.window), ['until']);
  assert.is(a.window.until, find(events(), 'accessgrants', 'patch').responseObject.spec.validUntil);
  assert.is(a.periods.length, 1);
  const p = a.periods[0]!;
  assert.equal([p.opened.actor.user, p.opened.reason, p.closed!.actor!.user], [OPERATOR, 'Active', OPERATOR]);
  assert.equal([a.ended!.actor!.user, a.ended!.how], [`can-bo@${PROVIDER}.gov.vn`, `revoked (AccessGrant ${GRANT} deleted)`]);
  assert.is(a.request!.deleted!.actor.user, `can-bo@${CONSUMER}.gov.vn`);
  const times = [a.request!.created!.time, a.grant!.created!.time, p.opened.time, a.grant!.deleted!.time, p.closed!.time, a.request!.deleted!.time];
  assert.equal([...times].sort(), times, times.join(' '));
  assert.equal(
    h.refused.map((r) => `${r.actor.user} ${r.verb} ${r.object} ${r.code}`),
    [`can-bo@${CONSUMER}.gov.vn delete AccessGrant ${GRANT} 403`, `can-bo@${CONSUMER}.gov.vn patch/status AccessRequest ${REQUEST} 403`],
  );
  assert.ok(Object.keys(h.codes).includes(CONSUMER) && Object.keys(h.codes).includes(PROVIDER), JSON.stringify(h.codes));
});

test('the same history whatever the order of the lines (rotated files in any order) and with lines read twice', () => {
  const list = events();
  const forward = history(list);
  assert.equal(history([...list].reverse()), forward);
  assert.equal(history([...list, ...list.slice(0, 10)]), forward);
});

test('lines about other objects, reads and the RequestReceived stage are skipped; a JSON line that is no audit event is bad', () => {
  const list = events();
  const other = list.find((e) => e.objectRef?.apiGroup !== 'govcloud.dev')!;
  assert.equal(parseAuditEvent(other), { kind: 'skip' });
  assert.equal(parseAuditEvent({ ...find(list, 'accessgrants', 'patch'), stage: 'RequestReceived' }), { kind: 'skip' });
  assert.equal(parseAuditEvent({ ...find(list, 'accessgrants', 'patch'), verb: 'get' }), { kind: 'skip' });
  assert.is(parseAuditEvent({ kind: 'Pod', apiVersion: 'v1' }).kind, 'bad');
  assert.is(parseAuditEvent([1, 2]).kind, 'bad');
  const { user: _u, ...noUser } = find(list, 'accessgrants', 'patch');
  assert.is(parseAuditEvent(noUser).kind, 'bad');
});

/** The operator's status write on the request that closed the path (the first inactive one after the active one). */
function closing(list: Event[]): Event {
  const writes = list.filter((e) => e.objectRef?.resource === 'accessrequests' && e.objectRef?.subresource === 'status' && e.responseStatus?.code === 200);
  const opened = writes.findIndex((e) => e.responseObject.status.active === true);
  return writes.slice(opened).find((e) => e.responseObject.status.active === false)!;
}

test('a window that ends: the operator closes the path with reason Expired, and nobody is named as ending it', () => {
  const list = events().filter((e) => !(e.verb === 'delete' && e.objectRef?.resource === 'accessgrants'));
  // The operator's write that closed the path becomes the expiry; the grant stays.
  closing(list).responseObject.status.conditions.find((c: { type: string }) => c.type === 'Ready').reason = 'Expired';
  const a = history(list).accesses[0]!;
  assert.is(a.periods[0]!.closed!.reason, 'Expired');
  assert.equal([a.ended!.how, a.ended!.actor], ['expired', undefined]);
});

test('a window shortened by the provider: the change and its author end the access', () => {
  const list = events().filter((e) => !(e.verb === 'delete' && e.objectRef?.resource === 'accessgrants'));
  const closed = closing(list);
  const change = find(list, 'accessgrants', 'patch');
  change.auditID = 'a-change';
  change.responseStatus.code = 200;
  change.stageTimestamp = closed.stageTimestamp.replace(/\.(\d+)Z$/, (_: string, f: string) => `.${String(Number(f) - 1).padStart(f.length, '0')}Z`);
  change.responseObject.spec.validUntil = '2026-12-06T06:00:00Z';
  const a = history([...list, change]).accesses[0]!;
  assert.is(a.grant!.changes.length, 1);
  assert.equal(a.grant!.changes[0]!.fields, ['validUntil']);
  assert.is(a.window.until, '2026-12-06T06:00:00Z', 'the window as last stored');
  assert.equal([a.ended!.actor!.user, a.ended!.how], [`can-bo@${PROVIDER}.gov.vn`, `AccessGrant ${GRANT} changed (validUntil)`]);
});

test('a name used again is another object: the second request is its own access, without the first one’s history', () => {
  const list = events();
  const again = find(list, 'accessrequests', 'patch');
  again.auditID = 'again';
  again.stageTimestamp = '2026-12-31T00:00:00.000000Z';
  again.responseObject.metadata.uid = 'another-uid';
  const h = history([...list, again]);
  const requests = h.accesses.map((a) => a.request).filter((r) => r?.ref === REQUEST);
  assert.is(requests.length, 2);
  const second = requests.find((r) => r!.uid === 'another-uid')!;
  assert.is(second.created!.time, '2026-12-31T00:00:00.000000Z');
  assert.equal([second.deleted, second.transitions], [undefined, []]);
  assert.is(h.accesses.find((a) => a.request === second)!.grant, undefined, 'the revoked grant is not paired with it');
});

test('at level Request (no response bodies) the applied spec still names purpose and window; status writes still say opened', () => {
  const list = events().map((e) => {
    if (e.objectRef?.apiGroup !== 'govcloud.dev') return e;
    const { responseObject: _r, ...rest } = e;
    return { ...rest, level: 'Request' };
  });
  const a = history(list).accesses[0]!;
  assert.is(a.purpose, 'Tra cứu đăng ký doanh nghiệp (e2e kiểm toán)');
  assert.ok(a.window.until);
  assert.is(a.periods.length, 1);
  assert.is(a.grant!.deleted!.actor.user, `can-bo@${PROVIDER}.gov.vn`);
});

/** A real event on an access object turned into one on a NetworkLink: same shape, the link's spec. */
function asLink(e: Event, id: string, namespace: string, name: string, spec?: Record<string, unknown>): Event {
  const out = structuredClone(e);
  out.auditID = id;
  out.objectRef = { ...out.objectRef, resource: 'networklinks', namespace, name };
  for (const body of [out.requestObject, out.responseObject]) {
    if (body?.apiVersion?.startsWith('govcloud.dev/')) {
      body.kind = 'NetworkLink';
      body.metadata = { ...body.metadata, namespace, name, uid: `uid-${namespace}` };
      if (spec) body.spec = spec;
      // A link's status says active, agency and data centres; it pairs with no object by name.
      if (body.status?.matchedBy) delete body.status.matchedBy;
    }
  }
  return out;
}

test('links: two NetworkLinks naming each other are one access, declared by one side and accepted by the other; withdrawn by a deletion', () => {
  const list = events();
  const [c, p] = [`govcloud-${CONSUMER}`, `govcloud-${PROVIDER}`];
  const egress = { workspace: 'app', direction: 'Egress', peer: { agency: { name: PROVIDER, workspace: 'data' } }, ports: [{ port: 5432 }] };
  const ingress = { workspace: 'data', direction: 'Ingress', peer: { agency: { name: CONSUMER, workspace: 'app' } }, ports: [{ port: 5432 }] };
  const status = list.filter((e) => e.objectRef?.resource === 'accessrequests' && e.objectRef?.subresource === 'status' && e.responseStatus.code === 200);
  const opened = status.find((e) => e.responseObject.status.active === true)!;
  const links = [
    asLink(find(list, 'accessrequests', 'patch'), 'l1', c, 'to-data', egress),
    asLink(find(list, 'accessgrants', 'patch'), 'l2', p, 'from-app', ingress),
    asLink(opened, 'l3', c, 'to-data', egress),
    asLink(find(list, 'accessgrants', 'delete'), 'l4', p, 'from-app', ingress),
    asLink(closing(list), 'l5', c, 'to-data', egress),
    // An external link stands alone.
    asLink(find(list, 'accessrequests', 'patch'), 'l6', c, 'to-wan', {
      workspace: 'app',
      direction: 'Egress',
      peer: { external: { network: 'specialisedLevelI', cidrs: ['10.8.0.0/16'] } },
      ports: [{ port: 443 }],
    }),
  ];
  const h = history(links);
  const pair = h.accesses.find((a) => a.kind === 'link' && a.grant)!;
  assert.equal([pair.consumer, pair.provider, pair.agencies], [`${CONSUMER}/app`, `${PROVIDER}/data`, [CONSUMER, PROVIDER]]);
  assert.equal([pair.request!.ref, pair.grant!.ref], [`${c}/to-data`, `${p}/from-app`]);
  assert.is(pair.grant!.created!.actor.user, `can-bo@${PROVIDER}.gov.vn`);
  assert.is(pair.periods.length, 1);
  assert.ok(pair.periods[0]!.closed);
  assert.equal([pair.ended!.actor!.user, pair.ended!.how], [`can-bo@${PROVIDER}.gov.vn`, `withdrawn (NetworkLink ${p}/from-app deleted)`]);
  const external = h.accesses.find((a) => a.kind === 'link' && !a.grant)!;
  assert.equal([external.consumer, external.provider, external.agencies], [`${CONSUMER}/app`, 'specialisedLevelI', [CONSUMER]]);
});

test('a refused write to an object that never existed makes no access, only a refused line', () => {
  const forged = structuredClone(events().find((e) => e.verb === 'delete' && e.responseStatus.code === 403)!);
  forged.auditID = 'forged';
  forged.objectRef.name = 'never-created';
  const h = history([forged]);
  assert.equal(h.accesses, []);
  assert.equal(
    h.refused.map((r) => r.object),
    [`AccessGrant govcloud-${PROVIDER}/never-created`],
  );
});

test('selection: by agency (either side), by time (something recorded since, or open then); refused writes follow', () => {
  const h = history(events());
  assert.is(selectAccesses(h, { agencies: [CONSUMER] }).length, 1);
  assert.is(selectAccesses(h, { agencies: [PROVIDER] }).length, 1);
  assert.is(selectAccesses(h, { agencies: ['someone-else'] }).length, 0);
  const last = h.accesses[0]!.request!.deleted!.time;
  assert.is(selectAccesses(h, { since: Date.parse(last) - 1 }).length, 1);
  assert.is(selectAccesses(h, { since: Date.parse(last) + 1000 }).length, 0);
  assert.is(selectRefused(h, selectAccesses(h, { agencies: [CONSUMER] }), { agencies: [CONSUMER] }).length, 2);
  assert.is(selectRefused(h, [], { agencies: ['someone-else'] }).length, 0);
});

test.run();
