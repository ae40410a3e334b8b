// What the checkers see of the world: the World narrowed to what they read,
// so the checkers (which the world owns and arms) do not import it back.
import type { SimDevice } from '../disk/sim-device.js';
import type { Engine } from '../engine/engine.js';
import type { ResolvedScenario } from '../scenario/resolve.js';
import type { DamageLog } from '../world/damage.js';
import type { ParityNode, PrimaryNode } from '../world/installation.js';
import type { MediaFaults } from '../world/media-faults.js';
import type { Oracle, Outage } from '../world/oracle.js';
import type { WorldEvents } from '../world/world-events.js';

export interface CheckedWorld {
  readonly engine: Engine;
  readonly scenario: ResolvedScenario;
  /** The one stream the checkers subscribe to. */
  readonly events: WorldEvents;
  readonly oracle: Oracle;
  readonly damage: DamageLog;
  readonly media: Pick<MediaFaults, 'damagedGroup' | 'failedDrives' | 'unrepaired'>;
  readonly primaries: readonly PrimaryNode[];
  readonly parity: ParityNode;
  /** The built-in controllers run (not a user's, `--controllers`): their journals' formats are known. */
  readonly builtin: boolean;
  readonly outages: ReadonlyMap<string, readonly Outage[]>;
  /** Does Q[block] include `array`'s block now? */
  counts(array: string, block: number): boolean;
  nodes(): readonly (PrimaryNode | ParityNode)[];
  devices(): readonly SimDevice[];
}
