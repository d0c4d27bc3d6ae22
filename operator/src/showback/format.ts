/** Showback for people (a table) and for spreadsheets (CSV, one row per agency and data centre). Pure. */
import type { Amounts, Showback } from './compute.ts';

const GI = 1024 ** 3;

/** Cores as written, bytes in GiB with two decimals, pods whole. */
export function formatAmount(resource: keyof Amounts, n: number): string {
  if (resource === 'memory' || resource === 'storage') return `${(n / GI).toFixed(2)}Gi`;
  return resource === 'cpu' ? String(Math.round(n * 1000) / 1000) : String(n);
}

export const CSV_HEADERS = [
  'agency',
  'code',
  'display_name',
  'type',
  'data_centre',
  'live',
  'cpu_allocated_cores',
  'cpu_used_cores',
  'memory_allocated_bytes',
  'memory_used_bytes',
  'storage_allocated_bytes',
  'storage_used_bytes',
  'pods_allocated',
  'pods_used',
  'cpu_allocated_share_percent',
  'memory_allocated_share_percent',
  'storage_allocated_share_percent',
  'month',
  'month_to_date_cpu_used_cores',
  'month_to_date_memory_used_bytes',
  'services_owned',
  'services_consumed',
  'links',
];

function csvCell(value: string | number | boolean): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function showbackCsv(s: Showback): string {
  const lines = [CSV_HEADERS.join(',')];
  for (const a of s.agencies) {
    for (const d of a.dataCentres) {
      const mtd = d.monthToDate;
      lines.push(
        [
          a.agency,
          a.code,
          a.displayName,
          a.type,
          d.dataCentre,
          d.live,
          d.allocated.cpu,
          d.used.cpu,
          d.allocated.memory,
          d.used.memory,
          d.allocated.storage,
          d.used.storage,
          d.allocated.pods,
          d.used.pods,
          d.allocatedShare.cpu,
          d.allocatedShare.memory,
          d.allocatedShare.storage,
          mtd?.month ?? '',
          mtd ? Math.round(mtd.used.cpu * 1000) / 1000 : '',
          mtd ? Math.round(mtd.used.memory) : '',
          a.servicesOwned.length,
          a.servicesConsumed.length,
          a.links.length,
        ]
          .map(csvCell)
          .join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** Rows of the people's table: per agency and data centre. */
export function showbackRows(s: Showback): string[][] {
  const rows: string[][] = [];
  for (const a of s.agencies) {
    for (const d of a.dataCentres) {
      const pair = (r: keyof Amounts) => `${formatAmount(r, d.used[r])} / ${formatAmount(r, d.allocated[r])}`;
      rows.push([
        `${a.agency} (${a.displayName})`,
        d.dataCentre + (d.live ? '' : ' (not read)'),
        pair('cpu'),
        pair('memory'),
        pair('storage'),
        pair('pods'),
        `${d.allocatedShare.cpu}%`,
        d.monthToDate ? formatAmount('cpu', d.monthToDate.used.cpu) : '-',
        `${a.servicesOwned.length}/${a.servicesConsumed.length}`,
        String(a.links.length),
      ]);
    }
  }
  return rows;
}

export const TABLE_HEADERS = [
  'AGENCY',
  'DATA CENTRE',
  'CPU USED/QUOTA',
  'MEMORY',
  'STORAGE',
  'PODS',
  'CPU SHARE',
  'CPU MONTH MEAN',
  'SERVICES OWN/USE',
  'LINKS',
];

export function dataCentreRows(s: Showback): string[][] {
  return s.dataCentres.map((d) => [
    `${d.dataCentre} (${d.displayName})`,
    `${formatAmount('cpu', d.used.cpu)} / ${formatAmount('cpu', d.allocated.cpu)} / ${formatAmount('cpu', d.capacity.cpu)}`,
    `${formatAmount('memory', d.used.memory)} / ${formatAmount('memory', d.allocated.memory)} / ${formatAmount('memory', d.capacity.memory)}`,
    `${d.allocatedShare.cpu}% / ${d.usedShare.cpu}%`,
    d.live ? 'yes' : 'no',
  ]);
}

export const DATA_CENTRE_HEADERS = ['DATA CENTRE', 'CPU USED/ALLOCATED/OFFERED', 'MEMORY USED/ALLOCATED/OFFERED', 'CPU ALLOCATED%/USED%', 'READ'];
