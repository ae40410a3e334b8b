// Worker-thread entry for the pool. tsx's loader registers on the main thread
// only (TOOLCHAIN.md), so each worker registers it itself, then runs jobs.
import { register } from 'tsx/esm/api';

register();
const { runJob } = await import('./job.ts');
export default runJob;
