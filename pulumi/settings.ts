/**
 * The stack's settings: what one data centre's bootstrap needs, read from stack config
 * (Pulumi.<stack>.yaml, namespace `govcloud`) and checked before anything is created.
 * Every mistake is reported together, by config key, with no stack trace.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Input } from '@pulumi/pulumi';
import { DEFAULT_OPERATOR, type OperatorOptions } from '../operator/src/install/manifests.ts';

/** A DataCentre to register on the hub (the spec of govcloud.dev/v1alpha1 DataCentre, flattened). */
export interface DataCentreSetting {
  name: string;
  displayName: string;
  region: string;
  accreditedLevel: number;
  dedicatedTo?: string;
  capacity: { cpu: string; memory: string; storage: string };
  networkRanges: string[];
  encryptedLinks?: boolean;
  /** The hub itself: the cluster this stack deploys to. */
  thisCluster?: boolean;
  /** A member: a kubeconfig file (read at deploy time, stored only as a secret). */
  kubeconfigFile?: string;
}

export type Mode = 'hub' | 'member';

export interface Settings {
  /** hub: the operator and its data centres; member: only the RBAC the hub's operator needs in this cluster. */
  mode: Mode;
  operator: OperatorOptions;
  dataCentres: DataCentreSetting[];
  /** Kubeconfig per member data centre name; secret values. */
  kubeconfigs: Record<string, Input<string>>;
  /** A GitOps folder of Agency YAML to apply, if any. */
  agenciesPath?: string;
}

