// DataCentre: connect to the data centre's cluster (and reconnect when its Secret changes),
// put the objects every cluster holds once (platformObjects: the pod admission policy) in
// place, and its exchange gateway's (render/gateway.ts: the HAProxy ConfigMap, the
// Certificates, the NetworkPolicies of the routes across data centres that the current
// request+grant pairs open; re-rendered when a window opens or closes; a cluster without
// cert-manager gets all but the Certificates, and the condition CertManagerMissing), check the govcloud ClusterRoles the chart installs there (the operator binds them
// but may not write them), and report what the cluster is: connected, its version and ready
// nodes, the agencies placed there and the capacity their quotas take. The member's probe
// loop re-enqueues the key when any of that changes, so this needs no periodic resync.
//
// A DataCentre the rules reject (overlapping ranges, a second hub) is Degraded through the
// same path as every kind (refusal.ts), but its platform objects are still applied: they are
// the same for every data centre and only confine (admission policies), and withholding
// them would leave the agencies placed there with fewer guard-rails, failing open. That is
// also why it is not a rendered owner (rendered-owner.ts): nothing is withdrawn on rejection,
// and what it reports is first the connection, then the apply.
import type { KubernetesObject } from '@kubernetes/client-node';
import { agencyNameOfHubNamespace, SYSTEM_NAMESPACE, type DataCentre } from '../api/index.ts';
import { formatBytes, formatMilli } from '../model/quantity.ts';
import { gatewayEndpoints, isGatewayObject, renderGateways, withCertificateRevisions, type GatewayRender } from '../render/gateway.ts';
import type { Platform } from '../model/platform.ts';
import { compareStrings, ownerFromLabels, ownerLabelValue, placementOf, platformObjects, stillIn, type DesiredObject } from '../render/index.ts';
import { earliest } from '../model/window.ts';
import { errorMessage, listText, STATUS_LISTED, withDeadline, type Condition, type ReconcileFn } from '../runtime/index.ts';
import { HUB, requeueFor, type ControllerContext } from './context.ts';
import { checkCredentials } from './credentials.ts';
import type { Member } from './members.ts';
import { platformRoleProblems } from './platform-roles.ts';
import { rejectedOutcome, rejectionOf } from './refusal.ts';
import { conditionsFor, type Outcome } from './status.ts';
import { kindKey } from './resources.ts';
import { changed, countsText, inManagedNamespaces, syncEverywhere, type Admission } from './sync.ts';
import { itself, watch, watchEvery, type ControllerSetup, type HubView, type ObjectKey } from './watches.ts';

export const DATACENTRE_CONTROLLER = 'datacentre';
const FIELD_MANAGER = 'govcloud-datacentre';

interface DataCentreStatus {
  connected?: boolean;
  serverVersion?: string;
  conditions?: Condition[];
}

export interface Allocation {
  agencies: number;
  cpu: bigint;
  memory: bigint;
  storage: bigint;
}

/** Each data centre's allocation, per platform the hub published. */
const allocations = new WeakMap<Platform, Map<string, Allocation>>();

/**
 * Agencies placed in the data centre (accepted placement) and the sum of their quotas there.
 * Every data centre's reconcile wants it after any agency's change: placing every agency once
 * per platform, not once per data centre: a fifth of the operator's work while 1,000 of 5,000
 * agencies were deleted.
 */
export function allocation(ctx: ControllerContext, dc: string): Allocation {
  const platform = ctx.hub.platform();
  let byDataCentre = allocations.get(platform);
  if (!byDataCentre) {
    byDataCentre = new Map();
    for (const agency of platform.agencies) {
      for (const placed of placementOf(platform, agency).placed) {
        const name = placed.dataCentre.metadata.name;
        const total = byDataCentre.get(name) ?? { agencies: 0, cpu: 0n, memory: 0n, storage: 0n };
        total.agencies++;
        total.cpu += placed.quota.cpu;
        total.memory += placed.quota.memory;
        total.storage += placed.quota.storage;
        byDataCentre.set(name, total);
      }
    }
    allocations.set(platform, byDataCentre);
  }
  return { agencies: 0, cpu: 0n, memory: 0n, storage: 0n, ...byDataCentre.get(dc) };
}

