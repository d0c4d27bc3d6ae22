// The probe and scrape endpoints the Deployment points at: /healthz says the process is alive
// (the kubelet restarts it otherwise), /readyz says its caches are synced and its watches up
// (failing takes the replica out of rotation, and tells operators a watch is down), /metrics
// serves the Prometheus registry and /metrics/agencies the series per agency.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.ts';
import type { RuntimeMetrics } from './metrics.ts';

export type CheckResult = { ok: boolean; detail?: string };
export type ReadinessCheck = () => CheckResult;

/** A required informer: ready once synced, unready while its watch has been down too long. */
export function informerCheck(
  informer: {
    isHealthy(maxDisconnectedMs?: number): boolean;
    hasSynced(): boolean;
    status(): { lastError?: string };
  },
  maxDisconnectedMs = 60_000,
): ReadinessCheck {
  return () => {
    if (!informer.hasSynced()) return { ok: false, detail: `not synced${suffix(informer.status().lastError)}` };
    if (!informer.isHealthy(maxDisconnectedMs)) return { ok: false, detail: `watch down${suffix(informer.status().lastError)}` };
    return { ok: true };
  };
}

function suffix(err: string | undefined): string {
  return err ? `: ${err}` : '';
}

export interface ProbeServerOptions {
  metrics: RuntimeMetrics;
  port?: number;
  host?: string;
  logger?: Logger;
}

export class ProbeServer {
  private readonly metrics: RuntimeMetrics;
  private readonly port: number;
  private readonly host: string;
  private readonly log: Logger | undefined;
  private readonly checks = new Map<string, ReadinessCheck>();
  private server: Server | undefined;

  constructor(opts: ProbeServerOptions) {
    this.metrics = opts.metrics;
    this.port = opts.port ?? 8080;
    this.host = opts.host ?? '0.0.0.0';
    this.log = opts.logger;
  }

  addReadinessCheck(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Every check's result, in the kube-apiserver's `[+]name ok` / `[-]name failed` format. */
  readiness(): { ok: boolean; text: string } {
    const lines: string[] = [];
    let ok = true;
    for (const [name, check] of this.checks) {
      let result: CheckResult;
      try {
        result = check();
      } catch (err) {
        result = { ok: false, detail: String(err) };
      }
      ok &&= result.ok;
      lines.push(result.ok ? `[+]${name} ok` : `[-]${name} failed${suffix(result.detail)}`);
    }
    lines.push(ok ? 'readyz check passed' : 'readyz check failed');
    return { ok, text: `${lines.join('\n')}\n` };
  }

  /** Listens and resolves with the bound port (useful with port 0). */
  async start(): Promise<number> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://probe').pathname;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      if (path === '/healthz' || path === '/livez') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      } else if (path === '/readyz') {
        const { ok, text } = this.readiness();
        res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(text);
      } else if (path === '/metrics' || path === '/metrics/agencies') {
        (path === '/metrics' ? this.metrics.render() : this.metrics.renderAgencies()).then(
          (text) => res.writeHead(200, { 'content-type': this.metrics.contentType }).end(text),
          (err: unknown) => {
            this.log?.error({ err }, 'rendering metrics failed');
            res.writeHead(500).end();
          },
        );
      } else {
        res.writeHead(404).end();
      }
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    this.log?.info({ port }, 'probe server listening');
    return port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeIdleConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
