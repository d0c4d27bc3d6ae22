/**
 * HTML that cannot carry an unescaped value: `markup` is a tagged template that escapes every
 * interpolated value unless it is already `Html` (built by `markup` itself). Names, purposes and
 * legal bases come from tenants: an agency called `<script>` shows as text. It is not named
 * `html`: Prettier would reformat templates of that name as HTML, whitespace included.
 */
const SAFE: unique symbol = Symbol('html');

export interface Html {
  readonly [SAFE]: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function isHtml(v: unknown): v is Html {
  return typeof v === 'object' && v !== null && SAFE in v;
}

export type Part = Html | string | number | undefined | null | false | readonly Part[];

function text(v: Part): string {
  if (v === undefined || v === null || v === false) return '';
  if (Array.isArray(v)) return (v as readonly Part[]).map(text).join('');
  if (isHtml(v)) return v[SAFE];
  return escapeHtml(String(v as string | number));
}

export function markup(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => (out += text(v) + (strings[i + 1] ?? '')));
  return { [SAFE]: out };
}

/** Text the dashboard itself wrote (its stylesheet): trusted as it is. */
export function trusted(markup: string): Html {
  return { [SAFE]: markup };
}

export function toString(h: Html): string {
  return h[SAFE];
}
