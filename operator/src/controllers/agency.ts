// Agency: the agency's namespaces, quotas, defaults, RBAC and baseline network policies in
// every data centre it is placed in (renderAgency), its hub namespace on the hub, and
// nothing anywhere else: what carries its owner label but is no longer rendered is pruned in
// every connected data centre, so a placement change moves it. Namespaces are deleted only
// under deletionPolicy Delete; otherwise they are orphaned with their default-deny policy,
// quota and LimitRange, and re-adopted only by the same tenant (namespaces.ts). In a data
// centre the agency has moved off, its namespaces wait, kept as they are, until a platform
// engineer confirms the move there (DataCentre spec.confirmedMoves): a drain loses no data.
//
// An agency the rules reject (model/rules.ts: a code already taken, a namespace of the
// platform's own, a placement its level forbids) is rendered no more: its bindings and allow
// policies go, its namespaces, quotas and default-deny stay, nothing is adopted
// (refusal.ts). Render issues make it Degraded with their messages; what can safely be
// rendered is still applied, and other agencies are not affected. The finalizer
// govcloud.dev/cleanup lets deletion remove what the agency has in every data centre first;
// an unreachable data centre holds up that agency's deletion only (retried with backoff).
import type { KubernetesObject } from '@kubernetes/client-node';
import { FINALIZER, hubNamespaceOf, type Agency } from '../api/index.ts';
import { hubDataCentre, renderAgency, type AgencyRender } from '../render/index.ts';
import { isNotFound, listText, type Condition, type ReconcileFn } from '../runtime/index.ts';
import type { ControllerContext } from './context.ts';
import { admitNamespaces, orphanRetained, retainedUnderRetain } from './namespaces.ts';
import { renderedOwnerReconciler, type OwnerSync, type RenderedOwner } from './rendered-owner.ts';
import { conditionsFor, type Outcome } from './status.ts';
import { syncEverywhere, type DcOutcome, type SyncOptions } from './sync.ts';
import { itself, watch, watchEvery, type ControllerSetup } from './watches.ts';

export const AGENCY_CONTROLLER = 'agency';
export const AGENCY_FIELD_MANAGER = 'govcloud-agency';

interface PlacementStatus {
  dataCentre: string;
  ready: boolean;
  namespaces: string[];
  message?: string;
}

interface AgencyStatus {
  conditions?: Condition[];
  dataCentres?: PlacementStatus[];
}

/** The render, and the namespaces the sync held per data centre (another owner's, not labelled ours). */
type AgencyReconcile = AgencyRender & { blocked: Map<string, Set<string>> };

const notRetained = (o: KubernetesObject): boolean => !retainedUnderRetain(o);

export const agencyOwner: RenderedOwner<Agency & KubernetesObject, AgencyReconcile, AgencyStatus> = {
  kind: 'Agency',
  controller: AGENCY_CONTROLLER,
  fieldManager: AGENCY_FIELD_MANAGER,
  get: (ctx, req) => ctx.hub.agency(req.name),
  // Gone without its finalizer having run (or never seen): clean up as Retain would.
  cleanUp: (_ctx, _req, sync) => cleanUp(sync, 'Retain', new Map()),
  async prepare(ctx, agency, sync) {
    if (agency.metadata.deletionTimestamp) {
      await finalize(ctx, agency, sync);
      return false;
    }
    return agency.metadata.finalizers?.includes(FINALIZER) === true || setFinalizers(ctx, agency, [...(agency.metadata.finalizers ?? []), FINALIZER]);
  },
  render: (ctx, agency) => ({ ...renderAgency(ctx.hub.platform(), agency), blocked: new Map() }),
  syncOptions(ctx, agency, render, owner) {
    return {
      ...untilMoveConfirmed(ctx, agency, underPolicy(agency.spec.deletionPolicy ?? 'Retain')),
      admit: admitNamespaces(
        { name: agency.metadata.name, code: render.code ?? '', ...(agency.metadata.uid ? { uid: agency.metadata.uid } : {}) },
        owner,
        render.blocked,
      ),
    };
  },
  outcome: (_ctx, _agency, render, outcomes) => agencyOutcome(render, outcomes),
  report(_ctx, { object: agency, render, outcomes, conditions }) {
    const status: Record<string, unknown> = {
      observedGeneration: agency.metadata.generation,
      hubNamespace: hubNamespaceOf(agency.metadata.name),
      dataCentres: render ? placementStatus(agency, render, outcomes, render.blocked) : rejectedPlacement(agency),
      conditions,
    };
    if (render?.code !== undefined) status.code = render.code;
    return status;
  },
};

