/** `govcloud validate PATH...`: the offline checks the API server makes, plus the rules across objects. */
import { parseOptions } from '../args.ts';
import { loadAndValidate, printProblems } from '../check.ts';
import { UsageError, type Command } from '../command.ts';
import { EXIT } from '../io.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check YAML files and folders offline: schema, CEL rules, rules across objects',
  usage: `Usage: govcloud validate PATH... [--output text|json]

Checks every govcloud.dev object in the files and folders given (folders are walked;
entries named in a folder's .govcloudignore are skipped): apiVersion and kind, name and
hub namespace, the schema and the CEL rules the API server checks, then the rules across
objects: unique names and codes, references, placement and accreditation, capacity, link
consent and encryption, requests and grants. Other Kubernetes objects are counted, not
checked.

Prints each problem as file:line: Kind/name: field: message, then warnings (they do not
fail), then a summary line.

Options:
  --output text|json   text (default) or one JSON object with errors and warnings

Exit codes: 0 valid (warnings allowed), 1 problems found, 2 bad command line.
`,
  async run(argv, io) {
    const { values, positionals } = parseOptions(argv, { output: { value: true, choices: ['text', 'json'], short: 'o' } });
    if (positionals.length === 0) throw new UsageError('name at least one file or folder');
    const result = await loadAndValidate(positionals, io);
    printProblems(positionals, result, values.output as string | undefined, io);
    return result.errors.length > 0 ? EXIT.invalid : EXIT.ok;
  },
};
