/**
 * An Agency, rendered: in each data centre of its placement that accepts it, one namespace
 * per workspace with quota, defaults, RBAC and the baseline network policies; on the hub,
 * its hub namespace `govcloud-<agency>` with the RBAC to write requests there.
 *
 * The hub namespace holds only the agency's govcloud objects (links, services, requests,
 * grants), never workloads: Pod Security "restricted" (enforced, warned, audited), a
 * ResourceQuota `govcloud-quota` of zero pods, services and PersistentVolumeClaims, and the
 * NetworkPolicy `govcloud-default-deny` (ingress and egress), so that nothing can run there
 * and nothing there could talk if it did.
 *
 * Per workspace namespace `<agency>-<workspace>`:
 * - Namespace, labelled with the agency code, name and uid (which tenant a retained namespace
 *   belongs to), workspace, security level, data class and Pod Security Admission (level 1: enforce baseline, warn and audit restricted;
 *   level 2 and above: restricted throughout), annotated with the display name; at level 4
 *   the PodNodeSelector and PodTolerationRestriction annotations pin every pod to the
 *   dedicated nodes (those admission plugins must be enabled on the API servers).
 * - ResourceQuota `govcloud-quota`: the agency's quota in that data centre divided equally
 *   among its workspaces, rounded down. Derived from the pod count: PersistentVolumeClaims and
 *   Services (one per pod), Secrets and ConfigMaps (OBJECTS_PER_POD each), node-local
 *   ephemeral storage (EPHEMERAL_STORAGE_PER_POD, requests and limits). No node ports and no
 *   load balancers (the admission policy govcloud-workspace-services refuses those types
 *   first; the quota holds should the policy be missing).
 * - LimitRange `govcloud-defaults`: container defaults (CPU, memory, ephemeral storage), so
 *   pods without resources fit the quota.
 * - RoleBindings `govcloud-admins` (ClusterRole govcloud-workspace-admin) and
 *   `govcloud-viewers` (ClusterRole view), each only where groups are given.
 * - NetworkPolicies `govcloud-default-deny`, `govcloud-allow-dns`,
 *   `govcloud-allow-same-workspace`, and at levels 1-2 `govcloud-allow-internet-egress` to the
 *   workspace's allow-list, minus what is never internet (model/addresses.ts: data centres,
 *   declared networks, private ranges) as `except`; a range inside those is left out
 *   (`ReservedAddresses`).
 */
import {
  ANNOTATIONS,
  DEDICATED_NODE_KEY,
  DEDICATED_NODE_VALUE,
  LABELS,
  hubNamespaceOf,
  workspaceNamespace,
  type Agency,
  type DataCentre,
} from '../api/index.ts';
import type { Platform } from '../model/platform.ts';
import { levelPolicy, STRICTEST } from '../model/policy.ts';
import { AGENCY_NAME_LABEL, agencyOwner, metadata, PerDataCentre, sortedUnique } from './meta.ts';
import { TENANT_REQUESTS_ROLE, TENANT_VIEWER_ROLE, WORKSPACE_ADMIN_ROLE, WORKSPACE_VIEWER_ROLE } from './platform-objects.ts';
import { hubDataCentre, placementOf, workspaceNames, type AgencyQuota, type Placement } from './placement.ts';
import { addressPeers, networkPolicy } from './policies.ts';
import { addressPlan, judgeRanges, type AddressPlan } from '../model/addresses.ts';
import { formatBytes, formatMilli, minBig, share } from '../model/quantity.ts';
import type { DesiredObject, OwnerRef, Rendered, RenderIssue } from './types.ts';

export const QUOTA_NAME = 'govcloud-quota';
export const LIMIT_RANGE_NAME = 'govcloud-defaults';
export const ADMINS_BINDING = 'govcloud-admins';
export const VIEWERS_BINDING = 'govcloud-viewers';
export const DEFAULT_DENY = 'govcloud-default-deny';
export const ALLOW_DNS = 'govcloud-allow-dns';
export const ALLOW_SAME_WORKSPACE = 'govcloud-allow-same-workspace';
export const ALLOW_INTERNET_EGRESS = 'govcloud-allow-internet-egress';

/** Pods per workspace when the quota does not say. */
export const DEFAULT_PODS_PER_WORKSPACE = 10;
/** Objects a workspace may hold per pod of its quota: enough for its workloads, few enough to keep etcd small. */
export const OBJECTS_PER_POD = { services: 1, secrets: 4, configmaps: 4 } as const;
/** Node-local (ephemeral) storage per pod of the quota, for requests and for limits alike. */
export const EPHEMERAL_STORAGE_PER_POD = 2n << 30n;
/** Container defaults of the LimitRange, each capped at the workspace's share of the quota. */
export const CONTAINER_DEFAULTS = {
  requestCpu: 100n, // millicores
  requestMemory: 128n << 20n,
  requestEphemeralStorage: 256n << 20n,
  limitCpu: 500n,
  limitMemory: 512n << 20n,
  limitEphemeralStorage: 1n << 30n,
};