export const agencyReconciler = (ctx: ControllerContext): ReconcileFn => renderedOwnerReconciler(ctx, agencyOwner);

export const agencyController: ControllerSetup = {
  kind: 'Agency',
  name: AGENCY_CONTROLLER,
  reconciler: agencyReconciler,
  object: (hub, _namespace, name) => hub.agency(name),
  watches: [
    watch('agencies', itself),
    // Placement, accreditation and ranges feed every render.
    watchEvery('dataCentres'),
  ],
};

/** Ready, or Degraded with every reason at once: render issues, held namespaces, unreachable or failing data centres. */
export function agencyOutcome(render: AgencyRender, outcomes: DcOutcome[]): Outcome {
  const messages: string[] = [];
  let reason: string | undefined;
  const add = (r: string, m: string | undefined) => {
    if (!m) return;
    reason ??= r;
    messages.push(m);
  };
  for (const issue of render.issues) add(issue.reason, issue.message);
  for (const o of outcomes) for (const h of o.held) add('NamespaceConflict', h);
  for (const o of outcomes) if (o.wanted && o.state === 'unreachable') add('DataCentreUnreachable', o.message);
  for (const o of outcomes) if (o.state === 'failed') add('ApplyFailed', o.message);
  if (reason !== undefined) return { state: 'degraded', reason, message: listText(messages, { noun: 'problems' }) };
  const namespaces = render.perDataCentre.flatMap((r) => r.objects).filter((o) => o.kind === 'Namespace').length;
  return { state: 'ready', reason: 'Reconciled', message: `placed in ${render.placed.join(', ') || 'no data centre'}; ${namespaces} namespaces in place` };
}

function placementStatus(agency: Agency, render: AgencyRender, outcomes: DcOutcome[], blocked: Map<string, Set<string>>): PlacementStatus[] {
  const names = [...new Set(agency.spec.placement.dataCentres)].sort();
  return names.map((dc) => {
    const refused = render.issues.find((i) => i.dataCentre === dc);
    if (refused && !render.placed.includes(dc)) return { dataCentre: dc, ready: false, namespaces: [], message: refused.message };
    const outcome = outcomes.find((o) => o.dataCentre === dc);
    const held = blocked.get(dc) ?? new Set<string>();
    const namespaces = (render.perDataCentre.find((r) => r.dataCentre === dc)?.objects ?? [])
      .filter((o) => o.kind === 'Namespace' && !held.has(o.metadata.name) && !o.metadata.name.startsWith('govcloud-'))
      .map((o) => o.metadata.name);
    const entry: PlacementStatus = { dataCentre: dc, ready: outcome?.state === 'applied' && outcome.held.length === 0, namespaces };
    const message = outcome?.state !== 'applied' ? outcome?.message : listText(outcome.held, { noun: 'objects wait for their namespace' }) || undefined;
    if (message) entry.message = message;
    return entry;
  });
}

/** A rejected agency's placement: nothing applied anywhere (what opened access is withdrawn, refusal.ts). */
function rejectedPlacement(agency: Agency): PlacementStatus[] {
  return [...new Set(agency.spec.placement.dataCentres)]
    .sort()
    .map((dc) => ({ dataCentre: dc, ready: false, namespaces: [], message: 'nothing applied: the rules reject the Agency (see its Degraded condition)' }));
}

/** What becomes of the agency's namespaces no longer rendered: deleted (Delete) or orphaned (Retain). */
function underPolicy(policy: string): Pick<SyncOptions, 'mayDelete' | 'after'> {
  if (policy === 'Delete') return { mayDelete: () => true };
  return { mayDelete: notRetained, ...(policy === 'Retain' ? { after: (m, w, undesired) => orphanRetained(m, w, undesired, AGENCY_FIELD_MANAGER) } : {}) };
}

