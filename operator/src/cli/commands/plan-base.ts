/**
 * `govcloud plan --base REF_OR_DIR PATH...`: the same PATHs read at the base and now, and
 * what the change does (gitops/plan-diff.ts), as a table, a pull-request comment or JSON.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { BaseError, openBase } from '../../gitops/base.ts';
import { planDiff, type PlanDiff } from '../../gitops/plan-diff.ts';
import { boundedMarkdown } from '../../gitops/bounded-markdown.ts';
import { fencedBlock, planDiffJson, planDiffMarkdown, planDiffTable, type BaseInfo } from '../../gitops/report.ts';
import { loadPaths, type ParsedFiles } from '../../load/documents.ts';
import type { Problem } from '../../load/problem.ts';
import type { Classified } from '../../validate/document.ts';
import { validateLoaded, type ValidationResult } from '../../validate/index.ts';
import { printProblems, problemsText } from '../check.ts';
import { InputError, UsageError } from '../command.ts';
import { EXIT, type Io } from '../io.ts';

export async function planAgainstBase(ref: string, paths: string[], output: string, only: string | undefined, now: Date, io: Io): Promise<number> {
  if (output === 'yaml') throw new UsageError('--base shows a change: --output table, markdown or json');
  // The base is read at the same relative paths: a path outside the working folder would read the same files twice, or files outside the base.
  const basePaths = paths.map((p) => relative(io.cwd, resolve(io.cwd, p)) || '.');
  const outside = paths.find((_, i) => basePaths[i]!.startsWith('..') || isAbsolute(basePaths[i]!));
  if (outside !== undefined)
    throw new UsageError(`with --base, name paths inside the working folder (${outside} is not): they are read at the same place in the base`);
  // The base's files that the change leaves alone are parsed and checked once, for both sides.
  const parsed: ParsedFiles = new Map();
  const classified = new WeakMap<object, Classified>();
  const head = validateLoaded(await loadPaths(paths, io.cwd, parsed), { classified });
  if (head.errors.length > 0) {
    if (output === 'markdown') {
      const text = problemsText(paths, head, false).trimEnd().split('\n');
      const title = `### govcloud plan: invalid, ${head.errors.length} error${head.errors.length === 1 ? '' : 's'}`;
      io.stdout(boundedMarkdown([title, ''], [fencedBlock('the problems', undefined, '', text, 0)]));
    } else printProblems(paths, head, output, io);
    return EXIT.invalid;
  }
  let opened;
  try {
    opened = await openBase(ref, io.cwd);
  } catch (err) {
    if (err instanceof BaseError) throw new InputError(err.message);
    throw err;
  }
  let baseResult: ValidationResult;
  try {
    const loaded = await loadPaths(basePaths, opened.cwd, parsed);
    // A folder this change adds is empty at the base, not an error; none of them there is a wrong base.
    const missing = (p: Problem) => p.message === 'no such file or folder' && basePaths.includes(p.file);
    if (basePaths.every((path) => loaded.problems.some((p) => missing(p) && p.file === path))) {
      throw new InputError(
        `--base ${ref}: none of ${paths.join(' ')} is there (read relative to ${opened.commit ? 'the same folder of the commit' : 'the base folder'})`,
      );
    }
    loaded.problems = loaded.problems.filter((p) => !missing(p));
    baseResult = validateLoaded(loaded, { classified });
  } finally {
    await opened.dispose();
  }
  const info: BaseInfo = { label: ref, errors: baseResult.errors.length };
  if (opened.commit) info.commit = opened.commit;
  let diff = planDiff(baseResult.platform, head.platform, now);
  if (only !== undefined) diff = onlyDataCentre(diff, only);
  if (output === 'json') io.stdout(JSON.stringify(planDiffJson(diff, info), null, 2) + '\n');
  else if (output === 'markdown') io.stdout(planDiffMarkdown(diff, info, paths));
  else io.stdout(planDiffTable(diff, info, paths));
  return EXIT.ok;
}

function onlyDataCentre(diff: PlanDiff, name: string): PlanDiff {
  if (!diff.dataCentres.some((d) => d.dataCentre === name)) {
    const known = diff.dataCentres.map((d) => d.dataCentre).join(', ') || 'none';
    throw new UsageError(`no data centre named "${name}" (known: ${known})`);
  }
  const touches = (p: { dataCentre: string }) => p.dataCentre === name || p.dataCentre.startsWith(`${name} → `) || p.dataCentre.endsWith(` → ${name}`);
  return {
    ...diff,
    dataCentres: diff.dataCentres.filter((d) => d.dataCentre === name),
    access: {
      opened: diff.access.opened.filter(touches),
      closed: diff.access.closed.filter(touches),
      changed: diff.access.changed.filter((c) => touches(c.after)),
    },
    issues: {
      added: diff.issues.added.filter((i) => i.dataCentre === undefined || i.dataCentre === name),
      resolved: diff.issues.resolved.filter((i) => i.dataCentre === undefined || i.dataCentre === name),
    },
  };
}
