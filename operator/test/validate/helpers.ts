/** Shared by the validate and cli tests: run the CLI in-process and read the samples. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { captureIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import { validateSources, type ValidationOptions, type ValidationResult } from '../../src/validate/index.ts';

/** The repository root: problems name files relative to it. */
export const ROOT = join(import.meta.dirname, '../../..');
export const SAMPLES = join(ROOT, 'samples');

export async function cli(argv: string[], options: { isTTY?: boolean; env?: Record<string, string>; cwd?: string } = {}) {
  const io = captureIo({ cwd: ROOT, ...options });
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** YAML files under a folder, recursively, sorted; `skip` names subfolders to leave out. */
export function yamlFiles(dir: string, skip: string[] = []): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.name.startsWith('.') || skip.includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(path, skip));
    else if (/\.ya?ml$/.test(entry.name)) out.push(path);
  }
  return out;
}

export function sources(files: string[]): { file: string; bytes: Uint8Array }[] {
  return files.map((f) => ({ file: relative(ROOT, f), bytes: readFileSync(f) }));
}

/**
 * The valid samples (not samples/invalid, nor the same platform again in samples/gitops, nor
 * samples/inherited: a fourth data centre, read with the rest by its own test), as in-memory sources.
 */
export function sampleSources() {
  return sources(yamlFiles(SAMPLES, ['invalid', 'gitops', 'inherited']));
}

export function validateSamples(options: ValidationOptions = {}): ValidationResult {
  return validateSources(sampleSources(), options);
}

/** A small valid platform as YAML text, for tests that change one thing. */
export function text(strings: TemplateStringsArray, ...values: unknown[]): Uint8Array {
  return new TextEncoder().encode(String.raw({ raw: strings }, ...values));
}