/** What is still in a cordoned data centre: sorted names, each list with its count. */
export interface Drain {
  agencies: string[];
  services: string[];
  /** Moved off, their namespaces kept here until the move is confirmed (spec.confirmedMoves). */
  awaitingConfirmation: string[];
}

/**
 * What the specs still place in the data centre (stillIn, as `govcloud plan` shows it), and
 * the agencies whose namespaces are still here though they are placed here no more (what the
 * member's cache shows; none while it is not reached).
 */
export function drainOf(ctx: ControllerContext, dc: string): Drain {
  const { agencies, services } = stillIn(ctx.hub.platform(), dc);
  const placed = new Set(agencies);
  const member = ctx.members.get(dc);
  const kept = new Set<string>();
  if (member?.ready()) {
    // A namespace being deleted is on its way out: what the drain waits for is gone with it.
    for (const ns of member.managedNamespaces()) {
      if (ns.metadata?.deletionTimestamp) continue;
      const owner = ownerFromLabels(ns.metadata);
      if (owner?.kind === 'Agency' && !placed.has(owner.name) && agencyNameOfHubNamespace(ns.metadata?.name) === undefined) kept.add(owner.name);
    }
  }
  return { agencies, services, awaitingConfirmation: [...kept].sort(compareStrings) };
}

/** The drain as status keeps it: at most STATUS_LISTED names per list, and the counts. */
export function drainStatus(drain: Drain): Record<string, unknown> {
  return {
    agencies: drain.agencies.slice(0, STATUS_LISTED),
    agencyCount: drain.agencies.length,
    services: drain.services.slice(0, STATUS_LISTED),
    serviceCount: drain.services.length,
    awaitingConfirmation: drain.awaitingConfirmation.slice(0, STATUS_LISTED),
    awaitingConfirmationCount: drain.awaitingConfirmation.length,
  };
}

/** Connects (or reconnects) the member for a DataCentre; undefined with why when it cannot. */
export function connect(ctx: ControllerContext, dc: DataCentre): { member?: Member; reason?: string; message?: string } {
  const resolved = ctx.connector.resolve(dc);
  if (!resolved.ok) return { reason: resolved.reason, message: resolved.message };
  return { member: ctx.members.ensure(dc.metadata.name, resolved.fingerprint, resolved.open) };
}

