/**
 * Validation problems in the formats CI systems read: GitHub Actions workflow commands
 * (annotations on the pull request's files), SARIF 2.1.0 (code-scanning views) and JUnit
 * XML (GitLab's test report, and most others). Pure: problems in, text out.
 *
 * A problem of the file itself (it cannot be read, or is not YAML at all) has line 0; the
 * formats that need a line get line 1. Columns and ends are given where the problem has them
 * (the YAML node at fault).
 */
import type { Problem } from '../load/problem.ts';
import { formatProblem } from '../load/problem.ts';

export interface Findings {
  errors: readonly Problem[];
  warnings: readonly Problem[];
  /** Every file read, problems or not (JUnit lists each as a test case). */
  files: readonly string[];
}

/** The text of a problem without its place: what an annotation on that place says. */
function what(p: Problem): string {
  return [p.object, p.field, p.message].filter((s) => s !== undefined && s.length > 0).join(': ');
}

/** GitHub's escaping of a workflow command's message. */
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's escaping of a workflow command's property value: also `:` and `,`. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * The place as GitHub's properties. GitHub refuses columns on an annotation spanning lines,
 * so a node over several lines is given by its start (line and column) alone.
 */
function githubPlace(p: Problem): string[] {
  if (p.line <= 0) return [];
  const props = [`line=${p.line}`];
  if (p.column === undefined) return props;
  if (p.endLine === p.line && p.endColumn !== undefined) props.push(`endLine=${p.endLine}`);
  props.push(`col=${p.column}`);
  if (p.endLine === p.line && p.endColumn !== undefined) props.push(`endColumn=${p.endColumn}`);
  return props;
}

/** `::error file=…,line=…,endLine=…,col=…,endColumn=…,title=…::message`, one line per problem; warnings as `::warning`. */
export function githubAnnotations(f: Findings): string {
  const line = (level: 'error' | 'warning', p: Problem) => {
    const props = [`file=${escapeProperty(p.file)}`, ...githubPlace(p)];
    props.push(`title=${escapeProperty(p.object ? `govcloud: ${p.object}` : 'govcloud')}`);
    return `::${level} ${props.join(',')}::${escapeData(what(p))}\n`;
  };
  return [...f.errors.map((p) => line('error', p)), ...f.warnings.map((p) => line('warning', p))].join('');
}

/**
 * The rule a problem breaks, for grouping in code-scanning views: the kind and the field
 * (list indexes dropped), or `file` for a problem with the file itself.
 */
export function ruleIdOf(p: Problem): string {
  if (!p.object) return 'govcloud/file';
  const kind = p.object.split('/')[0] ?? p.object;
  const field = (p.field ?? '').replace(/\[\d+\]/g, '');
  return field ? `govcloud/${kind}/${field}` : `govcloud/${kind}`;
}

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function artifactUri(file: string): string {
  return file.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/** SARIF regions count as Place does: 1-based, the end column exclusive. */
function sarifRegion(p: Problem): Record<string, number> {
  const region: Record<string, number> = { startLine: Math.max(1, p.line) };
  if (p.line <= 0 || p.column === undefined) return region;
  region.startColumn = p.column;
  if (p.endLine !== undefined && p.endColumn !== undefined) {
    region.endLine = p.endLine;
    region.endColumn = p.endColumn;
  }
  return region;
}

export function sarifLog(f: Findings): unknown {
  const problems = [...f.errors.map((p) => ['error', p] as const), ...f.warnings.map((p) => ['warning', p] as const)];
  const ruleIds = [...new Set(problems.map(([, p]) => ruleIdOf(p)))].sort();
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'govcloud',
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: id === 'govcloud/file' ? 'the file can be read as YAML' : `${id.slice('govcloud/'.length)} is valid` },
            })),
          },
        },
        results: problems.map(([level, p]) => ({
          ruleId: ruleIdOf(p),
          ruleIndex: ruleIds.indexOf(ruleIdOf(p)),
          level,
          message: { text: what(p) },
          locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(p.file) }, region: sarifRegion(p) } }],
        })),
      },
    ],
  };
}

/** Text safe in XML 1.0 content and attribute values: escaped, and the characters XML forbids dropped. */
export function xmlText(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** One test case per file read (and per problem file named but not read), failing with its errors; warnings in system-out. */
export function junitXml(f: Findings): string {
  const files = [...new Set([...f.files, ...f.errors.map((p) => p.file), ...f.warnings.map((p) => p.file)])];
  const errorsOf = (file: string) => f.errors.filter((p) => p.file === file);
  const failures = files.filter((file) => errorsOf(file).length > 0).length;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="govcloud validate" tests="${files.length}" failures="${failures}" errors="0">`,
    `  <testsuite name="govcloud validate" tests="${files.length}" failures="${failures}" errors="0" skipped="0">`,
  ];
  for (const file of files) {
    const errors = errorsOf(file);
    const warnings = f.warnings.filter((p) => p.file === file);
    const open = `    <testcase classname="govcloud.validate" name="${xmlText(file)}" file="${xmlText(file)}"`;
    if (errors.length === 0 && warnings.length === 0) {
      out.push(`${open}/>`);
      continue;
    }
    out.push(`${open}>`);
    if (errors.length > 0) {
      const first = errors[0] as Problem;
      const message = errors.length === 1 ? formatProblem(first) : `${errors.length} errors, the first: ${formatProblem(first)}`;
      out.push(`      <failure message="${xmlText(message)}" type="invalid">${xmlText(errors.map(formatProblem).join('\n'))}</failure>`);
    }
    if (warnings.length > 0) out.push(`      <system-out>${xmlText(warnings.map((p) => `warning: ${formatProblem(p)}`).join('\n'))}</system-out>`);
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>', '');
  return out.join('\n');
}
