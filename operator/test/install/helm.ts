// Helm for the install tests: the binary the local platform's build caches
// (e2e/platform/build.sh), built there first if it is missing; `helm template` parsed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CHART = path.join(ROOT, 'charts', 'govcloud-operator');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

let cached: string | undefined;

/** GOVCLOUD_HELM, else the cached helm of e2e/platform/build.sh (built now if missing). */
export function helmBinary(): string {
  if (cached) return cached;
  const fromEnv = process.env.GOVCLOUD_HELM;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`GOVCLOUD_HELM=${fromEnv} does not exist`);
    return (cached = fromEnv);
  }
  const build = path.join(ROOT, 'e2e', 'platform', 'build.sh');
  const bin = execFileSync('bash', [build, '--print-path', 'helm'], { encoding: 'utf8' }).trim();
  if (!existsSync(bin)) {
    console.log(`helm is not in the cache (${bin}): building it with e2e/platform/build.sh helm`);
    execFileSync('bash', [build, 'helm'], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  return (cached = bin);
}

export interface HelmResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): HelmResult {
  const r = spawnSync(helmBinary(), args, { encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Parses multi-document YAML (helm's output) into objects, skipping empty documents. */
export function parseObjects(text: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`bad YAML from helm: ${doc.errors[0]!.message}`);
    const v = doc.toJS() as K8sObject | null;
    if (v) out.push(v);
  }
  return out;
}

/** `helm template` of the chart with `--set` values (and extra args); throws on failure. */
export function template(set: string[] = [], extra: string[] = []): K8sObject[] {
  const args = ['template', 'govcloud', CHART, ...set.flatMap((s) => ['--set', s]), ...extra];
  const r = helm(args);
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return parseObjects(r.stdout);
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ' ' + name : ''}, found ${found.length}`);
  return found[0]!;
}
