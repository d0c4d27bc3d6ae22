/** Reading and validating the paths a command was given: shared by validate, plan, catalogue and connectivity. */
import { loadPaths, type LoadResult } from '../load/documents.ts';
import { formatProblem } from '../load/problem.ts';
import { formatWarning, summaryLine, validateLoaded, type ValidationResult } from '../validate/index.ts';
import { useColour, type Io } from './io.ts';
import { paint } from './table.ts';

/** The files and folders named, walked and read; the walk's problems come first. */
export function loadFiles(paths: readonly string[], io: Io): Promise<LoadResult> {
  return loadPaths(paths, io.cwd);
}

export async function loadAndValidate(paths: readonly string[], io: Io): Promise<ValidationResult> {
  return validateLoaded(await loadFiles(paths, io));
}

/** The problems on stdout: one JSON object (`--output json`), else the text of problemsText. */
export function printProblems(paths: readonly string[], result: ValidationResult, output: string | undefined, io: Io): void {
  if (output === 'json') io.stdout(JSON.stringify(problemsJson(paths, result), null, 2) + '\n');
  else io.stdout(problemsText(paths, result, useColour(io)));
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
