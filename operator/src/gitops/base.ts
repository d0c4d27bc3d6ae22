/**
 * The base of a pull request, as files: a folder (another checkout, for example the target
 * branch checked out by CI), or a git ref of the repository the command runs in, whose tree
 * is exported with `git archive` into a temporary folder. Local git only: nothing is fetched.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Base {
  /** As given on the command line. */
  label: string;
  /** The commit, when the base is a git ref. */
  commit?: string;
  /** The folder the PATHs are read from at the base (relative paths resolve against it). */
  cwd: string;
  /** Removes what was exported; a no-op for a folder. */
  dispose(): Promise<void>;
}

/** The base cannot be read: the message says what was given and why. */
export class BaseError extends Error {
  override name = 'BaseError';
}

export async function openBase(refOrDir: string, cwd: string): Promise<Base> {
  const dir = resolve(cwd, refOrDir);
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory()) return { label: refOrDir, cwd: dir, dispose: async () => {} };
  if (info) throw new BaseError(`--base ${refOrDir}: a file, not a folder or a git ref`);
  return exportRef(refOrDir, cwd);
}

async function exportRef(ref: string, cwd: string): Promise<Base> {
  if (ref.startsWith('-')) throw new BaseError(`--base ${ref}: not a folder, and a git ref does not start with "-"`);
  const top = await git(['rev-parse', '--show-toplevel'], cwd);
  if (top.code !== 0) throw new BaseError(`--base ${ref}: no folder of that name, and ${cwd} is not in a git repository to read a ref from`);
  const commit = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], cwd);
  if (commit.code !== 0)
    throw new BaseError(
      `--base ${ref}: no folder of that name, and no commit of that name in the git repository at ${top.out.trim()} (a branch not fetched yet? CI checkouts are often shallow: fetch the base branch first)`,
    );
  const prefix = (await git(['rev-parse', '--show-prefix'], cwd)).out.trim();
  const sha = commit.out.trim();
  const tmp = await mkdtemp(join(tmpdir(), 'govcloud-base-'));
  const dispose = () => rm(tmp, { recursive: true, force: true });
  try {
    // From the top: run in a sub-folder, git archive would export only that sub-folder.
    await archive(sha, top.out.trim(), tmp);
  } catch (err) {
    await dispose();
    throw new BaseError(`--base ${ref}: cannot export commit ${sha.slice(0, 12)}: ${(err as Error).message}`);
  }
  return { label: ref, commit: sha, cwd: join(tmp, prefix), dispose };
}

function git(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => done({ code: 127, out: '', err: e.message }));
    child.on('close', (code) => done({ code: code ?? 1, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') }));
  });
}

/** `git archive COMMIT | tar -x -C into`: the whole tree at the commit. */
function archive(commit: string, cwd: string, into: string): Promise<void> {
  return new Promise((done, fail) => {
    const source = spawn('git', ['archive', '--format=tar', commit], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const sink = spawn('tar', ['-x', '-f', '-', '-C', into], { stdio: ['pipe', 'ignore', 'pipe'] });
    const errors: string[] = [];
    source.stderr.on('data', (b: Buffer) => errors.push(b.toString('utf8')));
    sink.stderr.on('data', (b: Buffer) => errors.push(b.toString('utf8')));
    source.on('error', fail);
    sink.on('error', fail);
    source.stdout.pipe(sink.stdin);
    let pending = 2;
    let failed = false;
    const finish = (code: number | null) => {
      if (code !== 0) failed = true;
      if (--pending > 0) return;
      if (failed) fail(new Error(errors.join(' ').trim().split('\n')[0] || 'git archive or tar failed'));
      else done();
    };
    source.on('close', finish);
    sink.on('close', finish);
  });
}
