/** `govcloud validate PATH...`: the offline checks the API server makes, plus the rules across objects. */
import { githubAnnotations, junitXml, sarifLog, type Findings } from '../../validate/formats.ts';
import { compareByPlace, validateLoaded } from '../../validate/index.ts';
import { checkOwners } from '../../validate/owners.ts';
import { parseOptions } from '../args.ts';
import { loadFiles, printProblems } from '../check.ts';
import { UsageError, type Command } from '../command.ts';
import { EXIT } from '../io.ts';

export const validateCommand: Command = {
  name: 'validate',
  usage: `Usage: govcloud validate PATH... [--output text|json|github|sarif|junit] [--owners]

Checks every govcloud.dev object in the files and folders given (folders are walked;
entries named in a folder's .govcloudignore are skipped): apiVersion and kind, name and
hub namespace, the schema and the CEL rules the API server checks, then the rules across
objects: unique names and codes, references, placement and accreditation, capacity, link
consent and encryption, requests and grants. Other Kubernetes objects are counted, not
checked.

Prints each problem as file:line: Kind/name: field: message, then warnings (they do not
fail), then a summary line.

Options:
  --output FORMAT   text (default); json: one object with errors and warnings;
                    github: GitHub Actions annotations (::error file=…,line=…::…);
                    sarif: SARIF 2.1.0 for code-scanning views;
                    junit: JUnit XML, one test case per file (GitLab's test report)
  --owners          also check the GitOps layout (run from the repository root):
                    platform/ holds the DataCentres; agencies/<name>/ holds agency <name>'s
                    Agency object (in a file of its own) and the objects of its hub
                    namespace govcloud-<name> and workspaces. Refused: an object in another
                    owner's folder or outside the layout, an AccessGrant for a service the
                    folder's agency does not own. See docs/gitops.md.

Exit codes: 0 valid (warnings allowed), 1 problems found, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, {
      output: { value: true, choices: ['text', 'json', 'github', 'sarif', 'junit'], short: 'o' },
      owners: {},
    });
    if (positionals.length === 0) throw new UsageError('name at least one file or folder');
    const load = await loadFiles(positionals, io);
    const result = validateLoaded(load);
    if (values.owners === true) {
      result.errors.push(...checkOwners(load, result.platform));
      result.errors.sort(compareByPlace);
    }
    const findings: Findings = { errors: result.errors, warnings: result.warnings, files: load.files };
    const output = values.output as string | undefined;
    if (output === 'github') io.stdout(githubAnnotations(findings));
    else if (output === 'sarif') io.stdout(JSON.stringify(sarifLog(findings), null, 2) + '\n');
    else if (output === 'junit') io.stdout(junitXml(findings));
    else printProblems(positionals, result, output, io);
    return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
  },
};
