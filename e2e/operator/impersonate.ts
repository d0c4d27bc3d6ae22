// A request as a tenant: the harness's credentials with Impersonate-User and
// Impersonate-Group, as `kubectl --as=<user> --as-group=<group>` sends them.
import * as https from 'node:https';
import type { Cluster } from '../harness/index.ts';

export async function requestAs(cluster: Cluster, who: { user: string; groups: string[] }, method: string, urlPath: string, body?: unknown): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: https.RequestOptions['headers'] = { accept: 'application/json', 'Impersonate-User': who.user, 'Impersonate-Group': who.groups };
  if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  const opts: https.RequestOptions = { method, headers, timeout: 30_000 };
  await cluster.kubeconfig.applyToHTTPSOptions(opts);
  return await new Promise((resolve, reject) => {
    const req = https.request(new URL(urlPath, cluster.server), opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out after 30 s`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