export function dataCentreReconciler(ctx: ControllerContext): ReconcileFn {
  return async (req) => {
    const signal = ctx.fence;
    const name = req.name;
    const dc = ctx.hub.dataCentre(name);
    if (!dc || dc.metadata.deletionTimestamp) {
      await ctx.members.remove(name);
      for (const resource of ['cpu', 'memory', 'storage']) ctx.metrics.quotaAllocated.remove({ datacentre: name, resource });
      return;
    }
    const now = ctx.clock.now();
    const previous = ctx.status.previous<DataCentreStatus>(dc);
    const { member, reason, message } = connect(ctx, dc);
    if (!member) await ctx.members.remove(name);

    const alloc = allocation(ctx, name);
    ctx.metrics.quotaAllocated.set({ datacentre: name, resource: 'cpu' }, Number(alloc.cpu) / 1000);
    ctx.metrics.quotaAllocated.set({ datacentre: name, resource: 'memory' }, Number(alloc.memory));
    ctx.metrics.quotaAllocated.set({ datacentre: name, resource: 'storage' }, Number(alloc.storage));

    let outcome: Outcome;
    const status: Record<string, unknown> = {
      observedGeneration: dc.metadata.generation,
      agencies: alloc.agencies,
      allocated: { cpu: formatMilli(alloc.cpu), memory: formatBytes(alloc.memory), storage: formatBytes(alloc.storage) },
    };
    const drain = dc.spec.cordoned === true ? drainOf(ctx, name) : undefined;
    if (drain) status.drain = drainStatus(drain);
    let failure: string | undefined;
    let gatewayChange: Date | undefined;
    const ready = member?.ready() === true;
    status.connected = ready;
    const probe = member?.probeResult();
    if (probe) {
      status.serverVersion = probe.version;
      status.readyNodes = probe.readyNodes;
    } else if (previous?.serverVersion) {
      status.serverVersion = previous.serverVersion;
    }
    if (!member) {
      outcome = { state: 'degraded', reason: reason ?? 'NotConnected', message: message ?? 'not connected' };
    } else if (!ready) {
      outcome =
        member.state() === 'connecting'
          ? { state: 'progressing', reason: 'Connecting', message: member.problem() ?? 'connecting' }
          : { state: 'degraded', reason: 'Unreachable', message: member.problem() ?? 'unreachable' };
    } else {
      const gateway = gatewayObjectsIn(ctx, name, new Date(now));
      gatewayChange = gateway.nextChange;
      const gatewayObjects = withCertificateRevisions(gateway.objects, (certificate) => issuedRevision(member, certificate));
      const revoked = revokedSecrets(ctx, member, name, gatewayObjects);
      const [result] = await syncEverywhere({
        ctx,
        controller: DATACENTRE_CONTROLLER,
        fieldManager: FIELD_MANAGER,
        owner: ownerLabelValue({ kind: 'DataCentre', name }),
        desired: new Map([[name, [...platformObjects(dc, ctx.hub.platform().dataCentres), ...gatewayObjects]]]),
        regarding: dc,
        signal,
        // The platform objects are shared by every agency: never pruned. The gateway's go with their routes.
        mayDelete: (live) => isGatewayObject(live),
        admit: withInstalledKinds,
      }).then((all) => all.filter((o) => o.dataCentre === name));
      if (result && changed(result)) void ctx.recorder.normal(dc, 'Applied', 'Apply', `platform objects: ${countsText(result)}`);
      if (result?.state === 'applied' && revoked.size > 0) {
        const deletion = await deleteRevoked(ctx, member, revoked, signal);
        if (deletion.deleted.length > 0)
          void ctx.recorder.normal(dc, 'KeysDeleted', 'Delete', `${name}: Secrets of pruned gateway Certificates deleted: ${deletion.deleted.join(', ')}`);
        failure = deletion.failure;
      }
      const rejection = rejectionOf(ctx.hub, dc);
      const roleProblems = probe ? platformRoleProblems(probe.platformRoles) : [];
      const lacking = addOnsLacking(member, gateway.objects);
      if (result?.state === 'failed' || failure) {
        failure = result?.message ?? failure;
        outcome = { state: 'degraded', reason: 'ApplyFailed', message: failure ?? 'apply failed' };
      } else if (lacking) {
        outcome = { state: 'degraded', reason: lacking.reason, message: `data centre ${name}: ${lacking.message}` };
      } else if (roleProblems.length > 0) {
        outcome = { state: 'degraded', reason: 'PlatformRolesDiffer', message: listText(roleProblems, { noun: 'differences in the govcloud ClusterRoles' }) };
      } else if (rejection) {
        outcome = rejectedOutcome(rejection);
      } else {
        outcome = {
          state: 'ready',
          reason: 'Connected',
          message:
            `Kubernetes ${probe?.version ?? '?'}, ${probe?.readyNodes ?? 0} ready nodes, ${alloc.agencies} agencies placed` +
            (drain ? `; cordoned: ${drainText(drain)}` : ''),
        };
      }
    }
    const credentials = await checkCredentials(ctx, dc, conditionsFor(previous?.conditions, outcome, dc.metadata.generation, now), now, signal);
    status.conditions = credentials.conditions;

    if (previous?.connected !== ready) {
      if (ready) void ctx.recorder.normal(dc, 'Connected', 'Connect', `connected: Kubernetes ${probe?.version ?? '?'}, ${probe?.readyNodes ?? 0} ready nodes`);
      else if (previous?.connected === true || outcome.state === 'degraded')
        void ctx.recorder.warning(dc, outcome.reason ?? 'Unreachable', 'Connect', outcome.message ?? '');
    } else if (outcome.state === 'degraded') {
      void ctx.recorder.warning(dc, outcome.reason, 'Reconcile', outcome.message);
    }
    await ctx.status.write(dc, status, FIELD_MANAGER);
    if (failure) throw new Error(failure);
    const after = requeueFor(earliest([credentials.requeueAt, gatewayChange]), now, ctx.maxRequeueMs);
    return after === undefined ? undefined : { requeueAfter: after };
  };
}

/** Reason of the DataCentre's condition when the gateway wants a kind whose add-on the cluster lacks. */
export const CERT_MANAGER_MISSING = 'CertManagerMissing';

/**
 * The exchange gateway's objects in this data centre (render/gateway.ts), from the platform
 * the rules admit (a rejected request or grant opens no route), and when its routes next
 * open or close.
 */
