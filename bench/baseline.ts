// The baseline: `kubectl apply --server-side` of the same rendered objects, one kubectl per data
// centre, then the clusters put back as they were for the operator's turn.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { objectPath } from '../operator/src/controllers/resources.ts';
import { deleteBenchNamespaces } from './bench-objects.ts';
import { CONFIG, KUBECONFIG, KUBECTL_FIELD_MANAGER } from './config.ts';
import { ownerKind, type Generated } from './generated.ts';
import type { Kube } from './kube.ts';
import { failOnErrorAnswers, requestReport } from './phase-requests.ts';
import { say } from './progress.ts';
import type { Result } from './report.ts';
import { snapshot, windowBetween, type Background } from './requests.ts';
import { awaitQuiet, kubectlPath, noteDisturbance, ownPids } from './shared-platform.ts';

/** `fresh`: the caller starts a fresh platform afterwards, so nothing is put back or deleted here. */
export async function baseline(clusters: Kube[], g: Generated, background: Background, tmp: string, fresh: boolean): Promise<Result['baseline']> {
  const kubectl = kubectlPath();
  const files = new Map<string, string>();
  for (const [dc, objects] of g.objects) {
    if (objects.length === 0) continue;
    const f = path.join(tmp, `baseline-${dc}.json`);
    writeFileSync(f, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    files.set(dc, f);
  }
  const cache = mkdtempSync(path.join(tmp, 'kubectl-cache-'));
  await awaitQuiet('baseline');
  say(`baseline: kubectl apply --server-side of the same ${g.stats.objects} rendered objects, one kubectl per data centre, all at once`);
  noteDisturbance('baseline');
  const s0 = await snapshot(clusters);
  const load0 = os.loadavg()[0]!;
  const t0 = performance.now();
  const perDc: Record<string, { objects: number; seconds: number }> = {};
  await Promise.all(
    [...files].map(
      ([dc, file]) =>
        new Promise<void>((resolve, reject) => {
          // --force-conflicts: the few existing objects the agencies change (a service's ingress
          // policy) belong to the operator's field manager; kubectl takes them over (restored below).
          const args = [
            '--kubeconfig',
            KUBECONFIG,
            '--context',
            dc,
            'apply',
            '--server-side',
            '--force-conflicts',
            `--field-manager=${KUBECTL_FIELD_MANAGER}`,
            '-f',
            file,
            '-o',
            'name',
          ];
          const child = spawn(kubectl, args, { env: { ...process.env, KUBECACHEDIR: cache }, stdio: ['ignore', 'pipe', 'pipe'] });
          child.on('error', reject);
          if (child.pid) ownPids.add(child.pid);
          let out = 0;
          let err = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8').split('\n').length - 1));
          child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
          const timer = setTimeout(() => child.kill('SIGKILL'), CONFIG.readyTimeoutS * 1000);
          const progress = setInterval(() => say(`    kubectl ${dc}: ${out}/${g.objects.get(dc)!.length} applied`), 15_000);
          child.on('exit', (code) => {
            clearTimeout(timer);
            clearInterval(progress);
            perDc[dc] = { objects: out, seconds: (performance.now() - t0) / 1000 };
            if (code === 0) resolve();
            else reject(new Error(`kubectl apply (${dc}) exited ${code}: ${err.slice(-2000)}`));
          });
        }),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  const s1 = await snapshot(clusters);
  noteDisturbance('baseline');
  failOnErrorAnswers('baseline', windowBetween(s0, s1));
  const requests = requestReport(windowBetween(s0, s1, background));
  say(`baseline: ${wall.toFixed(1)} s, ${requests.client.total} requests (${requests.client.mutating} mutating)`);
  let deleteSeconds: number | null = null;
  if (!fresh) {
    await restoreChanged(clusters, g);
    deleteSeconds = await deleteBenchNamespaces(clusters, 'baseline cleanup');
  }
  return {
    method:
      'kubectl apply --server-side --force-conflicts -f <a List of what the agencies add to the rendered platform, namespaces first>, one kubectl per data centre, all in parallel, fresh discovery cache; then the namespaces deleted and the few changed objects restored before the operator runs on the same names (or a fresh platform: BENCH_FRESH_PLATFORM)',
    wallSeconds: wall,
    loadAverage: { before: load0, after: os.loadavg()[0]! },
    perDataCentre: perDc,
    requests,
    namespaceDeleteSeconds: deleteSeconds,
  };
}

export const MANAGER_OF: Record<string, string> = {
  Agency: 'govcloud-agency',
  SharedDataService: 'govcloud-service',
  NetworkLink: 'govcloud-link',
  DataCentre: 'govcloud-datacentre',
};

/**
 * Puts back the existing objects the baseline changed (as rendered without the bench agencies,
 * under their controller's field manager, as the operator applied them), then drops every
 * field kubectl's field manager still holds in them.
 */
export async function restoreChanged(clusters: Kube[], g: Generated): Promise<void> {
  for (const [dc, objects] of g.changed) {
    const k = clusters.find((c) => c.name === dc);
    if (!k || objects.length === 0) continue;
    for (const o of objects) {
      const p = objectPath(o as never);
      const manager = MANAGER_OF[ownerKind(o)];
      if (manager) await k.apply(p, o, manager);
      const bare = {
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) },
      };
      await k.apply(p, bare, KUBECTL_FIELD_MANAGER);
    }
    say(
      `baseline: restored ${objects.length} existing object(s) in ${dc} it had changed (${objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).join(', ')})`,
    );
  }
}
