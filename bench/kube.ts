// A small HTTPS client per cluster of the kubeconfig (keep-alive, the context's client
// certificate; the request itself is the e2e harness's) that counts every request it makes under the labels the API server's
// apiserver_request_total uses (verb, resource, subresource), so the bench can subtract its
// own requests (applying agencies, polling status, scraping /metrics) from the API servers'
// counts.
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { httpsRequest, type HttpsAnswer } from '../e2e/harness/https.ts';

export type Response = HttpsAnswer;

/** The metadata the bench reads of the objects it lists. */
export interface Meta {
  name: string;
  uid?: string;
  generation?: number;
  labels?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
}

/** A list answer. */
export interface Listed<T> {
  metadata: { resourceVersion: string };
  items: T[];
}

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** `VERB|resource|subresource`, as the API server labels the request. */
export type SeriesKey = string;

/**
 * The labels the API server gives a request (apiserver_request_total): verb, resource (with
 * its group), subresource. Non-resource paths (/metrics, /api, /apis) have no resource; their
 * path is the subresource, as the API server reports them.
 */
export function requestLabels(method: string, path: string, contentType?: string): SeriesKey {
  const url = new URL(path, 'https://x');
  const parts = url.pathname.split('/').filter(Boolean);
  let rest: string[];
  let group = '';
  if (parts[0] === 'api' && parts.length >= 2) rest = parts.slice(2);
  else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else {
    const sub = parts[0] === 'api' || parts[0] === 'apis' ? parts.join('/') : url.pathname;
    return `${method}||${sub}`;
  }
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource = '', name, sub = ''] = rest;
  const res = group ? `${group}/${resource}` : resource;
  let verb = method;
  if (method === 'GET')
    verb = name === undefined ? (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1' ? 'WATCH' : 'LIST') : 'GET';
  else if (method === 'PATCH' && contentType === 'application/apply-patch+yaml') verb = 'APPLY';
  else if (method === 'DELETE' && name === undefined) verb = 'DELETECOLLECTION';
  return `${verb}|${res}|${sub}`;
}

export class Kube {
  readonly name: string;
  readonly server: string;
  private readonly agent: https.Agent;
  /** Requests made, by series. */
  readonly counts = new Map<SeriesKey, number>();

  constructor(kubeconfigFile: string, context: string) {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigFile);
    kc.setCurrentContext(context);
    const cluster = kc.getCurrentCluster();
    const user = kc.getCurrentUser();
    if (!cluster || !user) throw new Error(`context ${context}: no cluster or user in ${kubeconfigFile}`);
    const pem = (data?: string, file?: string): Buffer | undefined => (data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined);
    this.name = context;
    this.server = cluster.server.replace(/\/+$/, '');
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 8,
      ca: pem(cluster.caData, cluster.caFile),
      cert: pem(user.certData, user.certFile),
      key: pem(user.keyData, user.keyFile),
    });
  }

  close(): void {
    this.agent.destroy();
  }

  async request(method: string, path: string, opts: { body?: unknown; contentType?: string; timeoutMs?: number; accept?: string } = {}): Promise<Response> {
    const key = requestLabels(method, path, opts.contentType);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    try {
      return await httpsRequest(`${this.server}${path}`, {
        method,
        options: { agent: this.agent },
        headers: { accept: opts.accept ?? 'application/json' },
        body: opts.body,
        ...(opts.contentType ? { contentType: opts.contentType } : {}),
        ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      });
    } catch (err) {
      throw new Error(`${this.name}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Like request, but throws unless 2xx; returns the body. A 429 is waited out (at most a
   * minute): an API server that has just started answers 429 while a new CRD's storage
   * initialises.
   */
  /** T: the shape the caller reads of the answer (an interface of the fields it uses). */
  async call<T = unknown>(method: string, path: string, opts: { body?: unknown; contentType?: string; timeoutMs?: number } = {}): Promise<T> {
    let res = await this.request(method, path, opts);
    for (let waited = 0; res.status === 429 && waited < 60_000; waited += 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      res = await this.request(method, path, opts);
    }
    if (res.status >= 200 && res.status < 300) return res.body as T;
    const msg = typeof res.body === 'object' && res.body ? (res.body as { message?: string }).message : String(res.body).slice(0, 300);
    throw new HttpError(res.status, `${this.name}: ${method} ${path} -> ${res.status}: ${msg}`);
  }

  /**
   * A watch: calls `onEvent` for each event line until the server ends the stream, the
   * request fails or `signal` aborts. Resolves when the stream ends (for any reason but an abort).
   */
  watch<T>(path: string, onEvent: (event: { type: string; object: T }) => void, signal: AbortSignal): Promise<void> {
    const key = requestLabels('GET', path);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return new Promise<void>((resolve, reject) => {
      const req = https.request(`${this.server}${path}`, { method: 'GET', headers: { accept: 'application/json' }, agent: this.agent, signal }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new HttpError(res.statusCode ?? 0, `${this.name}: watch ${path} -> ${res.statusCode}`));
          return;
        }
        let partial = '';
        res.on('data', (c: Buffer) => {
          partial += c.toString('utf8');
          let nl: number;
          while ((nl = partial.indexOf('\n')) >= 0) {
            const line = partial.slice(0, nl);
            partial = partial.slice(nl + 1);
            if (line.trim()) onEvent(JSON.parse(line) as { type: string; object: T });
          }
        });
        res.on('end', () => resolve());
        res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      });
      req.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      req.end();
    });
  }

  /** Server-side apply of one object with a field manager (forced). */
  apply(path: string, object: unknown, fieldManager: string): Promise<any> {
    const sep = path.includes('?') ? '&' : '?';
    return this.call('PATCH', `${path}${sep}fieldManager=${encodeURIComponent(fieldManager)}&force=true&fieldValidation=Strict`, {
      body: object,
      contentType: 'application/apply-patch+yaml',
    });
  }
}
