/** The shape of a `govcloud` command: one module per command under commands/. */
import type { Io } from './io.ts';

export interface Command {
  /** What is typed after `govcloud`. */
  name: string;
  /** The full help text of `govcloud <name> --help`, starting with the usage line. */
  usage: string;
  /** Runs the command; resolves to the exit code (see EXIT in io.ts). May throw only on bugs, UsageError and InputError. */
  run(argv: string[], io: Io): Promise<number>;
}

/**
 * A command as `govcloud help` lists it. Its module is imported only when the command runs or
 * its help is asked for, so `govcloud validate` does not compile the operator and its
 * Kubernetes client.
 */
export interface CommandEntry {
  name: string;
  /** One line for `govcloud help`. */
  summary: string;
  load(): Promise<Command>;
}

/** A mistake on the command line: the dispatcher prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Something outside the command line is wrong or out of reach (a kubeconfig, a cluster):
 * the dispatcher prints the message, which names what and where, and exits 1.
 */
export class InputError extends Error {
  override name = 'InputError';
}
