/**
 * Markdown that fits in one pull-request comment. GitHub refuses a comment body longer than
 * 65,536 characters, and a plan can be longer (a change touching hundreds of agencies): the
 * comment keeps its head whole, gives each part room in turn, folds away the rows and lines
 * that do not fit, and says how many and where the rest is (the CI job's artifact).
 */

/** GitHub's limit on an issue or pull-request comment's body, in characters. */
export const COMMENT_LIMIT = 65_536;

/** Room kept for the closing note that names the parts left out entirely. */
const NOTE_ROOM = 2_000;

export const FULL_PLAN = "the full plan is in the CI job's artifacts";

/**
 * One part of the comment: `open`, as many `items` as its room allows (in order), `close`,
 * then a line saying how many items were left out when some were. An item is one or more
 * lines that stay together (a table row, a diff line).
 */
export interface Block {
  /** What the part is, in the closing note when none of it fits: `dc-hanoi's objects`. */
  name: string;
  /** What its items are, in `… and 12 more <unit>`: `access pairs opened`, `lines`. */
  unit: string;
  open: string[];
  items: string[][];
  close: string[];
  /** The summary-level parts (tier 0) get three quarters of the room or more, the details (tier 1) the rest. */
  tier: 0 | 1;
}

/** Characters of lines joined by line breaks, each line's own break counted. */
function size(lines: readonly string[]): number {
  return lines.reduce((n, l) => n + l.length + 1, 0);
}

function moreLine(block: Block, left: number): string[] {
  return [`_… and ${left} more ${block.unit} not shown here (a comment holds ${COMMENT_LIMIT} characters): ${FULL_PLAN}._`, ''];
}

function fullSize(block: Block): number {
  return size(block.open) + block.items.reduce((n, i) => n + size(i), 0) + size(block.close);
}

/**
 * Room for each block of a tier: a block that needs less than an equal share of what is left
 * gets what it needs, and what it leaves is shared by the others (water-filling), so one huge
 * table cannot crowd out the small ones after it.
 */
function allot(blocks: readonly Block[], budget: number, room: Map<Block, number>): number {
  const bySize = [...blocks].sort((a, b) => fullSize(a) - fullSize(b));
  let left = budget;
  bySize.forEach((block, i) => {
    const share = Math.floor(left / (bySize.length - i));
    const given = Math.min(fullSize(block), share);
    room.set(block, given);
    left -= given;
  });
  return left;
}

/** The block within its room: all of it, or its first items and a line counting the rest; undefined when not even one item fits. */
function fit(block: Block, room: number): string[] | undefined {
  if (fullSize(block) <= room) return [...block.open, ...block.items.flat(), ...block.close];
  const out = [...block.open];
  let used = size(block.open) + size(block.close);
  let shown = 0;
  for (const item of block.items) {
    if (used + size(item) + size(moreLine(block, block.items.length - shown - 1)) > room) break;
    out.push(...item);
    used += size(item);
    shown++;
  }
  if (shown === 0) return undefined;
  return [...out, ...block.close, ...moreLine(block, block.items.length - shown)];
}

/** `head` whole, then the blocks in order, each within its room; the whole under `limit` characters. */
export function boundedMarkdown(head: readonly string[], blocks: readonly Block[], limit = COMMENT_LIMIT): string {
  const room = new Map<Block, number>();
  const budget = limit - size(head) - NOTE_ROOM;
  const details = blocks.filter((b) => b.tier === 1);
  // The details keep a quarter of the room (less when they need less), the summary parts the rest.
  const kept = Math.min(
    details.reduce((n, b) => n + fullSize(b), 0),
    Math.floor(budget / 4),
  );
  const left = allot(
    blocks.filter((b) => b.tier === 0),
    budget - kept,
    room,
  );
  allot(details, kept + left, room);
  const out = [...head];
  const omitted: string[] = [];
  for (const block of blocks) {
    const lines = fit(block, room.get(block) ?? 0);
    if (lines) out.push(...lines);
    else omitted.push(`${block.name} (${block.items.length} ${block.unit})`);
  }
  if (omitted.length > 0) {
    const named = omitted.length > 10 ? [...omitted.slice(0, 10), `${omitted.length - 10} more parts`] : omitted;
    out.push(`**Not shown** (a comment holds ${COMMENT_LIMIT} characters): ${named.join(', ')}; ${FULL_PLAN}.`, '');
  }
  return out.join('\n').replace(/\n+$/, '\n');
}
