/**
 * `govcloud dashboard --static`: every page of a platform read from files, in both
 * languages, as a tree of HTML files linked relatively (links.ts): the same view models and
 * pages as the live server, for a report or a GitOps repository's pages.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Platform } from '../model/platform.ts';
import { LANGS } from './i18n.ts';
import { fileOf, staticLinks } from './links.ts';
import { pageContext, type Extension } from './pages.ts';
import { allRoutes, renderRoute } from './routes.ts';

/** Writes the pages under `dir`; resolves to the files written, relative to it. */
export async function writeStaticDashboard(dir: string, platform: Platform, now: Date, extensions: readonly Extension[] = []): Promise<string[]> {
  const written: string[] = [];
  for (const lang of LANGS) {
    for (const route of allRoutes(platform)) {
      const file = fileOf(route, lang);
      const rendered = renderRoute(route, platform, now, pageContext(lang, staticLinks(route, lang)), extensions, { mode: 'static' });
      const target = path.join(dir, file);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, rendered.body);
      written.push(file);
    }
  }
  return written;
}
