/**
 * Access on a platform at a time: every (source → destination port) path the connectivity
 * evaluator finds open between workspaces, external networks and services, each with the
 * govcloud records that justify it. The verdict is the evaluator's (operator/src/connectivity,
 * over the renderers' NetworkPolicies); the justification follows the policies that allowed
 * the path back to the govcloud objects that own them (the `govcloud.dev/owner` label), so
 * it names what an agency wrote: a link pair, a request and grant, or default sharing.
 *
 * Paths inside one workspace (always open) and paths to or from another data centre's
 * range seen inside one cluster are left out: the latter are reported once, as cross-data-
 * centre paths ("via network range").
 */
import {
  ANNOTATIONS,
  LABELS,
  workspaceNamespace,
  type AccessGrant,
  type AccessRequest,
  type Agency,
  type NetworkLink,
  type SharedDataService,
} from '../api/index.ts';
import { crossDataCentre, DATA_CENTRE_HOST_PREFIX, platformViews, type CrossCell } from '../connectivity/govcloud.ts';
import { destinationPort, destinationsOf, formatSpan, type Cell } from '../connectivity/matrix.ts';
import type { RuleMatch } from '../connectivity/evaluate.ts';
import { viewMatrix, type View } from '../connectivity/view.ts';
import { actingAgency, type Platform } from '../model/platform.ts';
import type { PlatformObject } from '../model/rules.ts';
import { accessMatches, counterparts, declaredUses, serviceObjectName, type DesiredObject, type PlatformRender } from '../render/index.ts';
import { isOpen, parseWindow } from '../model/window.ts';

/** A govcloud record, with its validity window where it has one. */
export interface RecordRef {
  kind: string;
  namespace?: string;
  name: string;
  validFrom?: string;
  validUntil?: string;
}

export interface Justification {
  /** `link pair`, `link to <network>`, `request and grant`, `default sharing`, `open sharing`, `agency policy`. */
  basis: string;
  records: RecordRef[];
}

export interface AccessPair {
  /** Where the path is evaluated: a data centre, or `from → to` for a path across data centres. */
  dataCentre: string;
  /** A workspace namespace, or `host:<name>` (an external network, the internet). */
  source: string;
  /** `agency/workspace` of a workspace source. */
  sourceWorkspace?: string;
  /** `namespace/name (Service)` or a host name. */
  destination: string;
  port: string;
  verdict: 'allowed' | 'partial';
  justifications: Justification[];
  /** Where every record of a justification is valid: the latest validFrom, the earliest validUntil. */
  window: { validFrom?: string; validUntil?: string };
}

export function pairKey(p: AccessPair): string {
  return `${p.dataCentre}|${p.source}|${p.destination}|${p.port}`;
}

/** A data centre's rendered Namespaces and NetworkPolicies by name, looked up once per path. */
export interface Rendered {
  namespaces: Map<string, DesiredObject>;
  /** `namespace/name`. */
  policies: Map<string, DesiredObject>;
}

export function indexRendered(objects: readonly DesiredObject[] = []): Rendered {
  const out: Rendered = { namespaces: new Map(), policies: new Map() };
  for (const o of objects) {
    if (o.kind === 'Namespace') out.namespaces.set(o.metadata.name, o);
    else if (o.kind === 'NetworkPolicy') out.policies.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, o);
  }
  return out;
}

/** The platform's records that own NetworkPolicies, by `kind.namespace.name` as the owner label names them. */
export type Owners = Map<string, PlatformObject>;

