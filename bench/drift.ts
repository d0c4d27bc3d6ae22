// Drift repair: a rendered NetworkPolicy deleted in a member cluster, timed until the operator
// has put it back.
import { sleep } from '../e2e/harness/operator-child.ts';
import { CONFIG, DRIFT_POLICY } from './config.ts';
import type { Generated } from './generated.ts';
import type { Kube, Meta } from './kube.ts';
import { percentile } from './operator-metrics.ts';
import { checkInterrupted, say } from './progress.ts';
import type { Result } from './report.ts';
import { awaitQuiet } from './shared-platform.ts';

export async function driftRepair(clusters: Kube[], g: Generated): Promise<Result['operator']['drift']> {
  const members = clusters.slice(1).filter((k) => (g.objects.get(k.name) ?? []).some((o) => o.kind === 'NetworkPolicy'));
  const candidates = members.map((k) => ({
    k,
    namespaces: (g.objects.get(k.name) ?? []).filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === DRIFT_POLICY).map((o) => o.metadata.namespace!),
  }));
  const samples: { cluster: string; namespace: string; seconds: number | null }[] = [];
  await awaitQuiet('drift');
  say(`drift: deleting ${DRIFT_POLICY} in a member cluster and timing until it is back, ${CONFIG.driftRepeats} times`);
  for (let i = 0; i < CONFIG.driftRepeats && candidates.length > 0; i++) {
    checkInterrupted();
    const c = candidates[i % candidates.length]!;
    const ns = c.namespaces[Math.floor(((i + 0.5) / CONFIG.driftRepeats) * c.namespaces.length) % c.namespaces.length]!;
    const p = `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies/${DRIFT_POLICY}`;
    const before = await c.k.call<{ metadata: Meta }>('GET', p);
    const t0 = performance.now();
    await c.k.call('DELETE', p);
    let seconds: number | null = null;
    const deadline = t0 + 30_000;
    while (performance.now() < deadline) {
      const r = await c.k.request('GET', p);
      if (r.status === 200 && (r.body as { metadata: Meta }).metadata.uid !== before.metadata.uid) {
        seconds = (performance.now() - t0) / 1000;
        break;
      }
      await sleep(20);
    }
    samples.push({ cluster: c.k.name, namespace: ns, seconds });
    if (CONFIG.driftRepeats <= 10 || seconds === null || (i + 1) % 10 === 0)
      say(`    ${i + 1}: ${c.k.name} ${ns}/${DRIFT_POLICY}: ${seconds === null ? 'NOT back within 30 s' : `back after ${(seconds * 1000).toFixed(0)} ms`}`);
    await sleep(2000);
  }
  const ok = samples.map((s) => s.seconds).filter((s): s is number => s !== null);
  return {
    samples,
    medianSeconds: ok.length ? percentile(ok, 50) : null,
    p99Seconds: ok.length && ok.length === samples.length ? percentile(ok, 99) : null,
    maxSeconds: samples.some((s) => s.seconds === null) ? null : Math.max(...ok),
    failures: samples.length - ok.length,
  };
}
