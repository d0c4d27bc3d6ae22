/**
 * `govcloud join NAME`: makes a Kubernetes cluster a member data centre of the platform. On
 * the member: govcloud-system, the operator's ServiceAccount with exactly its member-side
 * rights (rbac-requirements.yaml), the govcloud ClusterRoles and the admission policy; a
 * short-lived token from the TokenRequest API; on the hub: the kubeconfig Secret and the
 * DataCentre (join/objects.ts). Idempotent: a second run changes nothing.
 */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { SYSTEM_NAMESPACE } from '../../api/tenancy.ts';
import {
  DEFAULT_TOKEN_SECONDS,
  MIN_TOKEN_SECONDS,
  operatorUser,
  readTokenKubeconfig,
  renewAt,
  tokenKubeconfig,
  tokenRequest,
  tokenTimes,
  kubeconfigSecretName,
  KUBECONFIG_KEY,
  type MemberEndpoint,
} from '../../join/credentials.ts';
import { stepText, Target, type Step } from '../../join/kube.ts';
import { hubJoinObjects, JOINED_LABEL, memberJoinObjects, type Spec } from '../../join/objects.ts';
import { formatBytes, formatMilli, parseBytes, parseMilli } from '../../model/quantity.ts';
import { ClusterClient } from '../../runtime/index.ts';
import type { K8sObject } from '../../install/manifests.ts';
import { loadRbacRequirements } from '../../install/rbac.ts';
import { parseOptions } from '../args.ts';
import { InputError, UsageError, type Command } from '../command.ts';
import { EXIT, type Io } from '../io.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export const JOIN_OPTIONS = {
  'hub-kubeconfig': { value: true },
  'hub-context': { value: true },
  'member-kubeconfig': { value: true },
  'member-context': { value: true },
  output: { value: true, choices: ['text', 'json', 'yaml'], short: 'o' },
} as const;

/** The member's address and CA as its kubeconfig gives them: what the operator will use. */
function endpointOf(name: string, member: Target): MemberEndpoint {
  const cluster = member.client.kubeConfig.getCurrentCluster()!;
  const caData = cluster.caData ?? (cluster.caFile ? readFileSync(cluster.caFile).toString('base64') : undefined);
  return { name, server: cluster.server, ...(caData ? { caData } : {}), ...(cluster.skipTLSVerify ? { insecureSkipTLSVerify: true } : {}) };
}

function durationSeconds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TOKEN_SECONDS;
  const m = /^(\d+)(s|m|h)?$/.exec(text);
  const seconds = m ? Number(m[1]) * ({ s: 1, m: 60, h: 3600 } as const)[(m[2] ?? 's') as 's' | 'm' | 'h'] : NaN;
  if (!(seconds >= MIN_TOKEN_SECONDS))
    throw new UsageError(`--token-lifetime must be a duration of at least ${MIN_TOKEN_SECONDS}s (10m), like 24h, not "${text}"`);
  return seconds;
}

/** Capacity offered: the flags, else what the member's Ready nodes can allocate. */
async function capacityOf(values: Record<string, string | boolean | undefined>, member: Target): Promise<Spec['capacity']> {
  const given = { cpu: values.cpu as string | undefined, memory: values.memory as string | undefined, storage: values.storage as string | undefined };
  if (given.cpu !== undefined && parseMilli(given.cpu) === undefined) throw new UsageError(`--cpu must be a quantity like 64 or 500m, not "${given.cpu}"`);
  for (const k of ['memory', 'storage'] as const)
    if (given[k] !== undefined && parseBytes(given[k]) === undefined) throw new UsageError(`--${k} must be a quantity like 256Gi, not "${given[k]}"`);
  if (given.cpu !== undefined && given.memory !== undefined && given.storage !== undefined) return given as Spec['capacity'];
  type Node = { status?: { allocatable?: Record<string, string>; conditions?: { type: string; status: string }[] } };
  const nodes = (
    await member.call('listing its nodes (for the capacity; or give --cpu, --memory and --storage)', () =>
      member.client.request<{ items: Node[] }>('GET', '/api/v1/nodes'),
    )
  ).items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const sum = (key: string, parse: (q: string) => bigint | undefined) => nodes.reduce((t, n) => t + (parse(n.status?.allocatable?.[key] ?? '0') ?? 0n), 0n);
  return {
    cpu: given.cpu ?? formatMilli(sum('cpu', parseMilli)),
    memory: given.memory ?? formatBytes(sum('memory', parseBytes)),
    storage: given.storage ?? formatBytes(sum('ephemeral-storage', parseBytes)),
  };
}

