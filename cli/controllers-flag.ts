// --controllers FILE (run, replay, explore, shrink): a user's controller
// module runs instead of the built-in controllers. Loaded here before
// anything runs, so a module that is missing, exports no factories or throws
// while loading is one line naming it and exit 2; explore's worker threads
// then import a module known to load.
import type { ControllerModule } from '../src/controller-api.js';
import { ControllerModuleError, importControllers } from '../sim/world/controller-module.js';
import { UsageError } from './usage-error.js';

export const controllersOption = {
  type: 'string' as const,
  describe: 'run your own controllers: a module (.js, .mjs or .ts) exporting primary(ports, config) and parity(ports, config) (docs/API.md#bring-your-own-controllers)',
};

/** The module --controllers names, or undefined without the flag; a UsageError if it cannot be used. */
export async function loadControllersFlag(file: unknown): Promise<ControllerModule | undefined> {
  if (file === undefined) return undefined;
  if (Array.isArray(file)) throw new UsageError(`--controllers: given ${file.length} times; give it once`);
  if (typeof file !== 'string' || file === '') throw new UsageError('--controllers: expected the path of a controller module');
  try {
    return await importControllers(file);
  } catch (error) {
    if (error instanceof ControllerModuleError) throw new UsageError(`--controllers ${error.message}`);
    throw error;
  }
}
