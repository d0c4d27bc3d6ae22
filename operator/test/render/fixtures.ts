/** Small builders of platform objects for the renderer tests (not samples/: those are another's). */
import type { AccessGrant, AccessRequest, Agency, DataCentre, NetworkLink, SharedDataService } from '../../src/api/index.ts';
import { emptyPlatform, type Platform } from '../../src/model/platform.ts';
import type { DesiredObject, Rendered } from '../../src/render/types.ts';

const API = 'govcloud.dev/v1alpha1';

export function dataCentre(
  name: string,
  o: { level?: number; hub?: boolean; dedicatedTo?: string; encrypted?: boolean; ranges?: string[]; networks?: DataCentre['spec']['externalNetworks'] } = {},
): DataCentre {
  const dc: DataCentre = {
    apiVersion: API,
    kind: 'DataCentre',
    metadata: { name },
    spec: {
      displayName: `Trung tâm dữ liệu ${name}`,
      region: 'Miền Bắc',
      connection: o.hub ? { thisCluster: true } : { kubeconfigSecretRef: { namespace: 'govcloud-system', name: `${name}-kubeconfig` } },
      accreditedLevel: o.level ?? 4,
      capacity: { cpu: '1000', memory: '4Ti', storage: '100Ti' },
      networkRanges: o.ranges ?? [`10.${name.length}.0.0/16`],
    },
  };
  if (o.dedicatedTo) dc.spec.dedicatedTo = o.dedicatedTo;
  if (o.encrypted !== undefined) dc.spec.encryptedLinks = o.encrypted;
  if (o.networks) dc.spec.externalNetworks = o.networks;
  return dc;
}

type Workspace = Agency['spec']['workspaces'][number];

export function agency(
  name: string,
  o: {
    code?: string;
    level?: number;
    dcs?: string[];
    workspaces?: (string | Workspace)[];
    quota?: { cpu?: string | number; memory?: string | number; storage?: string | number; pods?: number };
    admins?: string[];
    viewers?: string[];
    displayName?: string;
  } = {},
): Agency {
  const dcs = o.dcs ?? ['dc-hanoi'];
  const q = o.quota ?? {};
  return {
    apiVersion: API,
    kind: 'Agency',
    metadata: { name },
    spec: {
      code: o.code ?? 'G22',
      displayName: o.displayName ?? 'Văn phòng Chính phủ',
      type: 'ministry',
      groups: { admins: o.admins ?? [`${name}-admins`], viewers: o.viewers ?? [`${name}-viewers`] },
      securityLevel: o.level ?? 2,
      placement: { dataCentres: dcs },
      quotas: dcs.map((dataCentre) => {
        const quota: Agency['spec']['quotas'][number] = { dataCentre, cpu: q.cpu ?? '12', memory: q.memory ?? '48Gi', storage: q.storage ?? '300Gi' };
        if (q.pods !== undefined) quota.pods = q.pods;
        return quota;
      }),
      workspaces: (o.workspaces ?? ['app']).map((w) => (typeof w === 'string' ? { name: w, dataClass: 'shared' } : w)),
    },
  };
}

export function link(agencyName: string, name: string, spec: Partial<NetworkLink['spec']> & { workspace: string }): NetworkLink {
  return {
    apiVersion: API,
    kind: 'NetworkLink',
    metadata: { name, namespace: `govcloud-${agencyName}` },
    // The API's static type makes validUntil required (see the report); the schema does not.
    spec: { direction: 'Egress', peer: {}, ports: [{ port: 443 }], ...spec } as NetworkLink['spec'],
  };
}

/** A pair of matching links: `from` egress to `to`, `to` ingress from `from`. */
export function linkPair(
  from: { agency: string; workspace: string },
  to: { agency: string; workspace: string },
  o: { ports?: NetworkLink['spec']['ports']; peerPorts?: NetworkLink['spec']['ports']; encrypted?: boolean; validFrom?: string; validUntil?: string } = {},
): [NetworkLink, NetworkLink] {
  const window = { ...(o.validFrom ? { validFrom: o.validFrom } : {}), ...(o.validUntil ? { validUntil: o.validUntil } : {}) };
  const enc = o.encrypted === undefined ? {} : { encrypted: o.encrypted };
  return [
    link(from.agency, `to-${to.agency}`, {
      workspace: from.workspace,
      direction: 'Egress',
      peer: { agency: { name: to.agency, workspace: to.workspace } },
      ports: o.ports ?? [{ port: 443 }],
      ...enc,
      ...window,
    }),
    link(to.agency, `from-${from.agency}`, {
      workspace: to.workspace,
      direction: 'Ingress',
      peer: { agency: { name: from.agency, workspace: from.workspace } },
      ports: o.peerPorts ?? o.ports ?? [{ port: 443 }],
      ...enc,
      ...window,
    }),
  ];
}

