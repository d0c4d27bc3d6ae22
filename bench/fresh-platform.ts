// A fresh platform instead of waiting for the clusters to delete thousands of namespaces:
// after the kubectl baseline, and after the measured deletion, the platform is stopped, its
// state removed (as `make cluster-down` does) and started again, then registered as at the
// start. What each phase measures is the same: it starts from the platform as registered,
// with nothing of the bench on it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { CONFIG, KUBECONFIG, LOCAL, ROOT } from './config.ts';
import { Kube } from './kube.ts';
import { say } from './progress.ts';
import { register } from './shared-platform.ts';

/** Agencies from which a fresh platform is the default (a 1000-agency run waited ~17 minutes for namespaces). */
export const FRESH_PLATFORM_FROM = 2000;

export interface FreshChoice {
  fresh: boolean;
  why: string;
}

/**
 * Whether the phases get a fresh platform. `knob` is BENCH_FRESH_PLATFORM ('' or undefined:
 * by size). `others` counts govcloud objects on the hub that are not the bench's: a fresh
 * platform would not have them, so the operator would render something else than the
 * baseline applied; then it is off by default and refused when asked for.
 */
export function freshPlatformChoice(agencies: number, knob: string | undefined, others: number): FreshChoice {
  if (knob !== undefined && knob !== '' && knob !== '0' && knob !== '1') throw new Error(`BENCH_FRESH_PLATFORM=${knob}: 0 or 1`);
  if (knob === '0') return { fresh: false, why: 'BENCH_FRESH_PLATFORM=0' };
  if (others > 0) {
    if (knob === '1')
      throw new Error(
        `BENCH_FRESH_PLATFORM=1, but the hub holds ${others} govcloud objects that are not the bench's (samples of \`make up\`?): a fresh platform would not have them; \`make down\` first, or BENCH_FRESH_PLATFORM=0`,
      );
    return { fresh: false, why: `the hub holds ${others} govcloud objects that are not the bench's` };
  }
  if (knob === '1') return { fresh: true, why: 'BENCH_FRESH_PLATFORM=1' };
  return agencies >= FRESH_PLATFORM_FROM
    ? { fresh: true, why: `${agencies} agencies (from ${FRESH_PLATFORM_FROM} by default)` }
    : { fresh: false, why: `${agencies} agencies (below ${FRESH_PLATFORM_FROM})` };
}

/** The environment `up.sh` needs to start the same platform again: as many clusters, real nodes and cert-manager as now. */
export function sameShapeEnv(clusters: number, state: { realNodes: boolean; certManager: boolean }): Record<string, string> {
  return {
    GOVCLOUD_CLUSTER_COUNT: String(clusters),
    REAL_NODES: state.realNodes ? '1' : '0',
    CERT_MANAGER: state.certManager ? '1' : '0',
  };
}

const nonEmpty = (f: string) => existsSync(f) && readFileSync(f, 'utf8').trim() !== '';

/** Kube clients for every context of the current kubeconfig (its ports change with each start). */
export function connect(): Kube[] {
  const kc = new KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  return kc.getContexts().map((c) => new Kube(KUBECONFIG, c.name));
}

/**
 * Stops the platform, removes its state and starts it again (same shape), registers it, and
 * puts new clients in place of the old ones in `clusters` (the hub stays first). Seconds taken.
 */
export function restartPlatform(clusters: Kube[], why: string): number {
  const t0 = performance.now();
  const state = path.join(LOCAL, 'platform');
  const shape = {
    realNodes: nonEmpty(path.join(state, 'real-nodes', 'clusters')),
    certManager: nonEmpty(path.join(state, 'cert-manager', 'clusters')),
  };
  const env = { ...process.env, ...sameShapeEnv(clusters.length, shape) };
  say(
    `fresh platform (${why}): cluster-down, then cluster-up with ${Object.entries(sameShapeEnv(clusters.length, shape))
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  for (const k of clusters) k.close();
  const run = (script: string) => {
    const r = spawnSync('bash', [script], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'], timeout: CONFIG.freshPlatformTimeoutS * 1000 });
    if (r.status !== 0) throw new Error(`${script} failed (exit ${r.status ?? r.signal}) while starting a fresh platform`);
  };
  run('e2e/platform/down.sh');
  run('e2e/platform/up.sh');
  register();
  const fresh = connect();
  if (fresh.map((k) => k.name).join() !== clusters.map((k) => k.name).join())
    throw new Error(`the fresh platform has clusters ${fresh.map((k) => k.name).join(', ')}, not ${clusters.map((k) => k.name).join(', ')}`);
  clusters.splice(0, clusters.length, ...fresh);
  const seconds = (performance.now() - t0) / 1000;
  say(`fresh platform: up and registered after ${seconds.toFixed(0)} s`);
  return seconds;
}