const PSA = 'pod-security.kubernetes.io';
const NODE_SELECTOR_ANNOTATION = 'scheduler.alpha.kubernetes.io/node-selector';
const DEFAULT_TOLERATIONS_ANNOTATION = 'scheduler.alpha.kubernetes.io/defaultTolerations';

export interface AgencyRender {
  perDataCentre: Rendered[];
  issues: RenderIssue[];
  /** Data centres where the agency's workspaces are rendered (accepted placement), sorted. */
  placed: string[];
  /** The normalised code; undefined when the code is invalid (then nothing is rendered). */
  code?: string;
}

/** Pod Security Admission labels for a security level. */
export function podSecurityLabels(level: number): Record<string, string> {
  const enforce = levelPolicy(level).podSecurity;
  return {
    [`${PSA}/enforce`]: enforce,
    [`${PSA}/enforce-version`]: 'latest',
    [`${PSA}/warn`]: 'restricted',
    [`${PSA}/warn-version`]: 'latest',
    [`${PSA}/audit`]: 'restricted',
    [`${PSA}/audit-version`]: 'latest',
  };
}

/** The toleration of the dedicated level-4 nodes' taint. */
export function dedicatedToleration(): Record<string, string> {
  return { key: DEDICATED_NODE_KEY, operator: 'Equal', value: DEDICATED_NODE_VALUE, effect: 'NoSchedule' };
}

export interface WorkspaceQuota {
  cpu: bigint;
  memory: bigint;
  storage: bigint;
  ephemeralStorage: bigint;
  pods: number;
}

/** One workspace's equal share of the agency's quota in a data centre, rounded down. */
export function workspaceShare(quota: AgencyQuota, workspaces: number): WorkspaceQuota {
  const totalPods = quota.pods ?? DEFAULT_PODS_PER_WORKSPACE * workspaces;
  const pods = workspaces > 0 ? Math.floor(totalPods / workspaces) : 0;
  return {
    cpu: share(quota.cpu, workspaces),
    memory: share(quota.memory, workspaces),
    storage: share(quota.storage, workspaces),
    ephemeralStorage: BigInt(pods) * EPHEMERAL_STORAGE_PER_POD,
    pods,
  };
}

/** Whose namespace it is: the agency's name, and its uid where known (not offline). */
function tenantLabels(agency: Agency): Record<string, string> {
  const uid = agency.metadata.uid;
  return uid ? { [AGENCY_NAME_LABEL]: agency.metadata.name, [LABELS.agencyUid]: uid } : { [AGENCY_NAME_LABEL]: agency.metadata.name };
}

function roleBinding(
  name: string,
  namespace: string,
  owner: OwnerRef,
  code: string,
  role: string,
  groups: readonly string[] | undefined,
): DesiredObject | undefined {
  const subjects = sortedUnique(groups ?? []).map((g) => ({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: g }));
  if (subjects.length === 0) return undefined;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: metadata({ name, namespace, owner, agency: code }),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  };
}

