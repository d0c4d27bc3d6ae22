/** `govcloud gitops codeowners`: what the hosting platform needs to make owners review their folders. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { codeowners, CodeownersError, isHandle, type HandleRules } from '../../gitops/codeowners.ts';
import { validateLoaded } from '../../validate/index.ts';
import { checkOwners, layoutPath } from '../../validate/owners.ts';
import { parseOptions } from '../args.ts';
import { loadFiles, printProblems } from '../check.ts';
import { InputError, UsageError, type Command } from '../command.ts';
import { EXIT } from '../io.ts';

export const gitopsCommand: Command = {
  name: 'gitops',
  usage: `Usage: govcloud gitops codeowners PATH... --platform HANDLE[,HANDLE...] [--org ORG] [--map FILE] [--check FILE]

Writes CODEOWNERS for a repository in the govcloud layout (govcloud validate --owners; run
from the repository root) to stdout: the platform engineers own everything, platform/ and
each Agency object's own file; agencies/<name>/ belongs to that agency's admin groups
(spec.groups.admins). GitHub and GitLab then require the owners' review: a grant by the
provider's admins, each link half by its own agency. The input must be valid and in the
layout; problems are printed as govcloud validate prints them.

Owner handles: an admin group G becomes @ORG/G (a GitHub team or GitLab group under ORG),
unless --map names it.

Options:
  --platform HANDLE,...   the platform engineers' handles (@gov/platform-engineers)
  --org ORG               handle of an admin group G: @ORG/G
  --map FILE              YAML: group name → handle or list of handles; wins over --org
  --check FILE            compare with FILE instead of printing: exit 1 when it differs
                          (a CI step that keeps CODEOWNERS in step with the Agencies)

Exit codes: 0 written (or up to date), 1 invalid input, a group without a handle, or
--check found a difference, 2 bad command line.
`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub !== 'codeowners') throw new UsageError(sub === undefined ? 'name a subcommand: codeowners' : `no subcommand "${sub}" (known: codeowners)`);
    const { values, positionals } = parseOptions(rest, { platform: { value: true }, org: { value: true }, map: { value: true }, check: { value: true } });
    if (positionals.length === 0) throw new UsageError('name at least one file or folder');
    const platform = ((values.platform as string | undefined) ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h.length > 0);
    if (platform.length === 0) throw new UsageError('--platform HANDLE: who owns platform/ and the Agency objects');
    for (const h of platform) if (!isHandle(h)) throw new UsageError(`--platform: "${h}" is not a handle (@user, @org/team or an e-mail address)`);
    const org = values.org as string | undefined;
    if (org !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/.test(org))
      throw new UsageError(`--org: "${org}" is not an organisation or group path`);
    const rules: HandleRules = { platform };
    if (org !== undefined) rules.org = org;
    if (values.map !== undefined) rules.map = await readMap(resolve(io.cwd, values.map as string), values.map as string);

    const load = await loadFiles(positionals, io);
    const result = validateLoaded(load);
    result.errors.push(...checkOwners(load, result.platform));
    if (result.errors.length > 0) {
      printProblems(positionals, result, 'text', io);
      return EXIT.invalid;
    }
    let text: string;
    try {
      text = codeowners(result.platform.agencies, (a) => layoutPath(result.sourceOf.get(a)?.file ?? ''), rules);
    } catch (err) {
      if (err instanceof CodeownersError) throw new InputError(err.message);
      throw err;
    }
    const check = values.check as string | undefined;
    if (check === undefined) {
      io.stdout(text);
      return EXIT.ok;
    }
    const current = await readFile(resolve(io.cwd, check), 'utf8').catch(() => undefined);
    if (current === text) {
      io.stdout(`${check} is up to date\n`);
      return EXIT.ok;
    }
    io.stdout(
      `${check} ${current === undefined ? 'is missing' : 'differs from what the Agency objects say'}: regenerate it with the same command without --check, and commit it\n`,
    );
    return EXIT.invalid;
  },
};

async function readMap(path: string, given: string): Promise<Map<string, string[]>> {
  let value: unknown;
  try {
    value = parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InputError(`--map ${given}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message.split('\n')[0]}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InputError(`--map ${given}: a mapping of group name to handle or list of handles`);
  const map = new Map<string, string[]>();
  for (const [group, handles] of Object.entries(value)) {
    const list = Array.isArray(handles) ? handles : [handles];
    for (const h of list)
      if (typeof h !== 'string' || !isHandle(h))
        throw new InputError(`--map ${given}: group "${group}": ${JSON.stringify(h)} is not a handle (@user, @org/team or an e-mail address)`);
    map.set(group, list as string[]);
  }
  return map;
}
