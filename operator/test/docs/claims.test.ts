// The docs name metrics, make targets, govcloud flags and the operator's RBAC; each name is
// checked against the code that defines it, so a rename or removal breaks this test instead
// of leaving a page that says something false.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadRbacRequirements } from '../../src/install/rbac.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { captureIo, EXIT } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { PlatformMetrics } from '../../src/controllers/metrics.ts';
import { RuntimeMetrics } from '../../src/runtime/metrics.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const read = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
const DOCS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Every occurrence of `pattern`'s first group in the docs, with where it was found. */
function mentions(pattern: RegExp): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const doc of DOCS) {
    read(doc)
      .split('\n')
      .forEach((line, i) => {
        for (const m of line.matchAll(pattern)) found.set(m[1]!, [...(found.get(m[1]!) ?? []), `${doc}:${i + 1}`]);
      });
  }
  return found;
}

async function registeredMetrics(): Promise<Set<string>> {
  const runtime = new RuntimeMetrics();
  new PlatformMetrics(runtime);
  const text = (await runtime.render()) + (await runtime.renderAgencies());
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

const METRIC = /\b((?:govcloud|controller_runtime|workqueue|rest_client|leader_election)_[a-z_]*[a-z])\b/g;

test('every metric the docs name is one the operator registers', async () => {
  const registered = await registeredMetrics();
  const named = mentions(METRIC);
  assert.ok(named.size >= 10, `the docs name ${named.size} metrics: the pattern finds them`);
  const unknown = [...named].filter(([name]) => !registered.has(name)).map(([name, where]) => `${name} (${where.join(', ')})`);
  assert.equal(unknown, [], 'metrics in the docs that the code does not register');
});

test('every govcloud_* metric the operator registers is documented in operations.md', async () => {
  const documented = new Set([...read('docs/operations.md').matchAll(METRIC)].map((m) => m[1]!));
  const undocumented = [...(await registeredMetrics())].filter((name) => name.startsWith('govcloud_') && !documented.has(name));
  assert.equal(undocumented, []);
});

function makeTargets(): Set<string> {
  const files = [
    'Makefile',
    ...readdirSync(path.join(ROOT, 'mk'))
      .filter((f) => f.endsWith('.mk'))
      .map((f) => `mk/${f}`),
  ];
  return new Set(files.flatMap((f) => [...read(f).matchAll(/^([a-zA-Z0-9_-]+):(?!=)/gm)].map((m) => m[1]!)));
}

test('every `make X` in the docs is a target of the Makefile or mk/*.mk', () => {
  const targets = makeTargets();
  assert.ok(targets.has('unit') && targets.has('e2e'), 'the target pattern reads the Makefiles');
  // A command in backticks (`make up`, `BENCH_AGENCIES=1000 make bench`) or on a line of its own.
  const named = new Map([...mentions(/`(?:[A-Z_]+=\S+ )*make ([a-z][a-zA-Z0-9_-]*)/g), ...mentions(/^\s*(?:[A-Z_]+=\S+\s+)*make ([a-z][a-zA-Z0-9_-]*)/g)]);
  assert.ok(named.size >= 10, `the docs name ${named.size} targets: the pattern finds them`);
  const unknown = [...named].filter(([target]) => !targets.has(target)).map(([target, where]) => `make ${target} (${where.join(', ')})`);
  assert.equal(unknown, [], 'make targets in the docs that no Makefile defines');
});

/**
 * The flags the docs give a govcloud command: on a line that runs it (`govcloud plan ... --output`,
 * `node dist/govcloud.js operator --kubeconfig ...`), and in operations.md's table of the
 * operator's flags.
 */
function documentedFlags(): Map<string, string[]> {
  const commands = COMMANDS.map((c) => c.name).join('|');
  const invocation = new RegExp(`govcloud(?:\\.ts|\\.js)? (${commands})\\b(.*)$`);
  const found = new Map<string, string[]>();
  const add = (command: string, flag: string, where: string) => found.set(`${command} ${flag}`, [...(found.get(`${command} ${flag}`) ?? []), where]);
  for (const doc of DOCS) {
    read(doc)
      .split('\n')
      .forEach((line, i) => {
        const m = invocation.exec(line);
        if (m) for (const f of m[2]!.matchAll(/(?<![\w-])(--[a-z][a-z-]*)/g)) add(m[1]!, f[1]!, `${doc}:${i + 1}`);
      });
  }
  const operations = read('docs/operations.md');
  const table = operations.slice(operations.indexOf('### Flags and environment'));
  const rows = table
    .slice(0, table.search(/\n\n(?!\|)/))
    .split('\n')
    .filter((l) => l.startsWith('| `--'));
  assert.ok(rows.length >= 5, 'operations.md has its table of the operator flags');
  for (const row of rows) add('operator', /^\| `(--[a-z-]+)/.exec(row)![1]!, 'docs/operations.md (flags table)');
  return found;
}

/**
 * Whether `govcloud <command>` knows the flag, asked of the real dispatcher (cli/main.ts, which
 * answers --help itself): the flag, then an option nobody knows. The command's parser stops at
 * the first option it does not know (a usage error before the command does anything), so
 * "unknown option --flag" means the docs name a flag the command lacks.
 */
async function knows(command: string, flag: string): Promise<boolean> {
  const io = captureIo({ cwd: ROOT });
  const code = await main([command, flag, '--not-a-govcloud-option'], io);
  assert.ok(code === EXIT.ok || code === EXIT.usage, `govcloud ${command} ${flag}: exit ${code}: ${io.err()}`);
  return !new RegExp(`unknown option ${flag}(?![\\w-])`).test(io.err());
}

test('every govcloud flag the docs name is one its command accepts', async () => {
  const flags = documentedFlags();
  assert.ok(flags.size >= 8, `the docs name ${flags.size} flags: the patterns find them`);
  assert.not.ok(await knows('validate', '--no-such-flag'), 'the probe tells an unknown flag');
  const unknown: string[] = [];
  for (const [key, where] of flags) {
    const [command, flag] = key.split(' ') as [string, string];
    if (!(await knows(command, flag))) unknown.push(`govcloud ${command} ${flag} (${where.join(', ')})`);
  }
  assert.equal(unknown, [], 'flags in the docs that the command does not accept');
});

test("install.md's table of the operator's RBAC names every resource of rbac-requirements.yaml", () => {
  const doc = read('docs/install.md');
  const rbac = loadRbacRequirements();
  // The govcloud.dev kinds are one row ("`govcloud.dev` kinds"); every other resource and
  // every name a rule is limited to is spelled out.
  const names = [...rbac.clusterRules, ...rbac.namespaceRules].flatMap((r) =>
    r.apiGroups.includes('govcloud.dev') ? ['`govcloud.dev` kinds'] : [...r.resources.map((x) => x.split('/')[0]!), ...(r.resourceNames ?? [])],
  );
  const missing = [...new Set(names)].filter((n) => !doc.includes(n));
  assert.equal(missing, [], 'in rbac-requirements.yaml, not in docs/install.md');
});

test.run();
