#!/usr/bin/env node
// The `xorsim` command. Runs the compiled JavaScript in dist/ (`npm ci` builds
// it: scripts/build.mjs) when it is as new as the sources; otherwise (an edit
// since the build, or XORSIM_SOURCES=1) the TypeScript sources through tsx.
import { isFresh } from '../scripts/build.mjs';

// `xorsim … | head`: the reader went away; stop quietly, as Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
let main;
if (process.env.XORSIM_SOURCES !== '1' && isFresh()) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