function indexOwners(platform: Platform): Owners {
  const all: PlatformObject[] = [...platform.agencies, ...platform.links, ...platform.services, ...platform.dataCentres];
  const out: Owners = new Map();
  for (const o of all) {
    const key = `${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
    if (!out.has(key)) out.set(key, o);
  }
  return out;
}

/** The owners of policies by their label's key, and each one's basis, computed when first asked. */
export interface OwnerBases {
  owners: Owners;
  basis(owner: PlatformObject): Basis;
}

export function ownerBases(platform: Platform, now: Date): OwnerBases {
  const bases = new Map<PlatformObject, Basis>();
  return {
    owners: indexOwners(platform),
    basis(owner) {
      let b = bases.get(owner);
      if (b === undefined) bases.set(owner, (b = basisOf(platform, owner, now)));
      return b;
    },
  };
}

/** The evaluator's verdicts on a rendered platform: each data centre's matrix cells, and the paths across data centres. */
export interface Evaluated {
  /** Each data centre's objects as the evaluator reads them. */
  views: readonly View[];
  cells: Map<string, readonly Cell[]>;
  cross: readonly CrossCell[];
}

/**
 * Evaluates every data centre of the rendered platform. `reuse`: the evaluation of another
 * version of the platform, and the data centres whose external hosts are the same in both,
 * each with the namespaces whose rendered objects differ: a cell depends only on the objects
 * of its source's and destination's namespaces, so only cells that touch one of those are
 * evaluated again (none where the set is empty), across data centres too.
 */
export function evaluateAccess(
  platform: Platform,
  rendered: PlatformRender,
  now: Date,
  reuse?: { from: Evaluated; changed: ReadonlyMap<string, ReadonlySet<string>> },
): Evaluated {
  const unchanged = new Map(
    (reuse?.from.views ?? []).filter((v) => reuse?.changed.get(v.dataCentre as string)?.size === 0).map((v) => [v.dataCentre as string, v]),
  );
  const { views } = platformViews(platform, now, {}, rendered, unchanged);
  const cells = new Map<string, readonly Cell[]>();
  for (const view of views) {
    const dc = view.dataCentre as string;
    const changed = reuse?.changed.get(dc);
    const before = changed ? reuse?.from.cells.get(dc) : undefined;
    if (changed && before && changed.size === 0) cells.set(dc, before);
    else cells.set(dc, viewMatrix(withoutDataCentreHosts(view), undefined, changed && before ? { cells: before, changed } : undefined).matrix.cells);
  }
  const comparable = reuse !== undefined && reuse.from.cells.size === views.length && views.every((v) => reuse.changed.has(v.dataCentre as string));
  if (comparable && views.every((v) => reuse.changed.get(v.dataCentre as string)?.size === 0)) return { views, cells, cross: reuse.from.cross };
  return { views, cells, cross: crossDataCentre(views, {}, comparable ? { cells: reuse.from.cross, changed: reuse.changed } : undefined) };
}

/**
 * Only the cells from `sources` (per data centre, namespaces) as sources, within each data
 * centre and across: the caller knows the others. Undefined when one of them is also a
 * destination (a Service or a pod there): then every namespace is the source of a cell that
 * may have changed.
 */
export function evaluateSources(
  platform: Platform,
  rendered: PlatformRender,
  now: Date,
  sources: ReadonlyMap<string, ReadonlySet<string>>,
): Evaluated | undefined {
  const { views } = platformViews(platform, now, {}, rendered);
  for (const view of views) {
    const here = sources.get(view.dataCentre as string);
    if (here && destinationsOf(view.input).some((d) => d.ref.kind !== 'Host' && here.has(d.ref.namespace))) return undefined;
  }
  const cells = new Map<string, readonly Cell[]>();
  for (const view of views) {
    const dc = view.dataCentre as string;
    cells.set(dc, viewMatrix(withoutDataCentreHosts(view), undefined, undefined, sources.get(dc) ?? new Set()).matrix.cells);
  }
  return { views, cells, cross: crossDataCentre(views, { sources }) };
}

/**
 * The view without the other data centres as hosts: paths to and from their ranges are left
 * out of the access (reported once, across data centres), so their cells, most of a
 * matrix whose workspaces run nothing yet, are not evaluated.
 */
function withoutDataCentreHosts(view: View): View {
  const hosts = (view.input.hosts ?? []).filter((h) => !h.name.startsWith(DATA_CENTRE_HOST_PREFIX));
  return { ...view, input: { ...view.input, hosts } };
}

/** `rendered`: the platform rendered at `now`; `evaluated`: its evaluation (evaluateAccess). */
export function accessPairs(platform: Platform, rendered: PlatformRender, now: Date, evaluated = evaluateAccess(platform, rendered, now)): AccessPair[] {
  const pairs: AccessPair[] = [];
  const owners = ownerBases(platform, now);
  const indexed = new Map(rendered.perDataCentre.map((r) => [r.dataCentre, indexRendered(r.objects)]));
  const renderedAt = (dc: string) => indexed.get(dc) ?? indexRendered();
  for (const [dc, cells] of evaluated.cells) {
    const here = renderedAt(dc);
    for (const cell of cells) {
      if (cell.verdict !== 'allowed' && cell.verdict !== 'partial') continue;
      const source = cell.source.kind === 'Namespace' ? cell.source.namespace : `host:${cell.source.name}`;
      const d = cell.destination;
      if (d.kind !== 'Host' && cell.source.kind === 'Namespace' && d.namespace === cell.source.namespace) continue;
      if (d.kind === 'Host' && d.name.startsWith(DATA_CENTRE_HOST_PREFIX)) continue;
      if (cell.source.kind === 'Host' && cell.source.name.startsWith(DATA_CENTRE_HOST_PREFIX)) continue;
      pairs.push(pair(owners, here, dc, source, destinationText(cell), portText(cell), cell.verdict, [...cell.egress.allowedBy, ...cell.ingress.allowedBy]));
    }
  }
  for (const c of evaluated.cross) {
    if (c.verdict === 'denied') continue;
    const at = renderedAt(c.to.dataCentre);
    const to = `${c.to.namespace}/${c.to.name} (${c.to.kind})`;
    const port = `${c.to.port}/${c.to.protocol}`;
    // The sender's egress opens the whole range (every service there); the receiver's ingress names the one service.
    pairs.push(
      pair(owners, at, `${c.from.dataCentre} → ${c.to.dataCentre}`, c.from.namespace, to, port, c.verdict, c.ingress.allowedBy, renderedAt(c.from.dataCentre)),
    );
  }
  return pairs.sort((a, b) => cmp(pairKey(a), pairKey(b)));
}

function destinationText(cell: Cell): string {
  const d = cell.destination;
  return d.kind === 'Host' ? d.name : `${d.namespace}/${d.name} (${d.kind === 'Service' ? 'Service' : d.podKind})`;
}

function portText(cell: Cell): string {
  if (!cell.openPorts) return destinationPort(cell.destination);
  if (cell.openPorts.length === 0) return '*';
  const all = ['TCP', 'UDP', 'SCTP'].map((protocol) => formatSpan({ protocol, from: 1, to: 65535 })).join(',');
  return cell.openPorts.join(',') === all ? 'all ports' : cell.openPorts.join(', ');
}

function pair(
  ownerIndex: OwnerBases,
  rendered: Rendered,
  dataCentre: string,
  source: string,
  destination: string,
  port: string,
  verdict: 'allowed' | 'partial',
  rules: readonly RuleMatch[],
  sourceObjects: Rendered = rendered,
): AccessPair {
  const workspace = workspaceOf(sourceObjects, source);
  const owners = new Map<string, PlatformObject>();
  for (const rule of rules) {
    const owner = ownerOfPolicy(ownerIndex.owners, rendered, rule.policy);
    if (owner) owners.set(`${owner.kind}/${owner.metadata.namespace ?? ''}/${owner.metadata.name}`, owner);
  }
  const justifications: Justification[] = [];
  for (const owner of [...owners.values()]) {
    const j = justify(ownerIndex.basis(owner), workspace, destination);
    if (j && !justifications.some((x) => JSON.stringify(x) === JSON.stringify(j))) justifications.push(j);
  }
  const p: AccessPair = { dataCentre, source, destination, port, verdict, justifications, window: windowOf(justifications) };
  if (workspace) p.sourceWorkspace = `${workspace.agency}/${workspace.workspace}`;
  return p;
}

function workspaceOf(objects: Rendered, namespace: string): { agency: string; workspace: string } | undefined {
  const ns = objects.namespaces.get(namespace);
  const agency = ns?.metadata.labels[LABELS.agencyName];
  const workspace = ns?.metadata.labels[LABELS.workspace];
  return agency !== undefined && workspace !== undefined ? { agency, workspace } : undefined;
}

/** The govcloud object that wants the NetworkPolicy `namespace/name`, by its owner label. */
export function ownerOfPolicy(owners: Owners, rendered: Rendered, policy: string): PlatformObject | undefined {
  const object = rendered.policies.get(policy);
  if (!object) return undefined;
  const full = object.metadata.annotations?.[ANNOTATIONS.owner] ?? object.metadata.labels[LABELS.owner] ?? '';
  const [kind = '', ns = '', ...rest] = full.split('.');
  return owners.get(`${kind}|${ns}|${rest.join('.')}`);
}

function record(o: PlatformObject): RecordRef {
  const r: RecordRef = { kind: o.kind, name: o.metadata.name };
  if (o.metadata.namespace !== undefined) r.namespace = o.metadata.namespace;
  const spec = o.spec as { validFrom?: string; validUntil?: string };
  if (spec.validFrom !== undefined) r.validFrom = spec.validFrom;
  if (spec.validUntil !== undefined) r.validUntil = spec.validUntil;
  return r;
}

function byRef(list: readonly (AccessRequest | AccessGrant)[], ref: string): AccessRequest | AccessGrant | undefined {
  return list.find((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` === ref);
}

