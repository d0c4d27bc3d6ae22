/**
 * Showback: per agency and data centre, the capacity allocated (the ResourceQuotas the
 * operator put in its workspaces, as the member API servers enforce them: `status.hard`) and
 * used (`status.used`), each as a share of the data centre's capacity; the shared data
 * services the agency owns and those it consumes (the catalogue's consumers, from the
 * renderer), its links; and, from the month's history (history.ts), the month-to-date mean
 * use. Pure: API objects and observed quotas in, plain data out; `govcloud showback`, the
 * operator's metrics and the dashboard all read it.
 *
 * A data centre whose quotas could not be read shows the agencies' quotas as declared
 * (`live: false`) and no use.
 */
import { normaliseAgencyCode, workspaceNamespaces, type Agency } from '../api/index.ts';
import { catalogue } from '../catalogue/index.ts';
import type { Platform } from '../model/platform.ts';
import { parseBytes, parseMilli } from '../model/quantity.ts';
import { placementOf } from '../render/index.ts';
import type { MonthHistory } from './history.ts';

/** What showback counts, each in one plain unit: cores, bytes, bytes, pods. */
export const SHOWBACK_RESOURCES = ['cpu', 'memory', 'storage', 'pods'] as const;
export type ShowbackResource = (typeof SHOWBACK_RESOURCES)[number];
export type Amounts = Record<ShowbackResource, number>;
/** The resources a data centre offers as capacity (DataCentre spec.capacity). */
export const CAPACITY_RESOURCES = ['cpu', 'memory', 'storage'] as const;
export type Shares = Record<(typeof CAPACITY_RESOURCES)[number], number>;

/** The ResourceQuota key each resource is read from. */
const QUOTA_KEYS: Record<ShowbackResource, string> = { cpu: 'requests.cpu', memory: 'requests.memory', storage: 'requests.storage', pods: 'pods' };

/** One ResourceQuota the operator manages in a data centre, as the member's API server reports it. */
export interface ObservedQuota {
  dataCentre: string;
  namespace: string;
  hard: Record<string, string>;
  used: Record<string, string>;
}

export interface ShowbackInput {
  platform: Platform;
  /** The operator's ResourceQuotas read from each data centre. */
  quotas: readonly ObservedQuota[];
  /** Data centres whose quotas were read (the others show declared quotas, no use). */
  liveDataCentres: ReadonlySet<string>;
  now: Date;
  /** The month's history, for month-to-date means. */
  history?: MonthHistory;
}

export interface AgencyInDataCentre {
  dataCentre: string;
  allocated: Amounts;
  used: Amounts;
  /** allocated and used as a percentage of the data centre's capacity (2 decimals). */
  allocatedShare: Shares;
  usedShare: Shares;
  live: boolean;
  /** Mean use since the month began, over the time the operator observed it. */
  monthToDate?: { month: string; observedSeconds: number; used: Amounts };
}

export interface AgencyShowback {
  agency: string;
  code: string;
  displayName: string;
  type: string;
  dataCentres: AgencyInDataCentre[];
  /** `namespace/name` of the SharedDataServices in its hub namespace. */
  servicesOwned: string[];
  /** `namespace/name` of the services its workspaces may reach now. */
  servicesConsumed: string[];
  /** Names of the NetworkLinks in its hub namespace. */
  links: string[];
}

export interface DataCentreShowback {
  dataCentre: string;
  displayName: string;
  capacity: Shares;
  allocated: Amounts;
  used: Amounts;
  allocatedShare: Shares;
  usedShare: Shares;
  live: boolean;
}

export interface Showback {
  generatedAt: string;
  dataCentres: DataCentreShowback[];
  agencies: AgencyShowback[];
}

const zero = (): Amounts => ({ cpu: 0, memory: 0, storage: 0, pods: 0 });
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A quantity in the resource's plain unit (cores for CPU), 0 when absent or unreadable. */
export function amountOf(resource: ShowbackResource, quantity: string | number | undefined): number {
  if (quantity === undefined) return 0;
  if (resource === 'cpu') {
    const milli = parseMilli(quantity);
    return milli === undefined ? 0 : Number(milli) / 1000;
  }
  const n = parseBytes(quantity);
  return n === undefined ? 0 : Number(n);
}

function add(into: Amounts, from: Amounts): void {
  for (const r of SHOWBACK_RESOURCES) into[r] += from[r];
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function shares(amounts: Amounts, capacity: Shares): Shares {
  const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part * 10000) / whole) / 100 : 0);
  return { cpu: pct(amounts.cpu, capacity.cpu), memory: pct(amounts.memory, capacity.memory), storage: pct(amounts.storage, capacity.storage) };
}

function tidy(a: Amounts): Amounts {
  return { cpu: round(a.cpu), memory: a.memory, storage: a.storage, pods: a.pods };
}

