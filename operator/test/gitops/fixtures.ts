/** The samples with one change: what a pull request would make of them. */
import { validateSources, type ValidationResult } from '../../src/validate/index.ts';
import { sampleSources, text } from '../validate/helpers.ts';

export const NOW = new Date('2026-06-01T00:00:00Z');

/** Bộ Tài chính's tax workspace asks Bộ Công an for the population database, and is granted it. */
export const POPULATION_FOR_THUE = `apiVersion: govcloud.dev/v1alpha1
kind: AccessRequest
metadata:
  name: population-for-thue
  namespace: govcloud-btc
spec:
  provider: bca
  service: population
  workspaces: [thue]
  purpose: Đối chiếu mã số thuế cá nhân với số định danh
  legalBasis: Nghị định 47/2020/NĐ-CP
  validUntil: "2029-01-01T00:00:00Z"
`;

export const GRANT_FOR_THUE = `apiVersion: govcloud.dev/v1alpha1
kind: AccessGrant
metadata:
  name: btc-thue
  namespace: govcloud-bca
spec:
  service: population
  consumer: btc
  workspaces: [thue]
  purpose: Đối chiếu mã số thuế cá nhân với số định danh
  legalBasis: Nghị định 47/2020/NĐ-CP
  validFrom: "2026-01-01T00:00:00Z"
  validUntil: "2028-01-01T00:00:00Z"
`;

/** The samples, with files replaced (by name) or added, and files left out. */
export function samplesWith(changes: Record<string, string | null>): ValidationResult {
  const sources = sampleSources().filter((s) => !(s.file in changes));
  for (const [file, content] of Object.entries(changes)) if (content !== null) sources.push({ file, bytes: text`${content}` });
  const result = validateSources(sources);
  if (result.errors.length > 0) throw new Error(`fixture invalid: ${JSON.stringify(result.errors[0])}`);
  return result;
}

export function sampleText(file: string): string {
  const s = sampleSources().find((x) => x.file === file);
  if (!s) throw new Error(`no sample ${file}`);
  return new TextDecoder().decode(s.bytes);
}
