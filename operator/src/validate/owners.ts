/**
 * Who may change what, in a GitOps repository laid out by owner:
 *
 *   platform/            the platform engineers: DataCentres
 *   agencies/<name>/     agency <name>: its Agency object (in a file of its own) and the
 *                        objects in its hub namespace govcloud-<name>: its NetworkLink halves,
 *                        its SharedDataServices, the AccessRequests it makes as consumer and
 *                        the AccessGrants it gives as provider; and the Services and Secrets
 *                        it keeps in its workspace namespaces
 *
 * With CODEOWNERS generated from the Agency objects (gitops/codeowners.ts), the hosting
 * platform makes the owner review every change to its folder: a grant is approved by the
 * provider's admins, each link half by its own agency, an Agency object (quota, placement,
 * security level) by the platform engineers. This check refuses what would slip past that
 * review: an object in another agency's folder, anything outside the layout. An AccessGrant
 * for a service the folder's agency does not own is refused by the two rules together: a
 * grant sits in its hub namespace's folder (here), and names a service of that namespace
 * (model/rules.ts, without --owners too).
 *
 * The layout is found in each file's path as the repository sees it: the first `platform`
 * segment, or `agencies` followed by a name. Run it from the repository root.
 */
import { agencyNameOfHubNamespace, kindByName, workspaceNamespaces } from '../api/index.ts';
import type { LoadedDocument, LoadResult } from '../load/documents.ts';
import type { Place, Problem } from '../load/problem.ts';
import type { Platform } from '../model/platform.ts';

export const PLATFORM_FOLDER = 'platform';
export const AGENCIES_FOLDER = 'agencies';
/** The kinds only platform engineers write: the data centres and the platform-wide consolidation targets. */
const PLATFORM_KINDS = new Set(['DataCentre', 'ConsolidationTarget']);

export type Folder = { sort: 'platform'; path: string } | { sort: 'agency'; agency: string; path: string } | { sort: 'outside' };

/** The folder of the layout a file is in, and that folder's path from the layout root (`agencies/bca/`). */
export function folderOf(file: string): Folder {
  const parts = file.split(/[\\/]/);
  for (let i = 0; i < parts.length - 1; i++) {
    if (parts[i] === PLATFORM_FOLDER) return { sort: 'platform', path: `${PLATFORM_FOLDER}/` };
    if (parts[i] === AGENCIES_FOLDER && i + 2 < parts.length)
      return { sort: 'agency', agency: parts[i + 1] as string, path: `${AGENCIES_FOLDER}/${parts[i + 1]}/` };
  }
  return { sort: 'outside' };
}

/** The file's path from the layout root: what CODEOWNERS names. */
export function layoutPath(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  const i = parts.findIndex((p, n) => (p === PLATFORM_FOLDER || (p === AGENCIES_FOLDER && n + 2 < parts.length)) && n < parts.length - 1);
  return i < 0 ? undefined : parts.slice(i).join('/');
}

interface Meta {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown };
}

/** Each object's documents, `v1 List` items included. */
function objectsOf(documents: readonly LoadedDocument[]): { doc: LoadedDocument; value: Meta; at: (path: (string | number)[]) => Place }[] {
  const out: { doc: LoadedDocument; value: Meta; at: (path: (string | number)[]) => Place }[] = [];
  for (const doc of documents) {
    const v = doc.value as Meta & { items?: unknown };
    if (v === null || typeof v !== 'object') continue;
    if (v.apiVersion === 'v1' && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) {
      v.items.forEach((item, i) => {
        if (item !== null && typeof item === 'object') out.push({ doc, value: item as Meta, at: (path) => doc.placeOf(['items', i, ...path]) });
      });
    } else out.push({ doc, value: v, at: (path) => doc.placeOf(path) });
  }
  return out;
}

