// Expiry with every bench agency present: a grant whose validUntil is a few seconds ahead,
// timed from validUntil until the member's NetworkPolicies it opened are gone (or changed),
// seen by a watch on each of them.
import { sleep } from '../e2e/harness/operator-child.ts';
import { CONFIG, FIELD_MANAGER, G } from './config.ts';
import { EXPIRY_REQUEST, EXPIRY_SERVICE, expiryGrant, expiryParties, expiryRequest, expiryService } from './expiry-objects.ts';
import type { Generated } from './generated.ts';
import type { Kube } from './kube.ts';
import { percentile } from './operator-metrics.ts';
import { checkInterrupted, say, waitUntil } from './progress.ts';
import type { Result } from './report.ts';
import { awaitQuiet } from './shared-platform.ts';
import { WatchLoop, type Watched } from './watch-loop.ts';

type Policy = Watched & { spec?: unknown };

export async function expiry(clusters: Kube[], g: Generated): Promise<Result['operator']['expiry']> {
  const hub = clusters[0]!;
  const samples: Result['operator']['expiry']['samples'] = [];
  let parties: ReturnType<typeof expiryParties>;
  let member: Kube | undefined;
  for (const k of clusters.slice(1)) {
    parties = expiryParties(g.platform, g.agencies, k.name, new Date());
    if (parties) {
      member = k;
      break;
    }
  }
  if (!parties || !member) {
    say('expiry: no pair of bench agencies in a member data centre fits; skipped');
    return { dataCentre: null, provider: null, consumer: null, policies: [], samples, p50Seconds: null, maxSeconds: null, failures: 0 };
  }
  const { provider, consumer, policies } = parties;
  await awaitQuiet('expiry');
  say(
    `expiry: ${provider.metadata.name} shares ${EXPIRY_SERVICE} on request in ${member.name}, ${consumer.metadata.name} requests it; ${CONFIG.expiryRepeats} grants, each valid until ${CONFIG.expiryLeadSeconds} s ahead; watching ${policies.map((p) => `${p.namespace}/${p.name}`).join(', ')}`,
  );
  await hub.apply(
    `${G}/namespaces/govcloud-${provider.metadata.name}/shareddataservices/${EXPIRY_SERVICE}`,
    expiryService(provider, member.name),
    FIELD_MANAGER,
  );
  await hub.apply(`${G}/namespaces/govcloud-${consumer.metadata.name}/accessrequests/${EXPIRY_REQUEST}`, expiryRequest(consumer, provider), FIELD_MANAGER);
  const grantPath = (name: string) => `${G}/namespaces/govcloud-${provider.metadata.name}/accessgrants/${name}`;
  try {
    for (let i = 0; i < CONFIG.expiryRepeats; i++) {
      checkInterrupted();
      const name = `bench-expiry-${i + 1}`;
      const validUntil = Math.ceil((Date.now() + CONFIG.expiryLeadSeconds * 1000) / 1000) * 1000;
      // performance.now() of validUntil: the watch events carry performance.now().
      const untilPerf = performance.now() + (validUntil - Date.now());
      const openAt = new Map<string, number>();
      const closedAt = new Map<string, number>();
      const specs = new Map<string, string>();
      const watches = policies.map((p) => {
        const key = `${p.namespace}/${p.name}`;
        return new WatchLoop<Policy>(
          member,
          `/apis/networking.k8s.io/v1/namespaces/${p.namespace}/networkpolicies?fieldSelector=${encodeURIComponent(`metadata.name=${p.name}`)}`,
          (type, o, at) => {
            const spec = JSON.stringify(o.spec);
            if (type === 'ADDED' && !openAt.has(key)) {
              openAt.set(key, at);
              specs.set(key, spec);
            } else if (openAt.has(key) && !closedAt.has(key) && (type === 'DELETED' || (type === 'MODIFIED' && spec !== specs.get(key)))) closedAt.set(key, at);
          },
        );
      });
      for (const w of watches) await w.start();
      let note: string | undefined;
      try {
        await hub.apply(grantPath(name), expiryGrant(provider, consumer, name, validUntil), FIELD_MANAGER);
        await waitUntil(`the grant's policies in ${member.name} (before validUntil)`, () => openAt.size === policies.length, {
          timeoutMs: Math.max(1000, validUntil - Date.now()),
          intervalMs: 50,
        }).catch(() => {
          note = `only ${openAt.size} of ${policies.length} policies in place at validUntil`;
        });
        if (!note)
          await waitUntil(`the grant's policies gone after validUntil`, () => closedAt.size === policies.length, {
            timeoutMs: validUntil - Date.now() + 60_000,
            intervalMs: 20,
          }).catch(() => {
            note = `${policies.length - closedAt.size} policies still in place 60 s after validUntil`;
          });
      } finally {
        for (const w of watches) await w.stop();
      }
      const closes = [...closedAt.values()];
      const early = closes.some((t) => t < untilPerf - 1000);
      if (early) note = 'a policy went more than 1 s before validUntil (clock?)';
      const seconds = !note && closes.length === policies.length ? (Math.max(...closes) - untilPerf) / 1000 : null;
      const first = closes.length ? (Math.min(...closes) - untilPerf) / 1000 : null;
      samples.push({ grant: name, validUntil: new Date(validUntil).toISOString(), seconds, firstClosedSeconds: first, ...(note ? { note } : {}) });
      say(
        `    ${name}: ${seconds === null ? `no measurement (${note})` : `closed ${(seconds * 1000).toFixed(0)} ms after validUntil (first policy ${((first ?? 0) * 1000).toFixed(0)} ms)`}`,
      );
      await hub.request('DELETE', grantPath(name));
      await sleep(2000);
    }
  } finally {
    await hub.request('DELETE', `${G}/namespaces/govcloud-${consumer.metadata.name}/accessrequests/${EXPIRY_REQUEST}`);
    await hub.request('DELETE', `${G}/namespaces/govcloud-${provider.metadata.name}/shareddataservices/${EXPIRY_SERVICE}`);
  }
  const ok = samples.map((s) => s.seconds).filter((s): s is number => s !== null);
  return {
    dataCentre: member.name,
    provider: provider.metadata.name,
    consumer: consumer.metadata.name,
    policies: policies.map((p) => `${p.namespace}/${p.name}`),
    samples,
    p50Seconds: ok.length ? percentile(ok, 50) : null,
    maxSeconds: ok.length && ok.length === samples.length ? Math.max(...ok) : null,
    failures: samples.length - ok.length,
  };
}
