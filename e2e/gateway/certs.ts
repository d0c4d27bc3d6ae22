// Certificates for the gateway tests, issued by openssl standing in for cert-manager's CA
// issuer: a platform CA, and keys and certificates exactly as the rendered cert-manager
// Certificates ask (subject CN, URI and DNS SANs, usages), in the files the gateway's pod gets
// from each Secret (tls.crt as `<name>.crt`, tls.key as `<name>.crt.key`, ca.crt).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface CertificateSpec {
  commonName: string;
  uris?: string[];
  dnsNames?: string[];
  usages: string[];
}

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A new P-256 key, unencrypted, written as `<name>.crt.key`. */
const newP256Key = (name: string) => ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.crt.key`];

/** A self-signed P-256 CA (or a self-signed leaf nobody trusts) as `<name>.crt` and `<name>.crt.key`. */
export function selfSigned(dir: string, name: string, subject: string): void {
  openssl(dir, ['req', '-x509', ...newP256Key(name), '-out', `${name}.crt`, '-subj', subject, '-days', '1']);
}

/** A key and a certificate for spec signed by the CA `ca` in dir. */
export function issue(dir: string, name: string, spec: CertificateSpec, ca = 'ca'): void {
  const sans = [...(spec.uris ?? []).map((u) => `URI:${u}`), ...(spec.dnsNames ?? []).map((d) => `DNS:${d}`)].join(',');
  const eku = spec.usages.includes('server auth') ? 'serverAuth' : 'clientAuth';
  writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${sans}\nextendedKeyUsage=${eku}\n`);
  const subject = `/CN=${spec.commonName.replaceAll('/', '\\/')}`;
  openssl(dir, ['req', ...newP256Key(name), '-out', `${name}.csr`, '-subj', subject]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.crt.key`,
    '-CAcreateserial',
    '-days',
    '1',
    '-out',
    `${name}.crt`,
    '-extfile',
    `${name}.ext`,
  ]);
}

/** The Secret cert-manager writes for a Certificate (type kubernetes.io/tls with tls.crt, tls.key, ca.crt). */
export function tlsSecret(dir: string, name: string, namespace: string, ca = 'ca'): Record<string, unknown> {
  const b64 = (file: string) => readFileSync(path.join(dir, file)).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace, annotations: { 'cert-manager.io/certificate-name': name } },
    data: { 'tls.crt': b64(`${name}.crt`), 'tls.key': b64(`${name}.crt.key`), 'ca.crt': b64(`${ca}.crt`) },
  };
}
