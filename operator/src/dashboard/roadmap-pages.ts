/**
 * The roadmap's sections (roadmap.ts's view models laid out): on the overview, progress
 * against each target and per agency type, and the overdue migrations; on an agency's page,
 * its systems. Each figure the e2e compares with the API carries a `data-*` attribute.
 */
import { markup, type Html } from './html.ts';
import { word } from './i18n.ts';
import { link, table, type Extension, type PageContext } from './pages.ts';
import { agencyRoadmap, roadmapOverview, type AgencyRoadmap, type RoadmapOverview } from './roadmap.ts';

const pct = (field: string, value: number): Html => markup`<data data-field="${field}" value="${value}">${value}%</data>`;
const num = (field: string, value: number): Html => markup`<data data-field="${field}" value="${value}">${value}</data>`;
const day = (d: string): Html => markup`<time datetime="${d}">${d}</time>`;

export function roadmapOverviewSection(view: RoadmapOverview, ctx: PageContext): Html | undefined {
  const { t, links } = ctx;
  if (view.targets.length === 0 && view.byType.length === 0) return undefined;
  return markup`<section aria-labelledby="roadmap" class="roadmap">
<h2 id="roadmap">${t('roadmap')}</h2>
<p class="note">${t('roadmapNote')}</p>
${table(
  t('targets'),
  [t('target'), t('appliesTo'), t('shareDue'), t('dueBy'), t('shareReached'), t('systems'), t('verdict'), t('agenciesBehind')],
  view.targets.map((r) => [
    markup`<span data-target="${r.name}">${r.description}</span><br><code>${r.name}</code>`,
    r.agencyTypes.length === 0 ? t('allTypes') : r.agencyTypes.map((x) => word(t, x)).join(', '),
    pct('target', r.targetPercent),
    day(r.by),
    markup`<span class="bar" style="--w:${Math.min(r.sharePercent, 100)}%">${pct('share', r.sharePercent)}</span>`,
    markup`${num('done', r.done)} / ${num('systems', r.systems)}`,
    markup`<span class="${r.verdict === 'Met' ? 'on' : 'off'}" data-field="verdict" data-value="${r.verdict}">${t(r.verdict)}</span>`,
    markup`${num('behind', r.agenciesBehind)}${r.behind.length > 0 ? markup`: ${r.behind.map((a, i) => markup`${i > 0 ? ', ' : ''}${link(links.agency(a.name), a.displayName)}`)}` : ''}`,
  ]),
  'targets',
)}
${table(
  t('roadmapByType'),
  [t('type'), t('agencies'), t('systems'), t('done'), t('shareReached'), t('overdue')],
  view.byType.map((r) => [
    markup`<span data-type="${r.type}">${word(t, r.type)}</span>`,
    r.agencies,
    num('systems', r.systems),
    num('done', r.done),
    markup`<span class="bar" style="--w:${r.sharePercent}%">${pct('share', r.sharePercent)}</span>`,
    num('overdue', r.overdue),
  ]),
  'roadmap-by-type',
)}
${table(
  `${t('overdueMigrations')} (${view.overdueCount})`,
  [t('agency'), t('system'), t('targetDate'), t('state')],
  view.overdue.map((r) => [
    link(links.agency(r.agency), r.agencyDisplayName),
    markup`${r.systemDisplayName}<br><code>${r.system}</code>`,
    day(r.targetDate),
    t(r.state),
  ]),
  'overdue',
)}
<p class="note" data-field="overdue-count" data-value="${view.overdueCount}">${t('overdueShown')} ${view.overdue.length} ${t('of')} ${view.overdueCount}</p>
</section>`;
}

export function agencyRoadmapSection(view: AgencyRoadmap | undefined, ctx: PageContext): Html {
  const { t, links } = ctx;
  if (!view) return markup`<h2 id="roadmap">${t('roadmap')}</h2><p class="empty">${t('noRoadmap')}</p>`;
  return markup`<section aria-labelledby="roadmap-h" class="roadmap">
<h2 id="roadmap-h">${t('roadmap')}</h2>
<p>${t('shareReached')}: ${pct('share', view.sharePercent)} (${num('done', view.done)} / ${num('systems', view.systems)}) · ${t('overdue')}: ${num('overdue', view.overdue)}</p>
${table(
  t('systems'),
  [t('system'), t('securityLevel'), t('dataClass'), t('currentLocation'), t('targetPlace'), t('targetDate'), t('state')],
  view.rows.map((r) => [
    markup`<span data-system="${r.name}">${r.displayName}</span><br><code>${r.name}</code>`,
    r.securityLevel,
    word(t, r.dataClass),
    r.currentLocation,
    r.dataCentre ? markup`${link(links.dataCentre(r.dataCentre), r.dataCentre)} / ${r.workspace ?? ''}` : '—',
    day(r.targetDate),
    markup`${t(r.state)}${r.completedOn ? markup` (${t('completedOn')} ${day(r.completedOn)}${r.late ? markup`, <span class="off">${t('lateCompletion')}</span>` : ''})` : ''}${
      r.overdue ? markup` <strong class="off" data-field="overdue">${t('overdue')}</strong>` : ''
    }`,
  ]),
  'roadmap',
)}
</section>`;
}

export const ROADMAP: Extension = {
  overview: (platform, now, ctx) => roadmapOverviewSection(roadmapOverview(platform, now), ctx),
  agency: (platform, agency, now, ctx) => agencyRoadmapSection(agencyRoadmap(platform, agency, now), ctx),
};