/**
 * The deletion policy, except in a data centre the agency has moved off and whose
 * DataCentre does not list it in spec.confirmedMoves: there its namespaces, default-deny,
 * quota and LimitRange stay as they are, still its own, with their data, whatever the policy
 * (a drain loses nothing before a platform engineer has checked the move). Its bindings and
 * other policies go: the agency works where it is placed now.
 */
function untilMoveConfirmed(
  ctx: ControllerContext,
  agency: Agency,
  policy: Pick<SyncOptions, 'mayDelete' | 'after'>,
): Pick<SyncOptions, 'mayDelete' | 'after'> {
  const awaiting = (dc: string) =>
    !agency.spec.placement.dataCentres.includes(dc) && ctx.hub.dataCentre(dc)?.spec.confirmedMoves?.includes(agency.metadata.name) !== true;
  const { mayDelete, after } = policy;
  const out: Pick<SyncOptions, 'mayDelete' | 'after'> = {
    mayDelete: (live, dc) => (awaiting(dc) ? notRetained(live) : (mayDelete?.(live, dc) ?? live.kind !== 'Namespace')),
  };
  if (after) out.after = (member, writer, undesired) => (awaiting(member.name) ? Promise.resolve(0) : after(member, writer, undesired));
  return out;
}

/** Removes what the owner has in every reachable data centre, as its deletion policy says. */
function cleanUp(sync: OwnerSync, policy: string, required: Map<string, never[]>): Promise<DcOutcome[]> {
  return syncEverywhere({ ...sync, desired: required, ...underPolicy(policy) });
}

/** Sets the agency's finalizers; false when the agency is gone (404), which is no failure. */
async function setFinalizers(ctx: ControllerContext, agency: Agency & KubernetesObject, finalizers: string[]): Promise<boolean> {
  try {
    await ctx.hubWriter.setFinalizers(agency, finalizers);
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  ctx.metrics.writes.inc({ cluster: 'hub', controller: AGENCY_CONTROLLER, action: 'finalizer' });
  return true;
}

async function finalize(ctx: ControllerContext, agency: Agency & KubernetesObject, sync: OwnerSync): Promise<void> {
  if (!agency.metadata.finalizers?.includes(FINALIZER)) return;
  const policy = agency.spec.deletionPolicy ?? 'Retain';
  // Where the agency may have something: its placement, where it was, and the hub.
  const previous = ctx.status.previous<AgencyStatus>(agency);
  const hub = hubDataCentre(ctx.hub.platform());
  const where = new Set([
    ...agency.spec.placement.dataCentres,
    ...(previous?.dataCentres ?? []).map((d) => d.dataCentre),
    ...(hub.ok ? [hub.dataCentre.metadata.name] : []),
  ]);
  const required = new Map([...where].filter((dc) => ctx.hub.dataCentre(dc) !== undefined).map((dc) => [dc, [] as never[]]));
  const outcomes = await cleanUp(sync, policy, required);
  const blocked = outcomes.filter((o) => o.state === 'failed' || (o.state === 'unreachable' && required.has(o.dataCentre)));
  if (blocked.length > 0) {
    const message = `deletion waits until what the agency has there can be removed: ${listText(
      blocked.map((o) => o.message ?? o.dataCentre),
      { noun: 'data centres' },
    )}`;
    const status = {
      observedGeneration: agency.metadata.generation,
      conditions: conditionsFor(previous?.conditions, { state: 'degraded', reason: 'DeletionBlocked', message }, agency.metadata.generation, ctx.clock.now()),
    };
    await ctx.status.write(agency, status, AGENCY_FIELD_MANAGER);
    throw new Error(message);
  }
  const done = outcomes.filter((o) => o.state === 'applied').map((o) => o.dataCentre);
  const removed = await setFinalizers(
    ctx,
    agency,
    agency.metadata.finalizers.filter((f) => f !== FINALIZER),
  );
  ctx.status.forget(agency);
  // Gone already: an earlier reconcile removed the finalizer, the cache had not heard yet.
  if (!removed) return;
  void ctx.recorder.normal(
    agency,
    'CleanedUp',
    'Delete',
    `removed from ${done.join(', ') || 'no data centre'}; namespaces ${policy === 'Delete' ? 'deleted' : 'kept, labelled govcloud.dev/orphaned=true'}`,
  );
}