function workspaceObjects(
  agency: Agency,
  code: string,
  workspace: Agency['spec']['workspaces'][number],
  quota: WorkspaceQuota,
  issues: RenderIssue[],
  index: number,
  plan: AddressPlan,
): DesiredObject[] {
  const owner = agencyOwner(agency);
  const level = agency.spec.securityLevel;
  const namespace = workspaceNamespace(agency.metadata.name, workspace.name);
  const meta = (name: string) => ({ name, namespace, owner, agency: code });
  const annotations: Record<string, string> = { [ANNOTATIONS.displayName]: agency.spec.displayName };
  if (levelPolicy(level).dedicatedNodes) {
    annotations[NODE_SELECTOR_ANNOTATION] = `${DEDICATED_NODE_KEY}=${DEDICATED_NODE_VALUE}`;
    annotations[DEFAULT_TOLERATIONS_ANNOTATION] = JSON.stringify([dedicatedToleration()]);
  }
  const objects: DesiredObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: metadata({
        name: namespace,
        owner,
        agency: code,
        labels: {
          ...tenantLabels(agency),
          [LABELS.workspace]: workspace.name,
          [LABELS.securityLevel]: String(level),
          [LABELS.dataClass]: workspace.dataClass,
          ...podSecurityLabels(level),
        },
        annotations,
      }),
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: metadata(meta(QUOTA_NAME)),
      spec: {
        hard: {
          'requests.cpu': formatMilli(quota.cpu),
          'limits.cpu': formatMilli(quota.cpu),
          'requests.memory': formatBytes(quota.memory),
          'limits.memory': formatBytes(quota.memory),
          'requests.storage': formatBytes(quota.storage),
          'requests.ephemeral-storage': formatBytes(quota.ephemeralStorage),
          'limits.ephemeral-storage': formatBytes(quota.ephemeralStorage),
          pods: String(quota.pods),
          persistentvolumeclaims: String(quota.pods),
          services: String(quota.pods * OBJECTS_PER_POD.services),
          'services.nodeports': '0',
          'services.loadbalancers': '0',
          secrets: String(quota.pods * OBJECTS_PER_POD.secrets),
          // The cluster publishes the ConfigMap kube-root-ca.crt into every namespace; it counts too.
          configmaps: String(quota.pods * OBJECTS_PER_POD.configmaps + 1),
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: metadata(meta(LIMIT_RANGE_NAME)),
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: {
              cpu: formatMilli(minBig(CONTAINER_DEFAULTS.requestCpu, quota.cpu)),
              memory: formatBytes(minBig(CONTAINER_DEFAULTS.requestMemory, quota.memory)),
              'ephemeral-storage': formatBytes(minBig(CONTAINER_DEFAULTS.requestEphemeralStorage, quota.ephemeralStorage)),
            },
            default: {
              cpu: formatMilli(minBig(CONTAINER_DEFAULTS.limitCpu, quota.cpu)),
              memory: formatBytes(minBig(CONTAINER_DEFAULTS.limitMemory, quota.memory)),
              'ephemeral-storage': formatBytes(minBig(CONTAINER_DEFAULTS.limitEphemeralStorage, quota.ephemeralStorage)),
            },
          },
        ],
      },
    },
    networkPolicy(meta(DEFAULT_DENY), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    networkPolicy(meta(ALLOW_DNS), {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    networkPolicy(meta(ALLOW_SAME_WORKSPACE), {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
  ];
  const admins = roleBinding(ADMINS_BINDING, namespace, owner, code, WORKSPACE_ADMIN_ROLE, agency.spec.groups.admins);
  const viewers = roleBinding(VIEWERS_BINDING, namespace, owner, code, WORKSPACE_VIEWER_ROLE, agency.spec.groups.viewers);
  if (admins) objects.push(admins);
  if (viewers) objects.push(viewers);
  const egress = workspace.internetEgress ?? [];
  if (egress.length > 0) {
    if (!levelPolicy(level).internetEgress) {
      issues.push({
        owner,
        field: `spec.workspaces[${index}].internetEgress`,
        reason: 'InternetEgressForbidden',
        message: `security level ${level} allows no internet egress; workspace ${workspace.name} gets none`,
      });
    } else {
      // One rule for every egress to addresses (model/addresses.ts): reserved ranges are refused or excepted.
      const { kept, refused } = judgeRanges(plan, agency.metadata.name, 'internet', egress);
      for (const r of refused) {
        issues.push({ owner, field: `spec.workspaces[${index}].internetEgress[${r.index}]`, reason: 'ReservedAddresses', message: r.message });
      }
      if (kept.length > 0)
        objects.push(networkPolicy(meta(ALLOW_INTERNET_EGRESS), { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: addressPeers(kept) }] }));
    }
  }
  return objects;
}

/** What the hub namespace's ResourceQuota allows: no workloads, no Services, no volumes. */
export const HUB_QUOTA = { pods: '0', services: '0', persistentvolumeclaims: '0' } as const;

function hubObjects(agency: Agency, code: string): DesiredObject[] {
  const owner = agencyOwner(agency);
  const namespace = hubNamespaceOf(agency.metadata.name);
  const meta = (name: string) => ({ name, namespace, owner, agency: code });
  const objects: DesiredObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: metadata({
        name: namespace,
        owner,
        agency: code,
        // The strictest Pod Security, whatever the agency's level: nothing is meant to run here.
        labels: { ...tenantLabels(agency), ...podSecurityLabels(STRICTEST.level) },
        annotations: { [ANNOTATIONS.displayName]: agency.spec.displayName },
      }),
    },
    { apiVersion: 'v1', kind: 'ResourceQuota', metadata: metadata(meta(QUOTA_NAME)), spec: { hard: { ...HUB_QUOTA } } },
    networkPolicy(meta(DEFAULT_DENY), { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
  ];
  const admins = roleBinding(ADMINS_BINDING, namespace, owner, code, TENANT_REQUESTS_ROLE, agency.spec.groups.admins);
  const viewers = roleBinding(VIEWERS_BINDING, namespace, owner, code, TENANT_VIEWER_ROLE, agency.spec.groups.viewers);
  if (admins) objects.push(admins);
  if (viewers) objects.push(viewers);
  return objects;
}

/** For a caller rendering many agencies of one platform and only reading the objects (renderPlatform). */
export interface RenderAgencyOptions {
  /** addressPlan(platform.dataCentres), read once for all the agencies. */
  plan?: AddressPlan;
  /** false: the objects may share values with each other and with the platform (nothing changes them). */
  copy?: boolean;
}

export function renderAgency(platform: Platform, agency: Agency, options: RenderAgencyOptions = {}): AgencyRender {
  return renderPlacedAgency(agency, placementOf(platform, agency), platform.dataCentres, options);
}

/**
 * The render reads the agency, its placement and the data centres (the address plan, the
 * hub), nothing else of the platform: `plan --base` renders again only an agency whose three
 * differ between base and head (gitops/plan-diff.ts).
 */
export function renderPlacedAgency(agency: Agency, placement: Placement, dataCentres: readonly DataCentre[], options: RenderAgencyOptions = {}): AgencyRender {
  const issues = [...placement.issues];
  const out = new PerDataCentre();
  const code = placement.code;
  if (code === undefined) return { perDataCentre: [], issues, placed: [] };
  const owner = agencyOwner(agency);
  const plan = options.plan ?? addressPlan(dataCentres);
  // Workspaces by name; the schema keeps names unique, a duplicate is reported and skipped.
  const seen = new Set<string>();
  const workspaces: { workspace: Agency['spec']['workspaces'][number]; index: number }[] = [];
  agency.spec.workspaces.forEach((workspace, index) => {
    if (seen.has(workspace.name)) {
      issues.push({ owner, field: `spec.workspaces[${index}].name`, reason: 'DuplicateWorkspace', message: `workspace ${workspace.name} is named twice` });
      return;
    }
    seen.add(workspace.name);
    workspaces.push({ workspace, index });
  });
  for (const { dataCentre, quota } of placement.placed) {
    const dc = dataCentre.metadata.name;
    const perWorkspace = workspaceShare(quota, workspaces.length);
    if (workspaces.length > 0 && (perWorkspace.cpu === 0n || perWorkspace.memory === 0n || perWorkspace.pods === 0)) {
      issues.push({
        owner,
        field: 'spec.quotas',
        dataCentre: dc,
        reason: 'QuotaTooSmall',
        message: `the quota in ${dc} divided among ${workspaces.length} workspaces leaves a workspace no CPU, memory or pods`,
      });
    }
    out.touch(dc);
    const dcIssues: RenderIssue[] = [];
    for (const { workspace, index } of workspaces) out.add(dc, ...workspaceObjects(agency, code, workspace, perWorkspace, dcIssues, index, plan));
    // The same workspace problem would be reported once per data centre: keep one.
    for (const issue of dcIssues) if (!issues.some((i) => i.field === issue.field && i.reason === issue.reason)) issues.push(issue);
  }
  const hub = hubDataCentre({ dataCentres });
  if (hub.ok) out.add(hub.dataCentre.metadata.name, ...hubObjects(agency, code));
  else issues.push({ owner, reason: hub.reason, message: hub.message });
  return { perDataCentre: out.result({ copy: options.copy ?? true }), issues, placed: placement.placed.map((p) => p.dataCentre.metadata.name), code };
}

/**
 * Every namespace `renderPlacedAgency` puts objects in (or renders), as `dataCentre/namespace`:
 * its workspaces where it is placed and its hub namespace on the hub. Nothing it renders lies
 * elsewhere (operator/test/render/agency.test.ts), so an object anywhere else is no object of it.
 */
export function agencyNamespaces(agency: Agency, placement: Placement, dataCentres: readonly DataCentre[]): string[] {
  if (placement.code === undefined) return [];
  const out: string[] = [];
  for (const { dataCentre } of placement.placed) {
    for (const workspace of workspaceNames(agency)) out.push(`${dataCentre.metadata.name}/${workspaceNamespace(agency.metadata.name, workspace)}`);
  }
  const hub = hubDataCentre({ dataCentres });
  if (hub.ok) out.push(`${hub.dataCentre.metadata.name}/${hubNamespaceOf(agency.metadata.name)}`);
  return out;
}
