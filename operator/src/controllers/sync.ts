// Makes one owner's children in every data centre equal to what was rendered for it: applies
// the desired objects where they differ and prunes what carries the owner's label but is no
// longer desired, in every connected data centre (so a placement change moves them). Data
// centres are handled in parallel, each with its own deadline; one that is unreachable or
// failing is reported in its outcome and never holds up the others.
//
// The security-relevant kinds are repaired to exactly the desired content (runtime/exact.ts):
// what someone else added or changed there is undone at once, the write being triggered by
// the member cache's event for the object, and a Warning Event `DriftRepaired` on the
// govcloud object names the data centre, the object and the fields.
import type { KubernetesObject } from '@kubernetes/client-node';
import { LABELS, MANAGED_BY } from '../api/index.ts';
import type { DesiredObject } from '../render/index.ts';
import {
  Applier,
  ApplyError,
  errorMessage,
  listText,
  MESSAGE_BYTES,
  truncateBytes,
  withDeadline,
  type ApplyCounts,
  type Drift,
  type ObjectWriter,
} from '../runtime/index.ts';
import type { ControllerContext } from './context.ts';
import type { Member } from './members.ts';
import { pathText, type Outcome } from './status.ts';

/**
 * Writes in flight per data centre within one reconcile. One at a time left each reconcile
 * waiting on a round trip per object (an agency has some fifty); a few at once keep the API
 * server busy without crowding it (four workers per controller times this, per data centre).
 */
const WRITES_IN_FLIGHT = 4;

export interface DcOutcome {
  dataCentre: string;
  /** applied: in place; unreachable: not attempted; failed: some writes failed. */
  state: 'applied' | 'unreachable' | 'failed';
  /** Whether something was rendered for this data centre. */
  wanted: boolean;
  counts?: ApplyCounts;
  message?: string;
  /** Desired objects not applied, and why (a namespace that is not ours, not there yet). */
  held: string[];
}

export interface Admission {
  objects: DesiredObject[];
  held: string[];
}

export interface SyncOptions {
  ctx: ControllerContext;
  /** The controller, for metrics and logs. */
  controller: string;
  fieldManager: string;
  /** The owner label value (ownerLabelValue of the govcloud object). */
  owner: string;
  /** Desired objects per data centre; data centres absent here get everything of the owner pruned. */
  desired: ReadonlyMap<string, DesiredObject[]>;
  signal: AbortSignal;
  /** Which undesired live objects may be deleted, in which data centre (default: all but Namespaces). */
  mayDelete?: (live: KubernetesObject, dataCentre: string) => boolean;
  /** Filters a data centre's desired objects before applying (default: only into existing govcloud namespaces). */
  admit?: (member: Member, objects: DesiredObject[]) => Admission;
  /** The govcloud object that DriftRepaired events are about; none are recorded without it. */
  regarding?: KubernetesObject;
  /** Runs after the apply in a reachable data centre (orphaning retained namespaces). */
  after?: (member: Member, writer: ObjectWriter, undesired: KubernetesObject[]) => Promise<number>;
}

/** Only objects whose namespace exists, is managed by govcloud and is not being deleted. */
export function inManagedNamespaces(member: Member, objects: DesiredObject[]): Admission {
  const held: string[] = [];
  const kept = objects.filter((o) => {
    const ns = o.metadata.namespace;
    if (!ns) return true;
    const live = member.namespace(ns);
    if (live && live.metadata?.labels?.[LABELS.managedBy] === MANAGED_BY && !live.metadata.deletionTimestamp) return true;
    const why = !live ? 'does not exist (yet)' : live.metadata?.deletionTimestamp ? 'is being deleted' : 'is not managed by govcloud';
    held.push(`${o.kind} ${ns}/${o.metadata.name} in ${member.name}: namespace ${ns} ${why}`);
    return false;
  });
  return { objects: kept, held };
}

