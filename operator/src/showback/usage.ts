/**
 * The capacity in use now, as the operator publishes it for the dashboard: per data centre
 * and per agency in each, the sum of the `status.used` of the ResourceQuotas it manages, from
 * the data centres it could read. One ConfigMap of a fixed name (`govcloud-showback-usage`, in
 * the operator's namespace), so the dashboard's ServiceAccount may `get` that one object by
 * name and nothing else: no Secret, no member credential, not the history (docs/operations.md,
 * "The dashboard"). Pure: a showback in, the published figures out.
 */
import { historyKey, SHOWBACK_RESOURCES, type Amounts, type Showback } from './compute.ts';

export const USAGE_NAME = 'govcloud-showback-usage';
export const USAGE_KEY = 'usage.json';

export interface PublishedUsage {
  /** Since when these figures hold: the sample at which they last changed (RFC 3339). */
  since: string;
  /** Data centres whose quotas were read, with their use. */
  dataCentres: Record<string, Amounts>;
  /** `agency/dataCentre` (historyKey) of the data centres read. */
  agencies: Record<string, Amounts>;
}

export function usageOf(s: Showback, now: Date): PublishedUsage {
  const dataCentres: Record<string, Amounts> = {};
  for (const d of s.dataCentres) if (d.live) dataCentres[d.dataCentre] = { ...d.used };
  const agencies: Record<string, Amounts> = {};
  for (const a of s.agencies) for (const row of a.dataCentres) if (row.live) agencies[historyKey(a.agency, row.dataCentre)] = { ...row.used };
  return { since: now.toISOString(), dataCentres, agencies };
}

const sameAmounts = (a: Record<string, Amounts>, b: Record<string, Amounts>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && SHOWBACK_RESOURCES.every((r) => a[k]![r] === b[k]![r]));
};

/** The same figures (the time aside): nothing to write. */
export function sameUsage(a: PublishedUsage, b: PublishedUsage): boolean {
  return sameAmounts(a.dataCentres, b.dataCentres) && sameAmounts(a.agencies, b.agencies);
}

export function encodeUsage(u: PublishedUsage): Record<string, string> {
  return { [USAGE_KEY]: JSON.stringify(u) };
}

/** The published figures in a ConfigMap's data, or undefined when none read. */
export function decodeUsage(data: Record<string, string> | undefined): PublishedUsage | undefined {
  const text = data?.[USAGE_KEY];
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as Partial<PublishedUsage>;
    if (typeof v.since !== 'string' || typeof v.dataCentres !== 'object' || v.dataCentres === null || typeof v.agencies !== 'object' || v.agencies === null)
      return undefined;
    return { since: v.since, dataCentres: v.dataCentres, agencies: v.agencies };
  } catch {
    return undefined;
  }
}
