#!/usr/bin/env node
// The `xorsim` command. TypeScript runs directly (no build step): register tsx's
// loader on this thread, then hand over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sim/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
