// The `controllers` option of run, explore and shrink: a user's controller
// module, by path (relative to the working directory), as `--controllers`
// takes it. Loaded and checked here, before anything runs, so a bad module is
// an InputError naming it — explore's worker threads then import a module
// known to load.
import type { ControllerModule } from '../src/controller-api.js';
import { ControllerModuleError, importControllers } from '../sim/world/controller-module.js';
import { badOption } from './input-error.js';

export interface LoadedControllers {
  /** The path as given (replay commands name it). */
  readonly file: string;
  readonly module: ControllerModule;
}

/** Loads the module named by option `controllers`, if given; an InputError if it cannot be used. */
export async function loadControllers(value: unknown): Promise<LoadedControllers | undefined> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') badOption('controllers', `expected the path of a controller module, got ${JSON.stringify(value) ?? String(value)}`);
  try {
    return { file: value, module: await importControllers(value) };
  } catch (error) {
    if (error instanceof ControllerModuleError) badOption('controllers', error.message);
    throw error;
  }
}
