/**
 * What runs inside the probe pods: a server answering on TCP and UDP ports, and a client that
 * tries a list of targets once each and reports in one line that fits the termination
 * message (4096 bytes): `govcloud-probe/1 ` and one character per target, in order:
 *   o  open: TCP connected / a UDP answer came back
 *   t  timeout: no answer (what a dropping policy looks like)
 *   r  refused: a TCP reset or an ICMP port unreachable (nothing listens, or a rejecting policy)
 *   e  another error (no route, ...)
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { createServer, connect as tcpConnect, type Server } from 'node:net';
import type { ProbePort } from './plan.ts';

export const REPORT_PREFIX = 'govcloud-probe/1 ';
export const REPORT_BYTES = 4096;
export const DEFAULT_REPORT_PATH = '/dev/termination-log';
/** Where the report goes instead of the termination message file (the local platform's node agent sets it). */
export const REPORT_PATH_ENV = 'GOVCLOUD_PROBE_REPORT';
export const PROBE_GREETING = 'govcloud-probe\n';

export type Outcome = 'open' | 'timeout' | 'refused' | 'error';
const CODES: Record<Outcome, string> = { open: 'o', timeout: 't', refused: 'r', error: 'e' };

export interface Target extends ProbePort {
  ip: string;
}

export function parsePortSpec(text: string): ProbePort | undefined {
  const m = /^(\d{1,5})\/(TCP|UDP)$/i.exec(text);
  const port = m ? Number(m[1]) : 0;
  if (!m || port < 1 || port > 65535) return undefined;
  return { port, protocol: (m[2] as string).toUpperCase() as ProbePort['protocol'] };
}

export function parseTargetSpec(text: string): Target | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(.+)$/.exec(text);
  if (!m) return undefined;
  const port = parsePortSpec(m[3] as string);
  return port ? { ip: (m[1] ?? m[2]) as string, ...port } : undefined;
}

export function formatReport(outcomes: readonly Outcome[]): string {
  return REPORT_PREFIX + outcomes.map((o) => CODES[o]).join('');
}

/** The outcomes of a report for `count` targets, or why it is not one. */
export function parseReport(text: string, count: number): { ok: true; outcomes: Outcome[] } | { ok: false; message: string } {
  const line = text.trim();
  if (!line.startsWith(REPORT_PREFIX.trim())) return { ok: false, message: `not a probe report: ${JSON.stringify(line.slice(0, 60))}` };
  const codes = line.slice(REPORT_PREFIX.trim().length).trim();
  const outcomes: Outcome[] = [];
  for (const c of codes) {
    const o = (Object.keys(CODES) as Outcome[]).find((k) => CODES[k] === c);
    if (o === undefined) return { ok: false, message: `unknown result ${JSON.stringify(c)} in the probe report` };
    outcomes.push(o);
  }
  if (outcomes.length !== count) return { ok: false, message: `the probe report has ${outcomes.length} results for ${count} targets` };
  return { ok: true, outcomes };
}

/** Serves every port until `signal` aborts; resolves once all listen. */
export async function serve(ports: readonly ProbePort[], signal: AbortSignal): Promise<void> {
  const closers: (() => void)[] = [];
  signal.addEventListener('abort', () => closers.forEach((c) => c()), { once: true });
  for (const p of ports) {
    if (p.protocol === 'TCP') {
      const server: Server = createServer((socket) => {
        socket.on('error', () => undefined);
        socket.end(PROBE_GREETING);
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: p.port, host: '0.0.0.0' }, () => resolve());
      });
      closers.push(() => server.close());
    } else {
      const socket: UdpSocket = createSocket('udp4');
      socket.on('message', (msg, from) => socket.send(msg, from.port, from.address));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(p.port, '0.0.0.0', () => resolve());
      });
      socket.on('error', () => undefined);
      closers.push(() => socket.close());
    }
  }
}

function outcomeOf(err: unknown): Outcome {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' ? 'refused' : code === 'ETIMEDOUT' ? 'timeout' : 'error';
}

function tryTcp(t: Target, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: t.ip, port: t.port });
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    function done(o: Outcome) {
      clearTimeout(timer);
      socket.destroy();
      resolve(o);
    }
    socket.once('connect', () => done('open'));
    socket.once('error', (err) => done(outcomeOf(err)));
  });
}

/** UDP has no handshake: a datagram goes out (twice, against loss) and an answer must come back. */
function tryUdp(t: Target, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = createSocket(t.ip.includes(':') ? 'udp6' : 'udp4');
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    function done(o: Outcome) {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      socket.close();
      resolve(o);
    }
    socket.once('message', () => done('open'));
    socket.on('error', (err) => done(outcomeOf(err)));
    socket.connect(t.port, t.ip, () => {
      const send = () => socket.send(PROBE_GREETING, (err) => err && done(outcomeOf(err)));
      send();
      timers.push(setTimeout(send, Math.floor(timeoutMs / 2)));
    });
    timers.push(setTimeout(() => done('timeout'), timeoutMs));
  });
}

/**
 * Tries every target, `concurrency` at a time; the outcomes in target order. A refusal is
 * tried again (twice, a second apart): a server pod whose container just started may not
 * listen yet, and a path a policy closes answers the same the second time.
 */
export async function probeTargets(targets: readonly Target[], timeoutMs: number, concurrency = 16, retryMs = 1000): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array<Outcome>(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const i = next++;
      const t = targets[i] as Target;
      const once = () => (t.protocol === 'TCP' ? tryTcp(t, timeoutMs) : tryUdp(t, timeoutMs));
      let outcome = await once();
      for (let retry = 0; retry < 2 && outcome === 'refused'; retry++) {
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        outcome = await once();
      }
      outcomes[i] = outcome;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return outcomes;
}

/**
 * The client: wait `delayMs` (network plugins program a new pod's address asynchronously: until
 * they have, its traffic may pass unjudged), probe, write the report where the kubelet (or the
 * node agent) reads it, and return it.
 */
export async function runClient(
  targets: readonly Target[],
  timeoutMs: number,
  delayMs = 0,
  reportPath = process.env[REPORT_PATH_ENV] ?? DEFAULT_REPORT_PATH,
): Promise<string> {
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  const report = formatReport(await probeTargets(targets, timeoutMs));
  await writeFile(reportPath, report);
  return report;
}
