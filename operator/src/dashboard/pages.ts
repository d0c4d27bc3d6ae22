/**
 * The dashboard's pages: view models (views.ts) in, one HTML document out, in the language
 * asked. Pure: the live server and `--static` call the same functions, and differ only in
 * how they link pages (`Links`). Every page carries its own stylesheet (screen and print)
 * and no script: nothing is fetched from anywhere, the host included.
 *
 * Sections that later parts of the dashboard add (roadmap, showback) are `Extension`s: a
 * pure function from the platform to a section of the overview or of an agency's page.
 */
import { agencyNameOfHubNamespace } from '../api/index.ts';
import type { CatalogueEntry } from '../catalogue/index.ts';
import type { Platform } from '../model/platform.ts';
import { markup, trusted, type Html } from './html.ts';
import { translator, word, type Lang, type Translate, type WordKey } from './i18n.ts';
import { STYLE } from './style.ts';
import type { UsageSource } from './usage.ts';
import type {
  AccessGraphView,
  AccessRow,
  AgencyView,
  Capacity,
  CapacityFigures,
  ConsumerRow,
  Count,
  DataCentreView,
  LinkRow,
  OverviewView,
  Reason,
} from './views.ts';

/** Where a page links to; the server links by path and query, a static tree by relative file. */
export interface Links {
  overview(): string;
  catalogue(): string;
  access(): string;
  agency(name: string): string;
  dataCentre(name: string): string;
  /** The same page in the other language. */
  otherLang(): string;
}

export interface PageContext {
  lang: Lang;
  t: Translate;
  links: Links;
}

export function pageContext(lang: Lang, links: Links): PageContext {
  return { lang, t: translator(lang), links };
}

/** A section a later part of the dashboard adds to a page, built from the platform and the use the operator published (live only). */
export interface Extension {
  overview?(platform: Platform, now: Date, ctx: PageContext, usage: UsageSource): Html | undefined;
  agency?(platform: Platform, agency: string, now: Date, ctx: PageContext, usage: UsageSource): Html | undefined;
  dataCentre?(platform: Platform, dataCentre: string, now: Date, ctx: PageContext, usage: UsageSource): Html | undefined;
}

type Page = 'overview' | 'catalogue' | 'access' | 'other';

function layout(ctx: PageContext, current: Page, title: string, body: Html): Html {
  const { t, links, lang } = ctx;
  const nav = (page: Page, href: string, label: string) =>
    markup`<li><a href="${href}"${page === current ? markup` aria-current="page"` : ''}>${label}</a></li>`;
  return markup`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${t('title')}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">${t('skip')}</a>
<header>
<p class="brand">${t('title')}</p>
<nav aria-label="${t('nav')}"><ul>
${nav('overview', links.overview(), t('overview'))}
${nav('catalogue', links.catalogue(), t('catalogue'))}
${nav('access', links.access(), t('access'))}
<li class="lang"><a href="${links.otherLang()}" lang="${lang === 'vi' ? 'en' : 'vi'}">${t('otherLang')}</a></li>
</ul></nav>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`;
}

const asOf = (ctx: PageContext, now: string) => markup`<p class="asof">${ctx.t('asOf')} <time datetime="${now}">${now}</time></p>`;

