// The gateway's configuration as HAProxy reads it: the files of its numbered ConfigMaps in
// lexical order (render/gateway.ts), one text.
import type { DesiredObject } from '../../src/render/types.ts';

export function gatewayConfigFiles(objects: readonly DesiredObject[]): [string, string][] {
  return objects
    .filter((o) => o.kind === 'ConfigMap' && /^govcloud-gateway-\d+$/.test(o.metadata.name))
    .flatMap((o) => Object.entries((o as unknown as { data: Record<string, string> }).data))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function gatewayConfigText(objects: readonly DesiredObject[]): string {
  return gatewayConfigFiles(objects)
    .map(([, text]) => text)
    .join('\n');
}

export interface ManyPairs {
  services: { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> }[];
  requests: { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> }[];
  grants: { apiVersion: string; kind: string; metadata: { name: string; namespace: string }; spec: Record<string, unknown> }[];
}

/**
 * `count` onRequest services of `provider` (workspace `workspace`, in `dc`), each requested by
 * `consumer` for `consumerWorkspace` and granted: one route per service, all with the
 * consumer's one certificate, so that a few hundred of them fill more than one configuration
 * file on both sides without a certificate each. Service i is `svc-<i>` on port 8000 + i.
 */
export function manyPairs(
  o: { provider: string; workspace: string; dc: string; consumer: string; consumerWorkspace: string; validUntil?: string },
  count: number,
): ManyPairs {
  const API = 'govcloud.dev/v1alpha1';
  const names = Array.from({ length: count }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
  const legal = { purpose: 'Tra cứu thông tin công dân', legalBasis: 'Nghị định 47/2024/NĐ-CP' };
  return {
    services: names.map((name, i) => ({
      apiVersion: API,
      kind: 'SharedDataService',
      metadata: { name, namespace: `govcloud-${o.provider}` },
      spec: {
        displayName: `Dịch vụ ${name}`,
        subsystem: 'dancu',
        serviceCode: name,
        version: 'v1',
        workspace: o.workspace,
        image: 'registry.local/population@sha256:1',
        port: 8000 + i,
        placement: { dataCentres: [o.dc] },
        dataClass: 'shared',
        sharing: 'onRequest',
      },
    })),
    requests: names.map((name) => ({
      apiVersion: API,
      kind: 'AccessRequest',
      metadata: { name, namespace: `govcloud-${o.consumer}` },
      spec: { provider: o.provider, service: name, workspaces: [o.consumerWorkspace], ...legal },
    })),
    grants: names.map((name) => ({
      apiVersion: API,
      kind: 'AccessGrant',
      metadata: { name: `${o.consumer}-${name}`, namespace: `govcloud-${o.provider}` },
      spec: { service: name, consumer: o.consumer, validUntil: o.validUntil ?? '2030-01-01T00:00:00Z', ...legal },
    })),
  };
}
