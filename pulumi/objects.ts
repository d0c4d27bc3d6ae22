/**
 * The govcloud objects a bootstrap creates besides the operator: the CRDs (read from the
 * repository's crds/), the member data centres' kubeconfig Secrets and DataCentres, and the
 * Agencies of a GitOps folder (read with the project's own YAML loader). Pure but for reading
 * files; the Pulumi resources are made in program.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadPaths } from '../operator/src/load/documents.ts';
import type { K8sObject } from '../operator/src/install/manifests.ts';
import type { DataCentreSetting } from './settings.ts';

export const CRDS_DIR = fileURLToPath(new URL('../crds/', import.meta.url));
export const API_VERSION = 'govcloud.dev/v1alpha1';
/** The key of a data centre's kubeconfig in its Secret (the DataCentre's default key). */
export const KUBECONFIG_KEY = 'kubeconfig';

/** The CRDs of crds/, sorted by file name. */
export function crdObjects(dir = CRDS_DIR): K8sObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const crd = parse(readFileSync(join(dir, f), 'utf8')) as K8sObject;
      if (crd?.kind !== 'CustomResourceDefinition') throw new Error(`${join(dir, f)} is not a CustomResourceDefinition`);
      return crd;
    });
}

export function kubeconfigSecretName(dataCentre: string): string {
  return `${dataCentre}-kubeconfig`;
}

const PART_OF = { 'app.kubernetes.io/part-of': 'govcloud', 'app.kubernetes.io/managed-by': 'pulumi' };

/** The Secret of a member data centre, without its data (program.ts adds it as a secret). */
export function kubeconfigSecret(dc: DataCentreSetting, namespace: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: kubeconfigSecretName(dc.name), namespace, labels: { ...PART_OF, 'govcloud.dev/datacentre': dc.name } },
    type: 'Opaque',
  };
}

export function dataCentre(dc: DataCentreSetting, namespace: string): K8sObject {
  const connection =
    dc.thisCluster === true ? { thisCluster: true } : { kubeconfigSecretRef: { namespace, name: kubeconfigSecretName(dc.name), key: KUBECONFIG_KEY } };
  const spec: Record<string, unknown> = {
    displayName: dc.displayName,
    region: dc.region,
    connection,
    accreditedLevel: dc.accreditedLevel,
    ...(dc.dedicatedTo !== undefined ? { dedicatedTo: dc.dedicatedTo } : {}),
    capacity: dc.capacity,
    networkRanges: dc.networkRanges,
    ...(dc.encryptedLinks !== undefined ? { encryptedLinks: dc.encryptedLinks } : {}),
  };
  return { apiVersion: API_VERSION, kind: 'DataCentre', metadata: { name: dc.name, labels: { ...PART_OF } }, spec };
}

export class AgencyFolderError extends Error {
  override name = 'AgencyFolderError';
}

/**
 * The Agencies of a GitOps folder (every YAML file under it; other kinds are left to the
 * operator's own GitOps flow). Problems of the loader (bad YAML, duplicate keys, ...) fail the
 * run with file and line; the API server validates the objects themselves when applied.
 */
export async function loadAgencies(path: string): Promise<K8sObject[]> {
  const loaded = await loadPaths([path]);
  const problems = loaded.problems.map((p) => `${p.file}:${p.line}: ${p.object ? p.object + ': ' : ''}${p.message}`);
  const agencies: K8sObject[] = [];
  const names = new Map<string, string>();
  for (const doc of loaded.documents) {
    const v = doc.value as Partial<K8sObject> & { spec?: unknown };
    if (v === null || typeof v !== 'object' || v.kind !== 'Agency') continue;
    const where = `${doc.file}:${doc.line}`;
    if (v.apiVersion !== API_VERSION) {
      problems.push(`${where}: Agency: apiVersion must be ${API_VERSION}`);
      continue;
    }
    const name = v.metadata?.name;
    if (typeof name !== 'string' || name === '') {
      problems.push(`${where}: Agency: metadata.name is missing`);
      continue;
    }
    if (names.has(name)) {
      problems.push(`${where}: Agency/${name}: also defined at ${names.get(name)}`);
      continue;
    }
    names.set(name, where);
    agencies.push({
      apiVersion: API_VERSION,
      kind: 'Agency',
      metadata: {
        name,
        labels: { ...(v.metadata?.labels ?? {}), ...PART_OF },
        ...(v.metadata?.annotations ? { annotations: v.metadata.annotations } : {}),
      },
      spec: v.spec,
    });
  }
  if (problems.length) throw new AgencyFolderError(`${path}: ${problems.length} problem(s):\n  - ${problems.join('\n  - ')}`);
  return agencies.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}