export function table(caption: string, headers: readonly string[], rows: readonly (readonly Part[])[], id?: string): Html {
  if (rows.length === 0) return markup`<h2${id ? markup` id="${id}"` : ''}>${caption}</h2><p class="empty">—</p>`;
  return markup`<table${id ? markup` id="${id}"` : ''}>
<caption>${caption}</caption>
<thead><tr>${headers.map((h) => markup`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${rows.map((r) => markup`<tr>${r.map((c) => markup`<td>${c}</td>`)}</tr>\n`)}
</tbody>
</table>`;
}

export type Part = Html | string | number | undefined;

export const link = (href: string, label: string): Html => markup`<a href="${href}">${label}</a>`;

function counts(ctx: PageContext, caption: string, id: string, rows: readonly Count[], label: (key: string) => string): Html {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return table(
    caption,
    [ctx.t('name'), ctx.t('count')],
    rows.map((r) => [
      label(r.key),
      markup`<span class="bar" style="--w:${Math.round((100 * r.count) / max)}%"><data value="${r.count}" data-key="${r.key}">${r.count}</data></span>`,
    ]),
    id,
  );
}

function meter(label: string, allocated: string, offered: string, pct: number | undefined): Html {
  const shown = pct === undefined ? '—' : `${pct}%`;
  return markup`<div class="meter"><span>${label}: <data data-field="allocated">${allocated}</data> / <data data-field="offered">${offered}</data> (${shown})</span>${
    pct === undefined ? '' : markup`<meter min="0" max="100" value="${Math.min(pct, 100)}" aria-label="${label} ${shown}">${shown}</meter>`
  }</div>`;
}

function capacity(ctx: PageContext, c: CapacityFigures): Html {
  const { t } = ctx;
  return markup`${meter(t('cpu'), c.allocated.cpu, c.offered.cpu, c.percent.cpu)}${meter(t('memory'), c.allocated.memory, c.offered.memory, c.percent.memory)}${meter(
    t('storage'),
    c.allocated.storage,
    c.offered.storage,
    c.percent.storage,
  )}`;
}

const yesNo = (t: Translate, v: boolean | undefined): string => (v === undefined ? t('unknown') : v ? t('yes') : t('no'));

export function overviewPage(view: OverviewView, ctx: PageContext, extensions: readonly Html[] = []): Html {
  const { t, links } = ctx;
  const figure = (key: keyof OverviewView['totals'], label: WordKey) =>
    markup`<div class="figure"><dt>${t(label)}</dt><dd><data value="${view.totals[key]}" data-figure="${key}">${view.totals[key]}</data></dd></div>`;
  const body = markup`${asOf(ctx, view.now)}
<dl class="figures">
${figure('dataCentres', 'dataCentres')}${figure('agencies', 'agencies')}${figure('workspaces', 'workspaces')}${figure('services', 'services')}${figure('activeGrants', 'activeGrants')}${figure('links', 'links')}
</dl>
<div class="columns">
${counts(ctx, t('byType'), 'by-type', view.byType, (k) => word(t, k))}
${counts(ctx, t('byRegion'), 'by-region', view.byRegion, (k) => k)}
${counts(ctx, t('byLevel'), 'by-level', view.byLevel, (k) => `${t('level')} ${k}`)}
</div>
<p class="note">${t('regionNote')}</p>
<h2>${t('capacity')}</h2>
<p class="note">${t('allocatedNote')}</p>
<div class="cards">
${view.dataCentres.map(
  (d) => markup`<section class="card" data-datacentre="${d.name}" aria-labelledby="dc-${d.name}">
<h3 id="dc-${d.name}">${link(links.dataCentre(d.name), d.displayName)}</h3>
<p>${d.region} · ${t('accredited')}: ${d.accreditedLevel} · ${t('agencies')}: <data data-field="agencies" value="${d.agencies}">${d.agencies}</data></p>
${capacity(ctx, d.capacity)}
</section>`,
)}
</div>
${table(
  t('agencies'),
  [t('name'), t('code'), t('type'), t('securityLevel'), t('region'), t('dataCentres'), t('workspaces'), t('services'), t('ready')],
  view.agencies.map((a) => [
    link(links.agency(a.name), a.displayName),
    a.code,
    word(t, a.type),
    a.securityLevel,
    a.regions.join(', '),
    a.dataCentres.join(', '),
    a.workspaces,
    a.services,
    yesNo(t, a.ready),
  ]),
  'agencies',
)}
${extensions}`;
  return layout(ctx, 'overview', t('overview'), body);
}

function reasonText(t: Translate, r: Reason): Html {
  switch (r.kind) {
    case 'grant':
      return markup`${t('reasonGrant')}: <code>${r.request}</code> + <code>${r.grant}</code>`;
    case 'declared':
      return markup`${t('reasonDeclared')}: <code>${r.request}</code>`;
    case 'default':
      return markup`${t('reasonDefault')}`;
    case 'open':
      return markup`${t('reasonOpen')}`;
  }
}

function windowText(t: Translate, row: { validFrom?: string; validUntil?: string }): Html {
  return markup`${row.validFrom ? markup`${t('validFrom')} <time datetime="${row.validFrom}">${row.validFrom}</time>` : ''}${row.validFrom && row.validUntil ? markup`<br>` : ''}${
    row.validUntil ? markup`${t('validUntil')} <time datetime="${row.validUntil}">${row.validUntil}</time>` : ''
  }${!row.validFrom && !row.validUntil ? '—' : ''}`;
}

function accessRows(ctx: PageContext, rows: readonly AccessRow[], other: 'consumer' | 'provider'): Part[][] {
  const { t, links } = ctx;
  return rows.map((r) => [
    link(links.agency(r[other]), r[other]),
    r.service,
    r.workspaces.join(', '),
    r.purpose,
    r.legalBasis,
    windowText(t, r),
    t(r.state),
    markup`<span class="${r.active ? 'on' : 'off'}">${r.active ? t('activeNow') : t('notActive')}</span>`,
    other === 'consumer' ? (r.request ?? t('noRequest')) : (r.grant ?? t('noGrant')),
  ]);
}

function providerLink(links: Links, serviceRef: string): Part {
  const provider = agencyNameOfHubNamespace(serviceRef.split('/')[0]);
  return provider === undefined ? '—' : link(links.agency(provider), provider);
}

function consumerRows(ctx: PageContext, rows: readonly ConsumerRow[], who: 'consumer' | 'service'): Part[][] {
  const { t, links } = ctx;
  return rows.map((r) => [
    who === 'consumer' ? link(links.agency(r.consumer), r.consumer) : `${r.serviceDisplayName} (${r.service})`,
    who === 'consumer' ? r.serviceDisplayName : providerLink(links, r.service),
    r.workspaces.join(', '),
    reasonText(t, r.reason),
  ]);
}

function linkRows(rows: readonly LinkRow[], t: Translate): Part[][] {
  return rows.map((l) => [l.ref, l.workspace, l.direction, l.peer, l.ports, l.encrypted ? t('yes') : t('no'), l.validUntil ?? '—']);
}

function servicesTable(ctx: PageContext, caption: string, entries: readonly CatalogueEntry[], id: string): Html {
  const { t, links } = ctx;
  return table(
    caption,
    [t('service'), t('owner'), t('identifier'), t('dataClass'), t('sharing'), t('dataCentres'), t('consumer')],
    entries.map((e) => [
      markup`${e.displayName}<br><code>${e.name}</code>`,
      e.owner ? link(links.agency(e.owner), e.ownerDisplayName ?? e.owner) : '—',
      e.identifier ? markup`<code>${e.identifier}</code>` : '—',
      word(ctx.t, e.dataClass),
      word(ctx.t, e.sharing),
      e.dataCentres.join(', ') || '—',
      markup`<data value="${e.consumers.length}" data-field="consumers">${e.consumers.length}</data>`,
    ]),
    id,
  );
}

const quantityCells = (q: Capacity & { pods?: number }) => [q.cpu, q.memory, q.storage, q.pods ?? '—'];

export function agencyPage(view: AgencyView, now: Date, ctx: PageContext, extensions: readonly Html[] = []): Html {
  const { t, links } = ctx;
  const a = view.agency;
  const body = markup`${asOf(ctx, now.toISOString())}
<dl class="facts">
<dt>${t('code')}</dt><dd><code>${a.code}</code></dd>
<dt>${t('type')}</dt><dd>${word(t, a.type)}</dd>
<dt>${t('securityLevel')}</dt><dd data-field="level">${a.securityLevel}</dd>
<dt>${t('region')}</dt><dd>${a.regions.join(', ') || '—'}</dd>
<dt>${t('dataCentres')}</dt><dd>${a.dataCentres.map((d, i) => markup`${i > 0 ? ', ' : ''}${link(links.dataCentre(d), d)}`)}</dd>
${view.parent ? markup`<dt>${t('parent')}</dt><dd>${link(links.agency(view.parent), view.parent)}</dd>` : ''}
<dt>${t('hubNamespace')}</dt><dd><code>${view.hubNamespace}</code></dd>
<dt>${t('admins')}</dt><dd>${view.groups.admins.join(', ') || '—'}</dd>
<dt>${t('viewers')}</dt><dd>${view.groups.viewers.join(', ') || '—'}</dd>
<dt>${t('ready')}</dt><dd>${yesNo(t, a.ready)}</dd>
</dl>
${table(
  t('workspaces'),
  [t('name'), t('namespace'), t('dataClass'), t('description'), t('internetEgress')],
  view.workspaces.map((w) => [w.name, markup`<code>${w.namespace}</code>`, word(t, w.dataClass), w.description ?? '—', w.internetEgress]),
  'workspaces',
)}
${table(
  t('quotas'),
  [t('dataCentre'), t('cpu'), t('memory'), t('storage'), t('pods')],
  view.quotas.map((q) => [link(links.dataCentre(q.dataCentre), q.dataCentre), ...quantityCells(q)]),
  'quotas',
)}
${servicesTable(ctx, t('services'), view.services, 'services')}
${table(t('consumers'), [t('consumer'), t('service'), t('workspaces'), t('why')], consumerRows(ctx, view.consumers, 'consumer'), 'consumers')}
${table(t('consumes'), [t('service'), t('provider'), t('workspaces'), t('why')], consumerRows(ctx, view.consumes, 'service'), 'consumes')}
${table(
  t('grantsGiven'),
  [t('consumer'), t('service'), t('workspaces'), t('purpose'), t('legalBasis'), t('window'), t('state'), t('activeGrants'), t('request')],
  accessRows(ctx, view.grantsGiven, 'consumer'),
  'grants',
)}
${table(
  t('requestsMade'),
  [t('provider'), t('service'), t('workspaces'), t('purpose'), t('legalBasis'), t('window'), t('state'), t('activeGrants'), t('grant')],
  accessRows(ctx, view.requestsMade, 'provider'),
  'requests',
)}
${table(t('links'), [t('name'), t('workspace'), t('direction'), t('peer'), t('ports'), t('encrypted'), t('validUntil')], linkRows(view.links, t), 'links')}
${extensions}`;
  return layout(ctx, 'other', `${a.displayName} (${a.name})`, body);
}

export function dataCentrePage(view: DataCentreView, now: Date, ctx: PageContext, extensions: readonly Html[] = []): Html {
  const { t, links } = ctx;
  const d = view.dataCentre;
  const body = markup`${asOf(ctx, now.toISOString())}
<dl class="facts">
<dt>${t('region')}</dt><dd>${d.region}</dd>
<dt>${t('accredited')}</dt><dd>${d.accreditedLevel}</dd>
${d.dedicatedTo ? markup`<dt>${t('dedicatedTo')}</dt><dd>${link(links.agency(d.dedicatedTo), d.dedicatedTo)}</dd>` : ''}
<dt>${t('networkRanges')}</dt><dd>${view.networkRanges.join(', ')}</dd>
<dt>${t('encryptedLinks')}</dt><dd>${yesNo(t, view.encryptedLinks)}</dd>
<dt>${t('ready')}</dt><dd>${yesNo(t, d.ready)}</dd>
</dl>
<section class="card" data-datacentre="${d.name}" aria-label="${t('capacity')}">
<h2>${t('capacity')}</h2>
${capacity(ctx, d.capacity)}
</section>
${table(
  t('agencies'),
  [t('name'), t('type'), t('securityLevel'), t('workspaces'), t('cpu'), t('memory'), t('storage'), t('pods')],
  view.agencies.map((a) => [
    link(links.agency(a.name), a.displayName),
    word(t, a.type),
    a.securityLevel,
    a.workspaces,
    ...(a.quota ? quantityCells(a.quota) : ['—', '—', '—', '—']),
  ]),
  'agencies',
)}
${servicesTable(ctx, t('services'), view.services, 'services')}
${extensions}`;
  return layout(ctx, 'other', `${d.displayName} (${d.name})`, body);
}

export function cataloguePage(entries: readonly CatalogueEntry[], now: Date, ctx: PageContext): Html {
  return layout(ctx, 'catalogue', ctx.t('catalogue'), markup`${asOf(ctx, now.toISOString())}${servicesTable(ctx, ctx.t('services'), entries, 'services')}`);
}

const REASON_CLASS: Record<Reason['kind'], string> = { grant: 'e-grant', declared: 'e-declared', default: 'e-default', open: 'e-open' };

/**
 * The access graph drawn: consumers on the left, services on the right, one line per edge
 * coloured by why. Server-drawn SVG, no script; the table below says the same for screen
 * readers, so the drawing is one image with a label.
 */
function accessDrawing(view: AccessGraphView, t: Translate): Html {
  const consumers = [...new Map(view.edges.map((e) => [e.consumer, e.consumerDisplayName])).entries()];
  const services = [...new Map(view.edges.map((e) => [`${e.provider}/${e.service}`, e.serviceDisplayName])).entries()];
  if (consumers.length === 0) return markup``;
  const row = 30;
  const height = Math.max(consumers.length, services.length) * row + 20;
  const y = (i: number, n: number) => 20 + i * row + ((Math.max(consumers.length, services.length) - n) * row) / 2;
  const yc = new Map(consumers.map(([k], i) => [k, y(i, consumers.length)]));
  const ys = new Map(services.map(([k], i) => [k, y(i, services.length)]));
  const label = `${t('access')}: ${view.edges.length}`;
  return markup`<figure class="graph">
<svg viewBox="0 0 1300 ${height}" role="img" aria-label="${label}" preserveAspectRatio="xMinYMin meet">
${view.edges.map(
  (e) =>
    markup`<line class="${REASON_CLASS[e.reason.kind]}" x1="450" y1="${yc.get(e.consumer)! - 5}" x2="850" y2="${ys.get(`${e.provider}/${e.service}`)! - 5}"><title>${e.consumerDisplayName} → ${e.serviceDisplayName}</title></line>`,
)}
${consumers.map(([, name], i) => markup`<text x="440" y="${y(i, consumers.length)}" text-anchor="end">${name}</text>`)}
${services.map(([, name], i) => markup`<text x="860" y="${y(i, services.length)}">${name}</text>`)}
</svg>
<figcaption><span class="key e-grant">${t('reasonGrant')}</span> <span class="key e-declared">${t('reasonDeclared')}</span> <span class="key e-default">${t('reasonDefault')}</span> <span class="key e-open">${t('reasonOpen')}</span></figcaption>
</figure>`;
}

export function accessPage(view: AccessGraphView, ctx: PageContext): Html {
  const { t, links } = ctx;
  const body = markup`${asOf(ctx, view.now)}
<p class="note">${t('edgesNote')}</p>
${accessDrawing(view, t)}
${table(
  t('access'),
  [t('consumer'), t('provider'), t('service'), t('workspaces'), t('why')],
  view.edges.map((e) => [
    link(links.agency(e.consumer), e.consumerDisplayName),
    e.provider ? link(links.agency(e.provider), e.providerDisplayName) : '—',
    markup`${e.serviceDisplayName}${e.identifier ? markup`<br><code>${e.identifier}</code>` : ''}`,
    e.workspaces.join(', '),
    reasonText(t, e.reason),
  ]),
  'edges',
)}
${table(
  t('links'),
  [t('agency'), t('name'), t('workspace'), t('direction'), t('peer'), t('ports'), t('encrypted'), t('validUntil')],
  view.links.map((l) => [l.agency ? link(links.agency(l.agency), l.agency) : '—', ...linkRows([l], t)[0]!]),
  'links',
)}`;
  return layout(ctx, 'access', t('access'), body);
}

/** A page saying no: 403 (with the agencies the viewer may see, if any) or 404. */
export function refusalPage(ctx: PageContext, status: 403 | 404, mine: readonly { name: string; displayName: string }[] = []): Html {
  const { t, links } = ctx;
  const body =
    status === 404
      ? markup`<p>${t('notFound')}</p>`
      : markup`<p>${t('forbiddenText')}</p>${
          mine.length > 0 ? markup`<h2>${t('yourAgencies')}</h2><ul>${mine.map((a) => markup`<li>${link(links.agency(a.name), a.displayName)}</li>`)}</ul>` : ''
        }`;
  return layout(ctx, 'other', status === 404 ? t('notFound') : t('forbidden'), body);
}
