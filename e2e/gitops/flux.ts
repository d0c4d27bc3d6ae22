// What the GitOps e2e tests share: Flux on the hub (flux.sh: started when it does not run,
// stopped afterwards only then), a Git repository served by the loopback Git server that a
// test commits to like a merged pull request, and Flux's objects pointing at it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { ApiError, Cluster, ROOT, hubCluster, waitFor } from '../harness/index.ts';
import type { Obj } from '../operator/platform.ts';

const FLUX_SH = path.join(ROOT, 'e2e', 'gitops', 'flux.sh');
const GITOPS = path.join(ROOT, '.local', 'gitops');
export const FLUX_NAMESPACE = 'flux-system';
/** The account every Kustomization of the tests applies as (flux-system.yaml). */
export const APPLIER = 'govcloud-gitops';

function fluxSh(command: string): boolean {
  try {
    execFileSync('bash', [FLUX_SH, command], { stdio: command === 'check' ? 'ignore' : 'inherit', env: { ...process.env, NODE: process.execPath } });
    return true;
  } catch (err) {
    if (command === 'check') return false;
    throw err;
  }
}

/** Starts Flux unless it runs; true when this call started it (and its caller stops it). */
export function startFlux(): boolean {
  if (fluxSh('check')) return false;
  fluxSh('up');
  return true;
}

export function stopFlux(): void {
  fluxSh('down');
}

