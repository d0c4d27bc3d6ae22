// A tiny HTTP server on the loopback interface that answers the few API calls a test scripts,
// so the real client code paths (auth headers, URLs, watch streaming) run without a cluster.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, url: URL, res: ServerResponse, body: string) => boolean | void;

export interface FakeApiServer {
  url: string;
  requests: Array<{ method: string; path: string; query: URLSearchParams; headers: IncomingMessage['headers']; body: string }>;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startFakeApiServer(routes: Route[]): Promise<FakeApiServer> {
  const requests: FakeApiServer['requests'] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body });
      for (const route of routes) if (route(req, url, res, body)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code: 404, reason: 'NotFound', message: `${url.pathname} not found` }));
    });
  });
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}

export function kubeconfig(server: string, user = 'admin'): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: ${user}
  user:
    token: secret-token
contexts:
- name: ctx
  context:
    cluster: c
    user: ${user}
current-context: ctx
`;
}
