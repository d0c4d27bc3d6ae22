/**
 * Validity windows of links, requests and grants: open from validFrom (inclusive) to
 * validUntil (exclusive). The one reading of a window: renderers, controllers (status,
 * history, metrics) and the offline check all ask here.
 */
import { RFC3339, RFC3339_MAX_LENGTH } from '../api/index.ts';

const TIME = new RegExp(RFC3339);

/**
 * Milliseconds since the epoch of a time the schema admits (RFC 3339, `T` and `Z` in
 * either case, any number of fractional digits), or undefined for anything else. Digits
 * past the millisecond are dropped: windows are kept to the millisecond.
 */
export function parseTime(value: string): number | undefined {
  if (value.length > RFC3339_MAX_LENGTH || !TIME.test(value)) return undefined;
  const time = Date.parse(value.toUpperCase());
  return Number.isNaN(time) ? undefined : time;
}

export interface Window {
  from?: number;
  until?: number;
}

export type WindowResult = { ok: true; window: Window } | { ok: false; field: string; message: string };

function parseField(value: string | undefined, field: string): { ok: true; time?: number } | { ok: false; field: string; message: string } {
  if (value === undefined) return { ok: true };
  const time = parseTime(value);
  if (time === undefined) return { ok: false, field, message: `"${value}" is not an RFC 3339 time` };
  return { ok: true, time };
}

export function parseWindow(spec: { validFrom?: string; validUntil?: string }): WindowResult {
  const from = parseField(spec.validFrom, 'spec.validFrom');
  if (!from.ok) return from;
  const until = parseField(spec.validUntil, 'spec.validUntil');
  if (!until.ok) return until;
  const window: Window = {};
  if (from.time !== undefined) window.from = from.time;
  if (until.time !== undefined) window.until = until.time;
  if (window.from !== undefined && window.until !== undefined && window.from >= window.until) {
    return { ok: false, field: 'spec.validUntil', message: 'validFrom must be before validUntil' };
  }
  return { ok: true, window };
}

/**
 * The window as far as it can be read: each time on its own, one that is not a time left
 * out. For what reports on a window (status, history, metrics); what opens access uses
 * parseWindow, which refuses the whole window instead.
 */
export function windowOf(spec: { validFrom?: string; validUntil?: string }): Window {
  const window: Window = {};
  const from = spec.validFrom === undefined ? undefined : parseTime(spec.validFrom);
  const until = spec.validUntil === undefined ? undefined : parseTime(spec.validUntil);
  if (from !== undefined) window.from = from;
  if (until !== undefined) window.until = until;
  return window;
}

export function isOpen(window: Window, now: Date): boolean {
  const t = now.getTime();
  return (window.from === undefined || window.from <= t) && (window.until === undefined || t < window.until);
}

/** Why a window is closed now: not yet open, or over. */
export function closedBecause(window: Window, now: Date): 'NotYetValid' | 'Expired' | undefined {
  const t = now.getTime();
  if (window.from !== undefined && t < window.from) return 'NotYetValid';
  if (window.until !== undefined && t >= window.until) return 'Expired';
  return undefined;
}

/** The window's boundaries after now. */
export function futureBoundaries(window: Window, now: Date): number[] {
  const t = now.getTime();
  return [window.from, window.until].filter((b): b is number => b !== undefined && b > t);
}

/** The earliest of the times, as a Date; undefined when there is none. */
export function earliest(times: Iterable<number | Date | undefined>): Date | undefined {
  let best: number | undefined;
  for (const time of times) {
    const t = time instanceof Date ? time.getTime() : time;
    if (t !== undefined && (best === undefined || t < best)) best = t;
  }
  return best === undefined ? undefined : new Date(best);
}