export function fluxLogTail(name: string, lines = 20): string {
  try {
    return readFileSync(path.join(GITOPS, 'logs', `${name}.log`), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '(no log)';
  }
}

/** The hub as a Flux controller: its own token kubeconfig, the one its process runs with. */
export function fluxController(name: 'source-controller' | 'kustomize-controller'): Cluster {
  return new Cluster(path.join(GITOPS, 'kubeconfigs', `${name}.yaml`), `${name}@${hubCluster().name}`);
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=govcloud e2e', '-c', 'user.email=e2e@govcloud.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

/**
 * A GitOps repository: a bare repository the Git server serves, and a work tree in a temporary
 * folder where a test edits files and commits (a merge), pushed over the file system.
 */
export class GitOpsRepo {
  readonly name: string;
  readonly work: string;
  private readonly bare: string;

  constructor(name: string) {
    this.name = name;
    this.bare = path.join(GITOPS, 'repos', `${name}.git`);
    rmSync(this.bare, { recursive: true, force: true });
    mkdirSync(this.bare, { recursive: true });
    git(this.bare, 'init', '--bare', '--quiet');
    this.work = mkdtempSync(path.join(tmpdir(), `govcloud-${name}-`));
    git(this.work, 'init', '--quiet');
  }

  /** The URL source-controller clones. */
  get url(): string {
    const port = readFileSync(path.join(GITOPS, 'ports', 'git-server'), 'utf8').trim();
    return `http://127.0.0.1:${port}/${this.name}.git`;
  }

  writeObject(rel: string, obj: Obj): void {
    this.writeText(rel, stringify(obj));
  }

  writeText(rel: string, text: string): void {
    mkdirSync(path.dirname(path.join(this.work, rel)), { recursive: true });
    writeFileSync(path.join(this.work, rel), text);
  }

  remove(rel: string): void {
    rmSync(path.join(this.work, rel), { recursive: true });
  }

  /** Commits everything and pushes it to the served repository's `branch` (main: a merge); returns the commit's hash. */
  commit(message: string, branch = 'main'): string {
    git(this.work, 'add', '--all');
    git(this.work, 'commit', '--quiet', '-m', message);
    git(this.work, 'push', '--quiet', this.bare, `HEAD:refs/heads/${branch}`);
    return git(this.work, 'rev-parse', 'HEAD');
  }

  /** Starts a pull request: a branch from main in the work tree. */
  branch(name: string): void {
    git(this.work, 'checkout', '--quiet', '-b', name, 'main');
  }

  /** Back on main as the server has it, the pull request's branch left unmerged. */
  abandon(name: string): void {
    git(this.work, 'checkout', '--quiet', '--force', 'main');
    git(this.work, 'branch', '--quiet', '-D', name);
  }

  /** The served repository's main branch. */
  head(): string {
    return git(this.bare, 'rev-parse', 'refs/heads/main');
  }

  /**
   * The template's GitHub workflow (samples/gitops/.github/workflows/govcloud.yaml) run here as
   * it ships: every step that runs govcloud, its shell as written, with the workflow's env
   * (GOVCLOUD is `node .govcloud/operator/bin/govcloud.ts`: this checkout is linked there, as the
   * workflow checks govcloud out) and the base branch fetched from the served repository as
   * origin. As on GitHub, after a failed step only the steps marked `!cancelled()` run. The
   * checkout, Node and comment steps are the hosting platform's and are not run.
   */
  runTemplateCheck(baseRef = 'main'): { name: string; code: number; output: string }[] {
    const workflow = parse(readFileSync(path.join(ROOT, 'samples', 'gitops', '.github', 'workflows', 'govcloud.yaml'), 'utf8')) as {
      env: Record<string, string>;
      jobs: { check: { steps: { name?: string; run?: string; if?: string }[] } };
    };
    const link = path.join(this.work, '.govcloud');
    rmSync(link, { force: true });
    symlinkSync(ROOT, link);
    writeFileSync(path.join(this.work, '.git', 'info', 'exclude'), '.govcloud\nplan.md\nplan.txt\n');
    if (!git(this.work, 'remote').split('\n').includes('origin')) git(this.work, 'remote', 'add', 'origin', this.bare);
    git(this.work, 'fetch', '--quiet', 'origin');
    const summary = path.join(this.work, '.git', 'step-summary.md');
    const env = {
      ...process.env,
      ...workflow.env,
      PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      GITHUB_STEP_SUMMARY: summary,
    };
    const results: { name: string; code: number; output: string }[] = [];
    let failed = false;
    for (const step of workflow.jobs.check.steps) {
      if (!step.run?.includes('$GOVCLOUD')) continue;
      if (failed && !step.if?.includes('!cancelled()')) continue;
      const run = spawnSync('bash', ['-e', '-c', step.run.replaceAll('${{ github.base_ref }}', baseRef)], { cwd: this.work, env, encoding: 'utf8' });
      results.push({ name: step.name ?? step.run, code: run.status ?? 1, output: `${run.stdout}${run.stderr}` });
      if (run.status !== 0) failed = true;
    }
    return results;
  }

  dispose(): void {
    rmSync(this.work, { recursive: true, force: true });
    rmSync(this.bare, { recursive: true, force: true });
  }
}

const GIT_REPOSITORIES = `/apis/source.toolkit.fluxcd.io/v1/namespaces/${FLUX_NAMESPACE}/gitrepositories`;
const KUSTOMIZATIONS = `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${FLUX_NAMESPACE}/kustomizations`;

/** The GitRepository and Kustomization of sync.yaml for this repository: its agencies/ applied as APPLIER, pruned, health-checked. */
export async function pointFluxAt(hub: Cluster, repo: GitOpsRepo): Promise<void> {
  const text = readFileSync(path.join(ROOT, 'e2e', 'gitops', 'sync.yaml'), 'utf8')
    .replaceAll('@NAME@', repo.name)
    .replaceAll('@URL@', repo.url);
  for (const doc of parseAllDocuments(text)) await hub.apply(doc.toJS() as Obj);
}

/** What `flux reconcile source git` does: asks source-controller to fetch now, not at its interval; returns the request's token. */
export async function requestFetch(hub: Cluster, repo: GitOpsRepo): Promise<string> {
  const token = new Date().toISOString();
  await hub.call(
    'PATCH',
    `${GIT_REPOSITORIES}/${repo.name}`,
    { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } },
    'application/merge-patch+json',
  );
  return token;
}

/** Until source-controller has handled the fetch request `token` (its status says so). */
export async function waitFetched(hub: Cluster, repo: GitOpsRepo, token: string): Promise<void> {
  await waitFor(
    `GitRepository ${repo.name} fetched (${token})`,
    async () =>
      ((await hub.call('GET', `${GIT_REPOSITORIES}/${repo.name}`)) as { status?: { lastHandledReconcileAt?: string } }).status?.lastHandledReconcileAt ===
      token,
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

export interface FluxCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
export type Kustomization = KubernetesObject & {
  status?: { conditions?: FluxCondition[]; lastAttemptedRevision?: string; lastAppliedRevision?: string; inventory?: { entries?: { id: string }[] } };
};

export async function kustomization(hub: Cluster, name: string): Promise<Kustomization | undefined> {
  try {
    return (await hub.call('GET', `${KUSTOMIZATIONS}/${name}`)) as Kustomization;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/**
 * Waits until the Kustomization has attempted `commit` and its Ready condition has `status`;
 * returns that condition. Flux names a revision `main@sha1:<hash>`.
 */
export async function waitKustomization(hub: Cluster, name: string, commit: string, status: 'True' | 'False', timeoutMs = 150_000): Promise<FluxCondition> {
  let last: Kustomization | undefined;
  return waitFor(
    `Kustomization ${name} at ${commit.slice(0, 8)}: Ready=${status}`,
    async () => {
      last = await kustomization(hub, name);
      const ready = last?.status?.conditions?.find((c) => c.type === 'Ready');
      return last?.status?.lastAttemptedRevision?.endsWith(commit) && ready?.status === status ? ready : undefined;
    },
    {
      timeoutMs,
      intervalMs: 500,
      describe: () =>
        `${JSON.stringify(last?.status ?? 'absent')}\n--- kustomize-controller:\n${fluxLogTail('kustomize-controller', 8)}\n--- source-controller:\n${fluxLogTail('source-controller', 8)}`,
    },
  );
}

export async function deleteFluxObjects(hub: Cluster, name: string): Promise<void> {
  await hub.request('DELETE', `${KUSTOMIZATIONS}/${name}`);
  await waitFor(`Kustomization ${name} deleted (its prune done)`, async () => !(await kustomization(hub, name)), { timeoutMs: 90_000 });
  await hub.request('DELETE', `${GIT_REPOSITORIES}/${name}`);
}
