/**
 * The sections later parts of the dashboard add to its pages (capacity used, the roadmap): each
 * an `Extension` (pages.ts) of pure functions over the platform. The live server and
 * `--static` both render with this list.
 */
import type { Extension } from './pages.ts';
import { ROADMAP } from './roadmap-pages.ts';
import { CAPACITY_USED } from './usage-pages.ts';

export const EXTENSIONS: readonly Extension[] = [CAPACITY_USED, ROADMAP];
