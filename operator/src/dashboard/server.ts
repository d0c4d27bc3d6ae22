/**
 * The live dashboard: GET pages rendered from the informers' platform at the time of the
 * request, each behind the review of authz.ts (unless `auth: 'none'`, which the command
 * allows on a loopback address only). Nothing here writes to the cluster: the only requests
 * it makes beyond list and watch are TokenReviews and SubjectAccessReviews.
 *
 * A browser without a proxy that sets the Authorization header signs in with a token on
 * /login (a form POST, the only non-GET route); the token is kept in an HttpOnly,
 * SameSite=Strict cookie and checked again with a TokenReview on every request (answers are
 * remembered for a minute).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Platform } from '../model/platform.ts';
import { ApiException } from '@kubernetes/client-node';
import { httpStatusOf, type ClusterClient, type Logger } from '../runtime/index.ts';
import {
  authorize,
  identityKey,
  identityOf,
  subjectAccessReview,
  tokenKey,
  TtlCache,
  tokenOf,
  type Identity,
  type Reviewer,
  type TokenReviewStatus,
} from './authz.ts';
import { markup, toString, trusted } from './html.ts';
import { parseLang, translator, type Lang } from './i18n.ts';
import { serverLinks } from './links.ts';
import { pageContext, refusalPage, type Extension } from './pages.ts';
import { renderRoute, routeOf, scopeOf, type Route } from './routes.ts';
import { STYLE } from './style.ts';
import { readSet, type Stored } from '../showback/shards.ts';
import { decodeUsage, USAGE_NAME, type PublishedUsage } from '../showback/usage.ts';

export const SESSION_COOKIE = 'govcloud-dashboard-token';

export interface DashboardServerOptions {
  platform: () => Platform;
  ready: () => boolean;
  /** Undefined: no authentication (loopback only, enforced by the command). */
  reviewer?: Reviewer;
  extensions?: readonly Extension[];
  /** The capacity in use the operator published on the hub (undefined: none yet). */
  usage?: () => Promise<PublishedUsage | undefined>;
  now?: () => Date;
  logger?: Logger;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/**
 * The use the operator published (showback/usage.ts), read as the dashboard's ServiceAccount,
 * which may `get` those ConfigMaps by name (the index and its numbered shards); read at most
 * every `ttlMs`. A refusal or an absence shows as no figures, not as an error page.
 */
export function kubeUsageReader(client: ClusterClient, namespace: string, ttlMs = 30_000): () => Promise<PublishedUsage | undefined> {
  let cached: { at: number; value: PublishedUsage | undefined } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < ttlMs) return cached.value;
    const read = async (name: string): Promise<Stored | undefined> => {
      try {
        const cm = await client.request<{ data?: Record<string, string> }>(
          'GET',
          `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`,
        );
        return cm.data ? { data: cm.data } : {};
      } catch (err) {
        const status = httpStatusOf(err);
        if (status !== 404 && status !== 403) throw err;
        return undefined;
      }
    };
    const value = decodeUsage(await readSet(read, USAGE_NAME)).usage;
    cached = { at: Date.now(), value };
    return value;
  };
}

/** TokenReview and SubjectAccessReview on the hub, as the dashboard's own ServiceAccount. */
export function kubeReviewer(client: ClusterClient, opts: { audiences?: string[] } = {}): Reviewer {
  const identities = new TtlCache<Identity | null>(60_000);
  const answers = new TtlCache<boolean>(60_000);
  return {
    async authenticate(token) {
      const key = tokenKey(token);
      const cached = identities.get(key);
      if (cached !== undefined) return cached ?? undefined;
      const review = await client.request<{ status?: TokenReviewStatus }>('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(opts.audiences ? { audiences: opts.audiences } : {}) } },
      });
      const identity = identityOf(review.status);
      identities.set(key, identity ?? null);
      return identity;
    },
    async allowed(identity, scope) {
      const key = identityKey(identity, scope);
      const cached = answers.get(key);
      if (cached !== undefined) return cached;
      const review = await client.request<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
        body: subjectAccessReview(identity, scope),
      });
      const allowed = review.status?.allowed === true;
      answers.set(key, allowed);
      return allowed;
    },
  };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

