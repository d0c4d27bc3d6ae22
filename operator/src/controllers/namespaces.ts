// What an agency may do with namespaces in a data centre. It never takes over a namespace it
// does not own: one labelled for another owner, or one that existed without govcloud's labels,
// holds back the namespace and everything rendered into it. Orphaning keeps the namespace and
// its data: only `app.kubernetes.io/managed-by` and the owner label go,
// `govcloud.dev/orphaned=true` comes; the agency's code, uid, workspace and Pod Security labels
// stay (only the operator writes namespace labels). The namespace's default-deny
// NetworkPolicy, ResourceQuota and LimitRange are retained with it, orphaned the same way and
// frozen at their last values: workloads left running in a retained namespace stay isolated
// and bounded, as they were while the agency existed.
//
// An orphan is the data of the tenant it was made for, not of whoever next takes the name: an
// Agency re-adopts it only when it is that tenant again, by the recorded code (`govcloud.dev/
// agency`, the identification code the government issued) or uid. So deleting and re-creating
// an Agency (a CRD reinstall, a GitOps mishap) loses nothing, while a new Agency that reuses
// the name with another code is held back from the old namespaces (Degraded, the namespaces
// named) until a platform engineer releases them to it: `govcloud.dev/release-to: <uid of the
// new Agency>` on the namespace.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS } from '../api/index.ts';
import { AGENCY_NAME_LABEL, DEFAULT_DENY, LIMIT_RANGE_NAME, QUOTA_NAME, type DesiredObject } from '../render/index.ts';
import type { ObjectWriter } from '../runtime/index.ts';
import type { Member } from './members.ts';
import type { Admission } from './sync.ts';

const SERVER_LABEL = 'kubernetes.io/metadata.name';

/** The agency asking for namespaces: its name, normalised code and uid (none offline). */
export interface Claimant {
  name: string;
  code: string;
  uid?: string;
}

/** Why a retained namespace of this agency's name is not its to adopt, or undefined when it is. */
function orphanConflict(live: KubernetesObject, agency: Claimant): string | undefined {
  const labels = live.metadata?.labels ?? {};
  const recordedUid = labels[LABELS.agencyUid];
  if (agency.uid !== undefined && recordedUid === agency.uid) return undefined;
  if (agency.uid !== undefined && live.metadata?.annotations?.[ANNOTATIONS.releaseTo] === agency.uid) return undefined;
  const recordedCode = labels[LABELS.agency];
  if (recordedCode !== undefined && recordedCode === agency.code) return undefined;
  const was = recordedCode === undefined ? 'an agency whose code it does not record' : `agency code ${recordedCode}`;
  return (
    `namespace ${live.metadata?.name} was retained from ${was}, this agency's code is ${agency.code}: ` +
    `held back until a platform engineer releases it (annotation ${ANNOTATIONS.releaseTo}=<uid of this Agency>)`
  );
}

/** Why the agency may not use an existing namespace, or undefined when it may. */
export function namespaceConflict(live: KubernetesObject | undefined, agency: Claimant, owner: string): string | undefined {
  if (!live) return undefined;
  const labels = live.metadata?.labels ?? {};
  const name = live.metadata?.name;
  if (labels[LABELS.owner] === owner) {
    return live.metadata?.deletionTimestamp ? `namespace ${name} is being deleted; it is made again once it is gone` : undefined;
  }
  if (labels[LABELS.orphaned] === 'true' && labels[AGENCY_NAME_LABEL] === agency.name) return orphanConflict(live, agency);
  if (labels[LABELS.owner]) return `namespace ${name} belongs to ${labels[LABELS.owner]}: not taken over`;
  return `namespace ${name} exists and is not managed by govcloud: not taken over`;
}

/** Holds back namespaces the agency may not use, and everything rendered into them. */
export function admitNamespaces(agency: Claimant, owner: string, blocked: Map<string, Set<string>>) {
  return (member: Member, objects: DesiredObject[]): Admission => {
    const held: string[] = [];
    const refused = new Set<string>();
    for (const o of objects) {
      if (o.kind !== 'Namespace') continue;
      const why = namespaceConflict(member.namespace(o.metadata.name), agency, owner);
      if (why) {
        refused.add(o.metadata.name);
        held.push(`${member.name}: ${why}`);
      }
    }
    blocked.set(member.name, refused);
    const kept = objects.filter((o) => !refused.has(o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? '')));
    return { objects: kept, held };
  };
}

/** What deletionPolicy Retain keeps: the namespace, and its default-deny policy, quota and LimitRange. */
export function retainedUnderRetain(o: KubernetesObject): boolean {
  const name = o.metadata?.name;
  return (
    o.kind === 'Namespace' ||
    (o.kind === 'NetworkPolicy' && name === DEFAULT_DENY) ||
    (o.kind === 'ResourceQuota' && name === QUOTA_NAME) ||
    (o.kind === 'LimitRange' && name === LIMIT_RANGE_NAME)
  );
}

/**
 * The apply body that turns an object of ours into a retained orphan. The spec goes along:
 * server-side apply would otherwise remove the fields this field manager set.
 */
export function orphanBody(live: KubernetesObject): KubernetesObject {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(live.metadata?.labels ?? {})) {
    if (k !== LABELS.managedBy && k !== LABELS.owner && k !== SERVER_LABEL) labels[k] = v;
  }
  labels[LABELS.orphaned] = 'true';
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(live.metadata?.annotations ?? {})) if (k !== LABELS.owner) annotations[k] = v;
  const metadata: NonNullable<KubernetesObject['metadata']> = { name: live.metadata?.name ?? '', labels };
  if (live.metadata?.namespace) metadata.namespace = live.metadata.namespace;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  const body: KubernetesObject & { spec?: unknown } = { apiVersion: live.apiVersion ?? 'v1', kind: live.kind ?? 'Namespace', metadata };
  const spec = (live as { spec?: unknown }).spec;
  if (live.kind !== 'Namespace' && spec !== undefined) body.spec = spec;
  return body;
}

/** Orphans the undesired objects that Retain keeps; returns how many. */
export async function orphanRetained(_member: Member, writer: ObjectWriter, undesired: KubernetesObject[], fieldManager: string): Promise<number> {
  let n = 0;
  for (const live of undesired) {
    if (!retainedUnderRetain(live)) continue;
    await writer.apply(orphanBody(live), fieldManager);
    n++;
  }
  return n;
}
