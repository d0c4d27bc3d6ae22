// A connection attempt from inside a pod's network namespace, for tests on the real nodes:
//   ip netns exec <pod netns> node e2e/platform/real-node/probe.ts HOST PORT tcp|udp [--timeout-ms N]
// prints one JSON line {host, port, protocol, result, reply, ms} and exits 0 when the result is
// "open", 1 otherwise. With --batch it reads a JSON array of {host, port, protocol} from stdin
// and prints a JSON array of results (all probed at once), exit 0. With --every-ms N --for-ms M
// it begins an attempt at HOST PORT every N ms for M ms, each not waiting for the last, and
// prints a JSON array of results, each with `at` (when it began, ms since the epoch), exit 0.
//
// result: "open"     the server's greeting came back (TCP: connected and read; UDP: answered)
//         "refused"  TCP RST / ICMP port unreachable: reached, nothing listens
//         "closed"   TCP: connected, then closed without a byte (a proxy that refuses, HAProxy's reject)
//         "timeout"  no answer within the timeout: what a dropping NetworkPolicy looks like
//         "error"    anything else (reply holds the message)
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { parseArgs } from 'node:util';
import { text } from 'node:stream/consumers';

export interface Target {
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
}
export interface ProbeResult extends Target {
  result: 'open' | 'refused' | 'closed' | 'timeout' | 'error';
  reply: string;
  ms: number;
  /** When the attempt began (--every-ms). */
  at?: number;
}

function probeTcp(t: Target, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: t.host, port: t.port });
    const done = (result: ProbeResult['result'], reply: string): void => {
      socket.destroy();
      clearTimeout(timer);
      resolve({ ...t, result, reply, ms: Date.now() - start });
    };
    const timer = setTimeout(() => done('timeout', ''), timeoutMs);
    socket.once('data', (d) => done('open', d.toString().trim()));
    socket.once('end', () => done('closed', ''));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error', e.message));
  });
}

function probeUdp(t: Target, timeoutMs: number): Promise<ProbeResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const done = (result: ProbeResult['result'], reply: string): void => {
      clearTimeout(timer);
      socket.close();
      resolve({ ...t, result, reply, ms: Date.now() - start });
    };
    const timer = setTimeout(() => done('timeout', ''), timeoutMs);
    socket.once('message', (d) => done('open', d.toString().trim()));
    // connected UDP: an ICMP port unreachable surfaces as ECONNREFUSED
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error', e.message));
    socket.connect(t.port, t.host, () => socket.send('probe\n'));
  });
}

export function probe(t: Target, timeoutMs: number): Promise<ProbeResult> {
  return t.protocol === 'udp' ? probeUdp(t, timeoutMs) : probeTcp(t, timeoutMs);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    batch: { type: 'boolean', default: false },
    'timeout-ms': { type: 'string', default: '2000' },
    'every-ms': { type: 'string' },
    'for-ms': { type: 'string', default: '0' },
  },
});
const timeoutMs = Number(values['timeout-ms']);
const [host, port, protocol = 'tcp'] = positionals;
if (values.batch) {
  const targets = JSON.parse(await text(process.stdin)) as Target[];
  console.log(JSON.stringify(await Promise.all(targets.map((t) => probe(t, timeoutMs)))));
} else if (!host || !port || (protocol !== 'tcp' && protocol !== 'udp')) {
  console.error('usage: probe.ts HOST PORT tcp|udp [--timeout-ms N] [--every-ms N --for-ms M] | probe.ts --batch < targets.json');
  process.exit(2);
} else if (values['every-ms']) {
  const target: Target = { host, port: Number(port), protocol };
  const end = Date.now() + Number(values['for-ms']);
  const attempts: Promise<ProbeResult>[] = [];
  while (Date.now() < end) {
    const at = Date.now();
    attempts.push(probe(target, timeoutMs).then((r) => ({ ...r, at })));
    await new Promise((r) => setTimeout(r, Number(values['every-ms'])));
  }
  console.log(JSON.stringify(await Promise.all(attempts)));
} else {
  const r = await probe({ host, port: Number(port), protocol }, timeoutMs);
  console.log(JSON.stringify(r));
  process.exit(r.result === 'open' ? 0 : 1);
}
