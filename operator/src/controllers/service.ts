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
import { agencyNameOfHubNamespace, workspaceNamespace, type SharedDataService } from '../api/index.ts';
import { ownerLabelValue, renderService, serviceObjectName, type AccessMatch, type ServiceRender } from '../render/index.ts';
import { windowOf } from '../model/window.ts';
import { STATUS_LISTED, type Condition, type ReconcileFn, type ReconcileResult } from '../runtime/index.ts';
import { accessDecisions, nextHistory, type AccessDecision, type HistoryEntry } from './access.ts';
import { requeueFor, type ControllerContext } from './context.ts';
import { DEPLOYMENT } from './resources.ts';
import { rejectedOutcome, rejectionOf, withdraw } from './refusal.ts';
import { conditionsFor, type Outcome } from './status.ts';
import { renderedOutcome, syncEverywhere, syncRendered, throwIfFailed, type DcOutcome } from './sync.ts';

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

export function serviceReconciler(ctx: ControllerContext): ReconcileFn {
  return async (req): Promise<ReconcileResult | void> => {
    const signal = ctx.fence;
    const { namespace, name } = req;
    const owner = ownerLabelValue({ kind: 'SharedDataService', namespace, name });
    const service = ctx.hub.services.get(namespace, name);
    const platform = ctx.hub.platform();
    const now = ctx.clock.now();
    // A service in a retained, unadopted hub namespace is the old tenant's: it runs nowhere.
    if (!service || service.metadata.deletionTimestamp || ctx.hub.isInert(namespace)) {
      const outcomes = await syncEverywhere({ ctx, controller: SERVICE_CONTROLLER, fieldManager: FIELD_MANAGER, owner, desired: new Map(), signal });
      await writeAccess(ctx, accessDecisions({ hub: ctx.hub, platform, namespace, name, service: undefined, rejected: false, render: undefined, now }), now);
      throwIfFailed(outcomes);
      return;
    }

    const sync = { ctx, controller: SERVICE_CONTROLLER, fieldManager: FIELD_MANAGER, owner, signal };
    const rejection = rejectionOf(ctx.hub, service);
    if (rejection) {
      const outcomes = await withdraw(service, sync);
      const outcome = rejectedOutcome(rejection);
      void ctx.recorder.warning(service, outcome.reason, 'Reconcile', outcome.message);
      const previous = ctx.status.previous<ServiceStatus>(service);
      const { history, added } = nextHistory(previous?.history, [], platform, now);
      recordHistory(ctx, service, added);
      const status = {
        observedGeneration: service.metadata.generation,
        dataCentres: [],
        consumers: [],
        consumerCount: 0,
        history,
        conditions: conditionsFor(previous?.conditions, outcome, service.metadata.generation, now),
      };
      await ctx.status.write(service, status, FIELD_MANAGER);
      await writeAccess(ctx, accessDecisions({ hub: ctx.hub, platform, namespace, name, service, rejected: true, render: undefined, now }), now);
      throwIfFailed(outcomes);
      return;
    }

    const render = renderService(ctx.hub.admitted(), service, new Date(now));
    const outcomes = await syncRendered(service, render.perDataCentre, sync);

    const previous = ctx.status.previous<ServiceStatus>(service);
    const { history, added } = nextHistory(previous?.history, render.access, platform, now, (m) => pairWasOpen(ctx, m));
    recordHistory(ctx, service, added);

    const outcome = serviceOutcome(ctx, service, render, outcomes);
    if (outcome.state === 'degraded') void ctx.recorder.warning(service, outcome.reason, 'Reconcile', outcome.message);
    const conditions = conditionsFor(previous?.conditions, outcome, service.metadata.generation, now);
    const status = serviceStatus(service, render, placements(ctx, service, render), history, conditions);
    await ctx.status.write(service, status, FIELD_MANAGER);
    await writeAccess(ctx, accessDecisions({ hub: ctx.hub, platform, namespace, name, service, rejected: false, render, now }), now);

    throwIfFailed(outcomes);
    const after = requeueFor(render.nextChange, now, ctx.maxRequeueMs);
    return after === undefined ? undefined : { requeueAfter: after };
  };
}

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
      | (KubernetesObject & { status?: { availableReplicas?: number } })
      | undefined;
    return { dataCentre: dc, availableReplicas: deployment?.status?.availableReplicas ?? 0, endpoint: `${name}.${namespace}.svc:${service.spec.port}` };
  });
}

export function serviceOutcome(ctx: ControllerContext, service: SharedDataService, render: ServiceRender, outcomes: DcOutcome[]): Outcome {
  const synced = renderedOutcome(render.issues, outcomes);
  if (synced) return synced;
  const replicas = service.spec.replicas ?? 2;
  const short = placements(ctx, service, render).filter((p) => p.availableReplicas < replicas);
  if (short.length > 0) {
    return { state: 'progressing', reason: 'RollingOut', message: short.map((p) => `${p.dataCentre}: ${p.availableReplicas}/${replicas} replicas available`).join('; ') };
  }
  const consumers = render.consumers.length;
  return { state: 'ready', reason: 'Available', message: `runs in ${render.dataCentres.join(', ')}; ${consumers} consumer workspace${consumers === 1 ? '' : 's'}` };
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
