#!/usr/bin/env node
// The `xorsim` command. TypeScript runs directly (no build step): register tsx's
// loader on this thread, then hand over to the CLI.
import { register } from 'tsx/esm/api';

register();
// `xorsim … | head`: the reader went away; stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
