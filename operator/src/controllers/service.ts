// SharedDataService: its workload (ServiceAccount, Deployment, Service, PodDisruptionBudget)
// and ingress policy in each data centre of its placement, and each entitled consumer's
// egress policy (renderService). AccessRequests and AccessGrants map to the key of the
// service they name, so this controller also decides and reports their status, keeps the
// service's access history (Granted, Revoked, Expired, with an Event each) and requeues for
// the next window boundary: a grant's path closes within seconds of its validUntil.
//
// A service the rules reject renders nothing and loses its policies (its workload stays:
// refusal.ts); a rejected request or grant pairs with nothing, since the service renders
// against the admitted platform, while its status is still written from the whole one.
import type { KubernetesObject } from '@kubernetes/client-node';
import { agencyNameOfHubNamespace, hubNamespaceOf, workspaceNamespace, type AccessGrant, type AccessRequest, type SharedDataService } from '../api/index.ts';
import { gatewayEndpoints, serviceGatewayIssues } from '../render/gateway.ts';
import { renderService, serviceObjectName, type AccessMatch, type ServiceRender } from '../render/index.ts';
import { windowOf } from '../model/window.ts';
import { STATUS_LISTED, type Condition, type ReconcileFn } from '../runtime/index.ts';
import { accessDecisions, nextHistory, type AccessDecision, type HistoryEntry } from './access.ts';
import type { ControllerContext } from './context.ts';
import { DEPLOYMENT } from './resources.ts';
import { renderedOwnerReconciler, type RenderedOwner } from './rendered-owner.ts';
import { conditionsFor, type Outcome } from './status.ts';
import { renderedOutcome, syncEverywhere, type DcOutcome } from './sync.ts';
import { itself, watch, watchEvery, type ControllerSetup, type HubView, type ObjectKey } from './watches.ts';

export const SERVICE_CONTROLLER = 'service';
const FIELD_MANAGER = 'govcloud-service';
const ACCESS_FIELD_MANAGER = 'govcloud-access';

interface ServiceStatus {
  conditions?: Condition[];
  history?: HistoryEntry[];
}

interface AccessStatus {
  conditions?: Condition[];
  active?: boolean;
  matchedBy?: string;
}

const VERB: Record<HistoryEntry['event'], string> = { Granted: 'AccessGranted', Revoked: 'AccessRevoked', Expired: 'AccessExpired' };

export const serviceOwner: RenderedOwner<SharedDataService & KubernetesObject, ServiceRender, ServiceStatus> = {
  kind: 'SharedDataService',
  controller: SERVICE_CONTROLLER,
  fieldManager: FIELD_MANAGER,
  get: (ctx, req) => ctx.hub.services.get(req.namespace, req.name),
  // A service in a retained, unadopted hub namespace is the old tenant's: it runs nowhere.
  isGone: (ctx, service) => Boolean(service.metadata.deletionTimestamp) || ctx.hub.isInert(service.metadata.namespace),
  async cleanUp(ctx, req, sync, now) {
    const outcomes = await syncEverywhere({ ...sync, desired: new Map() });
    const { namespace, name } = req;
    await writeAccess(
      ctx,
      accessDecisions({ hub: ctx.hub, platform: ctx.hub.platform(), namespace, name, service: undefined, rejected: false, render: undefined, now }),
      now,
    );
    return outcomes;
  },
  render: (ctx, service, now) => {
    const platform = ctx.hub.admitted();
    const render = renderService(platform, service, now);
    // A consumer only in other data centres that no gateway carries: GatewayUnavailable, as `govcloud plan` says.
    const gateway = serviceGatewayIssues(platform, service, render, now, gatewayEndpoints(platform));
    return gateway.length === 0 ? render : { ...render, issues: [...render.issues, ...gateway] };
  },
  outcome: (ctx, service, render, outcomes) => serviceOutcome(ctx, service, render, outcomes),
  report(ctx, { object: service, render, previous, conditions, now }) {
    const { history, added } = nextHistory(previous?.history, render?.access ?? [], ctx.hub.platform(), now, (m) => pairWasOpen(ctx, m));
    recordHistory(ctx, service, added);
    if (render) return serviceStatus(service, render, placements(ctx, service, render), history, conditions);
    return { observedGeneration: service.metadata.generation, dataCentres: [], consumers: [], consumerCount: 0, history, conditions };
  },
  async afterStatus(ctx, { object: service, render, rejection, now }) {
    const { namespace = '', name } = service.metadata;
    await writeAccess(
      ctx,
      accessDecisions({ hub: ctx.hub, platform: ctx.hub.platform(), namespace, name, service, rejected: rejection !== undefined, render, now }),
      now,
    );
  },
};

export const serviceReconciler = (ctx: ControllerContext): ReconcileFn => renderedOwnerReconciler(ctx, serviceOwner);

/** A change to an AccessRequest enqueues the service it names, in its provider's hub namespace. */
export function serviceForRequest(_hub: HubView, request: AccessRequest): ObjectKey[] {
  return [{ namespace: hubNamespaceOf(request.spec.provider), name: request.spec.service }];
}

/** A change to an AccessGrant enqueues the service it names in its own namespace (a grant elsewhere grants nothing, and the service says so). */
export function serviceForGrant(_hub: HubView, grant: AccessGrant): ObjectKey[] {
  return [{ ...(grant.metadata.namespace !== undefined ? { namespace: grant.metadata.namespace } : {}), name: grant.spec.service }];
}

/** A grant deleted: its expiry is exported no more. */
export function forgetGrantExpiry(ctx: ControllerContext, grant: AccessGrant): void {
  ctx.metrics.grantExpiry.remove({
    agency: agencyNameOfHubNamespace(grant.metadata.namespace) ?? grant.metadata.namespace ?? '',
    accessgrant: grant.metadata.name,
  });
}