export async function syncEverywhere(opts: SyncOptions): Promise<DcOutcome[]> {
  const { ctx } = opts;
  const names = new Set([...ctx.members.list().map((m) => m.name), ...opts.desired.keys()]);
  const sorted = [...names].sort();
  return Promise.all(sorted.map((dc) => syncOne(opts, dc)));
}

async function syncOne(opts: SyncOptions, dc: string): Promise<DcOutcome> {
  const { ctx } = opts;
  const desired = opts.desired.get(dc) ?? [];
  const wanted = opts.desired.has(dc) && desired.length > 0;
  const member = ctx.members.get(dc);
  if (!member || !member.ready()) {
    return { dataCentre: dc, state: 'unreachable', wanted, held: [], message: member?.problem() ?? `data centre ${dc} is not connected` };
  }
  return withDeadline(ctx.timeouts.dataCentreMs, opts.signal, (deadline) => syncMember(opts, dc, member, desired, wanted, deadline));
}

/** The sync of a connected data centre: its writes stop at `deadline`. */
async function syncMember(opts: SyncOptions, dc: string, member: Member, desired: DesiredObject[], wanted: boolean, deadline: AbortSignal): Promise<DcOutcome> {
  const { ctx } = opts;
  const inner = member.writer(deadline);
  const count = (action: string) => ctx.metrics.writes.inc({ cluster: dc, controller: opts.controller, action });
  const writer: ObjectWriter = {
    apply: async (obj, fm) => {
      await inner.apply(obj, fm);
      count('apply');
    },
    replace: async (obj, fm) => {
      await inner.replace(obj, fm);
      count('replace');
    },
    delete: async (obj) => {
      await inner.delete(obj);
      count('delete');
    },
  };
  const admission = (opts.admit ?? inManagedNamespaces)(member, desired);
  const live = member.owned(opts.owner);
  // Every controller's manager is ours: a field another govcloud controller wrote is no drift.
  const applier = new Applier({ writer, fieldManager: opts.fieldManager, concurrency: WRITES_IN_FLIGHT, ours: (m) => m.startsWith('govcloud-') });
  const { regarding } = opts;
  const onDrift = regarding ? (drift: Drift) => void ctx.recorder.warning(regarding, 'DriftRepaired', 'Repair', `${dc}: ${driftText(drift)}`) : undefined;
  const mayDeleteHere = opts.mayDelete;
  const mayDelete = mayDeleteHere ? (o: KubernetesObject) => mayDeleteHere(o, dc) : (o: KubernetesObject) => o.kind !== 'Namespace';
  let counts: ApplyCounts | undefined;
  let message: string | undefined;
  try {
    counts = await applier.sync({
      desired: admission.objects,
      live,
      ownerLabels: { [LABELS.owner]: opts.owner },
      lookup: (d) => member.find(d),
      mayDelete,
      ...(onDrift ? { onDrift } : {}),
    });
  } catch (err) {
    counts = err instanceof ApplyError ? err.counts : undefined;
    message = `${dc}: ${errorMessage(err)}`;
  }
  if (opts.after) {
    const desiredIds = new Set(admission.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`));
    // What is in a namespace being deleted goes with it: nothing to keep there.
    const terminating = new Set(live.filter((o) => o.kind === 'Namespace' && o.metadata?.deletionTimestamp).map((o) => o.metadata?.name));
    const undesired = live.filter(
      (o) =>
        !desiredIds.has(`${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`) &&
        !o.metadata?.deletionTimestamp &&
        !terminating.has(o.metadata?.namespace) &&
        !mayDelete(o),
    );
    try {
      const n = await opts.after(member, writer, undesired);
      if (counts) counts.updated += n;
    } catch (err) {
      message = [message, `${dc}: ${errorMessage(err)}`].filter(Boolean).join('; ');
    }
  }
  // Writes cut off because the data centre stopped answering meanwhile: it is dark, not failing.
  if (message && !member.ready()) return { dataCentre: dc, state: 'unreachable', wanted, held: [], message: member.problem() ?? message };
  const outcome: DcOutcome = { dataCentre: dc, state: message ? 'failed' : 'applied', wanted, held: admission.held };
  if (counts) outcome.counts = counts;
  if (message) outcome.message = truncateBytes(message, MESSAGE_BYTES);
  return outcome;
}

/** `NetworkPolicy ns/name: spec.ingress added, spec.hard.pods changed; restored to the desired spec`. */
export function driftText(drift: Drift): string {
  const { live, fields } = drift;
  const name = live.metadata?.namespace ? `${live.metadata.namespace}/${live.metadata.name}` : live.metadata?.name;
  const changes = listText(
    fields.map((f) => `${pathText(f.path)} ${f.change}`),
    { noun: 'fields', separator: ', ' },
  );
  return `${live.kind} ${name}: ${changes}; restored to the desired spec`;
}

/** Objects waiting for their namespace: `212 objects wait for their namespace in 3 data centres; first 10: …`. */
export function heldText(held: readonly string[], outcomes: readonly DcOutcome[]): string {
  const where = outcomes.filter((o) => o.held.length > 0).length;
  return listText(held, { noun: `objects wait for their namespace in ${where} data centre${where === 1 ? '' : 's'}` });
}

/** Created, updated or deleted anything. */
export function changed(outcome: DcOutcome): boolean {
  const c = outcome.counts;
  return c !== undefined && c.created + c.updated + c.deleted > 0;
}

export function countsText(outcome: DcOutcome): string {
  const c = outcome.counts;
  if (!c) return outcome.dataCentre;
  return `${outcome.dataCentre}: ${c.created} created, ${c.updated} updated, ${c.deleted} deleted`;
}

/**
 * Syncs what a renderer produced for `object`, per data centre (data centres without an entry
 * get everything of the owner pruned), and records an `Applied` event on the object for each
 * data centre where anything changed.
 */
export async function syncRendered(
  object: KubernetesObject,
  perDataCentre: readonly { dataCentre: string; objects: DesiredObject[] }[],
  opts: Omit<SyncOptions, 'desired'>,
): Promise<DcOutcome[]> {
  const outcomes = await syncEverywhere({ ...opts, regarding: object, desired: new Map(perDataCentre.map((r) => [r.dataCentre, r.objects])) });
  for (const o of outcomes) if (changed(o)) void opts.ctx.recorder.normal(object, 'Applied', 'Apply', countsText(o));
  return outcomes;
}

/** Fails the reconcile (retried with backoff) when writes failed in any data centre. */
export function throwIfFailed(outcomes: readonly DcOutcome[]): void {
  const failed = outcomes.filter((o) => o.state === 'failed');
  if (failed.length > 0)
    throw new Error(
      listText(
        failed.map((o) => o.message ?? o.dataCentre),
        { noun: 'data centres failing' },
      ),
    );
}

/**
 * What the renderer's issues and the sync say before anything particular to the kind:
 * Degraded for the issues and for data centres where something was wanted but not applied
 * (the first one's reason, every message); Progressing while objects wait for their
 * namespace; undefined when everything rendered is in place.
 */
export function renderedOutcome(issues: readonly { reason: string; message: string }[], outcomes: readonly DcOutcome[]): Outcome | undefined {
  const problems = [
    ...issues.map((i) => ({ reason: i.reason, message: i.message })),
    ...outcomes
      .filter((o) => o.wanted && o.state !== 'applied')
      .map((o) => ({ reason: o.state === 'failed' ? 'ApplyFailed' : 'DataCentreUnreachable', message: o.message ?? '' })),
  ];
  if (problems.length > 0)
    return {
      state: 'degraded',
      reason: problems[0]!.reason,
      message: listText(
        problems.map((p) => p.message),
        { noun: 'problems' },
      ),
    };
  const held = outcomes.flatMap((o) => o.held);
  if (held.length > 0) return { state: 'progressing', reason: 'WaitingForNamespace', message: heldText(held, outcomes) };
  return undefined;
}
