/**
 * Connectivity of a govcloud platform: render it (render/ `renderPlatform`), then evaluate
 * each data centre's objects on their own, with the world outside that cluster as external
 * hosts:
 * - every other data centre, at its `networkRanges` (`datacentre/<name>`);
 * - each external network named by a NetworkLink, at the union of the links' cidrs
 *   (`network/<specialisedLevelI|specialisedLevelII|agencyWAN>`);
 * - `internet`: every address outside those.
 *
 * Across data centres, a workspace W in data centre Y reaches a Service S in data centre X
 * "via network range" when W's egress (evaluated in Y) lets it reach X's range on S's port,
 * and S's ingress (evaluated in X) admits Y's range on that port. Limits, honestly:
 * - X sees traffic from Y by address only: it cannot tell W from any other pod of Y. Every
 *   pod of Y whose egress reaches X's range on that port gets in, whatever the grant said;
 *   the cross-data-centre verdict is exact about policies, not about identities. This is
 *   why the renderers admit a range only for `default` and `open` services (meant for every
 *   agency), never for an on-request service or a link between agencies.
 * - It assumes pod traffic leaving Y carries a source address inside Y's networkRanges, and
 *   that S is addressed inside X's ranges (routed pod ranges, or SNAT/gateways inside them).
 *   Routing, firewalls and gateways of the specialised network are not modelled.
 * An on-request service, and the Service a link between two agencies names, is reached across
 * data centres only through the exchange gateways, which know the consumer's identity: those
 * paths come from the gateways' routes (gateway.ts), never from ranges.
 * - X's range as a destination is all-or-part: egress allowed to part of X's range shows as
 *   partial, since where S's address falls in the range is not known offline.
 */
import type { Platform } from '../model/platform.ts';
import { renderPlatform, type PlatformRender, type RenderIssue } from '../render/index.ts';
import { Evaluator, type Coverage, type DirectionVerdict, type Party } from './evaluate.ts';
import { AddressSet, parseCidr, type Cidr } from '../model/ip.ts';
import { anyPodOf, destinationsOf, endpointsByNamespace, type SideSummary } from './matrix.ts';
import type { Host, Protocol } from './model.ts';
import { readInventory, type InputObject } from './objects.ts';
import type { View } from './view.ts';

export const DATA_CENTRE_HOST_PREFIX = 'datacentre/';
export const NETWORK_HOST_PREFIX = 'network/';
export const INTERNET_HOST = 'internet';

function cidrsOf(texts: readonly string[]): Cidr[] {
  const out: Cidr[] = [];
  for (const t of texts) {
    const r = parseCidr(t, true);
    if (r.ok) out.push(r.cidr);
  }
  return out;
}

/** The external hosts seen from one data centre. */
export function hostsFor(platform: Platform, dataCentre: string): Host[] {
  const hosts: Host[] = [];
  let known = AddressSet.EMPTY;
  for (const dc of [...platform.dataCentres].sort((a, b) => cmp(a.metadata.name, b.metadata.name))) {
    const cidrs = cidrsOf(dc.spec.networkRanges);
    const addresses = AddressSet.of(cidrs);
    known = known.union(addresses);
    if (dc.metadata.name === dataCentre) continue;
    hosts.push({
      name: DATA_CENTRE_HOST_PREFIX + dc.metadata.name,
      cidrs: cidrs.map((c) => c.text),
      addresses,
      description: `data centre ${dc.metadata.name}, by its network ranges`,
    });
  }
  const networks = new Map<string, Cidr[]>();
  for (const link of platform.links) {
    const ext = link.spec.peer.external;
    if (!ext) continue;
    networks.set(ext.network, [...(networks.get(ext.network) ?? []), ...cidrsOf(ext.cidrs)]);
  }
  for (const [network, cidrs] of [...networks].sort(([a], [b]) => cmp(a, b))) {
    const addresses = AddressSet.of(cidrs);
    known = known.union(addresses);
    hosts.push({
      name: NETWORK_HOST_PREFIX + network,
      cidrs: addresses.toCidrs(),
      addresses,
      description: `external network ${network}, the ranges its links name`,
    });
  }
  const internet = AddressSet.ALL.minus(known);
  hosts.push({
    name: INTERNET_HOST,
    cidrs: internet.toCidrs(),
    addresses: internet,
    description: 'every address outside the data centres and the declared external networks',
  });
  return hosts;
}

