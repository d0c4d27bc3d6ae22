/**
 * Names and label values of generated objects: stable, valid, and unambiguous.
 *
 * Owner label. Every generated object carries `govcloud.dev/owner: <Kind>.<namespace>.<name>`
 * of the govcloud object that wants it (`Agency..bo-tai-chinh`,
 * `NetworkLink.govcloud-bo-tai-chinh.to-ndxp`); the controllers prune by it. A label value
 * has at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric. Where the
 * full form does not fit, the value is `<Kind>_<first 32 hex digits of sha256(full form)>`
 * and the full form goes into the annotation `govcloud.dev/owner`. Kubernetes names and
 * kinds never contain `_`, so a value with `_` is always the hashed form: nobody can write a
 * name that reads as another object's hash.
 *
 * Object names. Generated names are DNS labels of at most 63 characters (valid for every
 * kind). Where `<prefix><name>` is too long or not a DNS label (a name with dots), it becomes
 * `<prefix><name, sanitised and cut>-<first 10 hex digits of sha256(prefix + name)>`.
 */
import { createHash } from 'node:crypto';
import { ANNOTATIONS, LABELS } from '../api/index.ts';
import type { OwnerRef } from './types.ts';

export const MAX_LABEL_VALUE = 63;
export const MAX_NAME = 63;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isValidLabelValue(value: string): boolean {
  return value.length <= MAX_LABEL_VALUE && LABEL_VALUE.test(value);
}

export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** A DNS subdomain (dots allowed), here also held to `max` characters. */
export function isDnsSubdomain(value: string, max = 253): boolean {
  return value.length <= max && DNS_SUBDOMAIN.test(value);
}

/** First `length` hex digits of the SHA-256 of the UTF-8 text. */
export function shortHash(text: string, length = 10): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, length);
}

/** `<Kind>.<namespace or "">.<name>`: the full owner, as the annotation carries it. */
export function ownerKey(owner: OwnerRef): string {
  return `${owner.kind}.${owner.namespace ?? ''}.${owner.name}`;
}

/** The owner label value: the full owner where it is a valid label value, else `<Kind>_<hash>`. */
export function ownerLabelValue(owner: OwnerRef): string {
  const full = ownerKey(owner);
  return isValidLabelValue(full) ? full : `${owner.kind}_${shortHash(full, 32)}`;
}

/**
 * The owner a child object was rendered for, read back from its metadata: the label's
 * value, or the annotation where the label holds the hashed form. Kinds and namespaces have
 * no dots, so the first two dots split it; undefined for anything ownerLabelValue does not write.
 */
export function ownerFromLabels(metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined): OwnerRef | undefined {
  const label = metadata?.labels?.[LABELS.owner];
  if (!label) return undefined;
  const full = label.includes('_') ? metadata?.annotations?.[ANNOTATIONS.owner] : label;
  if (!full) return undefined;
  const first = full.indexOf('.');
  const second = full.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || second === full.length - 1) return undefined;
  const kind = full.slice(0, first);
  const namespace = full.slice(first + 1, second);
  const name = full.slice(second + 1);
  return namespace ? { kind, namespace, name } : { kind, name };
}

/**
 * `<prefix><name>` as a DNS label of at most 63 characters; where that does not hold, the
 * sanitised text cut short, then `-` and a hash of the original text, so distinct inputs
 * stay distinct. With `dots`, a DNS subdomain of at most 63 characters is accepted as is
 * (for kinds whose names are subdomains, such as NetworkPolicy).
 */
export function boundedName(prefix: string, name: string, options: { dots?: boolean } = {}): string {
  const full = prefix + name;
  if (options.dots ? isDnsSubdomain(full, MAX_NAME) : isDnsLabel(full)) return full;
  const hash = shortHash(full, 10);
  const sanitised = full.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  const head = sanitised
    .slice(0, MAX_NAME - hash.length - 1)
    .replace(/-+$/, '')
    .replace(/^-+/, '');
  return head.length > 0 ? `${head}-${hash}` : `h${hash}`;
}
