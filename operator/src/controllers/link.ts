// NetworkLink: the link's NetworkPolicy in each data centre where the acting agency's
// workspace exists (renderLink), while both sides agree and both windows are open; where the
// two workspaces share no data centre, nothing of its own (the DataCentres' exchange gateways
// carry the pair). The
// acting agency is the owner of the hub namespace holding the link, never a field. The key
// is requeued for the renderer's next change (a window opening or closing), with no periodic
// resync, so a link closes within seconds of its validUntil. A link the rules reject
// (refusal.ts) is rendered nowhere, and its policy goes wherever it was; its peer's link
// renders against the admitted platform, where a rejected link answers nothing.
import type { KubernetesObject } from '@kubernetes/client-node';
import { agencyNameOfHubNamespace, hubNamespaceOf, type Agency, type NetworkLink } from '../api/index.ts';
import { renderLink, type LinkRender } from '../render/index.ts';
import type { Condition, ReconcileFn } from '../runtime/index.ts';
import type { ControllerContext } from './context.ts';
import { renderedOwnerReconciler, type RenderedOwner } from './rendered-owner.ts';
import type { Outcome } from './status.ts';
import { renderedOutcome, type DcOutcome } from './sync.ts';
import { watch, watchEvery, type ControllerSetup, type HubView, type ObjectKey } from './watches.ts';

export const LINK_CONTROLLER = 'link';
const FIELD_MANAGER = 'govcloud-link';

interface LinkStatus {
  active?: boolean;
  conditions?: Condition[];
}

export const linkOwner: RenderedOwner<NetworkLink & KubernetesObject, LinkRender, LinkStatus> = {
  kind: 'NetworkLink',
  controller: LINK_CONTROLLER,
  fieldManager: FIELD_MANAGER,
  get: (ctx, req) => ctx.hub.links.get(req.namespace, req.name),
  // A link in a retained, unadopted hub namespace is the old tenant's: it opens nothing.
  isGone: (ctx, link) => Boolean(link.metadata.deletionTimestamp) || ctx.hub.isInert(link.metadata.namespace),
  render: (ctx, link, now) => renderLink(ctx.hub.admitted(), link, now),
  outcome: (_ctx, _link, render, outcomes) => linkOutcome(render, outcomes),
  report(ctx, { object: link, render, outcomes, outcome, previous, conditions }) {
    const active = render !== undefined && render.active && outcomes.every((o) => !o.wanted || (o.state === 'applied' && o.held.length === 0));
    const dataCentres = render ? linkDataCentres(render) : [];
    if (previous?.active === true && !active) void ctx.recorder.normal(link, 'Deactivated', 'Close', outcome.message ?? 'the link is closed');
    if (previous?.active !== true && active) void ctx.recorder.normal(link, 'Activated', 'Open', `open in ${dataCentres.join(', ')}`);
    const status: Record<string, unknown> = { observedGeneration: link.metadata.generation, active, dataCentres, conditions };
    const agency = agencyNameOfHubNamespace(link.metadata.namespace);
    if (agency !== undefined) status.agency = agency;
    return status;
  },
};

export const linkReconciler = (ctx: ControllerContext): ReconcileFn => renderedOwnerReconciler(ctx, linkOwner);

const keyOf = (link: NetworkLink & KubernetesObject): ObjectKey => ({ namespace: link.metadata.namespace, name: link.metadata.name });

/** A change to a link enqueues it and the links that may answer it: those in its peer's hub namespace. */
export function linksForLink(hub: HubView, link: NetworkLink & KubernetesObject): ObjectKey[] {
  const peer = link.spec.peer.agency?.name;
  return [keyOf(link), ...(peer ? hub.links.list(hubNamespaceOf(peer)).map(keyOf) : [])];
}

/** A change to an Agency (or to its rule verdict) enqueues the links it is a party to: those in its hub namespace and those naming it as peer. */
export function linksForAgency(hub: HubView, agency: Agency): ObjectKey[] {
  const name = agency.metadata.name;
  return hub.links
    .list()
    .filter((link) => link.metadata.namespace === hubNamespaceOf(name) || link.spec.peer.agency?.name === name)
    .map(keyOf);
}

export const linkController: ControllerSetup = {
  kind: 'NetworkLink',
  name: LINK_CONTROLLER,
  reconciler: linkReconciler,
  object: (hub, namespace, name) => hub.links.get(namespace, name),
  watches: [
    watch('links', linksForLink),
    watch('agencies', linksForAgency),
    // Placement, accreditation and ranges feed every render.
    watchEvery('dataCentres'),
  ],
};

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
  const via = render.viaGateway;
  const where = via
    ? `through the exchange gateways of ${via.egress.dataCentres.join(', ')} and ${via.ingress.dataCentre}, to Service ${via.ingress.service} on ${via.ports.join(', ')}`
    : `in ${linkDataCentres(render).join(', ')}`;
  return { state: 'ready', reason: 'Active', message: `open ${where}` };
}

/** Where the link is open: the data centres of its policies, or those whose gateways carry it. */
export function linkDataCentres(render: LinkRender): string[] {
  const via = render.viaGateway;
  if (!via) return render.perDataCentre.map((r) => r.dataCentre);
  return [...new Set([...via.egress.dataCentres, via.ingress.dataCentre])].sort();
}
