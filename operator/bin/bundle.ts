/**
 * Builds dist/govcloud.js: the `govcloud` command and its dependencies in one ES module, the
 * file the operator image, `make up`, the e2e suite and the bench run.
 *
 * Why a bundle: importing @kubernetes/client-node loads its ~1,000 generated modules (its
 * config.js imports the index of every API and model); as separate ES modules they cost the
 * operator ~40 MB of resident memory before it caches a single object. One file costs a
 * fraction of that, and type stripping of the sources at start-up is gone too
 * (docs/benchmarks.md, "Memory"). The sources stay runnable as they are
 * (`node operator/bin/govcloud.ts`): the bundle is the same code, not a second build of it.
 *
 * Usage: node operator/bin/bundle.ts [OUTFILE]   (default dist/govcloud.js)
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DEFAULT_OUTFILE = path.join(ROOT, 'dist', 'govcloud.js');

// CommonJS dependencies (pino, prom-client) call require() for Node's built-in modules; in
// an ES module bundle that needs a real require.
const REQUIRE_SHIM = "import { createRequire as __govcloudRequire } from 'node:module';\nconst require = __govcloudRequire(import.meta.url);";

export async function bundle(outfile: string = DEFAULT_OUTFILE): Promise<{ outfile: string; bytes: number }> {
  const result = await build({
    entryPoints: [path.join(ROOT, 'operator', 'bin', 'govcloud.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    banner: { js: REQUIRE_SHIM },
    // Linked, not inline: read only when the process runs with --enable-source-maps.
    sourcemap: 'linked',
    logLevel: 'silent',
  });
  if (result.warnings.length > 0) {
    throw new Error(
      `bundling warned; fix the cause:\n${result.warnings.map((w) => `  ${w.location?.file ?? ''}:${w.location?.line ?? ''}: ${w.text}`).join('\n')}`,
    );
  }
  return { outfile, bytes: (await stat(outfile)).size };
}

if (import.meta.main) {
  const started = Date.now();
  try {
    const { outfile, bytes } = await bundle(process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_OUTFILE);
    console.log(`bundled ${path.relative(process.cwd(), outfile)} (${(bytes / 1024 / 1024).toFixed(1)} MB) in ${Date.now() - started} ms`);
  } catch (err) {
    console.error(`bundle: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
