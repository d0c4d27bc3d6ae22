/**
 * One line of the API server's audit log (audit.k8s.io/v1 Event, JSON) reduced to what the
 * access history needs: a completed write to a govcloud.dev object, who made it (the
 * impersonated identity when there is one, and who impersonated), when, and the object as the
 * API server stored it. Everything else in the log is `skip`; a line that is not an audit
 * event at all is `bad`, with the reason.
 */

export interface Actor {
  user: string;
  groups: string[];
  /** The authenticated user who impersonated `user` (`kubectl --as`), when one did. */
  via?: string;
}

/** What is kept of a stored govcloud.dev object: enough to tell who asked what, for how long, and what the operator said. */
export interface ObjectState {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  spec?: Record<string, unknown>;
  /** `active`, `matchedBy` and the Ready condition's reason, when the status says them. */
  status?: { active?: boolean; matchedBy?: string; reason?: string };
}

export const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
export type WriteVerb = (typeof WRITE_VERBS)[number];

export interface AuditRecord {
  auditID: string;
  /** When the API server finished the request (stageTimestamp, RFC 3339 with microseconds). */
  time: string;
  verb: WriteVerb;
  /** The HTTP status code of the answer. */
  code: number;
  actor: Actor;
  /** The resource's plural (accessrequests, accessgrants, networklinks, agencies, ...). */
  resource: string;
  subresource?: string;
  namespace?: string;
  /** Absent for deletecollection. */
  name?: string;
  /** The object(s) after the write (the deleted ones for a delete), as far as the event's level shows them. */
  objects: ObjectState[];
}

export type Parsed = { kind: 'record'; record: AuditRecord } | { kind: 'skip' } | { kind: 'bad'; message: string };

const GROUP = 'govcloud.dev';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function actorOf(event: Record<string, unknown>): Actor | undefined {
  const user = isObject(event.user) ? event.user : undefined;
  const name = str(user?.username);
  if (name === undefined) return undefined;
  const groups = (u: Record<string, unknown> | undefined) => (Array.isArray(u?.groups) ? u.groups.filter((g): g is string => typeof g === 'string') : []);
  const imp = isObject(event.impersonatedUser) ? event.impersonatedUser : undefined;
  const impName = str(imp?.username);
  if (impName !== undefined) return { user: impName, groups: groups(imp), via: name };
  return { user: name, groups: groups(user) };
}

/** The govcloud.dev object in a request or response body, or undefined for anything else (a Status, a patch without kind). */
export function objectState(body: unknown): ObjectState | undefined {
  if (!isObject(body) || !str(body.apiVersion)?.startsWith(`${GROUP}/`)) return undefined;
  const kind = str(body.kind);
  const meta = isObject(body.metadata) ? body.metadata : undefined;
  const name = str(meta?.name);
  if (kind === undefined || name === undefined) return undefined;
  const out: ObjectState = { kind, name };
  const namespace = str(meta?.namespace);
  if (namespace !== undefined) out.namespace = namespace;
  const uid = str(meta?.uid);
  if (uid !== undefined) out.uid = uid;
  if (isObject(body.spec)) out.spec = body.spec;
  if (isObject(body.status)) {
    const s = body.status;
    const status: NonNullable<ObjectState['status']> = {};
    if (typeof s.active === 'boolean') status.active = s.active;
    const matchedBy = str(s.matchedBy);
    if (matchedBy !== undefined) status.matchedBy = matchedBy;
    const ready: unknown = Array.isArray(s.conditions) ? (s.conditions as unknown[]).find((c) => isObject(c) && c.type === 'Ready') : undefined;
    const reason = isObject(ready) ? str(ready.reason) : undefined;
    if (reason !== undefined) status.reason = reason;
    out.status = status;
  }
  return out;
}

/**
 * The objects an event shows: the response (the object as stored, or the deleted ones of a
 * deletecollection) at level RequestResponse; the request body at level Request (a created
 * object or an applied configuration; a merge patch names no kind and shows nothing).
 */
function objectsOf(event: Record<string, unknown>): ObjectState[] {
  const response = event.responseObject;
  if (isObject(response) && Array.isArray(response.items)) {
    return response.items
      .map((i) => objectState(isObject(i) && !i.apiVersion ? { ...i, apiVersion: response.apiVersion, kind: kindOfList(response.kind) } : i))
      .filter((o) => o !== undefined);
  }
  const fromResponse = objectState(response);
  if (fromResponse) return [fromResponse];
  const fromRequest = objectState(event.requestObject);
  return fromRequest ? [fromRequest] : [];
}

const kindOfList = (kind: unknown) => (typeof kind === 'string' && kind.endsWith('List') ? kind.slice(0, -4) : kind);

/** Reads one parsed JSON line of an audit log. */
export function parseAuditEvent(value: unknown): Parsed {
  if (!isObject(value) || value.kind !== 'Event' || typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith('audit.k8s.io/')) {
    return { kind: 'bad', message: 'not an audit event (kind Event, apiVersion audit.k8s.io/v1)' };
  }
  const ref = isObject(value.objectRef) ? value.objectRef : undefined;
  if (ref?.apiGroup !== GROUP) return { kind: 'skip' };
  const verb = str(value.verb);
  if (!WRITE_VERBS.includes(verb as WriteVerb)) return { kind: 'skip' };
  // Long requests log ResponseStarted too; a write is judged once, when it completed.
  if (value.stage !== 'ResponseComplete' && value.stage !== 'Panic') return { kind: 'skip' };
  const auditID = str(value.auditID);
  const time = str(value.stageTimestamp) ?? str(value.requestReceivedTimestamp);
  const actor = actorOf(value);
  const resource = str(ref.resource);
  if (auditID === undefined || time === undefined || actor === undefined || resource === undefined) {
    return { kind: 'bad', message: 'audit event without auditID, stageTimestamp, user.username or objectRef.resource' };
  }
  const code = isObject(value.responseStatus) && typeof value.responseStatus.code === 'number' ? value.responseStatus.code : value.stage === 'Panic' ? 500 : 0;
  const record: AuditRecord = { auditID, time, verb: verb as WriteVerb, code, actor, resource, objects: objectsOf(value) };
  const subresource = str(ref.subresource);
  if (subresource !== undefined) record.subresource = subresource;
  const namespace = str(ref.namespace);
  if (namespace !== undefined) record.namespace = namespace;
  const name = str(ref.name);
  if (name !== undefined) record.name = name;
  return { kind: 'record', record };
}