export const serviceController: ControllerSetup = {
  kind: 'SharedDataService',
  name: SERVICE_CONTROLLER,
  reconciler: serviceReconciler,
  object: (hub, namespace, name) => hub.services.get(namespace, name),
  watches: [
    watch('services', itself),
    watch('requests', serviceForRequest),
    watch('grants', serviceForGrant, forgetGrantExpiry),
    // Every agency may consume it (a rejected one is no consumer: refusal.ts).
    watchEvery('agencies'),
    // Placement, accreditation and ranges feed every render.
    watchEvery('dataCentres'),
  ],
};

/**
 * What the service's status says: where it runs, the workspaces entitled to it (the first
 * STATUS_LISTED of them and their count: a `default` service has every agency's), its access
 * history and conditions.
 */
export function serviceStatus(
  service: SharedDataService,
  render: ServiceRender,
  dataCentres: ReturnType<typeof placements>,
  history: HistoryEntry[],
  conditions: Condition[],
): Record<string, unknown> {
  const status: Record<string, unknown> = {
    observedGeneration: service.metadata.generation,
    dataCentres,
    consumers: render.consumers.slice(0, STATUS_LISTED),
    consumerCount: render.consumers.length,
    history,
    conditions,
  };
  if (render.identifier) status.identifier = render.identifier;
  const ownerAgency = agencyNameOfHubNamespace(service.metadata.namespace);
  if (ownerAgency !== undefined) status.owner = ownerAgency;
  return status;
}

/** Whether the grant and request of a pair were both active, matched with each other, at their last status write. */
function pairWasOpen(ctx: ControllerContext, m: AccessMatch): boolean {
  const [gns = '', gname = ''] = m.grant.split('/');
  const grantObject = ctx.hub.grants.get(gns, gname);
  const grant = grantObject && ctx.status.previous<AccessStatus>(grantObject);
  if (grant?.active !== true) return false;
  if (m.request === undefined) return true;
  const [rns = '', rname = ''] = m.request.split('/');
  const requestObject = ctx.hub.requests.get(rns, rname);
  const request = requestObject && ctx.status.previous<AccessStatus>(requestObject);
  return request?.active === true && (grant.matchedBy === m.request || request.matchedBy === m.grant);
}

/** An Event per history entry, on the service and on the grant. */
function recordHistory(ctx: ControllerContext, service: SharedDataService & KubernetesObject, added: readonly HistoryEntry[]): void {
  for (const e of added) {
    const note = `${e.grant} (request ${e.request ?? '-'}): ${e.event.toLowerCase()} for ${e.consumer}`;
    void ctx.recorder.normal(service, VERB[e.event], 'Access', note);
    const [gns, gname] = e.grant.split('/');
    const grant = ctx.hub.grants.get(gns, gname ?? '');
    if (grant) void ctx.recorder.normal(grant, VERB[e.event], 'Access', note);
  }
}

function placements(ctx: ControllerContext, service: SharedDataService, render: ServiceRender) {
  const owner = agencyNameOfHubNamespace(service.metadata.namespace) ?? '';
  const namespace = workspaceNamespace(owner, service.spec.workspace);
  const name = serviceObjectName(service);
  return render.dataCentres.map((dc) => {
    const deployment = ctx.members.get(dc)?.find({ apiVersion: DEPLOYMENT.apiVersion, kind: DEPLOYMENT.kind, metadata: { namespace, name } }) as
      (KubernetesObject & { status?: { availableReplicas?: number } }) | undefined;
    return { dataCentre: dc, availableReplicas: deployment?.status?.availableReplicas ?? 0, endpoint: `${name}.${namespace}.svc:${service.spec.port}` };
  });
}

export function serviceOutcome(ctx: ControllerContext, service: SharedDataService, render: ServiceRender, outcomes: DcOutcome[]): Outcome {
  const synced = renderedOutcome(render.issues, outcomes);
  if (synced) return synced;
  const replicas = service.spec.replicas ?? 2;
  const short = placements(ctx, service, render).filter((p) => p.availableReplicas < replicas);
  if (short.length > 0) {
    return {
      state: 'progressing',
      reason: 'RollingOut',
      message: short.map((p) => `${p.dataCentre}: ${p.availableReplicas}/${replicas} replicas available`).join('; '),
    };
  }
  const consumers = render.consumers.length;
  return {
    state: 'ready',
    reason: 'Available',
    message: `runs in ${render.dataCentres.join(', ')}; ${consumers} consumer workspace${consumers === 1 ? '' : 's'}`,
  };
}

async function writeAccess(ctx: ControllerContext, decisions: AccessDecision[], now: number): Promise<void> {
  for (const d of decisions) {
    const obj = d.object as AccessDecision['object'] & KubernetesObject;
    const previous = ctx.status.previous<AccessStatus>(obj);
    const status: Record<string, unknown> = {
      ...d.status,
      observedGeneration: obj.metadata.generation,
      conditions: conditionsFor(previous?.conditions, d.outcome, obj.metadata.generation, now),
    };
    if (obj.kind === 'AccessGrant') {
      const until = windowOf(obj.spec).until;
      const labels = { agency: agencyNameOfHubNamespace(obj.metadata.namespace) ?? obj.metadata.namespace ?? '', accessgrant: obj.metadata.name };
      if (until !== undefined) ctx.metrics.grantExpiry.set(labels, until / 1000);
    }
    await ctx.status.write(obj, status, ACCESS_FIELD_MANAGER);
    if (d.outcome.state === 'degraded') void ctx.recorder.warning(obj, d.outcome.reason, 'Access', d.outcome.message);
  }
}
