// One reconcile for every govcloud object whose children are rendered (Agency, NetworkLink,
// SharedDataService), as crossplane-runtime's managed reconciler is one for every managed
// resource: each kind plugs in only what is its own (how it is read, rendered, judged and
// reported), and the sequence is written once:
//
//   gone (no object, or one the kind counts as gone): its children cleaned up, done;
//   prepared (the agency's finalizer), or done when the kind says so;
//   rejected by the rules: nothing rendered, what opens access withdrawn (refusal.ts);
//   else rendered and synced in every data centre (sync.ts);
//   its outcome, the kind's report (status fields, its own events), a Warning when Degraded;
//   the status written (only when it changed: no write when nothing did);
//   the kind's writes after the status (the service's requests and grants);
//   failed writes thrown (retried with backoff); requeued for the render's next change.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ownerLabelValue, type DesiredObject } from '../render/index.ts';
import type { Condition, ReconcileFn, ReconcileRequest, ReconcileResult } from '../runtime/index.ts';
import { requeueFor, type ControllerContext } from './context.ts';
import { rejectedOutcome, rejectionOf, withdraw, type Rejection } from './refusal.ts';
import { conditionsFor, type Outcome } from './status.ts';
import { syncEverywhere, syncRendered, throwIfFailed, type DcOutcome, type SyncOptions } from './sync.ts';

/** What every renderer of an owner gives: its children per data centre, and when that changes by itself (a window). */
export interface OwnerRender {
  perDataCentre: readonly { dataCentre: string; objects: DesiredObject[] }[];
  nextChange?: Date;
}

/** The sync options every write of this reconcile shares. */
export type OwnerSync = Omit<SyncOptions, 'desired' | 'mayDelete' | 'admit' | 'after' | 'regarding'>;

/** What one reconcile found and did, for the kind's report. */
export interface Reconciled<T, R, S> {
  object: T;
  /** Undefined when the rules reject the object. */
  render: R | undefined;
  rejection: Rejection | undefined;
  outcomes: DcOutcome[];
  outcome: Outcome;
  /** The status last written (status.ts), else the cached one. */
  previous: S | undefined;
  /** The conditions the outcome makes of the previous ones. */
  conditions: Condition[];
  now: number;
}

export interface RenderedOwner<T extends KubernetesObject, R extends OwnerRender, S extends { conditions?: Condition[] }> {
  kind: 'Agency' | 'NetworkLink' | 'SharedDataService';
  /** The controller's name, for metrics and logs. */
  controller: string;
  fieldManager: string;
  /** The object of a key, from the hub cache. */
  get(ctx: ControllerContext, req: ReconcileRequest): T | undefined;
  /** An object that exists but whose children go as if it did not (being deleted, in an inert namespace). */
  isGone?(ctx: ControllerContext, object: T): boolean;
  /** What becomes of the children of a gone object. Default: pruned everywhere. */
  cleanUp?(ctx: ControllerContext, req: ReconcileRequest, sync: OwnerSync, now: number): Promise<DcOutcome[]>;
  /** Before the rules and the render (finalizers); false when this reconcile is over. */
  prepare?(ctx: ControllerContext, object: T, sync: OwnerSync): Promise<boolean>;
  render(ctx: ControllerContext, object: T, now: Date): R;
  /** Sync options of its own: which live objects may go, which desired ones are admitted, what runs after. */
  syncOptions?(ctx: ControllerContext, object: T, render: R, owner: string): Pick<SyncOptions, 'mayDelete' | 'admit' | 'after'>;
  /** The outcome of a render and its sync (a rejection's is the same for every kind). */
  outcome(ctx: ControllerContext, object: T, render: R, outcomes: DcOutcome[]): Outcome;
  /** The status to write, conditions included; the place for the kind's own events. */
  report(ctx: ControllerContext, r: Reconciled<T, R, S>): Record<string, unknown>;
  /** Writes after the status. */
  afterStatus?(ctx: ControllerContext, r: Reconciled<T, R, S>): Promise<void>;
}

const pruneEverywhere = (_ctx: ControllerContext, _req: ReconcileRequest, sync: OwnerSync): Promise<DcOutcome[]> =>
  syncEverywhere({ ...sync, desired: new Map() });

export function renderedOwnerReconciler<T extends KubernetesObject, R extends OwnerRender, S extends { conditions?: Condition[] }>(
  ctx: ControllerContext,
  kind: RenderedOwner<T, R, S>,
): ReconcileFn {
  return async (req): Promise<ReconcileResult | void> => {
    // Not the queue's signal: a graceful stop lets in-flight writes finish; losing the lease does not.
    const sync: OwnerSync = {
      ctx,
      controller: kind.controller,
      fieldManager: kind.fieldManager,
      owner: ownerLabelValue({ kind: kind.kind, namespace: req.namespace, name: req.name }),
      signal: ctx.fence,
    };
    const now = ctx.clock.now();
    const object = kind.get(ctx, req);
    if (!object || kind.isGone?.(ctx, object)) {
      throwIfFailed(await (kind.cleanUp ?? pruneEverywhere)(ctx, req, sync, now));
      return;
    }
    if (kind.prepare && !(await kind.prepare(ctx, object, sync))) return;

    const rejection = rejectionOf(ctx.hub, object);
    const render = rejection ? undefined : kind.render(ctx, object, new Date(now));
    const outcomes = render
      ? await syncRendered(object, render.perDataCentre, { ...sync, ...kind.syncOptions?.(ctx, object, render, sync.owner) })
      : await withdraw(object, sync);

    const previous = ctx.status.previous<S>(object);
    const outcome = rejection ? rejectedOutcome(rejection) : kind.outcome(ctx, object, render!, outcomes);
    const conditions = conditionsFor(previous?.conditions, outcome, object.metadata?.generation, now);
    const reconciled: Reconciled<T, R, S> = { object, render, rejection, outcomes, outcome, previous, conditions, now };
    const status = kind.report(ctx, reconciled);
    if (outcome.state === 'degraded') void ctx.recorder.warning(object, outcome.reason, 'Reconcile', outcome.message);
    await ctx.status.write(object, status, kind.fieldManager);
    await kind.afterStatus?.(ctx, reconciled);

    throwIfFailed(outcomes);
    const after = requeueFor(render?.nextChange, now, ctx.maxRequeueMs);
    return after === undefined ? undefined : { requeueAfter: after };
  };
}
