/**
 * The access history from the audit log's govcloud.dev writes: per access (an AccessRequest
 * and the AccessGrant that answers it, or two NetworkLinks that name each other), who asked,
 * who granted, for what purpose, under which legal basis and window, who changed, revoked or
 * withdrew it, and when the path opened and closed, as the operator's status writes say.
 *
 * A fold: `add` every record in any order (several rotated files, a record seen twice), then
 * `result`. It keeps only the writes to access objects (and Agency codes), never whole lines:
 * memory grows with the access trail, not with the size of the log.
 */
import { agencyNameOfHubNamespace, HUB_NAMESPACE_PREFIX, normaliseAgencyCode } from '../api/index.ts';
import type { Actor, AuditRecord, ObjectState } from './event.ts';

const ACCESS_KINDS = ['AccessRequest', 'AccessGrant', 'NetworkLink'] as const;
export type AccessObjectKind = (typeof ACCESS_KINDS)[number];
const RESOURCE_KIND: Record<string, AccessObjectKind> = { accessrequests: 'AccessRequest', accessgrants: 'AccessGrant', networklinks: 'NetworkLink' };

/** One write: when, by whom, and its audit ID (to find the line in the log). */
export interface Step {
  time: string;
  actor: Actor;
  auditID: string;
}

export interface Transition extends Step {
  active: boolean;
  /** The Ready condition's reason the operator gave (Active, Expired, WaitingForGrant, ...). */
  reason?: string;
  /** The object on the other side it said it was paired with, namespace/name. */
  matchedBy?: string;
}

/** One object from its creation to its deletion (a name used again is another object). */
export interface ObjectHistory {
  kind: AccessObjectKind;
  /** namespace/name */
  ref: string;
  uid?: string;
  /** The acting agency: the owner of the hub namespace, never a field. */
  agency?: string;
  /** Absent when the object was created before the oldest line read. */
  created?: Step;
  /** The spec as last stored. */
  spec: Record<string, unknown>;
  /** Spec changes after creation, with the top-level fields that changed. */
  changes: (Step & { fields: string[] })[];
  deleted?: Step;
  /** status.active as the operator wrote it, each change. */
  transitions: Transition[];
  /** The objects the operator paired it with (status.matchedBy), namespace/name. */
  matchedBy: string[];
  /** Writes the API server refused (403 forbidden, 422 invalid, ...). */
  refused: (Step & { verb: string; code: number })[];
}

export interface Period {
  opened: Transition;
  /** Absent while still open at the newest line read. */
  closed?: Step & { reason?: string };
}

export interface Ending {
  time: string;
  /** Absent when the window ended on its own. */
  actor?: Actor;
  how: string;
}

export interface Access {
  kind: 'service' | 'link';
  /** Service: the consumer agency; link: the Egress side, agency/workspace. */
  consumer: string;
  /** Service: the provider agency; link: the Ingress side (or the external network). */
  provider: string;
  service?: string;
  /** Every agency taking part. */
  agencies: string[];
  /** Service: the AccessRequest; link: the side declared first. */
  request?: ObjectHistory;
  /** Service: the AccessGrant; link: the side declared second. */
  grant?: ObjectHistory;
  purpose?: string;
  legalBasis?: string;
  /** Where both sides set a window, the part they share. */
  window: { from?: string; until?: string };
  periods: Period[];
  /** Who revoked, withdrew or changed it, or that it expired. */
  ended?: Ending;
}

export interface RefusedWrite extends Step {
  verb: string;
  code: number;
  object: string;
}

export interface AccessHistory {
  accesses: Access[];
  refused: RefusedWrite[];
  /** Agency name to normalised code, from the Agency writes in the log. */
  codes: Record<string, string>;
  /** Writes to govcloud.dev objects read. */
  writes: number;
}

