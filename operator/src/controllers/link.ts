// NetworkLink: the link's NetworkPolicy in each data centre where the acting agency's
// workspace exists (renderLink), while both sides agree and both windows are open. The
// acting agency is the owner of the hub namespace holding the link, never a field. The key
// is requeued for the renderer's next change (a window opening or closing), with no periodic
// resync, so a link closes within seconds of its validUntil. A link the rules reject
// (refusal.ts) is rendered nowhere, and its policy goes wherever it was; its peer's link
// renders against the admitted platform, where a rejected link answers nothing.
import { agencyNameOfHubNamespace } from '../api/index.ts';
import { ownerLabelValue, renderLink, type LinkRender } from '../render/index.ts';
import type { Condition, ReconcileFn, ReconcileResult } from '../runtime/index.ts';
import { requeueFor, type ControllerContext } from './context.ts';
import { rejectedOutcome, rejectionOf, withdraw } from './refusal.ts';
import { conditionsFor, type Outcome } from './status.ts';
import { renderedOutcome, syncEverywhere, syncRendered, throwIfFailed, type DcOutcome } from './sync.ts';

export const LINK_CONTROLLER = 'link';
const FIELD_MANAGER = 'govcloud-link';

interface LinkStatus {
  active?: boolean;
  conditions?: Condition[];
}

export function linkReconciler(ctx: ControllerContext): ReconcileFn {
  return async (req): Promise<ReconcileResult | void> => {
    const signal = ctx.fence;
    const owner = ownerLabelValue({ kind: 'NetworkLink', namespace: req.namespace, name: req.name });
    const link = ctx.hub.links.get(req.namespace, req.name);
    // A link in a retained, unadopted hub namespace is the old tenant's: it opens nothing.
    if (!link || link.metadata.deletionTimestamp || ctx.hub.isInert(link.metadata.namespace)) {
      const outcomes = await syncEverywhere({ ctx, controller: LINK_CONTROLLER, fieldManager: FIELD_MANAGER, owner, desired: new Map(), signal });
      throwIfFailed(outcomes);
      return;
    }
    const now = ctx.clock.now();
    const rejection = rejectionOf(ctx.hub, link);
    const render = rejection ? undefined : renderLink(ctx.hub.admitted(), link, new Date(now));
    const sync = { ctx, controller: LINK_CONTROLLER, fieldManager: FIELD_MANAGER, owner, signal };
    const outcomes = render ? await syncRendered(link, render.perDataCentre, sync) : await withdraw(link, sync);

    const previous = ctx.status.previous<LinkStatus>(link);
    const outcome = rejection ? rejectedOutcome(rejection) : linkOutcome(render!, outcomes);
    const active = render !== undefined && render.active && outcomes.every((o) => !o.wanted || (o.state === 'applied' && o.held.length === 0));
    const dataCentres = render?.perDataCentre.map((r) => r.dataCentre) ?? [];
    if (previous?.active === true && !active) void ctx.recorder.normal(link, 'Deactivated', 'Close', outcome.message ?? 'the link is closed');
    if (previous?.active !== true && active) void ctx.recorder.normal(link, 'Activated', 'Open', `open in ${dataCentres.join(', ')}`);
    if (outcome.state === 'degraded') void ctx.recorder.warning(link, outcome.reason, 'Reconcile', outcome.message);

    const status: Record<string, unknown> = {
      observedGeneration: link.metadata.generation,
      active,
      dataCentres,
      conditions: conditionsFor(previous?.conditions, outcome, link.metadata.generation, now),
    };
    const agency = agencyNameOfHubNamespace(link.metadata.namespace);
    if (agency !== undefined) status.agency = agency;
    await ctx.status.write(link, status, FIELD_MANAGER);
    throwIfFailed(outcomes);
    const after = requeueFor(render?.nextChange, now, ctx.maxRequeueMs);
    return after === undefined ? undefined : { requeueAfter: after };
  };
}

/**
 * Refused (the renderer reported the reason as an issue) or failing: Degraded. Waiting for
 * the peer's consent or for a window: not ready, not failing. Open: Ready.
 */
export function linkOutcome(render: LinkRender, outcomes: DcOutcome[]): Outcome {
  const synced = renderedOutcome(render.issues, outcomes);
  if (synced) return synced;
  if (render.inactive) {
    const waiting = render.inactive.reason === 'WaitingForPeer' || render.inactive.reason === 'NotYetValid';
    return waiting
      ? { state: 'progressing', reason: render.inactive.reason, message: render.inactive.message }
      : { state: 'inactive', reason: render.inactive.reason, message: render.inactive.message };
  }
  return { state: 'ready', reason: 'Active', message: `open in ${render.perDataCentre.map((r) => r.dataCentre).join(', ')}` };
}