export function checkOwners(load: LoadResult, platform: Platform): Problem[] {
  const problems: Problem[] = [];
  const workspaceOwner = new Map<string, string>();
  for (const agency of platform.agencies) for (const ns of workspaceNamespaces(agency)) workspaceOwner.set(ns, agency.metadata.name);
  // Where to point is looked up only for the files refused: finding a place may parse the file again.
  const agencyFiles = new Map<string, { object: string; at: (path: (string | number)[]) => Place }>();
  const perFile = new Map<string, number>();

  for (const { doc, value, at } of objectsOf(load.documents)) {
    perFile.set(doc.file, (perFile.get(doc.file) ?? 0) + 1);
    const kind = typeof value.kind === 'string' ? value.kind : '';
    const name = typeof value.metadata?.name === 'string' ? value.metadata.name : '';
    const namespace = typeof value.metadata?.namespace === 'string' ? value.metadata.namespace : undefined;
    const govcloud = typeof value.apiVersion === 'string' && value.apiVersion.startsWith('govcloud.dev/') && kindByName(kind) !== undefined;
    const object = kind && name ? `${kind}/${name}` : kind;
    const folder = folderOf(doc.file);
    const refuse = (path: (string | number)[], field: string, message: string) => problems.push({ file: doc.file, ...at(path), object, field, message });

    // Whose folder the object belongs in, and the field that says so.
    let owner: { platform: true } | { agency: string; field: string; path: (string | number)[] } | undefined;
    if (govcloud && PLATFORM_KINDS.has(kind)) owner = { platform: true };
    else if (govcloud && kind === 'Agency') {
      owner = { agency: name, field: 'metadata.name', path: ['metadata', 'name'] };
      agencyFiles.set(doc.file, { object, at });
    } else if (govcloud) {
      const agency = agencyNameOfHubNamespace(namespace);
      owner = agency ? { agency, field: 'metadata.namespace', path: ['metadata', 'namespace'] } : undefined;
      if (!agency)
        refuse(
          ['metadata', 'namespace'],
          'metadata.namespace',
          `${kind} lives in an agency's hub namespace (govcloud-<agency>), which names its owner; not ${namespace ?? 'no namespace'}`,
        );
    } else if (namespace !== undefined && workspaceOwner.has(namespace)) {
      owner = { agency: workspaceOwner.get(namespace) as string, field: 'metadata.namespace', path: ['metadata', 'namespace'] };
    } else if (namespace !== undefined && agencyNameOfHubNamespace(namespace)) {
      owner = { agency: agencyNameOfHubNamespace(namespace) as string, field: 'metadata.namespace', path: ['metadata', 'namespace'] };
    }
    if (owner === undefined) {
      if (folder.sort === 'outside' && govcloud)
        refuse(
          ['kind'],
          'kind',
          `outside the layout: a ${kind} belongs under ${PLATFORM_KINDS.has(kind) ? `${PLATFORM_FOLDER}/` : `${AGENCIES_FOLDER}/<agency>/`}`,
        );
      continue;
    }
    const expected = 'platform' in owner ? `${PLATFORM_FOLDER}/` : `${AGENCIES_FOLDER}/${owner.agency}/`;
    const whose = 'platform' in owner ? 'the platform engineers' : `agency ${owner.agency}`;
    if (folder.sort === 'outside') {
      refuse(
        'platform' in owner ? ['kind'] : owner.path,
        'platform' in owner ? 'kind' : owner.field,
        `outside the layout: it belongs to ${whose}, in ${expected}`,
      );
    } else if (folder.path !== expected) {
      const here = folder.sort === 'platform' ? 'the platform folder' : `agency ${folder.agency}'s folder`;
      refuse(
        'platform' in owner ? ['kind'] : owner.path,
        'platform' in owner ? 'kind' : owner.field,
        `in ${here} (${folder.path}), but it belongs to ${whose}: move it to ${expected}, where its owner reviews it`,
      );
    }
  }
  for (const [file, { object, at }] of agencyFiles) {
    if ((perFile.get(file) ?? 0) > 1) {
      problems.push({
        file,
        ...at(['kind']),
        object,
        message:
          'an Agency object sits in a file of its own: CODEOWNERS gives that file to the platform engineers (quota, placement, security level), the rest of the folder to the agency',
      });
    }
  }
  return problems;
}