/**
 * What the justifications of a path through the owner's policies are made of: everything
 * `justify` reads of the platform, computed once per owner. Two versions of the platform that
 * give an owner equal bases justify its paths alike (`plan --base` relies on it).
 */
export type Basis =
  /** The same for every path (a link, an agency's or a data centre's policy); undefined: none. */
  | { fixed: Justification | undefined }
  | {
      service: RecordRef;
      /** The Service's own destination: another Service reached through the policy is not this one's. */
      own: string;
      sharing: string;
      /** On request: the consumers' matches, each with its request and grant. */
      matches?: { consumer: string; workspaces: string[]; records: RecordRef[] }[];
      /** Default and open: the uses declared by request. */
      uses?: { consumer: string; workspaces: string[]; request?: RecordRef }[];
    };

export function basisOf(platform: Platform, owner: PlatformObject, now: Date): Basis {
  if (owner.kind === 'NetworkLink') {
    const link = owner as NetworkLink;
    if (link.spec.peer.external) return { fixed: { basis: `link to ${link.spec.peer.external.network}`, records: [record(link)] } };
    const acting = actingAgency(platform, link);
    const answers = acting ? counterparts(platform, acting, link).filter((l) => windowOpen(l, now)) : [];
    return { fixed: { basis: 'link pair', records: [link, ...answers].map(record).sort(compareRecords) } };
  }
  if (owner.kind === 'SharedDataService') {
    const service = owner as SharedDataService;
    const provider = actingAgency(platform, service);
    if (!provider) return { fixed: undefined };
    const own = `${workspaceNamespace(provider.metadata.name, service.spec.workspace)}/${serviceObjectName(service)} (Service)`;
    const basis = { service: record(service), own, sharing: service.spec.sharing };
    if (service.spec.sharing === 'onRequest') {
      const matches = accessMatches(platform, provider, service, now).matches.map((m) => ({
        consumer: m.consumer,
        workspaces: m.workspaces,
        records: [byRef(platform.requests, m.request), byRef(platform.grants, m.grant)].flatMap((o) => (o ? [record(o)] : [])),
      }));
      return { ...basis, matches };
    }
    const uses = declaredUses(platform, provider, service, now).uses.map((u) => {
      const request = byRef(platform.requests, u.request);
      return { consumer: u.consumer, workspaces: u.workspaces, ...(request ? { request: record(request) } : {}) };
    });
    return { ...basis, uses };
  }
  if (owner.kind === 'Agency') return { fixed: { basis: 'agency policy', records: [record(owner as Agency)] } };
  return { fixed: { basis: `${owner.kind} policy`, records: [record(owner)] } };
}

