/**
 * The dashboard's pages by path, each with the scope a viewer needs (authz.ts) and its
 * rendering from the platform: the server and `--static` both go through `renderRoute`.
 */
import type { Platform } from '../model/platform.ts';
import type { Scope } from './authz.ts';
import { toString, type Html } from './html.ts';
import { accessPage, agencyPage, cataloguePage, dataCentrePage, overviewPage, refusalPage, type Extension, type PageContext } from './pages.ts';
import type { UsageSource } from './usage.ts';
import { accessGraphView, agencyView, catalogueView, dataCentreView, overviewView } from './views.ts';

export type Route = { page: 'overview' } | { page: 'catalogue' } | { page: 'access' } | { page: 'agency'; name: string } | { page: 'dataCentre'; name: string };

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The route of a URL path, or undefined (404). */
export function routeOf(pathname: string): Route | undefined {
  if (pathname === '/' || pathname === '') return { page: 'overview' };
  if (pathname === '/catalogue') return { page: 'catalogue' };
  if (pathname === '/access') return { page: 'access' };
  const m = /^\/(agencies|datacentres)\/([^/]+)$/.exec(pathname);
  if (!m) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(m[2]!);
  } catch {
    return undefined;
  }
  if (!NAME.test(name)) return undefined;
  return m[1] === 'agencies' ? { page: 'agency', name } : { page: 'dataCentre', name };
}

export function scopeOf(route: Route): Scope {
  return route.page === 'agency' ? { kind: 'agency', agency: route.name } : { kind: 'national' };
}

export interface Rendered {
  status: 200 | 404;
  body: string;
}

function done(h: Html): Rendered {
  return { status: 200, body: toString(h) };
}

export function renderRoute(
  route: Route,
  platform: Platform,
  now: Date,
  ctx: PageContext,
  extensions: readonly Extension[] = [],
  usage: UsageSource = { mode: 'static' },
): Rendered {
  const notFound = (): Rendered => ({ status: 404, body: toString(refusalPage(ctx, 404)) });
  const sections = (f: (e: Extension) => Html | undefined): Html[] => extensions.map(f).filter((h): h is Html => h !== undefined);
  switch (route.page) {
    case 'overview':
      return done(
        overviewPage(
          overviewView(platform, now),
          ctx,
          sections((e) => e.overview?.(platform, now, ctx, usage)),
        ),
      );
    case 'catalogue':
      return done(cataloguePage(catalogueView(platform, now), now, ctx));
    case 'access':
      return done(accessPage(accessGraphView(platform, now), ctx));
    case 'agency': {
      const view = agencyView(platform, route.name, now);
      return view
        ? done(
            agencyPage(
              view,
              now,
              ctx,
              sections((e) => e.agency?.(platform, route.name, now, ctx, usage)),
            ),
          )
        : notFound();
    }
    case 'dataCentre': {
      const view = dataCentreView(platform, route.name, now);
      return view
        ? done(
            dataCentrePage(
              view,
              now,
              ctx,
              sections((e) => e.dataCentre?.(platform, route.name, now, ctx, usage)),
            ),
          )
        : notFound();
    }
  }
}

/** Every page of a platform: what `--static` writes. */
export function allRoutes(platform: Platform): Route[] {
  return [
    { page: 'overview' },
    { page: 'catalogue' },
    { page: 'access' },
    ...platform.dataCentres.map((d) => ({ page: 'dataCentre' as const, name: d.metadata.name })),
    ...platform.agencies.map((a) => ({ page: 'agency' as const, name: a.metadata.name })),
  ];
}
