// A Git server on loopback for Flux's source-controller: git's own smart-HTTP server,
// `git http-backend`, run as a CGI program for each request (what Apache or nginx would do in
// front of it; this file is only that CGI gateway). It serves the bare repositories under
// ROOT read-only: http-backend refuses pushes from an unauthenticated client.
//
// usage: node e2e/gitops/git-server.ts ROOT PORT_FILE
//   listens on 127.0.0.1 on a free port, writes the port to PORT_FILE, logs one line a request.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as path from 'node:path';

const [root, portFile] = process.argv.slice(2);
if (!root || !portFile) {
  console.error('usage: git-server.ts ROOT PORT_FILE');
  process.exit(2);
}

/** Splits a CGI answer into its status, its headers and the start of its body. */
function parseCgiHead(head: string): { status: number; headers: [string, string][] } {
  let status = 200;
  const headers: [string, string][] = [];
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers.push([name, value]);
  }
  return { status, headers };
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: path.resolve(root!),
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let started = false;
  let status = 0;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (started) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') + 4 : head.indexOf('\n\n') >= 0 ? head.indexOf('\n\n') + 2 : -1;
    if (end < 0) return;
    const parsed = parseCgiHead(head.subarray(0, end).toString('latin1'));
    status = parsed.status;
    res.writeHead(parsed.status, parsed.headers);
    started = true;
    res.write(head.subarray(end));
  });
  let errors = '';
  cgi.stderr.on('data', (c: Buffer) => (errors += c.toString('utf8')));
  cgi.on('close', (code) => {
    if (!started) res.writeHead(500, { 'content-type': 'text/plain' }).write(`git http-backend exited ${code}: ${errors}`);
    res.end();
    console.log(`${new Date().toISOString()} ${req.method} ${url.pathname}${url.search} ${started ? status : 500}${errors ? ` ${errors.trim()}` : ''}`);
  });
}

const server = createServer(serve);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  writeFileSync(portFile, `${address.port}\n`);
  console.log(`git http-backend serving ${path.resolve(root)} on http://127.0.0.1:${address.port}/`);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => server.close(() => process.exit(0)));