function justify(basis: Basis, consumer: { agency: string; workspace: string } | undefined, destination: string): Justification | undefined {
  if ('fixed' in basis) return basis.fixed;
  // Only the policy of the service this path reaches justifies it (a consumer's egress to a range serves several).
  if (destination.includes('(Service)') && destination !== basis.own) return undefined;
  const of = (list: readonly { consumer: string; workspaces: string[] }[] | undefined) =>
    consumer ? list?.find((m) => m.consumer === consumer.agency && m.workspaces.includes(consumer.workspace)) : undefined;
  if (basis.matches) {
    const match = of(basis.matches) as { records: RecordRef[] } | undefined;
    return { basis: 'request and grant', records: [basis.service, ...(match ? match.records : [])] };
  }
  const request = (of(basis.uses) as { request?: RecordRef } | undefined)?.request;
  const text = `${basis.sharing} sharing`;
  return { basis: request ? `${text}, declared by request` : text, records: [basis.service, ...(request ? [request] : [])] };
}

function windowOpen(o: { spec: { validFrom?: string; validUntil?: string } }, now: Date): boolean {
  const w = parseWindow(o.spec);
  return w.ok && isOpen(w.window, now);
}

function windowOf(justifications: readonly Justification[]): AccessPair['window'] {
  const records = justifications.flatMap((j) => j.records);
  const froms = records.map((r) => r.validFrom).filter((t): t is string => t !== undefined);
  const untils = records.map((r) => r.validUntil).filter((t): t is string => t !== undefined);
  const w: AccessPair['window'] = {};
  const latest = froms.sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1);
  const earliest = untils.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  if (latest !== undefined) w.validFrom = latest;
  if (earliest !== undefined) w.validUntil = earliest;
  return w;
}

function compareRecords(a: RecordRef, b: RecordRef): number {
  return cmp(`${a.kind}/${a.namespace ?? ''}/${a.name}`, `${b.kind}/${b.namespace ?? ''}/${b.name}`);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
