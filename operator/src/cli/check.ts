/** Reading and validating the paths a command was given: shared by validate and plan. */
import { loadPaths } from '../load/documents.ts';
import { formatProblem } from '../load/problem.ts';
import { formatWarning, summaryLine, validateLoaded, type ValidationResult } from '../validate/index.ts';
import { expandPaths } from './files.ts';
import type { Io } from './io.ts';
import { paint } from './table.ts';

export async function loadAndValidate(paths: readonly string[], io: Io): Promise<ValidationResult> {
  const expanded = await expandPaths(paths, io.cwd);
  const loaded = await loadPaths(expanded.files, io.cwd);
  loaded.problems.unshift(...expanded.problems);
  return validateLoaded(loaded);
}

/** Problems, then warnings, then the summary line: the text a pull-request check shows. */
export function problemsText(paths: readonly string[], result: ValidationResult, colour: boolean): string {
  const lines = [
    ...result.errors.map((p) => paint(formatProblem(p), 'red', colour)),
    ...result.warnings.map((p) => paint(formatWarning(p), 'yellow', colour)),
    paint(summaryLine(paths, result), result.errors.length > 0 ? 'red' : 'green', colour),
  ];
  return lines.map((l) => l + '\n').join('');
}

export function problemsJson(paths: readonly string[], result: ValidationResult) {
  return {
    paths,
    valid: result.errors.length === 0,
    files: result.counts.files,
    objects: result.counts.objects,
    kinds: result.counts.byKind,
    otherObjects: result.counts.other,
    errors: result.errors,
    warnings: result.warnings,
  };
}