interface Seen {
  record: AuditRecord;
  object?: ObjectState;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const byTime = <T extends { time: string; auditID?: string }>(a: T, b: T) =>
  a.time < b.time ? -1 : a.time > b.time ? 1 : (a.auditID ?? '') < (b.auditID ?? '') ? -1 : (a.auditID ?? '') > (b.auditID ?? '') ? 1 : 0;
const stepOf = (r: AuditRecord): Step => ({ time: r.time, actor: r.actor, auditID: r.auditID });
const succeeded = (r: AuditRecord) => r.code >= 200 && r.code < 300;

export class AccessHistoryBuilder {
  private readonly seen = new Set<string>();
  private readonly byObject = new Map<string, Seen[]>();
  private readonly codes = new Map<string, string>();
  private readonly refused: RefusedWrite[] = [];
  private writes = 0;

  add(record: AuditRecord): void {
    if (this.seen.has(record.auditID)) return;
    this.seen.add(record.auditID);
    this.writes++;
    if (record.resource === 'agencies') {
      for (const o of record.objects) {
        const code = str(o.spec?.code);
        const normal = code === undefined ? undefined : normaliseAgencyCode(code);
        if (normal?.ok) this.codes.set(o.name, normal.code);
      }
      return;
    }
    const kind = RESOURCE_KIND[record.resource];
    if (kind === undefined) return;
    if (!succeeded(record)) {
      const object = `${kind} ${record.namespace ? record.namespace + '/' : ''}${record.name ?? '*'}`;
      this.refused.push({ ...stepOf(record), verb: record.verb + (record.subresource ? `/${record.subresource}` : ''), code: record.code, object });
    }
    const objects = record.objects.filter((o) => o.kind === kind);
    if (objects.length === 0 && record.name !== undefined) {
      this.keep(`${kind}|${record.namespace ?? ''}|${record.name}`, { record });
      return;
    }
    for (const object of objects) this.keep(`${kind}|${object.namespace ?? record.namespace ?? ''}|${object.name}`, { record, object });
  }

  private keep(key: string, seen: Seen): void {
    const list = this.byObject.get(key);
    if (list) list.push(seen);
    else this.byObject.set(key, [seen]);
  }

