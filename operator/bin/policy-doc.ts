/**
 * Prints the security-level table of model/policy.ts into docs/architecture.md, between its
 * markers, or with --check fails when the printed table is stale (the policy unit test runs
 * the same check in `make unit`). Usage: node operator/bin/policy-doc.ts [--check] [DOC]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { securityLevelTable } from '../src/model/policy.ts';

export const BEGIN = '<!-- security levels: generated from operator/src/model/policy.ts by `node operator/bin/policy-doc.ts`; do not edit -->';
export const END = '<!-- end of security levels -->';

/** The document with the table between its markers; an error when the markers are not there once each, in order. */
export function withPolicyTable(doc: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin || doc.indexOf(BEGIN, begin + 1) >= 0 || doc.indexOf(END, end + 1) >= 0) {
    throw new Error(`the document needs the markers\n  ${BEGIN}\n  ${END}\nonce each, in this order`);
  }
  return `${doc.slice(0, begin)}${BEGIN}\n${securityLevelTable()}\n${doc.slice(end)}`;
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes('--check');
  const [path = 'docs/architecture.md'] = argv.filter((a) => a !== '--check');
  const current = await readFile(path, 'utf8');
  const wanted = withPolicyTable(current);
  if (wanted === current) {
    console.log(`the security-level table in ${path} is up to date`);
    return 0;
  }
  if (check) {
    console.error(`the security-level table in ${path} is stale; run \`node operator/bin/policy-doc.ts ${path}\``);
    return 1;
  }
  await writeFile(path, wanted);
  console.log(`wrote the security-level table into ${path}`);
  return 0;
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}
