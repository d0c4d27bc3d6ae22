// cert-manager's controller on the local platform (e2e/platform/cert-manager.sh) issues the
// exchange gateways' certificates exactly as render/gateway.ts asks for them: a consumer
// workspace's Certificate, applied in govcloud-system of a member, becomes Ready with the
// workspace's identity, signed by the platform's exchange CA (not the API servers' CA); a
// deleted Secret is issued again; a Certificate naming an issuer that does not exist is never
// issued and says why. On the local platform cert-manager runs unless the platform was
// started with CERT_MANAGER=0; without it these tests are skipped, and say so.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import { SYSTEM_NAMESPACE } from '../../operator/src/api/index.ts';
import { DEFAULT_ISSUER, renderGateways, workspaceIdentity } from '../../operator/src/render/gateway.ts';
import type { DesiredObject } from '../../operator/src/render/types.ts';
import { agency, dataCentre, grant, platform, request, service } from '../../operator/test/render/fixtures.ts';
import { ApiError, ROOT, e2eSuite, uniqueName, waitFor, type Cluster } from '../harness/index.ts';

const test = e2eSuite('cert-manager');

const PKI = path.join(ROOT, '.local/platform/pki');
/** The local platform runs cert-manager unless started with CERT_MANAGER=0 (e2e/platform/cert-manager.sh). */
const LOCAL_WITHOUT_CERT_MANAGER = !process.env.GOVCLOUD_KUBECONFIG && !existsSync(path.join(ROOT, '.local/platform/cert-manager/clusters'));
const SKIP_WHY = 'cert-manager does not run on the local platform: it was started with CERT_MANAGER=0';
const CONSUMER_DC = 'dc-hcm';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}
interface CertificateObject extends DesiredObject {
  spec: { secretName: string; commonName: string; uris?: string[]; issuerRef: { kind: string; name: string } };
  status?: { conditions?: Condition[]; revision?: number };
}

/** The Certificate render/gateway.ts gives the consumer workspace G12/thue in dc-hcm (a route to dc-hanoi). */
function consumerCertificate(): CertificateObject {
  const purpose = 'Tra cứu';
  const rendered = renderGateways(
    platform({
      dataCentres: [
        dataCentre('dc-hanoi', { hub: true, encrypted: true, ranges: ['10.10.0.0/16'] }),
        dataCentre(CONSUMER_DC, { encrypted: true, ranges: ['10.20.0.0/16'] }),
      ],
      agencies: [
        agency('bo-cong-an', { code: 'G04', level: 3, dcs: ['dc-hanoi'], workspaces: ['app'] }),
        agency('bo-tai-chinh', { code: 'G12', level: 3, dcs: [CONSUMER_DC], workspaces: ['thue'] }),
      ],
      services: [service('bo-cong-an', 'dan-cu')],
      requests: [request('bo-tai-chinh', 'dan-cu', { provider: 'bo-cong-an', service: 'dan-cu', workspaces: ['thue'], purpose })],
      grants: [grant('bo-cong-an', 'bo-tai-chinh', { service: 'dan-cu', consumer: 'bo-tai-chinh', purpose })],
    }),
    new Date(),
    new Map([
      ['dc-hanoi', { address: '10.10.240.5' }],
      [CONSUMER_DC, { address: '10.20.240.5' }],
    ]),
  );
  assert.equal(rendered.issues, []);
  const objects = rendered.perDataCentre.find((d) => d.dataCentre === CONSUMER_DC)?.objects ?? [];
  const certificates = objects.filter((o) => o.kind === 'Certificate') as CertificateObject[];
  assert.is(certificates.length, 1, `one client Certificate rendered for ${CONSUMER_DC}`);
  return certificates[0]!;
}

const certificatePath = (namespace: string, name: string) => `/apis/cert-manager.io/v1/namespaces/${namespace}/certificates/${encodeURIComponent(name)}`;
const secretPath = (namespace: string, name: string) => `/api/v1/namespaces/${namespace}/secrets/${encodeURIComponent(name)}`;

