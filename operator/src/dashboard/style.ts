/**
 * The one stylesheet, inlined in every page: system fonts (no font is fetched), contrast
 * above WCAG AA, a visible focus ring, and a print layout without navigation.
 */
export const STYLE = `
:root { --ink: #1b1f24; --muted: #4a5360; --line: #c9d1d9; --accent: #0b4f9c; --bar: #2f6fb7; --bg: #ffffff; --soft: #f3f6f9; --ok: #1a6b34; --off: #8a2b0f; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, main:focus-visible { outline: 3px solid #d97706; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 1; }
header { background: var(--soft); border-bottom: 1px solid var(--line); padding: .5rem 1.5rem; }
.brand { margin: 0; font-weight: 600; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 1.25rem; margin: .25rem 0 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
nav .lang { margin-left: auto; }
main { padding: 1rem 1.5rem 3rem; max-width: 90rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1.05rem; margin: 0 0 .25rem; }
.asof, .note { color: var(--muted); }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1rem 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; min-width: 9rem; }
.figure dt { color: var(--muted); font-size: .9rem; }
.figure dd { margin: 0; font-size: 1.8rem; font-weight: 700; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; align-items: start; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; }
.meter { display: grid; gap: .15rem; margin: .4rem 0; }
meter { width: 100%; height: 1rem; }
.bar { display: inline-block; min-width: 2rem; background: linear-gradient(to right, #cfe0f3 var(--w), transparent var(--w)); padding: 0 .4rem; width: 100%; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .95rem; }
caption { text-align: left; font-weight: 600; font-size: 1.15rem; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--soft); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.on { color: var(--ok); font-weight: 600; }
.off { color: var(--off); }
.graph { margin: 1rem 0; max-width: 80rem; }
.graph svg { width: 100%; height: auto; font-size: 13px; }
.graph text { fill: var(--ink); }
.graph line { stroke-width: 2; }
.e-grant { stroke: #b45309; color: #8a3d06; }
.e-declared { stroke: #6d28d9; color: #5b21b6; }
.e-default { stroke: #2f6fb7; color: #1f4f85; }
.e-open { stroke: #1a6b34; color: #1a6b34; }
.key { font-weight: 600; margin-right: 1rem; }
.key::before { content: ""; display: inline-block; width: 1.5rem; height: 3px; margin-right: .3rem; vertical-align: middle; background: currentColor; }
code { font-size: .9em; overflow-wrap: anywhere; }
@media print {
  header nav, .skip { display: none; }
  header { background: none; border: 0; padding: 0; }
  body { font-size: 11pt; }
  main { padding: 0; max-width: none; }
  a { color: inherit; text-decoration: none; }
  table, .card, .figure { break-inside: avoid; }
  th { background: none; }
}
`;
