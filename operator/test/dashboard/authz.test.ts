/**
 * Who sees which page: the token, the review the API server is asked for each page, and the
 * answer turned into 401, 403 or 200; then the same through the HTTP handler, with a
 * reviewer standing in for the API server's answers.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isLoopback, parseListen } from '../../src/cli/commands/dashboard.ts';
import {
  authorize,
  identityOf,
  resourceAttributes,
  subjectAccessReview,
  tokenOf,
  TtlCache,
  type Identity,
  type Reviewer,
  type Scope,
} from '../../src/dashboard/authz.ts';
import { dashboardHandler, SESSION_COOKIE } from '../../src/dashboard/server.ts';
import { agency, platform, threeDataCentres } from '../render/fixtures.ts';

/** Tokens and what RBAC would answer: a leader reads agencies everywhere, bca's viewer reads govcloud-bca. */
function reviewer(): Reviewer & { asked: string[] } {
  const users: Record<string, Identity> = {
    leader: { user: 'lanh-dao', groups: ['leadership'] },
    'bca-viewer': { user: 'an', groups: ['bca-viewers'] },
  };
  const asked: string[] = [];
  return {
    asked,
    authenticate: (token) => Promise.resolve(users[token]),
    allowed(identity, scope) {
      const a = resourceAttributes(scope);
      asked.push(`${identity.user} ${a.verb} ${a.resource} ${a.namespace ?? '*'}`);
      if (identity.groups.includes('leadership')) return Promise.resolve(true);
      return Promise.resolve(identity.groups.includes('bca-viewers') && a.namespace === 'govcloud-bca');
    },
  };
}

test('the questions asked: an agency page is list shareddataservices in its hub namespace; national pages list agencies cluster-wide', () => {
  assert.equal(resourceAttributes({ kind: 'agency', agency: 'bca' }), {
    verb: 'list',
    group: 'govcloud.dev',
    resource: 'shareddataservices',
    namespace: 'govcloud-bca',
  });
  assert.equal(resourceAttributes({ kind: 'national' }), { verb: 'list', group: 'govcloud.dev', resource: 'agencies' });
  const sar = subjectAccessReview({ user: 'an', groups: ['bca-viewers'], uid: 'u1' }, { kind: 'agency', agency: 'bca' });
  assert.equal(sar.spec.user, 'an');
  assert.equal(sar.spec.groups, ['bca-viewers']);
  assert.equal(sar.spec.uid, 'u1');
});

test('decision: no token or a token the API server does not vouch for is 401; a no is 403; a yes is 200', async () => {
  const r = reviewer();
  const bca: Scope = { kind: 'agency', agency: 'bca' };
  const btc: Scope = { kind: 'agency', agency: 'btc' };
  assert.is((await authorize(undefined, bca, r)).status, 401);
  assert.is((await authorize('forged', bca, r)).status, 401);
  assert.is((await authorize('bca-viewer', bca, r)).status, 200);
  assert.is((await authorize('bca-viewer', btc, r)).status, 403);
  assert.is((await authorize('bca-viewer', { kind: 'national' }, r)).status, 403);
  assert.is((await authorize('leader', btc, r)).status, 200);
  assert.is((await authorize('leader', { kind: 'national' }, r)).status, 200);
});

test('identity: only an authenticated TokenReview with a user name', () => {
  assert.is(identityOf({ authenticated: false, user: { username: 'x' } }), undefined);
  assert.is(identityOf({ authenticated: true, user: {} }), undefined);
  assert.equal(identityOf({ authenticated: true, user: { username: 'an', groups: ['g'] } }), { user: 'an', groups: ['g'] });
});

test('token: the Authorization bearer first, else the session cookie', () => {
  assert.is(tokenOf({ authorization: 'Bearer abc' }, 'c'), 'abc');
  assert.is(tokenOf({ authorization: 'Basic abc', cookie: 'x=1; c=t%3D1' }, 'c'), 't=1');
  assert.is(tokenOf({ cookie: 'x=1' }, 'c'), undefined);
});

test('answers are remembered for a while, then asked again', () => {
  let t = 0;
  const cache = new TtlCache<boolean>(1000, 2, () => t);
  cache.set('a', true);
  assert.is(cache.get('a'), true);
  t = 1000;
  assert.is(cache.get('a'), undefined);
  cache.set('a', true);
  cache.set('b', false);
  cache.set('c', true);
  assert.is(cache.get('a'), undefined, 'the oldest goes first when full');
  assert.is(cache.get('b'), false);
});

test('--listen and --auth none: loopback only', () => {
  assert.equal(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.equal(parseListen('[::1]:0'), { host: '::1', port: 0 });
  assert.equal(parseListen(':9000'), { host: '0.0.0.0', port: 9000 });
  assert.throws(() => parseListen('8080'));
  assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost'));
  assert.not.ok(isLoopback('0.0.0.0') || isLoopback('10.0.0.1') || isLoopback('::'));
});

async function serve(r: Reviewer) {
  const p = platform({ dataCentres: threeDataCentres(), agencies: [agency('bca', { code: 'G04' }), agency('btc', { code: 'G12' })] });
  const handle = dashboardHandler({ platform: () => p, ready: () => true, reviewer: r });
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('over HTTP: an agency viewer sees its agency, gets 403 elsewhere (with a link to its own), and a login redirect without a token', async () => {
  const { base, close } = await serve(reviewer());
  try {
    const as = (token: string, path: string) => fetch(base + path, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    assert.is((await as('bca-viewer', '/agencies/bca')).status, 200);
    const other = await as('bca-viewer', '/agencies/btc');
    assert.is(other.status, 403);
    const body = await other.text();
    assert.match(body, /href="\/agencies\/bca"/);
    assert.not.match(body, /G12/, "nothing of the other agency's page");
    assert.is((await as('bca-viewer', '/')).status, 403);
    assert.is((await as('leader', '/')).status, 200);
    const anonymous = await fetch(base + '/agencies/bca', { redirect: 'manual' });
    assert.is(anonymous.status, 303);
    assert.is(anonymous.headers.get('location'), '/login');
    const cookie = await fetch(base + '/agencies/bca', { headers: { cookie: `${SESSION_COOKIE}=bca-viewer` }, redirect: 'manual' });
    assert.is(cookie.status, 200);
    const csp = cookie.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    const login = await fetch(base + '/login', { method: 'POST', body: new URLSearchParams({ token: 'bca-viewer' }), redirect: 'manual' });
    assert.is(login.status, 303);
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    assert.is((await fetch(base + '/login', { method: 'POST', body: new URLSearchParams({ token: 'forged' }), redirect: 'manual' })).status, 401);
    assert.is((await fetch(base + '/agencies/bca', { method: 'DELETE', headers: { authorization: 'Bearer leader' } })).status, 405);
  } finally {
    await close();
  }
});

test.run();
