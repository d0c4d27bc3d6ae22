/**
 * `govcloud dashboard`: the web pages for leadership and auditors, served live from the
 * hub's caches (read-only, each page behind the hub's own TokenReview and
 * SubjectAccessReview), or written once from files with --static.
 */
import { isIP } from 'node:net';
import * as path from 'node:path';
import { SYSTEM_NAMESPACE } from '../../api/index.ts';
import { kubeReviewer, kubeUsageReader, startDashboard } from '../../dashboard/server.ts';
import { DashboardCache } from '../../dashboard/cache.ts';
import { EXTENSIONS } from '../../dashboard/extensions.ts';
import { writeStaticDashboard } from '../../dashboard/static.ts';
import { ClusterClient, createLogger } from '../../runtime/index.ts';
import { parseNow, parseOptions } from '../args.ts';
import { loadAndValidate, printProblems } from '../check.ts';
import { UsageError, type Command } from '../command.ts';
import { EXIT, type Io } from '../io.ts';

export const dashboardCommand: Command = {
  name: 'dashboard',
  usage: `Usage: govcloud dashboard [--kubeconfig FILE] [--context NAME] [--listen HOST:PORT]
                          [--auth kubernetes|none] [--audience AUD]... [--namespace NS]
       govcloud dashboard --static DIR PATH... [--now RFC3339]

Live: serves the national overview, one page per agency and per data centre, the catalogue
of shared services and the access graph, from the hub's govcloud objects read through
informers (list and watch, nothing written), and the capacity in use beside the allocated
from the ConfigMaps the operator publishes it in (govcloud-showback-usage and its shards in
its namespace; the dashboard reads no Secret and no data centre). Vietnamese first; ?lang=en in English. Every
page is self-contained: no script, no font, no request beyond the page.

Who sees what is the hub's decision (--auth kubernetes, the default): the request's bearer
token (Authorization header from a proxy, or the token given on /login, kept in an HttpOnly
cookie) is checked with a TokenReview, then each page with a SubjectAccessReview for that
user: an agency's page needs list shareddataservices in the agency's hub namespace (its
viewers and admins have it), the national pages need list agencies over the cluster
(leadership). Anything else gets HTTP 403. --auth none shows every page to anyone who can
reach it, and is refused unless --listen is a loopback address.

--static writes the same pages for the platform in PATH... (files or folders, as validate
reads them) under DIR: index.html, catalogue.html, access.html, agencies/NAME.html,
datacentres/NAME.html, and the same under DIR/en/, without figures of use (they are only
on the hub). Invalid input prints the problems and exits 1.

Options (environment variable in brackets):
  --kubeconfig FILE      kubeconfig of the hub (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME         context of that kubeconfig
  --listen HOST:PORT     where to serve [GOVCLOUD_DASHBOARD_LISTEN] (default 127.0.0.1:8080;
                         port 0 picks a free one, printed)
  --auth MODE            kubernetes (default) or none (loopback only)
  --audience AUD         audiences the TokenReview asks for (repeatable; default: the API
                         server's)
  --namespace NS         the operator's namespace, where it publishes the capacity in use
                         [GOVCLOUD_NAMESPACE] (default ${SYSTEM_NAMESPACE})
  --static DIR           write the pages under DIR instead of serving them
  --now RFC3339          with --static: the time windows are judged at (default: now)

Exit codes: 0 stopped by a signal or pages written, 1 invalid input or cannot start, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      kubeconfig: { value: true },
      context: { value: true },
      listen: { value: true },
      auth: { value: true, choices: ['kubernetes', 'none'] },
      audience: { value: true },
      namespace: { value: true },
      static: { value: true },
      now: { value: true },
    });
    const dir = values.static as string | undefined;
    if (dir !== undefined) {
      if (positionals.length === 0) throw new UsageError('--static needs at least one file or folder to read the platform from');
      for (const flag of ['kubeconfig', 'context', 'listen', 'auth', 'audience', 'namespace'])
        if (values[flag] !== undefined) throw new UsageError(`--${flag} does not go with --static`);
      const now = parseNow(values.now as string | undefined);
      const result = await loadAndValidate(positionals, io);
      if (result.errors.length > 0) {
        printProblems(positionals, result, 'text', io);
        return EXIT.invalid;
      }
      const target = path.resolve(io.cwd, dir);
      const files = await writeStaticDashboard(target, result.platform, now, EXTENSIONS);
      io.stdout(`${files.length} pages written under ${dir} (open ${path.join(dir, 'index.html')})\n`);
      return EXIT.ok;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]} (files are read with --static DIR)`);
    if (values.now !== undefined) throw new UsageError('--now goes with --static only: the live dashboard judges windows at the current time');
    const { host, port } = parseListen((values.listen as string | undefined) ?? io.env.GOVCLOUD_DASHBOARD_LISTEN ?? '127.0.0.1:8080');
    const auth = (values.auth as string | undefined) ?? 'kubernetes';
    if (auth === 'none' && !isLoopback(host)) throw new UsageError(`--auth none serves every page to anyone: only on a loopback address, not ${host}`);
    return serve(io, { host, port, auth, values });
  },
};

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || host === undefined || port > 65535) throw new UsageError(`--listen must be HOST:PORT like 127.0.0.1:8080, not "${text}"`);
  return { host: host === '' ? '0.0.0.0' : host, port };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

async function serve(io: Io, o: { host: string; port: number; auth: string; values: Record<string, string | boolean | undefined> }): Promise<number> {
  const log = createLogger({ level: io.env.GOVCLOUD_LOG_LEVEL ?? 'info' });
  const kubeconfig = o.values.kubeconfig as string | undefined;
  const context = o.values.context as string | undefined;
  const client = kubeconfig ? ClusterClient.fromFile('hub', path.resolve(io.cwd, kubeconfig), context) : ClusterClient.fromDefault('hub', context);
  const audience = o.values.audience as string | undefined;
  const cache = new DashboardCache(client, log);
  cache.start();
  const { server, url } = await startDashboard({
    host: o.host,
    port: o.port,
    platform: () => cache.platform(),
    ready: () => cache.hasSynced(),
    ...(o.auth === 'kubernetes' ? { reviewer: kubeReviewer(client, audience ? { audiences: [audience] } : {}) } : {}),
    extensions: EXTENSIONS,
    usage: kubeUsageReader(client, (o.values.namespace as string | undefined) ?? io.env.GOVCLOUD_NAMESPACE ?? SYSTEM_NAMESPACE),
    logger: log,
  });
  log.info({ url, auth: o.auth }, 'dashboard: serving');
  io.stderr(`govcloud dashboard: serving on ${url} (auth ${o.auth})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  server.close();
  server.closeAllConnections();
  await cache.stop();
  await client.close();
  return EXIT.ok;
}
