/**
 * How pages link to each other: by path and `?lang=` on the live server, by relative file in
 * a static tree (`index.html`, `agencies/NAME.html`...; English under `en/`), so the tree
 * opens from disk or any web server, at any folder.
 */
import type { Lang } from './i18n.ts';
import type { Links } from './pages.ts';
import type { Route } from './routes.ts';

const enc = encodeURIComponent;

export function pathOf(route: Route): string {
  switch (route.page) {
    case 'overview':
      return '/';
    case 'catalogue':
      return '/catalogue';
    case 'access':
      return '/access';
    case 'agency':
      return `/agencies/${enc(route.name)}`;
    case 'dataCentre':
      return `/datacentres/${enc(route.name)}`;
  }
}

export function serverLinks(current: Route, lang: Lang): Links {
  const q = lang === 'en' ? '?lang=en' : '';
  return {
    overview: () => `/${q}`,
    catalogue: () => `/catalogue${q}`,
    access: () => `/access${q}`,
    agency: (name) => `/agencies/${enc(name)}${q}`,
    dataCentre: (name) => `/datacentres/${enc(name)}${q}`,
    otherLang: () => `${pathOf(current)}${lang === 'en' ? '' : '?lang=en'}`,
  };
}

/** The file of a route in a static tree, relative to the tree's root. */
export function fileOf(route: Route, lang: Lang): string {
  const prefix = lang === 'en' ? 'en/' : '';
  switch (route.page) {
    case 'overview':
      return `${prefix}index.html`;
    case 'catalogue':
      return `${prefix}catalogue.html`;
    case 'access':
      return `${prefix}access.html`;
    case 'agency':
      return `${prefix}agencies/${route.name}.html`;
    case 'dataCentre':
      return `${prefix}datacentres/${route.name}.html`;
  }
}

function relative(from: string, to: string): string {
  const depth = from.split('/').length - 1;
  return '../'.repeat(depth) + to;
}

export function staticLinks(current: Route, lang: Lang): Links {
  const here = fileOf(current, lang);
  const to = (r: Route) => relative(here, fileOf(r, lang));
  return {
    overview: () => to({ page: 'overview' }),
    catalogue: () => to({ page: 'catalogue' }),
    access: () => to({ page: 'access' }),
    agency: (name) => to({ page: 'agency', name }),
    dataCentre: (name) => to({ page: 'dataCentre', name }),
    otherLang: () => relative(here, fileOf(current, lang === 'en' ? 'vi' : 'en')),
  };
}
