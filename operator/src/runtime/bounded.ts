// What the operator writes for people to read (condition messages, Event notes, lists in
// status) stays bounded in count and bytes whatever the platform's size: the API server
// refuses a condition message over 32768 bytes and an Event note over 1024, and a status
// that grows with the number of agencies would end at etcd's object limit. A list too long
// to show says how many there are, shows the first few and says where to see the rest.

/** Items a message shows of a longer list. */
export const LISTED = 10;
/** Entries a list in status keeps of a longer one; a count beside it says how many there are. */
export const STATUS_LISTED = 100;
/** A condition message, far below the API server's 32768 bytes. */
export const MESSAGE_BYTES = 4096;
/** An Event note: the API server refuses more (events.k8s.io/v1, NOTE_LENGTH_LIMIT). */
export const NOTE_BYTES = 1024;

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, on a character boundary, the cut marked with `…`. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (byteLength(text) <= maxBytes) return text;
  const mark = '…';
  let budget = maxBytes - byteLength(mark);
  let out = '';
  for (const ch of text) {
    budget -= byteLength(ch);
    if (budget < 0) break;
    out += ch;
  }
  return out + mark;
}

export interface ListTextOptions {
  /** What the items are, plural: `objects waiting for their namespace`. */
  noun: string;
  /** Between items; `; ` by default. */
  separator?: string;
  /** Where the whole list is, for a list that was cut: `govcloud catalogue`. */
  see?: string;
}

/**
 * The items as one line: all of them when they are few, else
 * `212 <noun>; first 10: a; b; …; see <see>`. Repeats are shown once.
 */
export function listText(items: readonly string[], opts: ListTextOptions): string {
  const unique = [...new Set(items)];
  const separator = opts.separator ?? '; ';
  // The items shown share one message's bytes (an error answer can carry a whole response body).
  const itemBytes = Math.floor((MESSAGE_BYTES - 256) / Math.max(1, Math.min(unique.length, LISTED)));
  const shown = unique.slice(0, LISTED).map((i) => truncateBytes(i, itemBytes));
  if (unique.length <= LISTED) return shown.join(separator);
  return `${unique.length} ${opts.noun}; first ${LISTED}: ${shown.join(separator)}${opts.see ? `; see ${opts.see}` : ''}`;
}