  result(): AccessHistory {
    const lives: ObjectHistory[] = [];
    for (const [key, list] of this.byObject) {
      const [kind, namespace, name] = key.split('|') as [AccessObjectKind, string, string];
      lives.push(...lifecycles(kind, namespace, name, list));
    }
    const accesses = [...serviceAccesses(lives), ...linkAccesses(lives)].sort(
      (a, b) => byTime({ time: firstTime(a) }, { time: firstTime(b) }) || (a.consumer < b.consumer ? -1 : a.consumer > b.consumer ? 1 : 0),
    );
    return { accesses, refused: [...this.refused].sort(byTime), codes: Object.fromEntries([...this.codes].sort()), writes: this.writes };
  }
}

const firstTime = (a: Access) => [a.request?.created?.time, a.grant?.created?.time, a.periods[0]?.opened.time].filter((t) => t !== undefined).sort()[0] ?? '';

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/** The writes to one name, in time order, split into the objects that bore it. */
function lifecycles(kind: AccessObjectKind, namespace: string, name: string, list: Seen[]): ObjectHistory[] {
  const sorted = [...list].sort((a, b) => byTime(a.record, b.record));
  const out: ObjectHistory[] = [];
  let current: ObjectHistory | undefined;
  const start = (uid: string | undefined): ObjectHistory => {
    const life: ObjectHistory = { kind, ref: `${namespace}/${name}`, spec: {}, changes: [], transitions: [], matchedBy: [], refused: [] };
    const agency = agencyNameOfHubNamespace(namespace);
    if (agency !== undefined) life.agency = agency;
    if (uid !== undefined) life.uid = uid;
    out.push(life);
    return life;
  };
  for (const { record, object } of sorted) {
    const step = stepOf(record);
    if (!succeeded(record)) {
      // A refused write to a name no write created is no object: the history's refused list has it.
      (current ?? out.at(-1))?.refused.push({ ...step, verb: record.verb, code: record.code });
      continue;
    }
    if (current && object?.uid && current.uid && object.uid !== current.uid) current = undefined;
    if (record.verb === 'delete' || record.verb === 'deletecollection') {
      const life = current ?? start(object?.uid);
      if (object?.spec && Object.keys(life.spec).length === 0) life.spec = object.spec;
      life.deleted = step;
      current = undefined;
      continue;
    }
    if (!current) {
      current = start(object?.uid);
      // A create, or an apply that created (201); any other first write is of an object older than the log.
      if (record.subresource === undefined && (record.verb === 'create' || record.code === 201)) current.created = step;
    }
    if (object?.uid && !current.uid) current.uid = object.uid;
    if (record.subresource === 'status') {
      const matched = object?.status?.matchedBy;
      if (matched !== undefined && !current.matchedBy.includes(matched)) current.matchedBy.push(matched);
      const active = object?.status?.active;
      const last = current.transitions.at(-1);
      if (active !== undefined && active !== last?.active) {
        const t: Transition = { ...step, active };
        if (object?.status?.reason !== undefined) t.reason = object.status.reason;
        if (matched !== undefined && active) t.matchedBy = matched;
        current.transitions.push(t);
      }
      continue;
    }
    if (!object?.spec) continue;
    if (current.created !== step && Object.keys(current.spec).length > 0) {
      const fields = changedFields(current.spec, object.spec);
      if (fields.length > 0) current.changes.push({ ...step, fields });
    }
    current.spec = object.spec;
  }
  return out;
}

const START = '';
const END = '\uffff';
const span = (o: ObjectHistory) => [o.created?.time ?? START, o.deleted?.time ?? END] as const;
function overlaps(a: ObjectHistory, b: ObjectHistory): boolean {
  const [as, ae] = span(a);
  const [bs, be] = span(b);
  return as <= be && bs <= ae;
}

function serviceAccesses(lives: ObjectHistory[]): Access[] {
  const requests = lives.filter((l) => l.kind === 'AccessRequest');
  const paired = new Set<ObjectHistory>();
  const out: Access[] = [];
  for (const grant of lives.filter((l) => l.kind === 'AccessGrant')) {
    const provider = grant.agency ?? namespaceOf(grant);
    const consumer = str(grant.spec.consumer) ?? '?';
    const service = str(grant.spec.service) ?? '?';
    // The request the operator paired it with; else the newest one it could pair with.
    const candidates = requests
      .filter((r) => r.agency === consumer && str(r.spec.provider) === provider && str(r.spec.service) === service && overlaps(r, grant))
      .sort((a, b) => byTime({ time: span(b)[0] }, { time: span(a)[0] }));
    const request = candidates.find((r) => grant.matchedBy.includes(r.ref) || r.matchedBy.includes(grant.ref)) ?? candidates[0];
    if (request) paired.add(request);
    out.push(access('service', consumer, provider, [consumer, provider], request, grant, service));
  }
  for (const request of requests.filter((r) => !paired.has(r))) {
    const consumer = request.agency ?? namespaceOf(request);
    const provider = str(request.spec.provider) ?? '?';
    out.push(access('service', consumer, provider, [consumer, provider], request, undefined, str(request.spec.service) ?? '?'));
  }
  return out;
}

const namespaceOf = (o: ObjectHistory) => o.ref.slice(0, o.ref.indexOf('/'));
const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

interface LinkEnd {
  agency: string;
  workspace: string;
  peerAgency?: string;
  peerWorkspace?: string;
  external?: string;
  egress: boolean;
}

function linkEnd(o: ObjectHistory): LinkEnd {
  const peer = asRecord(o.spec.peer);
  const peerAgency = asRecord(peer?.agency);
  const external = asRecord(peer?.external);
  const end: LinkEnd = { agency: o.agency ?? namespaceOf(o), workspace: str(o.spec.workspace) ?? '?', egress: o.spec.direction !== 'Ingress' };
  const pa = str(peerAgency?.name);
  if (pa !== undefined) {
    end.peerAgency = pa;
    end.peerWorkspace = str(peerAgency?.workspace) ?? '?';
  }
  const network = str(external?.network);
  if (network !== undefined) end.external = network;
  return end;
}

/** Two links pair when each names the other's agency and workspace, in opposite directions, at the same time. */
function linkAccesses(lives: ObjectHistory[]): Access[] {
  const links = lives.filter((l) => l.kind === 'NetworkLink').sort((a, b) => byTime({ time: span(a)[0] }, { time: span(b)[0] }));
  const paired = new Set<ObjectHistory>();
  const out: Access[] = [];
  for (const first of links) {
    if (paired.has(first)) continue;
    const a = linkEnd(first);
    const second = links.find((o) => {
      if (o === first || paired.has(o) || !overlaps(o, first)) return false;
      const b = linkEnd(o);
      return (
        b.agency === a.peerAgency && b.workspace === a.peerWorkspace && b.peerAgency === a.agency && b.peerWorkspace === a.workspace && b.egress !== a.egress
      );
    });
    paired.add(first);
    if (second) paired.add(second);
    const peer = a.external !== undefined ? a.external : `${a.peerAgency}/${a.peerWorkspace}`;
    const self = `${a.agency}/${a.workspace}`;
    const [consumer, provider] = a.egress ? [self, peer] : [peer, self];
    const agencies = a.peerAgency !== undefined ? [a.agency, a.peerAgency] : [a.agency];
    out.push(access('link', consumer, provider, agencies, first, second));
  }
  return out;
}

/** The part of both windows the two sides share. */
function windowOf(sides: ObjectHistory[]): Access['window'] {
  const from = sides.map((s) => str(s.spec.validFrom)).filter((t) => t !== undefined);
  const until = sides.map((s) => str(s.spec.validUntil)).filter((t) => t !== undefined);
  const w: Access['window'] = {};
  const latest = from.sort((x, y) => Date.parse(y) - Date.parse(x))[0];
  const earliest = until.sort((x, y) => Date.parse(x) - Date.parse(y))[0];
  if (latest !== undefined) w.from = latest;
  if (earliest !== undefined) w.until = earliest;
  return w;
}

function access(
  kind: Access['kind'],
  consumer: string,
  provider: string,
  agencies: string[],
  request: ObjectHistory | undefined,
  grant: ObjectHistory | undefined,
  service?: string,
): Access {
  const sides = [request, grant].filter((s) => s !== undefined);
  const out: Access = { kind, consumer, provider, agencies: [...new Set(agencies)].sort(), window: windowOf(sides), periods: [] };
  if (service !== undefined) out.service = service;
  if (request) out.request = request;
  if (grant) out.grant = grant;
  // The provider's words bind: its grant's purpose and legal basis, else the request's.
  const purpose = str(grant?.spec.purpose) ?? str(request?.spec.purpose);
  const legalBasis = str(grant?.spec.legalBasis) ?? str(request?.spec.legalBasis);
  if (purpose !== undefined) out.purpose = purpose;
  if (legalBasis !== undefined) out.legalBasis = legalBasis;
  const { periods, ended } = periodsOf(kind, request, grant);
  out.periods = periods;
  if (ended) out.ended = ended;
  return out;
}

type Happening =
  | { type: 'active'; side: ObjectHistory; t: Transition }
  | { type: 'changed'; side: ObjectHistory; step: Step; fields: string[] }
  | { type: 'deleted'; side: ObjectHistory; step: Step };

const timeOf = (h: Happening) => (h.type === 'active' ? h.t : h.step);

/** How a side's deletion, or its change of these fields (`changed`), ended the access. */
function how(kind: Access['kind'], side: ObjectHistory, changed?: string): string {
  if (changed !== undefined) return `${side.kind} ${side.ref} changed (${changed})`;
  if (kind === 'link') return `withdrawn (NetworkLink ${side.ref} deleted)`;
  return side.kind === 'AccessGrant' ? `revoked (AccessGrant ${side.ref} deleted)` : `withdrawn (AccessRequest ${side.ref} deleted)`;
}

/**
 * When the path was open: from the first status write saying active (paired with this access's
 * other side, when it names one), to the first saying inactive, or, when a side was deleted
 * and no status write followed, that deletion. The operator writes status after it has
 * applied or removed the path, so these are the times the path changed, a moment late.
 */
function periodsOf(kind: Access['kind'], request: ObjectHistory | undefined, grant: ObjectHistory | undefined): { periods: Period[]; ended?: Ending } {
  const sides = [request, grant].filter((s) => s !== undefined);
  const begin =
    sides
      .map((s) => span(s)[0])
      .sort()
      .at(-1) ?? START;
  const happenings: Happening[] = [];
  const other = (side: ObjectHistory) => sides.find((s) => s !== side);
  const ours = (side: ObjectHistory, t: Transition) => !t.active || t.matchedBy === undefined || other(side) === undefined || t.matchedBy === other(side)!.ref;
  for (const side of sides) {
    for (const t of side.transitions) if (t.time >= begin && ours(side, t)) happenings.push({ type: 'active', side, t });
    for (const c of side.changes) happenings.push({ type: 'changed', side, step: c, fields: c.fields });
    if (side.deleted) happenings.push({ type: 'deleted', side, step: side.deleted });
  }
  happenings.sort((a, b) => byTime(timeOf(a), timeOf(b)));
  const periods: Period[] = [];
  let open: Period | undefined;
  let cause: Ending | undefined;
  let ended: Ending | undefined;
  let gone: Step | undefined;
  let goneBy: Ending | undefined;
  for (const h of happenings) {
    if (h.type === 'active') {
      if (h.t.active && !open) {
        open = { opened: h.t };
        periods.push(open);
        cause = undefined;
      } else if (!h.t.active && open) {
        const closed: Period['closed'] = { time: h.t.time, actor: h.t.actor, auditID: h.t.auditID };
        if (h.t.reason !== undefined) closed.reason = h.t.reason;
        open.closed = closed;
        open = undefined;
        ended =
          cause ?? goneBy ?? (h.t.reason === 'Expired' ? { time: h.t.time, how: 'expired' } : { time: h.t.time, how: `closed (${h.t.reason ?? 'inactive'})` });
      }
    } else if (h.type === 'changed') {
      cause = { time: h.step.time, actor: h.step.actor, how: how(kind, h.side, h.fields.join(', ')) };
    } else {
      const e: Ending = { time: h.step.time, actor: h.step.actor, how: how(kind, h.side) };
      if (!gone) {
        gone = h.step;
        goneBy = e;
        if (!open && ended === undefined) ended = e;
      }
      if (open) cause = e;
      if (open && sides.length === 1) {
        open.closed = { ...h.step, reason: 'Deleted' };
        open = undefined;
        ended = e;
      }
    }
  }
  if (open && gone) {
    open.closed = { ...gone, reason: 'Deleted' };
    ended = cause;
  }
  return ended ? { periods, ended } : { periods };
}

export interface Selection {
  /** Milliseconds: accesses with something recorded at or after it, or open then. */
  since?: number;
  /** Agency names: accesses one of them takes part in. */
  agencies?: readonly string[];
}

const lastTime = (a: Access) =>
  [a.request, a.grant]
    .filter((s) => s !== undefined)
    .flatMap((s) => [s.created?.time, s.deleted?.time, ...s.changes.map((c) => c.time), ...s.transitions.map((t) => t.time)])
    .filter((t) => t !== undefined)
    .sort()
    .at(-1);

/** The accesses an auditor asked for. */
export function selectAccesses(history: AccessHistory, selection: Selection): Access[] {
  return history.accesses.filter((a) => {
    if (selection.agencies && !a.agencies.some((x) => selection.agencies!.includes(x))) return false;
    if (selection.since === undefined) return true;
    const last = lastTime(a);
    const since = selection.since;
    return (last !== undefined && Date.parse(last) >= since) || a.periods.some((p) => p.closed === undefined || Date.parse(p.closed.time) >= since);
  });
}

/** The refused writes that touch the selected accesses' objects or the selected agencies' hub namespaces, in the period asked. */
export function selectRefused(history: AccessHistory, accesses: readonly Access[], selection: Selection): RefusedWrite[] {
  const refs = new Set(accesses.flatMap((a) => [a.request?.ref, a.grant?.ref]).filter((r) => r !== undefined));
  const namespaces = (selection.agencies ?? []).map((a) => `${HUB_NAMESPACE_PREFIX}${a}/`);
  return history.refused.filter((r) => {
    if (selection.since !== undefined && Date.parse(r.time) < selection.since) return false;
    if (!selection.agencies) return true;
    const ref = r.object.slice(r.object.indexOf(' ') + 1);
    return refs.has(ref) || namespaces.some((n) => ref.startsWith(n));
  });
}
