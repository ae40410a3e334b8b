// What `run` and `replay` share: the flags that name one run (scenario, seed,
// protocol, swarm, quick, controllers) and turning them into the scenario
// that runs, so a replay command printed anywhere reproduces its run exactly.
import type { Argv } from 'yargs';
import { PROTOCOL_VARIANTS, type ProtocolVariant } from '../src/protocol/variant.js';
import { formatDraw } from '../sim/scenario/prepare/swarm.js';
import { type PreparedRun, prepareRun } from '../sim/scenario/prepare/variant.js';
import { controllersOption } from './controllers-flag.js';
import { intOption } from './flags.js';
import { loadScenarioFile } from './scenario-file.js';

export function seedRunOptions<T>(y: Argv<T>) {
  return y
    .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file (JSON)' })
    .option('seed', { ...intOption('seed', 'PRNG seed (non-negative integer)', { min: 0 }), demandOption: true })
    .option('protocol', { choices: PROTOCOL_VARIANTS, describe: "protocol variant (default: the scenario's, else hardened)" })
    .option('swarm', { type: 'boolean', default: false, describe: "draw this seed's configuration from the scenario's swarm section (as explore --swarm does)" })
    .option('quick', { type: 'boolean', default: false, describe: 'cut the load short past the last scheduled fault (as explore --quick does)' })
    .option('controllers', controllersOption);
}

/** Loads the scenario and applies --protocol, --swarm and --quick; prints the swarm draw unless `quiet`. */
export function prepareSeedRun(
  argv: { scenario: string; seed: number; protocol?: string | undefined; swarm: boolean; quick: boolean; controllers?: string | undefined },
  quiet: boolean,
  verb: string,
): PreparedRun & { seed: number } {
  const seed = argv.seed;
  const loaded = loadScenarioFile(argv.scenario);
  const variant = {
    swarm: argv.swarm,
    quick: argv.quick,
    ...(argv.protocol !== undefined ? { protocol: argv.protocol as ProtocolVariant } : {}),
    ...(argv.controllers !== undefined ? { controllers: argv.controllers } : {}),
  };
  const prepared = prepareRun(argv.scenario, loaded, seed, variant);
  if (!quiet && argv.swarm) console.log(prepared.swarm === null ? `swarm: the scenario declares no swarm section; ${verb} as written` : `swarm: ${formatDraw(prepared.swarm)}`);
  return { ...prepared, seed };
}
