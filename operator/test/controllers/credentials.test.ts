// Renewing a joined member's token: when (two thirds into its life, or before renew-before),
// with what (the current kubeconfig), where it goes (the same Secret), and CredentialsExpiring.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CredentialRenewer } from '../../src/controllers/credentials.ts';
import { readTokenKubeconfig, renewAt, tokenKubeconfig, tokenTimes } from '../../src/join/credentials.ts';
import { condition, dataCentres, harness, type Obj } from './fakes.ts';

const API = 'govcloud.dev/v1alpha1';
const T0 = Date.UTC(2026, 0, 1) / 1000;

/** A token as the API server signs it, but for the claims only (nothing here checks signatures). */
const jwt = (iat: number, exp: number, sub = 'system:serviceaccount:govcloud-system:govcloud-operator') =>
  ['e30', Buffer.from(JSON.stringify({ iat, exp, sub })).toString('base64url'), 'sig'].join('.');

const endpoint = { name: 'dc-hcm', server: 'https://dc-hcm.example:6443', caData: Buffer.from('CA').toString('base64') };

function secret(token: string, annotations: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'dc-hcm-kubeconfig',
      namespace: 'govcloud-system',
      annotations: { 'govcloud.dev/renewed-token-of': 'govcloud-system/govcloud-operator', ...annotations },
    },
    data: { kubeconfig: Buffer.from(tokenKubeconfig(endpoint, token)).toString('base64') },
  };
}

test('tokenTimes and renewAt: two thirds into the life, earlier only when renew-before asks within it', () => {
  const times = tokenTimes(jwt(T0, T0 + 900))!;
  assert.equal(times, { issuedAt: new Date(T0 * 1000), expiresAt: new Date((T0 + 900) * 1000) });
  assert.equal(renewAt(times), new Date((T0 + 600) * 1000));
  assert.equal(renewAt(times, new Date((T0 + 60) * 1000).toISOString()), new Date((T0 + 60) * 1000));
  assert.equal(renewAt(times, new Date((T0 - 60) * 1000).toISOString()), new Date((T0 + 600) * 1000), 'a request older than the token is done');
  assert.equal(renewAt(times, 'soon'), new Date((T0 + 600) * 1000));
  assert.is(tokenTimes('not-a-jwt'), undefined);
  assert.is(tokenTimes(jwt(T0, T0)), undefined);
  assert.equal(readTokenKubeconfig(tokenKubeconfig(endpoint, 'abc')), { endpoint, token: 'abc' });
});

function renewer(fail?: string): CredentialRenewer & { asked: { kubeconfig: string; seconds: number }[]; written: string[] } {
  const asked: { kubeconfig: string; seconds: number }[] = [];
  const written: string[] = [];
  return {
    asked,
    written,
    async requestToken(_dc, kubeconfig, seconds) {
      asked.push({ kubeconfig, seconds });
      if (fail) throw new Error(fail);
      return jwt(T0 + 500, T0 + 500 + seconds);
    },
    async writeSecret(name, key, kubeconfig) {
      written.push(`${name} ${key} ${readTokenKubeconfig(kubeconfig)?.token}`);
    },
  };
}

test('a token due for renewal is renewed with the current one and written to its Secret; CredentialsExpiring False', async () => {
  const r = renewer();
  const current = jwt(T0 - 500, T0 + 100);
  const h = await harness({ objects: [...dataCentres(), secret(current)], credentials: r });
  try {
    await h.run(2000);
    assert.is(r.asked.length >= 1, true, 'a TokenRequest was made');
    assert.is(readTokenKubeconfig(r.asked[0]!.kubeconfig)?.token, current, 'with the current token');
    assert.is(r.asked[0]!.seconds, 600, 'for the lifetime join chose');
    assert.equal(r.written[0], `dc-hcm-kubeconfig kubeconfig ${jwt(T0 + 500, T0 + 1100)}`);
    const dc = h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-hcm' } });
    assert.is(condition(dc, 'CredentialsExpiring')?.status, 'False');
    assert.is(condition(dc, 'CredentialsExpiring')?.reason, 'Renewed');
    assert.ok(h.events.some((e) => e.reason === 'CredentialsRenewed'));
    assert.is(
      condition(h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-danang' } }), 'CredentialsExpiring'),
      undefined,
      'a kubeconfig join did not make is not renewed',
    );
  } finally {
    await h.stop();
  }
});

test('a token not yet due is left alone; a failed renewal says CredentialsExpiring True with the expiry', async () => {
  const calm = renewer();
  let h = await harness({ objects: [...dataCentres(), secret(jwt(T0 - 10, T0 + 890))], credentials: calm });
  try {
    await h.run(2000);
    assert.equal(calm.asked, []);
    const c = condition(h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-hcm' } }), 'CredentialsExpiring');
    assert.is(c?.status, 'False');
    assert.match(c!.message, /renewed from 2026-01-01T00:09:50.000Z/);
  } finally {
    await h.stop();
  }
  const broken = renewer('HTTP 403: forbidden');
  h = await harness({ objects: [...dataCentres(), secret(jwt(T0 - 500, T0 + 100))], credentials: broken });
  try {
    await h.run(2000);
    assert.equal(broken.written, []);
    const c = condition(h.hub.get({ apiVersion: API, kind: 'DataCentre', metadata: { name: 'dc-hcm' } }), 'CredentialsExpiring');
    assert.is(c?.status, 'True');
    assert.is(c?.reason, 'RenewalFailed');
    assert.match(c!.message, /renewing the token failed: HTTP 403: forbidden; it expires at 2026-01-01T00:01:40.000Z; retrying/);
    assert.ok(h.events.some((e) => e.reason === 'CredentialsExpiring' && e.type === 'Warning'));
  } finally {
    await h.stop();
  }
});

test.run();