export function gatewayObjectsIn(ctx: ControllerContext, dataCentre: string, now: Date): { objects: DesiredObject[]; nextChange?: Date } {
  const rendered = gatewaysOf(ctx.hub.admitted(), now);
  const objects = rendered.perDataCentre.find((r) => r.dataCentre === dataCentre)?.objects ?? [];
  return rendered.nextChange ? { objects, nextChange: rendered.nextChange } : { objects };
}

/** The last gateway render of each admitted platform, and from when it holds. */
const gatewayRenders = new WeakMap<Platform, { at: number; render: GatewayRender }>();

/**
 * Every data centre's reconcile wants its share of one render of the whole platform's gateways:
 * render once per admitted platform (the hub publishes a new object on any change) and reuse
 * it until the next window boundary, the only way `now` changes what it renders.
 */
function gatewaysOf(platform: Platform, now: Date): GatewayRender {
  const t = now.getTime();
  const cached = gatewayRenders.get(platform);
  if (cached && t >= cached.at && (cached.render.nextChange === undefined || t < cached.render.nextChange.getTime())) return cached.render;
  const render = renderGateways(platform, now, gatewayEndpoints(platform));
  gatewayRenders.set(platform, { at: t, render });
  return render;
}

/** The revision cert-manager last issued of a gateway Certificate in the data centre (its status, as cached). */
function issuedRevision(member: Member, certificate: string): number | undefined {
  const live = member.find({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { namespace: SYSTEM_NAMESPACE, name: certificate } });
  return (live as { status?: { revision?: number } } | undefined)?.status?.revision;
}

/**
 * Per operator and data centre, the Secrets of gateway Certificates it prunes, until deleted.
 * cert-manager keeps a deleted Certificate's Secret (its default), which would leave a
 * withdrawn grant's or a removed agency's key in govcloud-system: the operator deletes it once
 * the Certificate is gone (not before: cert-manager would issue it again). In memory: after a
 * restart a Secret whose deletion failed stays until deleted by hand (its certificate ends
 * within 24 h).
 */
const revokingByOperator = new WeakMap<ControllerContext, Map<string, Set<string>>>();

/** The Secrets to delete after this reconcile's apply: the gateway Certificates it prunes, and those still pending. */
function revokedSecrets(ctx: ControllerContext, member: Member, dataCentre: string, desired: readonly DesiredObject[]): Set<string> {
  const wanted = new Set(desired.filter((o) => o.kind === 'Certificate').map((o) => o.metadata.name));
  let revoking = revokingByOperator.get(ctx);
  if (!revoking) revokingByOperator.set(ctx, (revoking = new Map<string, Set<string>>()));
  const pending = revoking.get(dataCentre) ?? new Set<string>();
  for (const live of member.owned(ownerLabelValue({ kind: 'DataCentre', name: dataCentre }))) {
    if (live.kind !== 'Certificate' || !isGatewayObject(live) || wanted.has(live.metadata?.name ?? '')) continue;
    pending.add((live as { spec?: { secretName?: string } }).spec?.secretName ?? live.metadata!.name!);
  }
  for (const name of pending) if (wanted.has(name)) pending.delete(name);
  if (pending.size > 0) revoking.set(dataCentre, pending);
  else revoking.delete(dataCentre);
  return pending;
}

/** Deletes the revoked Secrets (only gw-* in govcloud-system: the chart's RBAC and limits): those deleted, and what failed. */
async function deleteRevoked(
  ctx: ControllerContext,
  member: Member,
  pending: Set<string>,
  signal: AbortSignal,
): Promise<{ deleted: string[]; failure?: string }> {
  const failed: string[] = [];
  const deleted: string[] = [];
  await withDeadline(ctx.timeouts.dataCentreMs, signal, async (deadline) => {
    const writer = member.writer(deadline);
    for (const name of [...pending].sort(compareStrings)) {
      try {
        await writer.delete({ apiVersion: 'v1', kind: 'Secret', metadata: { namespace: SYSTEM_NAMESPACE, name } });
        ctx.metrics.writes.inc({ cluster: member.name, controller: DATACENTRE_CONTROLLER, action: 'delete' });
        pending.delete(name);
        deleted.push(name);
      } catch (err) {
        failed.push(`${member.name}: deleting Secret ${SYSTEM_NAMESPACE}/${name}: ${errorMessage(err)}`);
      }
    }
  });
  if (pending.size === 0) revokingByOperator.get(ctx)?.delete(member.name);
  return failed.length > 0 ? { deleted, failure: failed.join('; ') } : { deleted };
}

