// The operator's JSON log lines, read back: a stream to give createLogger and the lines parsed.
import { Writable } from 'node:stream';

export function captureLogs<T = Record<string, unknown>>(): { lines: T[]; stream: Writable } {
  const lines: T[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as T);
      cb();
    },
  });
  return { lines, stream };
}