export function service(agencyName: string, name: string, spec: Partial<SharedDataService['spec']> = {}): SharedDataService {
  return {
    apiVersion: API,
    kind: 'SharedDataService',
    metadata: { name, namespace: `govcloud-${agencyName}` },
    spec: {
      displayName: 'Cơ sở dữ liệu quốc gia về dân cư',
      subsystem: 'dancu',
      serviceCode: 'population',
      version: 'v1',
      workspace: 'app',
      image: 'registry.gov.vn/dancu/population@sha256:0123',
      port: 8443,
      placement: { dataCentres: ['dc-hanoi'] },
      dataClass: 'shared',
      sharing: 'onRequest',
      ...spec,
    },
  };
}

export function request(
  consumer: string,
  name: string,
  spec: Partial<AccessRequest['spec']> & { provider: string; service: string },
  namespace = `govcloud-${consumer}`,
): AccessRequest {
  return {
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name, namespace },
    spec: { workspaces: ['app'], purpose: 'Tra cứu thông tin công dân', legalBasis: 'Nghị định 47/2024/NĐ-CP', ...spec } as AccessRequest['spec'],
  };
}

export function grant(
  provider: string,
  name: string,
  spec: Partial<AccessGrant['spec']> & { service: string; consumer: string },
  namespace = `govcloud-${provider}`,
): AccessGrant {
  return {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name, namespace },
    spec: { purpose: 'Tra cứu thông tin công dân', legalBasis: 'Nghị định 47/2024/NĐ-CP', validUntil: '2030-01-01T00:00:00Z', ...spec },
  };
}

export function platform(p: Partial<Platform>): Platform {
  return { ...emptyPlatform(), ...p };
}

/** External networks the hub declares: the specialised network (level I) and Bộ Tài chính's WAN. */
export const HUB_NETWORKS: DataCentre['spec']['externalNetworks'] = {
  specialisedLevelI: ['172.16.0.0/12', '100.64.0.0/10'],
  agencyWANs: [{ agency: 'bo-tai-chinh', cidrs: ['192.168.0.0/16'] }],
};

/** The standard three data centres: hanoi (hub, level 4, encrypted, declares HUB_NETWORKS), hcm (level 3, encrypted), danang (level 2, no encryption). */
export function threeDataCentres(): DataCentre[] {
  return [
    dataCentre('dc-hanoi', { hub: true, level: 4, encrypted: true, ranges: ['10.10.0.0/16'], networks: HUB_NETWORKS }),
    dataCentre('dc-hcm', { level: 3, encrypted: true, ranges: ['10.20.0.0/16', '10.21.0.0/16'] }),
    dataCentre('dc-danang', { level: 2, ranges: ['10.30.0.0/16'] }),
  ];
}

export function objectsIn(perDataCentre: Rendered[], dc: string): DesiredObject[] {
  return perDataCentre.find((r) => r.dataCentre === dc)?.objects ?? [];
}

export function find(objects: DesiredObject[], kind: string, namespace: string | undefined, name: string): DesiredObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
}

export function get(objects: DesiredObject[], kind: string, namespace: string | undefined, name: string): DesiredObject {
  const o = find(objects, kind, namespace, name);
  if (!o)
    throw new Error(
      `no ${kind} ${namespace ?? ''}/${name} among ${objects.map((x) => `${x.kind} ${x.metadata.namespace ?? ''}/${x.metadata.name}`).join(', ')}`,
    );
  return o;
}

/** Reads a nested field by path for assertions. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let v: unknown = value;
  for (const p of path) v = (v as Record<string | number, unknown> | undefined)?.[p];
  return v;
}

export const NOW = new Date('2026-06-01T00:00:00Z');
