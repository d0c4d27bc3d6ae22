/**
 * What a command may touch of the outside world: two writers, whether stdout is a terminal,
 * the environment and the working folder. Tests pass their own and capture the output.
 */

export type Writer = (text: string) => void;

export interface Io {
  stdout: Writer;
  stderr: Writer;
  /** stdout is a terminal: colour and layout for people are allowed (unless NO_COLOR). */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Folder relative paths are read from, and problems' file names are relative to. */
  cwd: string;
}

/** Exit codes (sysexits-style where one exists). */
export const EXIT = {
  ok: 0,
  /** The input is invalid: problems were printed. */
  invalid: 1,
  /** The command line is wrong: usage was printed. */
  usage: 2,
  /** A bug: an exception nobody expected (EX_SOFTWARE). */
  internal: 70,
} as const;

/** The real process's io. */
export function processIo(): Io {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
  };
}

/** An io that keeps what is written, for tests. */
export function captureIo(
  options: { isTTY?: boolean; env?: Record<string, string | undefined>; cwd?: string } = {},
): Io & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    isTTY: options.isTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColour(io: Io): boolean {
  return io.isTTY && !(io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '');
}
