// What was measured on what: the commit and the machine.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import type { Result } from './report.ts';
import { ROOT } from './config.ts';

/** The commit measured, and whether the operator's code differed from it. */
export function revision(): { commit: string; operatorDirty: boolean } {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'operator/', 'package.json', 'package-lock.json'], { cwd: ROOT, encoding: 'utf8' });
  return { commit: head.stdout.trim() || 'unknown', operatorDirty: (dirty.stdout ?? '').trim() !== '' };
}

export function machine(versions: Record<string, string>): Result['machine'] {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  return {
    nproc: os.availableParallelism(),
    memTotalBytes: Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0) * 1024,
    cpuModel: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    kubernetes: versions,
  };
}
