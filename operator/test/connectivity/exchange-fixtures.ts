/** A platform exchanging across data centres: the renderer tests' builders, with gateways declared. */
import type { DataCentre } from '../../src/api/index.ts';
import type { Platform } from '../../src/model/platform.ts';
import { agency, grant, platform, request, service, threeDataCentres } from '../render/fixtures.ts';

// Bộ Công an (G04) runs dan-cu in dc-hanoi; Bộ Tài chính (G12) is only in dc-hcm; both data centres have a gateway.
export function withGateways(dcs: DataCentre[], names = ['dc-hanoi', 'dc-hcm']): DataCentre[] {
  const addresses: Record<string, string> = { 'dc-hanoi': '10.10.255.1', 'dc-hcm': '10.20.255.1', 'dc-danang': '10.30.255.1' };
  for (const dc of dcs) if (names.includes(dc.metadata.name)) dc.spec.exchangeGateway = { address: addresses[dc.metadata.name]! };
  return dcs;
}

export function exchangePlatform(o: { validUntil?: string; requestUntil?: string; mofIn?: string[]; gateways?: string[] } & Partial<Platform> = {}): Platform {
  const { validUntil, requestUntil, mofIn, gateways, ...rest } = o;
  return platform({
    dataCentres: withGateways(threeDataCentres(), gateways),
    agencies: [
      agency('bo-cong-an', { code: 'G04', workspaces: ['app'], dcs: ['dc-hanoi'] }),
      agency('bo-tai-chinh', { code: 'G12', workspaces: ['thue', 'kho-bac'], dcs: mofIn ?? ['dc-hcm'] }),
      agency('bo-y-te', { code: 'G18', workspaces: ['bhyt'], dcs: ['dc-hcm'] }),
    ],
    services: [service('bo-cong-an', 'dan-cu')],
    requests: [
      request('bo-tai-chinh', 'dan-cu', {
        provider: 'bo-cong-an',
        service: 'dan-cu',
        workspaces: ['thue'],
        ...(requestUntil ? { validUntil: requestUntil } : {}),
      }),
    ],
    grants: [grant('bo-cong-an', 'g', { service: 'dan-cu', consumer: 'bo-tai-chinh', validUntil: validUntil ?? '2026-06-01T01:00:00.750Z' })],
    ...rest,
  });
}
