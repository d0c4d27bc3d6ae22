// Runs inside a network namespace of its own (gateway.test.ts starts it with `ip netns exec`):
// the two rendered gateways as HAProxy processes, a provider service (a TCP echo), and the
// connections the test judges. Prints one JSON object with what each attempt got.
// Each gateway's configuration is the directory DIR/<data centre>.d of its files, as in its pod.
// usage: driver.ts DIR PORT VALID_UNTIL_MS [once]   (once: only the granted connection through PORT)
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import * as path from 'node:path';
import tls from 'node:tls';

const [dir = '', listenPort = '', untilText = '', mode = ''] = process.argv.slice(2);
const until = Number(untilText);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SERVICE_PORT = 18080;
const file = (name: string) => readFileSync(path.join(dir, name));

interface Attempt {
  reply: string;
  error?: string;
}

/** Sends a line and waits for the echo; what came back, or nothing. */
function exchange(socket: net.Socket, connectEvent: 'connect' | 'secureConnect'): Promise<Attempt> {
  return new Promise((resolve) => {
    let reply = '';
    let error: string | undefined;
    socket.on(connectEvent, () => socket.write('hello\n'));
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      socket.end();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.on('close', () => resolve(error === undefined ? { reply: reply.trim() } : { reply: reply.trim(), error }));
    setTimeout(() => socket.destroy(), 2000);
  });
}

const plain = (port: number, host = '127.0.0.1') => exchange(net.connect(port, host), 'connect');
const mutual = (name: string, servername: string) =>
  exchange(
    tls.connect({
      host: '127.0.0.1',
      port: 8443,
      servername,
      key: file(`${name}.crt.key`),
      cert: file(`${name}.crt`),
      ca: file('ca.crt'),
      checkServerIdentity: () => undefined,
    }),
    'secureConnect',
  );

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  // A gateway may reset its side (a refusal, a closed window): that ends the one connection, not the driver.
  const echo = net.createServer((s) => s.on('data', (d: Buffer) => s.write(`echo:${d.toString()}`)).on('error', () => s.destroy()));
  await new Promise<void>((r) => echo.listen(SERVICE_PORT, '127.0.0.1', r));
  try {
    for (const dc of ['dc-hanoi', 'dc-hcm']) {
      const child = spawn('haproxy', ['-f', path.join(dir, `${dc}.d`)], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.pipe(process.stderr);
      child.stderr.pipe(process.stderr);
      children.push(child);
    }
    const port = Number(listenPort);
    await waitForListener(port);
    if (mode === 'once') {
      process.stdout.write(JSON.stringify({ granted: await plain(port) }) + '\n');
      return;
    }
    const host = readFileSync(path.join(dir, 'host'), 'utf8').trim();
    const result: Record<string, unknown> = {
      granted: await plain(port),
      otherAgency: await mutual('other', host),
      otherCa: await mutual('rogue', host),
      plaintextToExchange: await plain(8443),
    };
    // Through the consumer's gateway every 100 ms until refused; when, against validUntil.
    let lastPass: number | undefined;
    for (;;) {
      const t = Date.now();
      const a = await plain(port);
      if (a.reply.startsWith('echo:')) lastPass = t;
      else {
        result.expiry = { lastPassBeforeUntilMs: lastPass === undefined ? null : until - lastPass, firstRefusalAfterUntilMs: t - until };
        break;
      }
      if (t > until + 10_000) break;
      await sleep(100);
    }
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    echo.close();
    for (const c of children) c.kill('SIGTERM');
  }
}

async function waitForListener(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => (s.destroy(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`no gateway listener on ${port}`);
}

await main();
