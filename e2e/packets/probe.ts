// Shared by the real-packet tests: `govcloud connectivity --probe` (the shipped bundle) run
// against one data centre's real node, and the mismatches as a table when it fails.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { DEFAULT_PROBE_IMAGE, EXIT_MISMATCH } from '../../operator/src/cli/commands/connectivity-probe.ts';
import { renderTable } from '../../operator/src/cli/table.ts';
import { ROOT, govcloudBin, kubeconfigPath, type Cluster } from '../harness/index.ts';

const run = promisify(execFile);

/** Label, and NoSchedule taint, of the real node of each data centre (e2e/platform/real-node/names.ts). */
export const REAL_NODE = 'govcloud.dev/real-node';
const REAL_NODE_TAINT = 'govcloud.dev/exchange-gateway';

export interface ProbedPair {
  source: string;
  destination: string;
  port: string;
  predicted: 'open' | 'closed';
  measured: string;
  result: 'match' | 'mismatch' | 'not-probed';
  note?: string;
}

export interface ProbeReport {
  runId: string;
  matches: number;
  mismatches: number;
  notProbed: number;
  pairs: ProbedPair[];
  skipped: string[];
}

/**
 * Every pair of the cluster's workspaces (predicted closed ones included, up to `closed` per
 * source), probed with real TCP and UDP from pods on the data centre's real node.
 */
export async function probeCluster(
  cluster: Cluster,
  o: { workspaces?: string[]; closed?: number } = {},
): Promise<{ code: number; report: ProbeReport; stderr: string; ms: number }> {
  const args = [
    govcloudBin(),
    'connectivity',
    '--kubeconfig',
    kubeconfigPath(),
    '--context',
    cluster.name,
    '--probe',
    '--image',
    DEFAULT_PROBE_IMAGE,
    '--node-selector',
    `${REAL_NODE}=true`,
    '--toleration',
    `${REAL_NODE_TAINT}=true:NoSchedule`,
    '--closed-per-workspace',
    String(o.closed ?? 1000),
    '--parallel',
    '12',
    '--timeout',
    '600',
    '--output',
    'json',
    ...(o.workspaces ?? []).flatMap((w) => ['--workspace', w]),
  ];
  const started = Date.now();
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: ROOT, timeout: 660_000, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, report: JSON.parse(stdout) as ProbeReport, stderr, ms: Date.now() - started };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (e.code !== EXIT_MISMATCH) throw new Error(`govcloud connectivity --probe on ${cluster.name} exited ${e.code}: ${e.stderr ?? ''}`);
    return { code: EXIT_MISMATCH, report: JSON.parse(e.stdout ?? '{}') as ProbeReport, stderr: e.stderr ?? '', ms: Date.now() - started };
  }
}

/** Fails with every difference between prediction and measurement, as a table. */
export function assertAsPredicted(cluster: Cluster, r: { code: number; report: ProbeReport }): void {
  const bad = r.report.pairs.filter((p) => p.result !== 'match');
  if (bad.length > 0) {
    const table = renderTable(
      ['SOURCE', 'DESTINATION', 'PORT', 'PREDICTED', 'MEASURED', 'RESULT'].map((header) => ({ header })),
      bad.map((p) => [p.source, p.destination, p.port, p.predicted, p.measured, p.note ? `${p.result}: ${p.note}` : p.result]),
      { colour: false },
    );
    assert.unreachable(`${cluster.name}: ${bad.length} of ${r.report.pairs.length} pairs differ from the prediction\n${table}`);
  }
  assert.is(r.code, 0);
}
