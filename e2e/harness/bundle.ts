// The govcloud command as it ships: the bundle of `make build` (operator/bin/bundle.ts), the
// file the operator image runs. run-e2e.sh builds it before the suite, so it is never stale.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './clusters.ts';

const BUNDLE = path.join(ROOT, 'dist', 'govcloud.js');

export function govcloudBin(): string {
  if (!existsSync(BUNDLE)) throw new Error(`${path.relative(ROOT, BUNDLE)} is missing: run \`make build\` (\`make e2e\` does)`);
  return BUNDLE;
}
