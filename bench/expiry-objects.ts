// The objects of the expiry phase: a provider's on-request service, a consumer's request, and
// a grant whose validUntil is a few seconds ahead; the pair of bench agencies they join, and
// the member NetworkPolicy the grant opens (the object whose removal is timed). Pure.
import type { AccessGrant, AccessRequest, Agency, SharedDataService } from '../operator/src/api/index.ts';
import { checkPlatform } from '../operator/src/model/rules.ts';
import { emptyPlatform, type Platform } from '../operator/src/model/platform.ts';
import { renderPlatform } from '../operator/src/render/index.ts';

const API = 'govcloud.dev/v1alpha1';
export const EXPIRY_SERVICE = 'bench-expiry';
export const EXPIRY_REQUEST = 'bench-expiry';
const PURPOSE = 'Đo thời gian thu hồi quyền truy cập khi hết hạn (bench)';
const LEGAL_BASIS = 'Nghị định 47/2024/NĐ-CP';

/** A time as the API's date-time fields take it: RFC 3339 in UTC, whole seconds. */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export interface ExpiryParties {
  dataCentre: string;
  provider: Agency;
  consumer: Agency;
  /** The NetworkPolicies in the member that a valid grant adds (the consumer's egress, the provider's ingress): they must go at validUntil. */
  policies: { namespace: string; name: string }[];
}

export function expiryService(provider: Agency, dataCentre: string): SharedDataService {
  const ws = provider.spec.workspaces[0]!;
  return {
    apiVersion: API,
    kind: 'SharedDataService',
    metadata: { name: EXPIRY_SERVICE, namespace: `govcloud-${provider.metadata.name}` },
    spec: {
      displayName: 'Dịch vụ đo hết hạn (bench)',
      subsystem: 'bench',
      serviceCode: `${EXPIRY_SERVICE}-${provider.metadata.name}`,
      version: 'v1',
      workspace: ws.name,
      image: 'registry.govcloud.local/bench/expiry@sha256:0000000000000000000000000000000000000000000000000000000000000000',
      port: 8443,
      replicas: 1,
      placement: { dataCentres: [dataCentre] },
      dataClass: ws.dataClass,
      sharing: 'onRequest',
    },
  } as SharedDataService;
}

export function expiryRequest(consumer: Agency, provider: Agency): AccessRequest {
  return {
    apiVersion: API,
    kind: 'AccessRequest',
    metadata: { name: EXPIRY_REQUEST, namespace: `govcloud-${consumer.metadata.name}` },
    spec: {
      provider: provider.metadata.name,
      service: EXPIRY_SERVICE,
      workspaces: [consumer.spec.workspaces[0]!.name],
      purpose: PURPOSE,
      legalBasis: LEGAL_BASIS,
    },
  } as AccessRequest;
}

export function expiryGrant(provider: Agency, consumer: Agency, name: string, validUntilMs: number): AccessGrant {
  return {
    apiVersion: API,
    kind: 'AccessGrant',
    metadata: { name, namespace: `govcloud-${provider.metadata.name}` },
    spec: { service: EXPIRY_SERVICE, consumer: consumer.metadata.name, purpose: PURPOSE, legalBasis: LEGAL_BASIS, validUntil: rfc3339(validUntilMs) },
  } as AccessGrant;
}

/**
 * Two bench agencies placed in `dataCentre` (neither with a parent, so the pair is checked on
 * its own) for which service, request and grant pass the platform's rules, and the policies
 * the grant adds there. Undefined when no pair fits.
 */
export function expiryParties(platform: Platform, agencies: Agency[], dataCentre: string, now: Date): ExpiryParties | undefined {
  const there = agencies.filter((a) => !a.spec.parent && a.spec.placement.dataCentres.includes(dataCentre)).slice(0, 12);
  for (const provider of there)
    for (const consumer of there) {
      if (consumer === provider) continue;
      const base: Platform = {
        ...emptyPlatform(),
        dataCentres: platform.dataCentres,
        agencies: [provider, consumer],
        services: [expiryService(provider, dataCentre)],
        requests: [expiryRequest(consumer, provider)],
      };
      const granted: Platform = { ...base, grants: [expiryGrant(provider, consumer, 'probe', now.getTime() + 3_600_000)] };
      if (checkPlatform(granted).some((p) => p.severity === 'error')) continue;
      const objectsIn = (p: Platform) => renderPlatform(p, now).perDataCentre.find((r) => r.dataCentre === dataCentre)?.objects ?? [];
      const before = new Set(objectsIn(base).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`));
      const added = objectsIn(granted).filter((o) => o.kind === 'NetworkPolicy' && !before.has(`${o.kind}/${o.metadata.namespace}/${o.metadata.name}`));
      if (added.length === 0) continue;
      return { dataCentre, provider, consumer, policies: added.map((o) => ({ namespace: o.metadata.namespace!, name: o.metadata.name })) };
    }
  return undefined;
}
