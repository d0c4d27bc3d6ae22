/** Command-line options, read strictly: an unknown flag or a bad value is a UsageError. */
import { parseArgs } from 'node:util';
import { parseTime } from '../model/window.ts';
import { UsageError } from './command.ts';

export interface OptionSpec {
  /** Takes a value (`--output json`, `--output=json`); otherwise a switch. */
  value?: boolean;
  /** Allowed values, when the set is closed. */
  choices?: readonly string[];
  short?: string;
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseOptions(argv: readonly string[], spec: Record<string, OptionSpec>): Parsed {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, s] of Object.entries(spec)) {
    options[name] = s.short ? { type: s.value ? 'string' : 'boolean', short: s.short } : { type: s.value ? 'string' : 'boolean' };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(cleanMessage((err as Error).message));
  }
  for (const [name, s] of Object.entries(spec)) {
    const v = (parsed.values as Record<string, unknown>)[name];
    if (s.choices && typeof v === 'string' && !s.choices.includes(v)) {
      throw new UsageError(`--${name} must be one of ${s.choices.join(', ')}, not "${v}"`);
    }
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

/** `--now RFC3339`: the time windows are judged at; the current time when not given. */
export function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const time = parseTime(text);
  if (time === undefined) throw new UsageError(`--now must be an RFC 3339 time like 2026-01-01T00:00:00Z, not "${text}"`);
  return new Date(time);
}

function cleanMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  const unknown = /^Unknown option '([^']+)'/.exec(first);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /^Option '(?:-\w, )?(--[^ ']+) <value>' argument missing/.exec(first);
  if (missing) return `${missing[1]} needs a value`;
  return first.replace(/\. To specify a positional argument.*$/, '');
}
