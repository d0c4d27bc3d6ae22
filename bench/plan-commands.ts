// `make bench-plan`: the CLI on the generated GitOps tree, as a CI runner would run it.
// validate, plan, plan --base with one agency changed, and connectivity (summary and
// --detail JSON), each a fresh process: wall time, CPU seconds (user + system) and peak RSS
// from the child's own resource usage, beside the load average (other work on the machine
// stretches wall time, not CPU time). Numbers, not pass/fail: docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from './config.ts';

/** Written by the child when it exits: its own resource usage (process.resourceUsage). */
const USAGE_HOOK = `data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>{const u=process.resourceUsage();writeFileSync(process.env.GOVCLOUD_BENCH_USAGE,JSON.stringify({user:u.userCPUTime,system:u.systemCPUTime,maxRSS:u.maxRSS}))})`;

export interface CommandRun {
  name: string;
  exit: number | null;
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  outputMB: number;
  loadBefore: number;
  target: string;
  met: boolean;
}

interface Target {
  wall: number;
  rssMB?: number;
}

function measure(name: string, args: string[], cwd: string, target: Target, tmp: string): CommandRun {
  const usageFile = path.join(tmp, 'usage.json');
  rmSync(usageFile, { force: true });
  const loadBefore = os.loadavg()[0] ?? 0;
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', USAGE_HOOK, path.join(ROOT, 'operator/bin/govcloud.ts'), ...args], {
    cwd,
    env: { ...process.env, GOVCLOUD_BENCH_USAGE: usageFile, NO_COLOR: '1' },
    maxBuffer: 1 << 30,
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { user: number; system: number; maxRSS: number };
  const cpuSeconds = (usage.user + usage.system) / 1e6;
  const peakRssMB = usage.maxRSS / 1024;
  const met = wallSeconds <= target.wall && (target.rssMB === undefined || peakRssMB <= target.rssMB);
  if (r.status !== 0) console.log(`  ${name}: exit ${r.status}\n${String(r.stderr).trim().split('\n').slice(-5).join('\n')}`);
  return {
    name,
    exit: r.status,
    wallSeconds,
    cpuSeconds,
    peakRssMB,
    outputMB: r.stdout.length / 1e6,
    loadBefore,
    target: `≤ ${target.wall} s${target.rssMB !== undefined ? `, ≤ ${target.rssMB} MB` : ''}`,
    met,
  };
}

/** One agency's file with its first quota's cpu raised: the smallest change a pull request makes. */
function changeOneAgency(dir: string): string {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('bench-'))
    .sort();
  const file = files[Math.floor(files.length / 2)];
  if (file === undefined) throw new Error(`no agency in ${dir}`);
  const text = readFileSync(path.join(dir, file), 'utf8');
  const changed = text.replace(/cpu: "(\d+)"/, (_, n: string) => `cpu: "${Number(n) + 1}"`);
  if (changed === text) throw new Error(`${file}: no quota cpu to change`);
  writeFileSync(path.join(dir, file), changed);
  return file;
}

/** Runs the commands on `dir` (the generated tree) and prints the table. */
export function measureCommands(dir: string, agencies: number): CommandRun[] {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'govcloud-bench-plan-'));
  try {
    const base = path.join(tmp, 'base');
    cpSync(dir, base, { recursive: true });
    const now = ['--now', '2026-06-01T00:00:00Z'];
    const runs: CommandRun[] = [];
    runs.push(measure('validate', ['validate', dir], ROOT, { wall: 5, rssMB: 512 }, tmp));
    runs.push(measure('plan', ['plan', dir, ...now], ROOT, { wall: 5 }, tmp));
    const head = path.join(tmp, 'head');
    cpSync(dir, head, { recursive: true });
    const file = changeOneAgency(head);
    runs.push(measure(`plan --base (${file})`, ['plan', '--base', base, '.', ...now], head, { wall: 5 }, tmp));
    runs.push(measure('connectivity', ['connectivity', dir, ...now], ROOT, { wall: 15, rssMB: 1024 }, tmp));
    runs.push(measure('connectivity --detail -o json', ['connectivity', dir, ...now, '--detail', '--output', 'json'], ROOT, { wall: 15, rssMB: 1024 }, tmp));
    printRuns(runs, agencies);
    return runs;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function printRuns(runs: readonly CommandRun[], agencies: number): void {
  const header = ['command', 'exit', 'wall s', 'cpu s', 'peak RSS MB', 'output MB', 'load', 'target', 'met'];
  const rows = runs.map((r) => [
    r.name,
    String(r.exit),
    r.wallSeconds.toFixed(1),
    r.cpuSeconds.toFixed(1),
    r.peakRssMB.toFixed(0),
    r.outputMB.toFixed(1),
    r.loadBefore.toFixed(1),
    r.target,
    r.met ? 'yes' : 'no',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(`\nthe CLI at ${agencies} agencies (${os.cpus().length} CPUs; cpu s = user + system; load = 1-minute load average before the run):`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}
