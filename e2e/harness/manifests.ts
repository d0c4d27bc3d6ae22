// Reading Kubernetes manifests (multi-document YAML) from the repository.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';

export interface ManifestFile {
  file: string;
  objects: KubernetesObject[];
}

/** The *.yaml / *.yml files directly in `dir` (not in sub-folders), sorted; [] if `dir` is absent. */
export function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Every non-empty YAML document of a file; throws on YAML syntax errors, naming the file. */
export function readManifests(file: string): ManifestFile {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const objects: KubernetesObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS() as KubernetesObject | null;
    if (value) objects.push(value);
  }
  return { file, objects };
}

/**
 * The *.yaml / *.yml files under `dir`, recursively, sorted, leaving out the folders and files
 * named (relative to `dir`) in `exclude` and in a `.govcloudignore` file in `dir` (one per line).
 */
export function yamlFilesRecursive(dir: string, exclude: string[] = []): string[] {
  if (!existsSync(dir)) return [];
  const ignoreFile = path.join(dir, '.govcloudignore');
  const ignored = new Set(exclude.map((e) => path.normalize(e)));
  if (existsSync(ignoreFile)) {
    for (const line of readFileSync(ignoreFile, 'utf8').split('\n')) {
      const entry = line.trim();
      if (entry && !entry.startsWith('#')) ignored.add(path.normalize(entry.replace(/\/+$/, '')));
    }
  }
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const e of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.join(sub, e.name);
      if (ignored.has(rel)) continue;
      if (e.isDirectory()) walk(rel);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(path.join(dir, rel));
    }
  };
  walk('');
  return out.sort();
}
