/**
 * Capacity used beside allocated (usage.ts's view models laid out), on the overview, each
 * agency's page and each data centre's. Each used figure carries `data-used` with its
 * resource, so the e2e compares it with what the operator published.
 */
import { markup, type Html } from './html.ts';
import { link, table, type Extension, type PageContext, type Part } from './pages.ts';
import { agencyUsage, dataCentresUsage, dataCentreUsage, type UsageRow, type UsageView } from './usage.ts';

function cell(r: UsageRow, resource: 'cpu' | 'memory' | 'storage'): Html {
  const used = r.used?.[resource];
  const p = r.percent[resource];
  return markup`<data data-field="allocated">${r.allocated[resource]}</data> / ${
    used === undefined ? '—' : markup`<data data-used="${resource}">${used}</data>${p === undefined ? '' : ` (${p}%)`}`
  }`;
}

function section(ctx: PageContext, view: UsageView, id: string, first: string, name: (r: UsageRow) => Part): Html {
  const { t } = ctx;
  const note =
    view.source === 'static'
      ? markup`<p class="note" data-field="used-source" data-value="static">${t('usedStatic')}</p>`
      : view.source === 'unpublished'
        ? markup`<p class="note" data-field="used-source" data-value="unpublished">${t('usedUnpublished')}</p>`
        : markup`<p class="note" data-field="used-source" data-value="live">${t('usedNote')} <time datetime="${view.since}">${view.since}</time>.</p>`;
  return markup`<section aria-labelledby="${id}-h">
<h2 id="${id}-h">${t('capacityUsed')}</h2>
${note}
${table(
  `${t('allocated')} / ${t('used')}`,
  [first, t('cpu'), t('memory'), t('storage')],
  view.rows.map((r) => [markup`<span data-usage="${r.key}">${name(r)}</span>`, cell(r, 'cpu'), cell(r, 'memory'), cell(r, 'storage')]),
  id,
)}
</section>`;
}

export const CAPACITY_USED: Extension = {
  overview: (platform, _now, ctx, usage) =>
    section(ctx, dataCentresUsage(platform, usage), 'used', ctx.t('dataCentre'), (r) => link(ctx.links.dataCentre(r.key), r.label)),
  agency: (platform, agency, _now, ctx, usage) => {
    const view = agencyUsage(platform, agency, usage);
    return view && section(ctx, view, 'used', ctx.t('dataCentre'), (r) => link(ctx.links.dataCentre(r.key), r.label));
  },
  dataCentre: (platform, dataCentre, _now, ctx, usage) => {
    const view = dataCentreUsage(platform, dataCentre, usage);
    return view && section(ctx, view, 'used', ctx.t('agency'), (r) => link(ctx.links.agency(r.key), r.label));
  },
};
