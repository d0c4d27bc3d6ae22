/** The dispatcher: help, usage errors, unknown commands, internal errors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Command, CommandEntry } from '../../src/cli/command.ts';
import { UsageError } from '../../src/cli/command.ts';
import { COMMANDS } from '../../src/cli/commands/index.ts';
import { captureIo, EXIT, useColour } from '../../src/cli/io.ts';
import { main, usage } from '../../src/cli/main.ts';

async function run(argv: string[], commands: readonly CommandEntry[] = COMMANDS, env: Record<string, string> = {}) {
  const io = captureIo({ env });
  const code = await main(argv, io, commands);
  return { code, out: io.out(), err: io.err() };
}

test('govcloud help lists every command with its summary, on stdout, exit 0', async () => {
  for (const argv of [['help'], ['--help'], ['-h']]) {
    const { code, out, err } = await run(argv);
    assert.is(code, 0);
    assert.is(err, '');
    for (const c of COMMANDS) assert.match(out, `  ${c.name}`);
    assert.match(out, /^Usage: govcloud <command> \[arguments\]$/m);
  }
});

test('no command: usage on stderr, exit 2', async () => {
  const { code, out, err } = await run([]);
  assert.is(code, EXIT.usage);
  assert.is(out, '');
  assert.is(err, usage());
});

test('unknown command: usage and exit 2, with a suggestion when one is close', async () => {
  const { code, err } = await run(['valiate', 'samples/']);
  assert.is(code, 2);
  assert.match(err, /^govcloud: unknown command "valiate" \(did you mean "validate"\?\)\n/);
  assert.is((await run(['frobnicate'])).err, `govcloud: unknown command "frobnicate"\n\n${usage()}`);
});

test('--help on each command and help <command> print its usage, exit 0', async () => {
  for (const c of COMMANDS) {
    for (const argv of [
      [c.name, '--help'],
      [c.name, 'x', '-h'],
      ['help', c.name],
    ]) {
      const { code, out } = await run(argv);
      assert.is(code, 0, argv.join(' '));
      assert.ok(out.startsWith('Usage: govcloud ' + c.name), argv.join(' '));
    }
  }
  assert.is((await run(['help', 'nope'])).code, 2);
});

test('every command has a name, a one-line summary and a module whose command has that name and usage line', async () => {
  const names = new Set<string>();
  for (const c of COMMANDS) {
    assert.match(c.name, /^[a-z][a-z-]*$/);
    assert.not.ok(names.has(c.name), `duplicate ${c.name}`);
    names.add(c.name);
    assert.not.match(c.summary, /\n/);
    const command = await c.load();
    assert.is(command.name, c.name);
    assert.ok(command.usage.startsWith(`Usage: govcloud ${c.name}`));
  }
});

function entry(command: Command): CommandEntry {
  return { name: command.name, summary: 'a test command', load: async () => command };
}

const boom: Command = {
  name: 'boom',
  usage: 'Usage: govcloud boom\n',
  async run() {
    throw new TypeError('cannot read properties of undefined');
  },
};
const picky: Command = {
  name: 'picky',
  usage: 'Usage: govcloud picky\n',
  async run() {
    throw new UsageError('unknown option --x');
  },
};

test('an unexpected exception: one line, exit 70, stack only with GOVCLOUD_DEBUG=1', async () => {
  const plain = await run(['boom'], [entry(boom)]);
  assert.is(plain.code, 70);
  assert.is(plain.err, 'govcloud: internal error: cannot read properties of undefined\n');
  const debug = await run(['boom'], [entry(boom)], { GOVCLOUD_DEBUG: '1' });
  assert.is(debug.code, 70);
  assert.match(debug.err, /^govcloud: internal error: cannot read properties of undefined\nTypeError: cannot read properties of undefined\n\s+at /);
});

test('a usage error in a command: message and the command usage on stderr, exit 2', async () => {
  const { code, err } = await run(['picky'], [entry(picky)]);
  assert.is(code, 2);
  assert.is(err, 'govcloud picky: unknown option --x\n\nUsage: govcloud picky\n');
});

test('bad options of the real commands are usage errors', async () => {
  for (const argv of [
    ['validate'],
    ['validate', '--bogus', 'samples/'],
    ['validate', '--output'],
    ['plan', 'samples/', '--output', 'xml'],
    ['plan', 'samples/', '--now', 'yesterday'],
  ]) {
    const { code, err } = await run(argv);
    assert.is(code, 2, argv.join(' '));
    assert.match(err, new RegExp(`^govcloud ${argv[0]}: `));
  }
});

test('colour only on a terminal, and never with NO_COLOR', () => {
  assert.is(useColour(captureIo({ isTTY: true })), true);
  assert.is(useColour(captureIo({ isTTY: false })), false);
  assert.is(useColour(captureIo({ isTTY: true, env: { NO_COLOR: '1' } })), false);
  assert.is(useColour(captureIo({ isTTY: true, env: { NO_COLOR: '' } })), true);
});

test.run();