export function showback(input: ShowbackInput): Showback {
  const { platform, now } = input;
  const capacity = new Map<string, Shares>(
    platform.dataCentres.map((dc) => [
      dc.metadata.name,
      {
        cpu: amountOf('cpu', dc.spec.capacity.cpu),
        memory: amountOf('memory', dc.spec.capacity.memory),
        storage: amountOf('storage', dc.spec.capacity.storage),
      },
    ]),
  );
  const quotasByPlace = new Map<string, ObservedQuota[]>();
  for (const q of input.quotas) {
    const key = `${q.dataCentre}/${q.namespace}`;
    quotasByPlace.set(key, [...(quotasByPlace.get(key) ?? []), q]);
  }
  const consumed = new Map<string, Set<string>>();
  for (const entry of catalogue(platform, now)) {
    for (const consumer of entry.consumers) {
      const agency = consumer.slice(0, consumer.indexOf('/'));
      if (!consumed.has(agency)) consumed.set(agency, new Set());
      consumed.get(agency)!.add(entry.ref);
    }
  }
  const dcTotals = new Map<string, { allocated: Amounts; used: Amounts }>(
    platform.dataCentres.map((dc) => [dc.metadata.name, { allocated: zero(), used: zero() }]),
  );
  const agencies = [...platform.agencies]
    .sort((a, b) => cmp(a.metadata.name, b.metadata.name))
    .map((agency) => {
      const rows = placementOf(platform, agency).placed.map((placed) => {
        const dcName = placed.dataCentre.metadata.name;
        const row = inDataCentre(agency, dcName, placed.quota, quotasByPlace, input.liveDataCentres.has(dcName), capacity.get(dcName)!);
        const history = input.history?.entries[historyKey(agency.metadata.name, dcName)];
        if (history && input.history) row.monthToDate = { month: input.history.month, observedSeconds: history.seconds, used: tidy(history.used) };
        const total = dcTotals.get(dcName);
        if (total) {
          add(total.allocated, row.allocated);
          add(total.used, row.used);
        }
        return row;
      });
      const hub = `govcloud-${agency.metadata.name}`;
      return {
        agency: agency.metadata.name,
        code: normalisedCode(agency),
        displayName: agency.spec.displayName,
        type: agency.spec.type,
        dataCentres: rows,
        servicesOwned: platform.services
          .filter((s) => s.metadata.namespace === hub)
          .map((s) => `${hub}/${s.metadata.name}`)
          .sort(cmp),
        servicesConsumed: [...(consumed.get(agency.metadata.name) ?? [])].sort(cmp),
        links: platform.links
          .filter((l) => l.metadata.namespace === hub)
          .map((l) => l.metadata.name)
          .sort(cmp),
      };
    });
  const dataCentres = [...platform.dataCentres]
    .sort((a, b) => cmp(a.metadata.name, b.metadata.name))
    .map((dc) => {
      const name = dc.metadata.name;
      const total = dcTotals.get(name)!;
      const cap = capacity.get(name)!;
      return {
        dataCentre: name,
        displayName: dc.spec.displayName,
        capacity: { cpu: round(cap.cpu), memory: cap.memory, storage: cap.storage },
        allocated: tidy(total.allocated),
        used: tidy(total.used),
        allocatedShare: shares(total.allocated, cap),
        usedShare: shares(total.used, cap),
        live: input.liveDataCentres.has(name),
      };
    });
  return { generatedAt: now.toISOString(), dataCentres, agencies };
}

function inDataCentre(
  agency: Agency,
  dataCentre: string,
  declared: { cpu: bigint; memory: bigint; storage: bigint; pods?: number },
  quotas: Map<string, ObservedQuota[]>,
  live: boolean,
  capacity: Shares,
): AgencyInDataCentre {
  const allocated = zero();
  const used = zero();
  if (live) {
    for (const ns of workspaceNamespaces(agency)) {
      for (const q of quotas.get(`${dataCentre}/${ns}`) ?? []) {
        for (const r of SHOWBACK_RESOURCES) {
          allocated[r] += amountOf(r, q.hard[QUOTA_KEYS[r]]);
          used[r] += amountOf(r, q.used[QUOTA_KEYS[r]]);
        }
      }
    }
  } else {
    Object.assign(allocated, {
      cpu: Number(declared.cpu) / 1000,
      memory: Number(declared.memory),
      storage: Number(declared.storage),
      pods: declared.pods ?? 0,
    });
  }
  return {
    dataCentre,
    allocated: tidy(allocated),
    used: tidy(used),
    allocatedShare: shares(allocated, capacity),
    usedShare: shares(used, capacity),
    live,
  };
}

function normalisedCode(agency: Agency): string {
  const code = normaliseAgencyCode(agency.spec.code);
  return code.ok ? code.code : agency.spec.code;
}

/** The history's key of an agency in a data centre. */
export function historyKey(agency: string, dataCentre: string): string {
  return `${agency}/${dataCentre}`;
}