/** The Secret's current token when it still serves: same member, before its renewal time, accepted there as the operator. */
async function currentToken(hub: Target, endpoint: MemberEndpoint, now: Date): Promise<string | undefined> {
  const secret = await hub.get<{ data?: Record<string, string> }>(
    `/api/v1/namespaces/${SYSTEM_NAMESPACE}/secrets/${kubeconfigSecretName(endpoint.name)}`,
    'reading the kubeconfig Secret',
  );
  const text = secret?.data?.[KUBECONFIG_KEY];
  const current = text ? readTokenKubeconfig(Buffer.from(text, 'base64').toString('utf8')) : undefined;
  if (!current?.token || current.endpoint.server !== endpoint.server || current.endpoint.caData !== endpoint.caData) return undefined;
  const times = tokenTimes(current.token);
  if (!times || renewAt(times) <= now) return undefined;
  const client = ClusterClient.fromKubeconfig(endpoint.name, tokenKubeconfig(endpoint, current.token));
  try {
    const review = await client.request<{ status?: { userInfo?: { username?: string } } }>('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    return review.status?.userInfo?.username === operatorUser() ? current.token : undefined;
  } catch {
    return undefined;
  } finally {
    await client.close();
  }
}

function printObjects(objects: K8sObject[], output: string, io: Io): void {
  if (output === 'json') io.stdout(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n');
  else io.stdout(objects.map((o) => '---\n' + stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join(''));
}

export const joinCommand: Command = {
  name: 'join',
  usage: `Usage: govcloud join NAME --hub-kubeconfig FILE --member-kubeconfig FILE --network-ranges CIDR[,CIDR...] [options]

Joins the member cluster as the data centre NAME. On the member (as its kubeconfig's user, an
administrator): the namespace ${SYSTEM_NAMESPACE}, the operator's ServiceAccount with exactly the
rights charts/govcloud-operator/rbac-requirements.yaml lists (the chart's mode: member), a Role
letting it request tokens for itself only, the govcloud ClusterRoles and the admission policy
govcloud-operator-limits. Then a short-lived token of that ServiceAccount (TokenRequest API;
never a long-lived token Secret). On the hub: the Secret ${SYSTEM_NAMESPACE}/NAME-kubeconfig, a
Role letting the operator renew that one Secret, and the DataCentre NAME. The operator renews
the token at two thirds of its lifetime (DataCentre condition CredentialsExpiring if it cannot).

A second run changes nothing: the objects are applied server-side and compared, the token is
kept while it is valid and before its renewal time. An object that exists and was not made by
join is left as it is and reported "kept".

Options:
  --hub-kubeconfig FILE      the hub cluster (an administrator, or who may write Secrets and Roles in ${SYSTEM_NAMESPACE} and DataCentres)
  --hub-context NAME         its context (default: the current one)
  --member-kubeconfig FILE   the cluster to join, as an administrator; its server address and CA go into the Secret
  --member-context NAME      its context (default: the current one)
  --network-ranges CIDRS     the data centre's address ranges, comma-separated (required)
  --region TEXT              region it serves (default: NAME)
  --display-name TEXT        name people use (default: NAME)
  --accredited-level N       highest security level, 1 to 4 (default: 1)
  --cpu, --memory, --storage capacity offered (default: what the member's Ready nodes can allocate)
  --token-lifetime DURATION  lifetime of the token, at least 10m (default: 24h)
  --dry-run=client           change nothing; print the objects for a GitOps pull request (no Secret: a credential never goes into git)
  -o, --output text|json|yaml  text: a line per object (default); json: the steps (or with --dry-run the objects); yaml: with --dry-run

Exit codes: 0 joined, 1 a cluster refused or could not be reached, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      ...JOIN_OPTIONS,
      'network-ranges': { value: true },
      region: { value: true },
      'display-name': { value: true },
      'accredited-level': { value: true },
      cpu: { value: true },
      memory: { value: true },
      storage: { value: true },
      'token-lifetime': { value: true },
      'dry-run': { value: true, choices: ['client', 'none'] },
    });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('name exactly one data centre: govcloud join NAME');
    if (!DNS_LABEL.test(name) || name.length > 63) throw new UsageError(`NAME must be a DNS label (lower-case letters, digits, -), not "${name}"`);
    const dryRun = values['dry-run'] === 'client';
    const output = (values.output as string | undefined) ?? (dryRun ? 'yaml' : 'text');
    if (output === 'yaml' && !dryRun) throw new UsageError('-o yaml prints the objects of a dry run: add --dry-run=client');
    if (!values['member-kubeconfig']) throw new UsageError('--member-kubeconfig is required');
    if (!dryRun && !values['hub-kubeconfig']) throw new UsageError('--hub-kubeconfig is required (or --dry-run=client)');
    const ranges = ((values['network-ranges'] as string | undefined) ?? '').split(',').filter(Boolean);
    if (ranges.length === 0) throw new UsageError('--network-ranges is required: the address ranges the data centre brings');
    const level = Number((values['accredited-level'] as string | undefined) ?? '1');
    if (!Number.isInteger(level) || level < 1 || level > 4)
      throw new UsageError(
        `--accredited-level must be 1 to 4 (a level-5 data centre is dedicated to one agency: write its DataCentre by hand), not "${values['accredited-level']}"`,
      );
    const lifetime = durationSeconds(values['token-lifetime'] as string | undefined);
    const req = loadRbacRequirements();

    const member = new Target('member', values['member-kubeconfig'] as string, values['member-context'] as string | undefined);
    const spec = {
      displayName: (values['display-name'] as string | undefined) ?? name,
      region: (values.region as string | undefined) ?? name,
      accreditedLevel: level,
      capacity: await capacityOf(values, member),
      networkRanges: ranges,
    };
    const memberObjects = memberJoinObjects(name, req);
    if (dryRun) {
      printObjects([...memberObjects, ...hubJoinObjects(name, req, { spec })], output, io);
      return EXIT.ok;
    }

    const hub = new Target('hub', values['hub-kubeconfig'] as string, values['hub-context'] as string | undefined);
    const say = (line: string) => output === 'text' && io.stdout(line + '\n');
    const steps: Step[] = [];
    const dcPath = await hub.path({ apiVersion: 'govcloud.dev/v1alpha1', kind: 'DataCentre', metadata: { name } });
    const existing = await hub.get<K8sObject>(dcPath, `reading DataCentre ${name}`);
    if (existing && existing.metadata.labels?.[JOINED_LABEL] !== name)
      throw new InputError(`${hub.label}: DataCentre ${name} exists and was not joined by govcloud join: choose another NAME, or remove it first`);

    say(`joining ${member.label} as data centre ${name}`);
    for (const o of memberObjects) {
      const s = await member.apply(o);
      steps.push(s);
      say(`  ${stepText(s)}`);
    }
    const endpoint = endpointOf(name, member);
    let token = await currentToken(hub, endpoint, new Date());
    const renewed = token === undefined;
    if (!token) {
      const { path, body } = tokenRequest(lifetime);
      const review = await member.call(`requesting a token for ServiceAccount ${SYSTEM_NAMESPACE}/${req.serviceAccount}`, () =>
        member.client.request<{ status: { token: string } }>('POST', path, { body }),
      );
      token = review.status.token;
    }
    const times = tokenTimes(token);
    say(
      `  member: token of ServiceAccount ${SYSTEM_NAMESPACE}/${req.serviceAccount} ${renewed ? 'requested' : 'still valid, kept'}${times ? ` (expires ${times.expiresAt.toISOString()}, renewed from ${renewAt(times).toISOString()})` : ''}`,
    );
    say(`writing the credential and the DataCentre on ${hub.label}`);
    for (const o of hubJoinObjects(name, req, { spec, kubeconfig: tokenKubeconfig(endpoint, token) })) {
      const s = await hub.apply(o);
      steps.push(s);
      say(`  ${stepText(s)}`);
    }
    const changed = steps.filter((s) => s.outcome === 'created' || s.outcome === 'configured').length;
    say(
      `${name} joined: ${changed} object${changed === 1 ? '' : 's'} created or changed, ${steps.length - changed} unchanged or kept; the operator connects to it now`,
    );
    if (output === 'json')
      io.stdout(
        JSON.stringify(
          {
            dataCentre: name,
            member: member.server,
            steps,
            token: { renewed, ...(times ? { expiresAt: times.expiresAt.toISOString(), renewAt: renewAt(times).toISOString() } : {}) },
          },
          null,
          2,
        ) + '\n',
      );
    return EXIT.ok;
  },
};