async function getOrNull<T>(cluster: Cluster, urlPath: string): Promise<T | null> {
  try {
    return (await cluster.call('GET', urlPath)) as T;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

const condition = (c: CertificateObject | null, type: string) => c?.status?.conditions?.find((x) => x.type === type);

/** The Secret's certificate and CA once the Certificate is Ready and its Secret holds both. */
async function issued(cluster: Cluster, cert: CertificateObject, notSerial?: string) {
  const { namespace = '', name } = cert.metadata;
  return waitFor(
    `${cluster.name}: Certificate ${namespace}/${name} Ready with a Secret${notSerial ? ` other than serial ${notSerial}` : ''}`,
    async () => {
      const current = await getOrNull<CertificateObject>(cluster, certificatePath(namespace, name));
      if (condition(current, 'Ready')?.status !== 'True') return undefined;
      const secret = await getOrNull<{ data?: Record<string, string> }>(cluster, secretPath(namespace, cert.spec.secretName));
      const crt = secret?.data?.['tls.crt'];
      const ca = secret?.data?.['ca.crt'];
      if (!crt || !ca || !secret.data?.['tls.key']) return undefined;
      const leaf = new X509Certificate(Buffer.from(crt, 'base64'));
      if (leaf.serialNumber === notSerial) return undefined;
      return { leaf, ca: new X509Certificate(Buffer.from(ca, 'base64')) };
    },
    { timeoutMs: 90_000, describe: (last) => `last: ${JSON.stringify(last)}` },
  );
}

async function ensureNamespace(cluster: Cluster, name: string): Promise<void> {
  await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function remove(cluster: Cluster, urlPath: string): Promise<void> {
  try {
    await cluster.call('DELETE', urlPath);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
}

function issuing(name: string, fn: Parameters<typeof test>[1]): void {
  if (LOCAL_WITHOUT_CERT_MANAGER) test.skip(name, SKIP_WHY);
  else test(name, fn);
}

issuing(
  'the rendered workspace Certificate is issued by the exchange CA with the workspace identity, and issued again when its Secret goes',
  async ({ clusters }) => {
    const member = clusters.find((c) => c.name === CONSUMER_DC);
    assert.ok(member, `the kubeconfig has a context ${CONSUMER_DC} (the local platform's member)`);
    const cert = consumerCertificate();
    assert.equal(cert.spec.issuerRef, { group: 'cert-manager.io', ...DEFAULT_ISSUER });
    const namespace = cert.metadata.namespace ?? SYSTEM_NAMESPACE;
    await ensureNamespace(member, namespace);
    try {
      await member.apply(cert);
      const first = await issued(member, cert);

      const identity = workspaceIdentity('G12', 'thue');
      assert.is(first.leaf.subject, `CN=${identity.commonName}`);
      assert.is(first.leaf.subjectAltName, `URI:${identity.uri}`);
      assert.is(identity.uri, 'spiffe://govcloud.dev/agency/G12/workspace/thue');
      assert.is(first.leaf.publicKey.asymmetricKeyType, 'ec');
      assert.is(first.leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      assert.ok(first.leaf.keyUsage?.includes(CLIENT_AUTH), `extended key usage client auth, got ${first.leaf.keyUsage?.join(',')}`);
      assert.ok(first.leaf.checkIssued(first.ca) && first.leaf.verify(first.ca.publicKey), 'signed by the ca.crt beside it');

      // ca.crt is the platform's exchange CA, and the API servers' CA did not sign this.
      const exchangeCa = path.join(PKI, 'exchange-ca.crt');
      assert.ok(existsSync(exchangeCa), `${exchangeCa} exists (make cluster-up makes it)`);
      assert.is(first.ca.fingerprint256, new X509Certificate(readFileSync(exchangeCa)).fingerprint256);
      const apiCa = new X509Certificate(readFileSync(path.join(PKI, 'ca.crt')));
      assert.not.ok(first.leaf.verify(apiCa.publicKey), "the API servers' CA did not sign the exchange certificate");
      const hours = (Date.parse(first.leaf.validTo) - Date.parse(first.leaf.validFrom)) / 3_600_000;
      assert.is(Math.round(hours), 24, 'duration 24h as rendered');

      await member.call('DELETE', secretPath(namespace, cert.spec.secretName));
      const second = await issued(member, cert, first.leaf.serialNumber);
      assert.is(second.leaf.subject, first.leaf.subject);
      assert.is(second.leaf.subjectAltName, first.leaf.subjectAltName);
      assert.is.not(
        second.leaf.publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
        first.leaf.publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
        'a new key (rotationPolicy Always)',
      );
      assert.ok(second.leaf.verify(first.ca.publicKey));
    } finally {
      await remove(member, certificatePath(namespace, cert.metadata.name));
      await remove(member, secretPath(namespace, cert.spec.secretName));
    }
  },
);

// Upstream's Certificate conditions do not name the issuer (Ready=False "Secret does not exist",
// Issuing=True); the CertificateRequest it creates says what is missing.
issuing('a Certificate naming an issuer that does not exist is not issued; its CertificateRequest says the issuer is not found', async ({ clusters, ns }) => {
  const member = clusters.find((c) => c.name === CONSUMER_DC);
  assert.ok(member, `the kubeconfig has a context ${CONSUMER_DC}`);
  const namespace = await ns.create(member, 'cm-unknown');
  const missing = uniqueName('no-such-issuer');
  const rendered = consumerCertificate();
  const cert: CertificateObject = {
    ...rendered,
    metadata: { ...rendered.metadata, namespace },
    spec: { ...rendered.spec, issuerRef: { ...rendered.spec.issuerRef, name: missing } },
  };
  const { uid } = (await member.apply(cert)).metadata as { uid?: string };
  const request = await waitFor(
    `${member.name}: the CertificateRequest of ${namespace}/${cert.metadata.name} reports ClusterIssuer ${missing} missing`,
    async () => {
      const list = (await member.call('GET', `/apis/cert-manager.io/v1/namespaces/${namespace}/certificaterequests`)) as {
        items: Array<{ metadata: { ownerReferences?: Array<{ uid: string }> }; status?: { conditions?: Condition[] } }>;
      };
      const mine = list.items.find((r) => r.metadata.ownerReferences?.some((o) => o.uid === uid));
      const ready = mine?.status?.conditions?.find((c) => c.type === 'Ready');
      return ready?.message?.includes(`"${missing}" not found`) ? { mine, ready } : undefined;
    },
    { timeoutMs: 60_000 },
  );
  assert.is(request.ready.status, 'False');
  assert.is(request.ready.reason, 'Pending');
  assert.ok(
    request.mine?.status?.conditions?.some((c) => c.type === 'Approved' && c.status === 'True'),
    'approved, so only the issuer is missing',
  );
  // Still not issued a while later: never Ready, no Secret.
  await new Promise((r) => setTimeout(r, 5000));
  const later = await getOrNull<CertificateObject>(member, certificatePath(namespace, cert.metadata.name));
  assert.is(condition(later, 'Ready')?.status, 'False', JSON.stringify(later?.status));
  assert.is(condition(later, 'Issuing')?.status, 'True', JSON.stringify(later?.status));
  assert.is(await getOrNull(member, secretPath(namespace, cert.spec.secretName)), null, 'no Secret issued');
});

test.run();
