/**
 * Reads API server audit logs line by line (JSON lines; rotated files, gzip-compressed ones
 * too) and hands each govcloud.dev write to `onRecord`: one line in memory at a time, whatever
 * the size of the log. A line that is not an audit event is counted and kept (the first
 * BAD_KEPT of them) with its file and line, never thrown.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseAuditEvent, type AuditRecord } from '../audit/index.ts';
import { InputError } from './command.ts';

export interface BadLine {
  file: string;
  line: number;
  message: string;
}

export interface ReadSummary {
  files: { file: string; lines: number }[];
  lines: number;
  badLines: number;
  /** The first BAD_KEPT bad lines. */
  bad: BadLine[];
}

export const BAD_KEPT = 50;

/**
 * Only lines that mention the group are parsed in full: the rest (most of a log) is checked for
 * the shape of a JSON object, which is what a line cut short by a crash or a full disk lacks.
 */
const GROUP_MARK = '"apiGroup":"govcloud.dev"';

export async function readAuditLogs(files: readonly string[], cwd: string, onRecord: (r: AuditRecord) => void): Promise<ReadSummary> {
  const summary: ReadSummary = { files: [], lines: 0, badLines: 0, bad: [] };
  const bad = (file: string, line: number, message: string) => {
    summary.badLines++;
    if (summary.bad.length < BAD_KEPT) summary.bad.push({ file, line, message });
  };
  for (const file of files) {
    const full = path.resolve(cwd, file);
    try {
      if (!(await stat(full)).isFile()) throw new InputError(`${file}: not a file`);
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    let n = 0;
    const raw = createReadStream(full);
    const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
    const failure = new Promise<Error>((resolve) => input.on('error', resolve));
    const lines = createInterface({ input, crlfDelay: Infinity });
    const reading = (async () => {
      for await (const text of lines) {
        n++;
        const line = text.trim();
        if (line === '') continue;
        if (!line.includes(GROUP_MARK)) {
          if (!line.startsWith('{') || !line.endsWith('}')) bad(file, n, 'not a JSON object (cut short?)');
          continue;
        }
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          bad(file, n, `not JSON: ${(err as Error).message}`);
          continue;
        }
        const parsed = parseAuditEvent(value);
        if (parsed.kind === 'bad') bad(file, n, parsed.message);
        else if (parsed.kind === 'record') onRecord(parsed.record);
      }
    })();
    const outcome = await Promise.race([
      reading.then(
        () => undefined,
        (err: unknown) => err as Error,
      ),
      failure,
    ]);
    if (outcome) {
      lines.close();
      raw.destroy();
      bad(file, n + 1, `unreadable from here on: ${outcome.message}`);
    }
    summary.files.push({ file, lines: n });
    summary.lines += n;
  }
  return summary;
}
