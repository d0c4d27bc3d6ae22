#!/usr/bin/env node
/** The `govcloud` command. Everything is in operator/src/cli; this file only wires the process. */
import { main } from '../src/cli/main.ts';
import { processIo } from '../src/cli/io.ts';

// `govcloud plan ... | head` closes stdout early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

const io = processIo();
try {
  process.exitCode = await main(process.argv.slice(2), io);
} catch (err) {
  io.stderr(`govcloud: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.GOVCLOUD_DEBUG === '1' && err instanceof Error) io.stderr(`${err.stack}\n`);
  process.exitCode = 70;
}