function loginPage(lang: Lang, failed: boolean): string {
  const t = translator(lang);
  const label = lang === 'vi' ? 'Mã thông báo (token) Kubernetes' : 'Kubernetes token';
  const submit = lang === 'vi' ? 'Đăng nhập' : 'Sign in';
  const title = lang === 'vi' ? 'Đăng nhập' : 'Sign in';
  const wrong = lang === 'vi' ? 'Mã thông báo không hợp lệ.' : 'The token was not accepted.';
  return toString(markup`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t('title')}</title><style>${trusted(STYLE)}</style></head>
<body><main id="main"><h1>${t('title')}</h1>
${failed ? markup`<p role="alert">${wrong}</p>` : ''}
<form method="post" action="/login${lang === 'en' ? '?lang=en' : ''}">
<p><label for="token">${label}</label><br><input id="token" name="token" type="password" autocomplete="off" size="60" required></p>
<p><button type="submit">${submit}</button></p>
</form></main></body></html>`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The agencies whose groups name one of the viewer's, that the API server lets them see. */
async function visibleAgencies(platform: Platform, identity: Identity, reviewer: Reviewer) {
  const mine = platform.agencies.filter((a) => [...(a.spec.groups.viewers ?? []), ...(a.spec.groups.admins ?? [])].some((g) => identity.groups.includes(g)));
  const out: { name: string; displayName: string }[] = [];
  for (const a of mine)
    if (await reviewer.allowed(identity, { kind: 'agency', agency: a.metadata.name })) out.push({ name: a.metadata.name, displayName: a.spec.displayName });
  return out;
}

export function dashboardHandler(opts: DashboardServerOptions) {
  const now = opts.now ?? (() => new Date());
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const lang = parseLang(url.searchParams.get('lang'));
    if (url.pathname === '/healthz') return send(res, 200, 'ok', { 'Content-Type': 'text/plain' });
    if (url.pathname === '/readyz')
      return opts.ready() ? send(res, 200, 'ok', { 'Content-Type': 'text/plain' }) : send(res, 503, 'informers not synced', { 'Content-Type': 'text/plain' });
    if (url.pathname === '/login' && opts.reviewer) {
      if (req.method === 'POST') {
        const token = (await readForm(req)).get('token')?.trim() ?? '';
        const identity = token ? await opts.reviewer.authenticate(token) : undefined;
        if (!identity) return send(res, 401, loginPage(lang, true));
        const cookie = `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/${req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : ''}`;
        return send(res, 303, '', { Location: lang === 'en' ? '/?lang=en' : '/', 'Set-Cookie': cookie });
      }
      if (req.method === 'GET') return send(res, 200, loginPage(lang, false));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' });
    const route: Route | undefined = routeOf(url.pathname);
    const ctxFor = (r: Route) => pageContext(lang, serverLinks(r, lang));
    if (!route) return send(res, 404, toString(refusalPage(pageContext(lang, serverLinks({ page: 'overview' }, lang)), 404)));
    if (!opts.ready()) return send(res, 503, 'the dashboard is still reading the hub', { 'Content-Type': 'text/plain', 'Retry-After': '2' });
    const platform = opts.platform();
    if (opts.reviewer) {
      const decision = await authorize(tokenOf(req.headers, SESSION_COOKIE), scopeOf(route), opts.reviewer);
      if (decision.status === 401) return send(res, 303, '', { Location: `/login${lang === 'en' ? '?lang=en' : ''}` });
      if (decision.status === 403) {
        opts.logger?.info({ user: decision.identity.user, path: url.pathname }, 'dashboard: forbidden');
        const mine = await visibleAgencies(platform, decision.identity, opts.reviewer);
        return send(res, 403, toString(refusalPage(ctxFor(route), 403, mine)));
      }
    }
    const usage = opts.usage ? await opts.usage() : undefined;
    const rendered = renderRoute(route, platform, now(), ctxFor(route), opts.extensions ?? [], { mode: 'live', ...(usage ? { usage } : {}) });
    send(res, rendered.status, rendered.body);
  };
}

export async function startDashboard(opts: DashboardServerOptions & { host: string; port: number }): Promise<{ server: Server; url: string }> {
  const handle = dashboardHandler(opts);
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const message = err instanceof ApiException ? `API server answered ${err.code}` : err instanceof Error ? err.message : String(err);
      opts.logger?.error({ err: message, path: req.url }, 'dashboard: request failed');
      if (!res.headersSent) send(res, 500, 'internal error', { 'Content-Type': 'text/plain' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}/` };
}
