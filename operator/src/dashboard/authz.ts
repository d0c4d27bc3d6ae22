/**
 * Who may see which page, decided by the hub's API server, never by the dashboard.
 *
 * Identity: the request's `Authorization: Bearer <token>` (an OIDC ID token the API server
 * accepts, or a ServiceAccount token), checked with a TokenReview; the browser gets it from
 * the reverse proxy in front of the dashboard (oauth2-proxy and the like pass it on) or from
 * the login form (`server.ts`), which keeps it in an HttpOnly cookie.
 *
 * Authorization: a SubjectAccessReview for that user and those groups, per page:
 * - an agency's page: `list shareddataservices.govcloud.dev` in the agency's hub namespace,
 *   which the agency's viewers and admins hold there (ClusterRoles govcloud-tenant-viewer and
 *   govcloud-tenant-requests, bound by the operator);
 * - the national pages (overview, data centres, catalogue, access graph): `list
 *   agencies.govcloud.dev` over the cluster, which leadership holds (the chart's
 *   govcloud-dashboard-leadership ClusterRole, bound to the groups it is given).
 * The dashboard's own ServiceAccount reads the platform, and asks these two questions: it
 * never lends its credential to a viewer.
 */
import { createHash } from 'node:crypto';
import { GROUP as API_GROUP, hubNamespaceOf } from '../api/index.ts';

export type Scope = { kind: 'national' } | { kind: 'agency'; agency: string };

export interface Identity {
  user: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

/** The question the API server answers for a page of this scope. */
export function resourceAttributes(scope: Scope): ResourceAttributes {
  if (scope.kind === 'national') return { verb: 'list', group: API_GROUP, resource: 'agencies' };
  return { verb: 'list', group: API_GROUP, resource: 'shareddataservices', namespace: hubNamespaceOf(scope.agency) };
}

export function subjectAccessReview(identity: Identity, scope: Scope) {
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: identity.user,
      groups: identity.groups,
      ...(identity.uid ? { uid: identity.uid } : {}),
      ...(identity.extra ? { extra: identity.extra } : {}),
      resourceAttributes: resourceAttributes(scope),
    },
  };
}

export interface TokenReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

/** The identity a TokenReview's status vouches for, or undefined. */
export function identityOf(status: TokenReviewStatus | undefined): Identity | undefined {
  if (!status?.authenticated || !status.user?.username) return undefined;
  return {
    user: status.user.username,
    groups: [...(status.user.groups ?? [])],
    ...(status.user.uid ? { uid: status.user.uid } : {}),
    ...(status.user.extra ? { extra: status.user.extra } : {}),
  };
}

export interface Reviewer {
  authenticate(token: string): Promise<Identity | undefined>;
  allowed(identity: Identity, scope: Scope): Promise<boolean>;
}

export type Decision = { status: 200; identity: Identity } | { status: 401 } | { status: 403; identity: Identity };

/** The bearer token of an Authorization header, or of the session cookie. */
export function tokenOf(headers: { authorization?: string | undefined; cookie?: string | undefined }, cookieName: string): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (bearer) return bearer[1];
  for (const part of (headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === cookieName && v.length > 0) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** 401 without a valid token, 403 when the API server says no, 200 otherwise. */
export async function authorize(token: string | undefined, scope: Scope, reviewer: Reviewer): Promise<Decision> {
  if (!token) return { status: 401 };
  const identity = await reviewer.authenticate(token);
  if (!identity) return { status: 401 };
  return (await reviewer.allowed(identity, scope)) ? { status: 200, identity } : { status: 403, identity };
}

/** A memo of answers for a while, so a page of links does not cost a review per click. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  private readonly ttlMs: number;
  private readonly max: number;
  private readonly now: () => number;
  constructor(ttlMs: number, max = 10_000, now = () => Date.now()) {
    this.ttlMs = ttlMs;
    this.max = max;
    this.now = now;
  }
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }
  set(key: string, value: V): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }
}

export const tokenKey = (token: string): string => createHash('sha256').update(token).digest('hex');

export const identityKey = (i: Identity, scope: Scope): string =>
  JSON.stringify([i.user, [...i.groups].sort(), i.uid ?? '', scope.kind === 'agency' ? scope.agency : '']);
