/**
 * `govcloud <command> [args]`: finds the command, handles help, and turns anything
 * unexpected into one line and exit code 70 (the stack only with GOVCLOUD_DEBUG=1).
 */
import { COMMANDS } from './commands/index.ts';
import { InputError, UsageError, type CommandEntry } from './command.ts';
import { EXIT, type Io } from './io.ts';
import { padEnd } from './table.ts';

export function usage(commands: readonly CommandEntry[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length), 4);
  const lines = [
    'govcloud: the government shared private cloud, offline and on the hub',
    '',
    'Usage: govcloud <command> [arguments]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${padEnd(c.name, width)}  ${c.summary}`),
    `  ${padEnd('help', width)}  this text, or a command's help: govcloud help <command>`,
    '',
    'Every command takes --help. Exit codes: 0 done, 1 invalid input, 2 bad command line, 70 internal error.',
  ];
  return lines.join('\n') + '\n';
}

function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

function closest(name: string, commands: readonly CommandEntry[]): string | undefined {
  return commands.map((c) => c.name).find((n) => n.startsWith(name.slice(0, 3)) && name.length >= 3);
}

export async function main(argv: readonly string[], io: Io, commands: readonly CommandEntry[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr(usage(commands));
    return EXIT.usage;
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    const topic = first === 'help' ? rest[0] : undefined;
    if (topic === undefined) {
      io.stdout(usage(commands));
      return EXIT.ok;
    }
    const entry = commands.find((c) => c.name === topic);
    if (!entry) {
      io.stderr(`govcloud: no command "${topic}"\n\n${usage(commands)}`);
      return EXIT.usage;
    }
    const command = await entry.load();
    io.stdout(command.usage.endsWith('\n') ? command.usage : command.usage + '\n');
    return EXIT.ok;
  }
  const entry = commands.find((c) => c.name === first);
  if (!entry) {
    const hint = closest(first, commands);
    io.stderr(`govcloud: unknown command "${first}"${hint ? ` (did you mean "${hint}"?)` : ''}\n\n${usage(commands)}`);
    return EXIT.usage;
  }
  const command = await entry.load();
  if (wantsHelp(rest)) {
    io.stdout(command.usage.endsWith('\n') ? command.usage : command.usage + '\n');
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`govcloud ${command.name}: ${err.message}\n\n${command.usage.endsWith('\n') ? command.usage : command.usage + '\n'}`);
      return EXIT.usage;
    }
    if (err instanceof InputError) {
      io.stderr(`govcloud ${command.name}: ${err.message}\n`);
      return EXIT.invalid;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr(`govcloud: internal error: ${message.split('\n')[0]}\n`);
    if (io.env.GOVCLOUD_DEBUG === '1' && err instanceof Error && err.stack) io.stderr(err.stack + '\n');
    return EXIT.internal;
  }
}