/** What stack config holds, before checking (the shape of `pulumi config` values). */
export interface RawConfig {
  mode?: unknown;
  operator?: Partial<OperatorOptions> & Record<string, unknown>;
  dataCentres?: unknown;
  /** name -> kubeconfig text; set with `pulumi config set --secret --path kubeconfigs.<name>`. */
  kubeconfigs?: Record<string, Input<string>>;
  agenciesPath?: string;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`the stack configuration has ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const OPERATOR_KEYS = Object.keys(DEFAULT_OPERATOR);
const DC_KEYS = [
  'name',
  'displayName',
  'region',
  'accreditedLevel',
  'dedicatedTo',
  'capacity',
  'networkRanges',
  'encryptedLinks',
  'thisCluster',
  'kubeconfigFile',
];

/**
 * Checks raw config and fills defaults. `baseDir` resolves relative paths (the Pulumi project
 * folder); `readFile` is injectable for tests.
 */
export function resolveSettings(raw: RawConfig, baseDir: string, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): Settings {
  const problems: string[] = [];
  const operator: OperatorOptions = { ...DEFAULT_OPERATOR, ...(raw.operator ?? {}) } as OperatorOptions;
  for (const key of Object.keys(raw.operator ?? {})) {
    if (!OPERATOR_KEYS.includes(key)) problems.push(`govcloud:operator.${key}: unknown setting (known: ${OPERATOR_KEYS.join(', ')})`);
  }
  if (!DNS_LABEL.test(operator.name)) problems.push(`govcloud:operator.name: "${operator.name}" is not a DNS label`);
  if (!DNS_LABEL.test(operator.namespace)) problems.push(`govcloud:operator.namespace: "${operator.namespace}" is not a DNS label`);
  if (!Number.isInteger(operator.replicas) || operator.replicas < 1 || operator.replicas > 5)
    problems.push('govcloud:operator.replicas: an integer from 1 to 5');
  if (operator.replicas > 1 && !operator.leaderElection) problems.push('govcloud:operator.leaderElection: must be true with more than one replica');
  const timings = ['leaseDurationSeconds', 'renewDeadlineSeconds', 'retryPeriodSeconds'] as const;
  const badTimings = timings.filter((key) => !Number.isInteger(operator[key]) || operator[key] < 1 || operator[key] > 600);
  for (const key of badTimings) problems.push(`govcloud:operator.${key}: an integer from 1 to 600`);
  if (badTimings.length === 0) {
    if (operator.renewDeadlineSeconds >= operator.leaseDurationSeconds)
      problems.push('govcloud:operator.renewDeadlineSeconds: must be shorter than leaseDurationSeconds');
    if (operator.retryPeriodSeconds >= operator.renewDeadlineSeconds)
      problems.push('govcloud:operator.retryPeriodSeconds: must be shorter than renewDeadlineSeconds');
  }
  if (!Number.isInteger(operator.httpPort) || operator.httpPort < 1024 || operator.httpPort > 65535)
    problems.push('govcloud:operator.httpPort: an integer from 1024 to 65535');
  if (typeof operator.nodeOptions !== 'string' || !/^(--[a-z0-9-]+(=[^ ]+)?( |$))*$/.test(operator.nodeOptions)) {
    problems.push(`govcloud:operator.nodeOptions: "${String(operator.nodeOptions)}" is not a list of --flags for Node`);
  }
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace'].includes(operator.logLevel))
    problems.push(`govcloud:operator.logLevel: "${operator.logLevel}" is not a log level`);
  if (!(operator.runAsUser > 0) || !(operator.runAsGroup > 0)) problems.push('govcloud:operator.runAsUser/runAsGroup: the operator never runs as root (0)');

  const dataCentres: DataCentreSetting[] = [];
  const kubeconfigs: Record<string, Input<string>> = {};
  const rawDcs = raw.dataCentres ?? [];
  if (!Array.isArray(rawDcs)) {
    problems.push('govcloud:dataCentres: a list of data centres');
  } else {
    const seen = new Set<string>();
    rawDcs.forEach((value: unknown, i: number) => {
      const at = `govcloud:dataCentres[${i}]`;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${at}: an object`);
        return;
      }
      const dc = value as DataCentreSetting & Record<string, unknown>;
      for (const key of Object.keys(dc)) if (!DC_KEYS.includes(key)) problems.push(`${at}.${key}: unknown setting`);
      if (typeof dc.name !== 'string' || !DNS_LABEL.test(dc.name)) {
        problems.push(`${at}.name: a DNS label naming the DataCentre`);
        return;
      }
      if (seen.has(dc.name)) problems.push(`${at}.name: "${dc.name}" is listed twice`);
      seen.add(dc.name);
      const member = dc.thisCluster !== true;
      const fromFile = typeof dc.kubeconfigFile === 'string';
      const fromSecret = raw.kubeconfigs?.[dc.name] !== undefined;
      if (!member) {
        if (fromFile || fromSecret) problems.push(`${at}: the hub (thisCluster: true) takes no kubeconfig`);
      } else if (fromFile && fromSecret) {
        problems.push(`${at}: kubeconfigFile and govcloud:kubeconfigs.${dc.name} both set; keep one`);
      } else if (fromFile) {
        const path = isAbsolute(dc.kubeconfigFile!) ? dc.kubeconfigFile! : resolve(baseDir, dc.kubeconfigFile!);
        try {
          kubeconfigs[dc.name] = readFile(path);
        } catch (err) {
          problems.push(`${at}.kubeconfigFile: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
      } else if (fromSecret) {
        kubeconfigs[dc.name] = raw.kubeconfigs![dc.name]!;
      } else {
        problems.push(
          `${at}: a member data centre needs a kubeconfig: kubeconfigFile, or \`pulumi config set --secret --path 'govcloud:kubeconfigs.${dc.name}' < file\`, or thisCluster: true for the hub`,
        );
      }
      const { kubeconfigFile: _file, ...spec } = dc;
      dataCentres.push(spec as DataCentreSetting);
    });
    if (dataCentres.filter((d) => d.thisCluster === true).length > 1)
      problems.push('govcloud:dataCentres: only one data centre can be thisCluster: true (the hub)');
    for (const name of Object.keys(raw.kubeconfigs ?? {})) {
      if (!seen.has(name)) problems.push(`govcloud:kubeconfigs.${name}: no data centre of that name in govcloud:dataCentres`);
    }
  }

  const mode = (raw.mode ?? 'hub') as Mode;
  if (mode !== 'hub' && mode !== 'member') problems.push(`govcloud:mode: "${String(raw.mode)}" is neither hub nor member`);
  if (mode === 'member' && (dataCentres.length > 0 || raw.agenciesPath !== undefined)) {
    problems.push("govcloud:mode: a member stack installs only the RBAC the hub's operator needs here: its DataCentres and Agencies belong in the hub's stack");
  }

  let agenciesPath: string | undefined;
  if (raw.agenciesPath !== undefined) {
    if (typeof raw.agenciesPath !== 'string' || raw.agenciesPath === '') problems.push('govcloud:agenciesPath: a folder path');
    else agenciesPath = isAbsolute(raw.agenciesPath) ? raw.agenciesPath : resolve(baseDir, raw.agenciesPath);
  }
  if (problems.length) throw new SettingsError(problems);
  return { mode, operator, dataCentres, kubeconfigs, ...(agenciesPath ? { agenciesPath } : {}) };
}