/**
 * Holds back the objects of a kind the cluster does not have (an add-on's CRD missing), and a
 * gateway policy for a workspace whose namespace is not there (yet): the others still apply.
 */
export function withInstalledKinds(member: Member, objects: DesiredObject[]): Admission {
  const missing = new Set(member.missing().map((m) => kindKey(m.resource)));
  const held: string[] = [];
  const installed = objects.filter((o) => {
    if (!missing.has(kindKey(o))) return true;
    held.push(
      `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name} in ${member.name}: the cluster has no ${o.apiVersion} ${o.kind}`,
    );
    return false;
  });
  const system = installed.filter((o) => o.metadata.namespace === undefined || o.metadata.namespace === SYSTEM_NAMESPACE);
  const workspaces = inManagedNamespaces(
    member,
    installed.filter((o) => !system.includes(o)),
  );
  return { objects: [...system, ...workspaces.objects], held: [...held, ...workspaces.held] };
}

/** What the gateway needs here and the cluster lacks: which add-on to install, and what waits for it. */
function addOnsLacking(member: Member, wanted: readonly DesiredObject[]): { reason: string; message: string } | undefined {
  const lacking = member
    .missing()
    .map((m) => ({ ...m, waiting: wanted.filter((o) => kindKey(o) === kindKey(m.resource)).length }))
    .filter((m) => m.waiting > 0);
  if (lacking.length === 0) return undefined;
  const text = lacking.map(
    (m) =>
      `the exchange gateway needs ${m.waiting} ${m.resource.kind}${m.waiting === 1 ? '' : 's'} (${m.resource.apiVersion}), and the cluster does not serve that API: install ${m.resource.installedBy} there` +
      (m.error ? ` (${m.error})` : ''),
  );
  return { reason: CERT_MANAGER_MISSING, message: `${text.join('; ')}; the gateway's other objects are applied` };
}

/** One line for people: what a drain still waits for. */
export function drainText(drain: Drain): string {
  const { agencies, services, awaitingConfirmation } = drain;
  if (agencies.length + services.length + awaitingConfirmation.length === 0) return 'drained, nothing left here';
  const part = (items: string[], noun: string) => (items.length === 0 ? [] : [`${items.length} ${noun} (${listText(items, { noun, separator: ', ' })})`]);
  return [
    ...part(agencies, 'agencies still placed'),
    ...part(services, 'services still running'),
    ...part(awaitingConfirmation, 'moved agencies whose namespaces wait for confirmation'),
  ].join('; ');
}

export const dataCentreKey = (name: string): string => `${HUB}//${name}`;

/** A change to a Secret enqueues the DataCentres whose kubeconfig it holds: they connect again. */
export function dataCentresForSecret(hub: HubView, secret: KubernetesObject): ObjectKey[] {
  return hub.dataCentres
    .list()
    .filter((dc) => {
      const ref = dc.spec.connection.kubeconfigSecretRef;
      if (!ref) return false;
      return ref.namespace === secret.metadata?.namespace && ref.name === secret.metadata?.name;
    })
    .map((dc) => ({ name: dc.metadata.name }));
}

export const dataCentreController: ControllerSetup = {
  kind: 'DataCentre',
  name: DATACENTRE_CONTROLLER,
  reconciler: dataCentreReconciler,
  object: (hub, _namespace, name) => hub.dataCentre(name),
  watches: [
    watch('dataCentres', itself),
    // The hub's address policy holds every data centre's ranges.
    watchEvery('dataCentres'),
    watch('secrets', dataCentresForSecret),
    // Any agency's change (placement, quota, code) moves the capacity allocated and may open or
    // close a gateway's route anywhere. It reaches the DataCentres after a moment, never at once:
    // both are computed over the whole platform, and a reconcile per agency change took 42% of
    // the operator's time while 1,000 of 2,000 agencies were deleted (at 5,000 the operator
    // lost its Lease in such a deletion). A waiting key keeps its earliest time: a burst is one
    // reconcile per data centre per moment.
    watchEvery('agencies'),
    watchEvery('services'),
    watchEvery('requests'),
    watchEvery('grants'),
    watchEvery('links'),
  ],
};
