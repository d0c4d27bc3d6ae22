/**
 * `govcloud operator`: runs the operator against the hub cluster until SIGTERM or SIGINT
 * (exit 0, after in-flight reconciles finished and the lease was released) or until it
 * loses the lease (exit 1: a restart campaigns again from a clean state).
 */
import { hostname } from 'node:os';
import { SYSTEM_NAMESPACE } from '../../api/index.ts';
import { Manager } from '../../controllers/manager.ts';
import { parseOptions } from '../args.ts';
import { UsageError, type Command } from '../command.ts';
import { EXIT, type Io } from '../io.ts';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const operatorCommand: Command = {
  name: 'operator',
  usage: `Usage: govcloud operator [--kubeconfig FILE] [--context NAME] [--namespace NS]
                         [--metrics-port PORT] [--leader-elect=true|false]
                         [--leader-elect-lease-duration S] [--leader-elect-renew-deadline S]
                         [--leader-elect-retry-period S]
                         [--concurrency N] [--request-timeout SECONDS]
                         [--log-level LEVEL]

Runs the govcloud controllers against the hub cluster: DataCentres, Agencies, NetworkLinks,
SharedDataServices with their AccessRequests and AccessGrants. Each data centre's cluster is
reached through the kubeconfig Secret its DataCentre names (in the operator's namespace), or
is the hub itself (connection.thisCluster). Only the replica holding the Lease
govcloud-operator acts; the others stand by. JSON logs go to stdout.

Options (environment variable in brackets):
  --kubeconfig FILE      kubeconfig of the hub (default: $KUBECONFIG, ~/.kube/config, in-cluster)
  --context NAME         context of that kubeconfig (default: its current context)
  --namespace NS         the operator's namespace: kubeconfig Secrets and the Lease
                         [GOVCLOUD_NAMESPACE] (default ${SYSTEM_NAMESPACE})
  --metrics-port PORT    /healthz, /readyz and /metrics; 0 picks a free port (logged)
                         [GOVCLOUD_HTTP_PORT] (default 8080)
  --leader-elect BOOL    campaign for the Lease before acting [GOVCLOUD_LEADER_ELECTION]
                         (default true; false only with a single replica)
  --leader-elect-lease-duration S
                         how long standbys wait after the leader's last renewal before
                         taking over [GOVCLOUD_LEADER_ELECT_LEASE_DURATION] (default 15)
  --leader-elect-renew-deadline S
                         how long the leader keeps trying to renew before it steps down
                         [GOVCLOUD_LEADER_ELECT_RENEW_DEADLINE] (default 10)
  --leader-elect-retry-period S
                         time between renewals, and between a standby's attempts
                         [GOVCLOUD_LEADER_ELECT_RETRY_PERIOD] (default 2)
  --concurrency N        reconciles per controller at the same time (default 4)
  --request-timeout S    longest wait for one answer of an API server (default 15); a
                         data centre that answers nothing for 3 s is cut off sooner
  --log-level LEVEL      ${LEVELS.join(', ')} [GOVCLOUD_LOG_LEVEL] (default info)

The leader-election identity is the host name (GOVCLOUD_POD_NAME in a pod) and the pid. Its
timings, in whole seconds, need retry period < renew deadline < lease duration; raise them
when the hub's API server answers too slowly for the leader to renew in time (a longer lease
delays the takeover after a crash; a stopped leader releases the Lease at once).

Exit codes: 0 stopped by a signal, 1 lost the lease or could not start, 2 bad command line.
`,
  async run(argv, io) {
    const options = operatorOptions(argv, io);
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (name: string) => {
      signals++;
      if (signals > 1) {
        io.stderr(`govcloud operator: second ${name}, exiting at once\n`);
        process.exit(130);
      }
      controller.abort();
    };
    const onTerm = () => onSignal('SIGTERM');
    const onInt = () => onSignal('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    let code: number;
    try {
      const reason = await new Manager(options).run(controller.signal);
      code = reason === 'stopped' ? EXIT.ok : EXIT.invalid;
    } catch (err) {
      io.stderr(`govcloud operator: ${err instanceof Error ? err.message : String(err)}\n`);
      code = EXIT.invalid;
    } finally {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    }
    // Idle keep-alive sockets must not keep a stopped operator alive.
    setTimeout(() => process.exit(code), 3000).unref();
    return code;
  },
};

export function operatorOptions(argv: string[], io: Io) {
  const { values, positionals } = parseOptions(normalise(argv), {
    kubeconfig: { value: true },
    context: { value: true },
    namespace: { value: true },
    'metrics-port': { value: true },
    'leader-elect': { value: true, choices: ['true', 'false'] },
    'leader-elect-lease-duration': { value: true },
    'leader-elect-renew-deadline': { value: true },
    'leader-elect-retry-period': { value: true },
    concurrency: { value: true },
    'request-timeout': { value: true },
    'log-level': { value: true, choices: LEVELS },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const env = io.env;
  const port = integer('--metrics-port', (values['metrics-port'] as string | undefined) ?? env.GOVCLOUD_HTTP_PORT ?? '8080', 0, 65535);
  const concurrency = integer('--concurrency', (values.concurrency as string | undefined) ?? '4', 1, 64);
  const requestTimeoutMs = 1000 * integer('--request-timeout', (values['request-timeout'] as string | undefined) ?? '15', 1, 600);
  const leader = (values['leader-elect'] as string | undefined) ?? env.GOVCLOUD_LEADER_ELECTION ?? 'true';
  if (leader !== 'true' && leader !== 'false') throw new UsageError(`GOVCLOUD_LEADER_ELECTION must be true or false, not "${leader}"`);
  const leaseDuration = seconds(values, env, 'leader-elect-lease-duration', 'GOVCLOUD_LEADER_ELECT_LEASE_DURATION', 15);
  const renewDeadline = seconds(values, env, 'leader-elect-renew-deadline', 'GOVCLOUD_LEADER_ELECT_RENEW_DEADLINE', 10);
  const retryPeriod = seconds(values, env, 'leader-elect-retry-period', 'GOVCLOUD_LEADER_ELECT_RETRY_PERIOD', 2);
  // client-go's rule: the leader steps down before the standbys may take over, and renews at least once within its deadline.
  if (renewDeadline.value >= leaseDuration.value)
    throw new UsageError(`${renewDeadline.name} (${renewDeadline.value}) must be shorter than ${leaseDuration.name} (${leaseDuration.value})`);
  if (retryPeriod.value >= renewDeadline.value)
    throw new UsageError(`${retryPeriod.name} (${retryPeriod.value}) must be shorter than ${renewDeadline.name} (${renewDeadline.value})`);
  const logLevel = (values['log-level'] as string | undefined) ?? env.GOVCLOUD_LOG_LEVEL ?? 'info';
  if (!LEVELS.includes(logLevel)) throw new UsageError(`the log level must be one of ${LEVELS.join(', ')}, not "${logLevel}"`);
  const kubeconfig = values.kubeconfig as string | undefined;
  const context = values.context as string | undefined;
  return {
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(context ? { context } : {}),
    namespace: (values.namespace as string | undefined) ?? env.GOVCLOUD_NAMESPACE ?? SYSTEM_NAMESPACE,
    metricsPort: port,
    leaderElect: leader === 'true',
    leaseDurationMs: 1000 * leaseDuration.value,
    renewDeadlineMs: 1000 * renewDeadline.value,
    retryPeriodMs: 1000 * retryPeriod.value,
    concurrency,
    requestTimeoutMs,
    logLevel,
    identity: `${env.GOVCLOUD_POD_NAME || hostname()}_${process.pid}`,
  };
}

/** `--leader-elect` alone means true; `--no-leader-elect` false. */
function normalise(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--no-leader-elect') out.push('--leader-elect=false');
    else if (a === '--leader-elect' && !['true', 'false'].includes(argv[i + 1] ?? '')) out.push('--leader-elect=true');
    else out.push(a);
  }
  return out;
}

/** A leader-election timing in seconds, from its flag, else its environment variable, else the default; named as it was given. */
function seconds(values: Record<string, unknown>, env: Io['env'], option: string, variable: string, fallback: number) {
  const flag = values[option] as string | undefined;
  const name = flag === undefined && env[variable] !== undefined ? variable : `--${option}`;
  return { name, value: integer(name, flag ?? env[variable] ?? String(fallback), 1, 600) };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}