export interface PlatformViews {
  views: View[];
  issues: RenderIssue[];
}

/**
 * Renders the platform (unless its render at `now` is given) and reads each data centre's
 * objects. `extra` are plain Kubernetes objects that run in the data centre they are keyed by
 * (workloads tenants deploy, say). `known`: views of data centres whose objects and hosts
 * are those of this render (another version of the platform), taken instead of read again.
 */
export function platformViews(
  platform: Platform,
  now: Date,
  extra: Readonly<Record<string, readonly InputObject[]>> = {},
  rendered: PlatformRender = renderPlatform(platform, now),
  known: ReadonlyMap<string, View> = new Map(),
): PlatformViews {
  const views: View[] = [];
  for (const r of rendered.perDataCentre) {
    const same = known.get(r.dataCentre);
    if (same) {
      views.push(same);
      continue;
    }
    const objects: InputObject[] = r.objects.map((value) => ({ value, source: { file: `(rendered for ${r.dataCentre})`, line: 0 } }));
    objects.push(...(extra[r.dataCentre] ?? []));
    const inventory = readInventory(objects);
    views.push({
      dataCentre: r.dataCentre,
      inventory,
      input: { ...inventory, hosts: hostsFor(platform, r.dataCentre) },
    });
  }
  return { views, issues: rendered.issues };
}

/** A workspace in one data centre reaching a Service (or a pod no Service selects) in another, via network ranges. */
export interface CrossCell {
  from: { dataCentre: string; namespace: string };
  /** `kind` is Service, or the kind of the pod or workload. */
  to: { dataCentre: string; kind: string; namespace: string; name: string; port: number; protocol: Protocol; targetPort: number };
  verdict: 'allowed' | 'partial' | 'denied';
  via: 'network range';
  /** The source's egress towards the other data centre's range, evaluated in its own data centre. */
  egress: SideSummary & { coverage: Coverage };
  /** The Service's ingress from the source data centre's range, evaluated where it runs. */
  ingress: SideSummary & { coverage: Coverage };
}

/**
 * The cross-data-centre cells of another version of the same data centres, computed with
 * the same options, and per data centre the namespaces whose objects differ (every data
 * centre listed, its hosts the same): a cell depends only on its source's namespace and its
 * destination's, so a cell between namespaces that did not change holds as it was (and one
 * absent was denied).
 */
export interface PreviousCross {
  cells: readonly CrossCell[];
  changed: ReadonlyMap<string, ReadonlySet<string>>;
}

function crossKey(from: CrossCell['from'], to: CrossCell['to']): string {
  return `${from.dataCentre}|${from.namespace}|${to.dataCentre}|${to.kind}|${to.namespace}|${to.name}|${to.port}|${to.protocol}|${to.targetPort}`;
}

/**
 * Every (workspace, remote Service port) pair across data centres. Only cells that are not
 * denied are returned unless `all` is set: across data centres nearly everything is denied.
 * `sources`: per data centre, the only namespaces whose cells are evaluated (the caller knows the others).
 */
