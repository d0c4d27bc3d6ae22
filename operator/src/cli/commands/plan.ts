/**
 * `govcloud plan PATH...`: validates, then renders the platform as the operator would and
 * shows what it would create in each data centre. Pure preview: nothing is applied.
 */
import { stringify } from 'yaml';
import { formatProblem, type Problem } from '../../load/problem.ts';
import type { PlatformObject } from '../../model/rules.ts';
import { renderPlatform, stillIn, type PlatformRender, type RenderIssue } from '../../render/index.ts';
import type { ValidationResult } from '../../validate/index.ts';
import { parseNow, parseOptions } from '../args.ts';
import { loadAndValidate, printProblems } from '../check.ts';
import { UsageError, type Command } from '../command.ts';
import { EXIT, useColour } from '../io.ts';
import { planAgainstBase } from './plan-base.ts';
import { paint, renderTable, type Column } from '../table.ts';

export const planCommand: Command = {
  name: 'plan',
  usage: `Usage: govcloud plan PATH... [--output table|yaml|json] [--data-centre NAME] [--now RFC3339]
       govcloud plan --base REF_OR_DIR PATH... [--output table|markdown|json] [--data-centre NAME] [--now RFC3339]

Validates the files and folders given (as govcloud validate does; invalid input prints the
problems and exits 1 without a plan), then renders the platform with the operator's own
renderers: namespaces, quotas, RBAC, network policies and service deployments per data
centre, and the issues where something asked for cannot be rendered.

With --base, the change a pull request makes: the same PATHs read at the base (a git ref of
the repository in the working folder, exported with git; or a folder holding the base
checkout, the PATHs read relative to it) and now, both rendered at the same time. Shows the
govcloud records added, changed and removed; per data centre the objects added, changed
(field by field) and removed, and the quota placed against the capacity offered; and the
access opened and closed: each path (source workspace or network → service or network,
port) the connectivity evaluator finds open after and not before, or before and not after,
with the records that justify it (link pair, request and grant, default sharing) and the
window where all of them are valid. A PATH that does not exist at the base is empty there.

Options:
  --base REF_OR_DIR          compare with the base: a git ref (main, origin/main, a commit)
                             or a folder
  --output table|yaml|json   table (default): objects per data centre and kind, then issues;
                             yaml: every object, one YAML stream with a comment per data centre;
                             json: one object {now, dataCentres: {name: [objects]}, issues}
                             markdown (with --base): a pull-request comment, the summary
                             first and the details folded in <details>
  --data-centre NAME         only this data centre
  --now RFC3339              the time validity windows are judged at (default: now), e.g.
                             2026-01-01T00:00:00Z for a reproducible preview

Exit codes: 0 planned, 1 invalid input or a base that cannot be read, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      output: { value: true, choices: ['table', 'yaml', 'json', 'markdown'], short: 'o' },
      'data-centre': { value: true },
      now: { value: true },
      base: { value: true },
    });
    if (positionals.length === 0) throw new UsageError('name at least one file or folder');
    const now = parseNow(values.now as string | undefined);
    const output = (values.output as string | undefined) ?? 'table';
    const only = values['data-centre'] as string | undefined;
    const base = values.base as string | undefined;
    if (base !== undefined) return planAgainstBase(base, positionals, output, only, now, io);
    if (output === 'markdown') throw new UsageError('--output markdown goes with --base');

    const result = await loadAndValidate(positionals, io);
    if (result.errors.length > 0) {
      printProblems(positionals, result, output, io);
      return EXIT.invalid;
    }

    const rendered = renderPlatform(result.platform, now);
    let perDataCentre = rendered.perDataCentre;
    let issues = rendered.issues;
    if (only !== undefined) {
      if (!perDataCentre.some((d) => d.dataCentre === only)) {
        const known = perDataCentre.map((d) => d.dataCentre).join(', ') || 'none';
        throw new UsageError(`no data centre named "${only}" (known: ${known})`);
      }
      perDataCentre = perDataCentre.filter((d) => d.dataCentre === only);
      issues = issues.filter((i) => i.dataCentre === undefined || i.dataCentre === only);
    }
    const plan: PlatformRender = { ...rendered, perDataCentre, issues };

    if (output === 'json') io.stdout(JSON.stringify(planJson(plan, now, result), null, 2) + '\n');
    else if (output === 'yaml') io.stdout(planYaml(positionals, plan, now, result));
    else io.stdout(planTable(positionals, plan, now, result, useColour(io)));
    return EXIT.ok;
  },
};

/** An issue as a problem line, pointing at the field of the object that asked. */
export function issueProblem(issue: RenderIssue, result: ValidationResult): Problem {
  const object = findObject(result, issue.owner);
  const doc = object ? result.sourceOf.get(object) : undefined;
  const path = issue.field ? fieldParts(issue.field) : [];
  const message = issue.dataCentre ? `${issue.message} (in ${issue.dataCentre})` : issue.message;
  const p: Problem = {
    file: doc?.file ?? '(rendered)',
    ...(doc ? doc.placeOf(path) : { line: 0 }),
    object: `${issue.owner.kind}/${issue.owner.name}`,
    message,
  };
  if (issue.field) p.field = issue.field;
  return p;
}

function findObject(result: ValidationResult, owner: RenderIssue['owner']): PlatformObject | undefined {
  const p = result.platform;
  const all: PlatformObject[] = [...p.dataCentres, ...p.agencies, ...p.links, ...p.services, ...p.requests, ...p.grants];
  return all.find((o) => o.kind === owner.kind && o.metadata.name === owner.name && (o.metadata.namespace ?? undefined) === (owner.namespace ?? undefined));
}

function fieldParts(field: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) parts.push(m[2] !== undefined ? Number(m[2]) : m[1]!);
  return parts;
}

function planTable(paths: readonly string[], plan: PlatformRender, now: Date, result: ValidationResult, colour: boolean): string {
  const dcs = plan.perDataCentre;
  // Kinds in the order first met; one pass over the objects, which are hundreds of thousands at national scale.
  const counts = new Map<string, Map<string, number>>();
  for (const d of dcs) {
    for (const o of d.objects) {
      let perDc = counts.get(o.kind);
      if (perDc === undefined) counts.set(o.kind, (perDc = new Map<string, number>()));
      perDc.set(d.dataCentre, (perDc.get(d.dataCentre) ?? 0) + 1);
    }
  }
  const kinds = [...counts.keys()];
  const countOf = (dc: string, kind: string) => counts.get(kind)?.get(dc) ?? 0;
  const columns: Column[] = [{ header: 'KIND' }, ...dcs.map((d) => ({ header: d.dataCentre, align: 'right' as const }))];
  if (dcs.length > 1) columns.push({ header: 'TOTAL', align: 'right' });
  const rows = kinds.map((kind) => {
    const counts = dcs.map((d) => countOf(d.dataCentre, kind));
    const cells = [kind, ...counts.map(String)];
    if (dcs.length > 1) cells.push(String(counts.reduce((a, b) => a + b, 0)));
    return cells;
  });
  const totals = dcs.map((d) => d.objects.length);
  const totalRow = ['all objects', ...totals.map(String)];
  if (dcs.length > 1) totalRow.push(String(totals.reduce((a, b) => a + b, 0)));
  rows.push(totalRow);

  const total = totals.reduce((a, b) => a + b, 0);
  const out: string[] = [];
  out.push(
    paint(`Plan for ${paths.join(' ')} at ${now.toISOString()}: ${total} objects in ${dcs.length} data centre${dcs.length === 1 ? '' : 's'}`, 'bold', colour) +
      '\n\n',
  );
  out.push(renderTable(columns, rows, { colour }));
  const warnings = result.warnings.length;
  if (warnings > 0) out.push(`\n${warnings} validation warning${warnings === 1 ? '' : 's'} (govcloud validate shows them)\n`);
  if (plan.issues.length > 0) {
    out.push(`\n${paint(`Issues (${plan.issues.length}): what was asked for but is not rendered`, 'bold', colour)}\n`);
    for (const issue of plan.issues) out.push(paint(formatProblem(issueProblem(issue, result)), 'yellow', colour) + '\n');
  } else {
    out.push('\nNo issues.\n');
  }
  if (plan.nextChange) out.push(`Next change: ${plan.nextChange.toISOString()} (a validity window opens or closes; the operator renders again then)\n`);
  const draining = cordoned(result, plan);
  if (draining.length > 0) {
    out.push(`\n${paint('Cordoned (draining): what is still there', 'bold', colour)}\n`);
    for (const d of draining) {
      const left = [d.agencies.length > 0 ? `agencies ${d.agencies.join(', ')}` : '', d.services.length > 0 ? `services ${d.services.join(', ')}` : ''].filter(
        Boolean,
      );
      out.push(`${d.dataCentre}: ${left.join('; ') || 'nothing placed (moved agencies keep their namespaces there until spec.confirmedMoves names them)'}\n`);
    }
  }
  return out.join('');
}

function planYaml(paths: readonly string[], plan: PlatformRender, now: Date, result: ValidationResult): string {
  const out: string[] = [`# govcloud plan for ${paths.join(' ')} at ${now.toISOString()}\n`];
  if (plan.nextChange) out.push(`# next change: ${plan.nextChange.toISOString()}\n`);
  for (const issue of plan.issues) out.push(`# issue: ${formatProblem(issueProblem(issue, result)).replace(/\n/g, ' ')}\n`);
  for (const d of plan.perDataCentre) {
    out.push(`# data centre ${d.dataCentre}: ${d.objects.length} object${d.objects.length === 1 ? '' : 's'}\n`);
    for (const o of d.objects) out.push('---\n' + stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }));
  }
  return out.join('');
}

function planJson(plan: PlatformRender, now: Date, result: ValidationResult) {
  const draining = cordoned(result, plan);
  return {
    now: now.toISOString(),
    ...(plan.nextChange ? { nextChange: plan.nextChange.toISOString() } : {}),
    dataCentres: Object.fromEntries(plan.perDataCentre.map((d) => [d.dataCentre, d.objects])),
    issues: plan.issues,
    ...(draining.length > 0 ? { cordoned: Object.fromEntries(draining.map(({ dataCentre, ...left }) => [dataCentre, left])) } : {}),
  };
}

/** The cordoned data centres of the plan, each with the agencies and services still placed there. */
function cordoned(result: ValidationResult, plan: PlatformRender): { dataCentre: string; agencies: string[]; services: string[] }[] {
  const shown = new Set(plan.perDataCentre.map((d) => d.dataCentre));
  return result.platform.dataCentres
    .filter((dc) => dc.spec.cordoned === true && shown.has(dc.metadata.name))
    .map((dc) => ({ dataCentre: dc.metadata.name, ...stillIn(result.platform, dc.metadata.name) }))
    .sort((a, b) => (a.dataCentre < b.dataCentre ? -1 : a.dataCentre > b.dataCentre ? 1 : 0));
}
