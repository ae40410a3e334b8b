// How a seed's run differs from the scenario file as written: the protocol
// override, `--quick`, `--swarm`, and whose controllers run (`--controllers`).
// `run`, `explore` and `replay` all prepare a run through here, so one command
// line reproduces any seed exactly.
import type { ProtocolVariant } from '../../../src/protocol/variant.js';
import { replayCommand, shellWord } from './replay-command.js';
import type { ResolvedScenario } from '../resolve.js';
import { quickVariant } from './quick.js';
import { type SwarmDraw, drawSwarm } from './swarm.js';

export interface RunVariant {
  /** Overrides the scenario's protocol. */
  readonly protocol?: ProtocolVariant;
  /** Draw this seed's configuration from the scenario's swarm section (if it has one). */
  readonly swarm: boolean;
  /** Cut the load short (quick.ts). */
  readonly quick: boolean;
  /** A user's controller module, as given on the command line (sim/world/controller-module.ts); absent: the built-in ones. */
  readonly controllers?: string;
}

export const AS_WRITTEN: RunVariant = { swarm: false, quick: false };

export interface PreparedRun {
  readonly scenario: ResolvedScenario;
  /** What swarm drew, or null when swarm is off or the scenario declares no swarm section. */
  readonly swarm: SwarmDraw | null;
  /** The command that reproduces this run. */
  readonly replay: string;
}

export function prepareRun(file: string, loaded: ResolvedScenario, seed: number, variant: RunVariant): PreparedRun {
  let scenario = variant.protocol === undefined ? loaded : { ...loaded, protocol: variant.protocol };
  if (variant.quick) scenario = quickVariant(scenario);
  const drawn = variant.swarm ? drawSwarm(scenario, seed) : { scenario, draw: null };
  const flags = [...(drawn.draw !== null ? ['--swarm'] : []), ...(variant.quick ? ['--quick'] : []), ...(variant.controllers !== undefined ? [`--controllers ${shellWord(variant.controllers)}`] : [])];
  return { scenario: drawn.scenario, swarm: drawn.draw, replay: replayCommand(file, seed, scenario.protocol, flags) };
}