export function crossDataCentre(
  views: readonly View[],
  options: { all?: boolean; sources?: ReadonlyMap<string, ReadonlySet<string>> } = {},
  previous?: PreviousCross,
): CrossCell[] {
  const out: CrossCell[] = [];
  const evaluators = new Map(views.map((v) => [v, new Evaluator(v.input)]));
  const known = previous ? new Map(previous.cells.map((c) => [crossKey(c.from, c.to), c])) : undefined;
  for (const y of views) {
    if (y.dataCentre === null) continue;
    const ey = evaluators.get(y) as Evaluator;
    const changedY = previous?.changed.get(y.dataCentre);
    const podsOf = endpointsByNamespace(y.input.endpoints);
    for (const x of views) {
      if (x === y || x.dataCentre === null) continue;
      const changedX = previous?.changed.get(x.dataCentre);
      const ex = evaluators.get(x) as Evaluator;
      const hostX = (y.input.hosts ?? []).find((h) => h.name === DATA_CENTRE_HOST_PREFIX + x.dataCentre);
      const hostY = (x.input.hosts ?? []).find((h) => h.name === DATA_CENTRE_HOST_PREFIX + y.dataCentre);
      if (!hostX || !hostY) continue;
      // Destinations with known ports: Service ports, and container ports of pods no Service selects.
      const dests = destinationsOf(x.input).flatMap((d) => {
        if (d.ref.kind === 'Service')
          return [{ kind: 'Service', namespace: d.ref.namespace, name: d.ref.name, port: d.ref.port, protocol: d.ref.protocol, targets: d.targets }];
        if (d.ref.kind === 'Pod' && d.ref.port !== '*' && d.ref.protocol !== '*') {
          return [{ kind: d.ref.podKind, namespace: d.ref.namespace, name: d.ref.name, port: d.ref.port, protocol: d.ref.protocol, targets: d.targets }];
        }
        return [];
      });
      // Ingress at X from Y's range depends only on the destination: evaluate it once.
      const ingressOf = dests.map((d) => {
        const verdicts = d.targets.map(
          (t) => ex.evaluate({ kind: 'host', host: hostY }, t.party, { protocol: t.protocol as Protocol, port: t.port as number }).ingress,
        );
        return { v: verdicts, coverage: worst(verdicts.map((v) => v.coverage)) };
      });
      for (const ns of y.input.namespaces) {
        if (options.sources && !options.sources.get(y.dataCentre)?.has(ns.name)) continue;
        const pods = podsOf.get(ns.name) ?? [];
        const parties: Party[] = (pods.length > 0 ? pods : [anyPodOf(ns.name)]).map((endpoint) => ({ kind: 'pod', endpoint }));
        const sourceSame = changedY !== undefined && changedX !== undefined && !changedY.has(ns.name);
        for (const [i, d] of dests.entries()) {
          const ingress = ingressOf[i];
          if (!ingress || d.targets.length === 0) continue;
          if (ingress.coverage === 'none' && !options.all) continue;
          const same = sourceSame && !changedX.has(d.namespace);
          for (const port of [...new Set(d.targets.map((t) => t.port as number))]) {
            if (same) {
              const to = { dataCentre: x.dataCentre, kind: d.kind, namespace: d.namespace, name: d.name, port: d.port, protocol: d.protocol, targetPort: port };
              const cell = known?.get(crossKey({ dataCentre: y.dataCentre, namespace: ns.name }, to));
              if (cell) out.push(cell);
              continue;
            }
            const egress = parties.map((p) => ey.evaluate(p, { kind: 'host', host: hostX }, { protocol: d.protocol, port }).egress);
            const eCov = worst(egress.map((v) => v.coverage));
            const verdict = eCov === 'none' || ingress.coverage === 'none' ? 'denied' : eCov === 'all' && ingress.coverage === 'all' ? 'allowed' : 'partial';
            if (verdict === 'denied' && !options.all) continue;
            out.push({
              from: { dataCentre: y.dataCentre, namespace: ns.name },
              to: { dataCentre: x.dataCentre, kind: d.kind, namespace: d.namespace, name: d.name, port: d.port, protocol: d.protocol, targetPort: port },
              verdict,
              via: 'network range',
              egress: { ...summary(egress), coverage: eCov },
              ingress: { ...summary(ingress.v), coverage: ingress.coverage },
            });
          }
        }
      }
    }
  }
  return out;
}

/** Over several pods: all only if every one is all, none if every one is none. */
function worst(c: Coverage[]): Coverage {
  if (c.length === 0 || c.every((x) => x === 'none')) return 'none';
  return c.every((x) => x === 'all') ? 'all' : 'some';
}

function summary(vs: DirectionVerdict[]): SideSummary {
  const isolatedBy = [...new Set(vs.flatMap((v) => v.isolatedBy))].sort();
  const seen = new Set<string>();
  const allowedBy = vs
    .flatMap((v) => v.allowedBy)
    .filter((m) => {
      const k = `${m.policy}|${m.rule}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  return { isolatedBy, allowedBy };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
