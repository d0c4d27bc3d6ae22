// One HTTPS request to an API server, for the e2e clusters and the bench's counting client:
// the answer's status and body, JSON parsed when the server says it is JSON, else its text.
import * as https from 'node:https';

export interface HttpsAnswer {
  status: number;
  body: any;
}

export interface HttpsRequest {
  method: string;
  /** TLS and credentials (a keep-alive agent, or the context's certificates). */
  options: https.RequestOptions;
  headers?: Record<string, string | number | string[]>;
  body?: unknown;
  contentType?: string;
  timeoutMs?: number;
}

export function httpsRequest(url: string | URL, req: HttpsRequest): Promise<HttpsAnswer> {
  const payload = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
  const headers: Record<string, string | number | string[]> = {
    accept: 'application/json',
    ...(req.options.headers as Record<string, string | number | string[]> | undefined),
    ...req.headers,
  };
  if (payload !== undefined) {
    headers['content-type'] = req.contentType ?? 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  const timeout = req.timeoutMs ?? 30_000;
  return new Promise<HttpsAnswer>((resolve, reject) => {
    const r = https.request(url, { ...req.options, method: req.method, headers, timeout }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        if ((res.headers['content-type'] ?? '').includes('json') && text) {
          try {
            body = JSON.parse(text);
          } catch {
            // a truncated or broken answer: keep its text for the error message
          }
        } else if (!text) body = undefined;
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(new Error(`${req.method} ${String(url)} timed out after ${timeout} ms`)));
    r.on('error', reject);
    if (payload !== undefined) r.write(payload);
    r.end();
  });
}
