/**
 * Capacity used beside allocated, on the overview, an agency's page and a data centre's. Used
 * comes from what the operator publishes on the hub (showback/usage.ts: the ResourceQuotas'
 * `status.used` it reads from the members), never from the members themselves: the dashboard
 * holds no member credential. Offline (`--static`) there is no use to show, and the pages say
 * so. View models here are pure: the platform and the published figures in, rows out.
 */
import type { Platform } from '../model/platform.ts';
import { formatBytes, formatMilli, parseBytes, parseMilli } from '../model/quantity.ts';
import { historyKey, type Amounts } from '../showback/compute.ts';
import type { PublishedUsage } from '../showback/usage.ts';
import { sumCapacity } from './views.ts';

/** Where the pages' use comes from: a static tree has none; live, what the operator published, if it has. */
export type UsageSource = { mode: 'static' } | { mode: 'live'; usage?: PublishedUsage };

export interface UsageRow {
  /** The data centre (overview, agency page) or the agency (data centre page). */
  key: string;
  label: string;
  allocated: { cpu: string; memory: string; storage: string };
  /** Undefined: not read (the data centre not reached, or no figures published). */
  used?: { cpu: string; memory: string; storage: string };
  /** Used over allocated, whole percent, per resource. */
  percent: { cpu?: number; memory?: number; storage?: number };
}

export interface UsageView {
  source: 'static' | 'unpublished' | 'live';
  since?: string;
  rows: UsageRow[];
}

const shown = (a: Amounts) => ({
  cpu: formatMilli(BigInt(Math.round(a.cpu * 1000))),
  memory: formatBytes(BigInt(Math.round(a.memory))),
  storage: formatBytes(BigInt(Math.round(a.storage))),
});

function pct(used: number, allocated: bigint | undefined, scale: number): number | undefined {
  if (allocated === undefined || allocated === 0n) return undefined;
  return Math.floor((used * scale * 100) / Number(allocated));
}

function row(
  key: string,
  label: string,
  allocated: { cpu: string | number; memory: string | number; storage: string | number },
  used: Amounts | undefined,
): UsageRow {
  const alloc = { cpu: String(allocated.cpu), memory: String(allocated.memory), storage: String(allocated.storage) };
  if (!used) return { key, label, allocated: alloc, percent: {} };
  return {
    key,
    label,
    allocated: alloc,
    used: shown(used),
    percent: {
      cpu: pct(used.cpu, parseMilli(alloc.cpu), 1000),
      memory: pct(used.memory, parseBytes(alloc.memory), 1),
      storage: pct(used.storage, parseBytes(alloc.storage), 1),
    },
  };
}

function view(source: UsageSource, rows: (u: PublishedUsage | undefined) => UsageRow[]): UsageView {
  if (source.mode === 'static') return { source: 'static', rows: rows(undefined) };
  if (!source.usage) return { source: 'unpublished', rows: rows(undefined) };
  return { source: 'live', since: source.usage.since, rows: rows(source.usage) };
}

/** Each data centre: the quotas of the agencies placed there, and their use. */
export function dataCentresUsage(platform: Platform, source: UsageSource): UsageView {
  return view(source, (u) =>
    platform.dataCentres
      .map((dc) => {
        const name = dc.metadata.name;
        const quotas = platform.agencies
          .filter((a) => a.spec.placement.dataCentres.includes(name))
          .flatMap((a) => a.spec.quotas.filter((q) => q.dataCentre === name));
        return row(name, dc.spec.displayName, sumCapacity(quotas), u?.dataCentres[name]);
      })
      .sort((a, b) => (a.key < b.key ? -1 : 1)),
  );
}

/** One agency: its quota in each data centre it is placed in, and its use there. */
export function agencyUsage(platform: Platform, agency: string, source: UsageSource): UsageView | undefined {
  const a = platform.agencies.find((x) => x.metadata.name === agency);
  if (!a) return undefined;
  return view(source, (u) =>
    a.spec.quotas
      .filter((q) => a.spec.placement.dataCentres.includes(q.dataCentre))
      .map((q) =>
        row(
          q.dataCentre,
          platform.dataCentres.find((d) => d.metadata.name === q.dataCentre)?.spec.displayName ?? q.dataCentre,
          q,
          u?.agencies[historyKey(agency, q.dataCentre)],
        ),
      ),
  );
}

/** One data centre: each agency placed there with its quota and use. */
export function dataCentreUsage(platform: Platform, dataCentre: string, source: UsageSource): UsageView | undefined {
  if (!platform.dataCentres.some((d) => d.metadata.name === dataCentre)) return undefined;
  return view(source, (u) =>
    platform.agencies
      .filter((a) => a.spec.placement.dataCentres.includes(dataCentre))
      .flatMap((a) => {
        const q = a.spec.quotas.find((x) => x.dataCentre === dataCentre);
        return q ? [row(a.metadata.name, a.spec.displayName, q, u?.agencies[historyKey(a.metadata.name, dataCentre)])] : [];
      })
      .sort((a, b) => (a.key < b.key ? -1 : 1)),
  );
}
