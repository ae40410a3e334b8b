// In which protocol phases a fault strikes (cells.ts), decided from the
// world's god's-eye state at that moment: outages and membership as the
// scenario made them, drives, the scrub, the network's recent disorder, and
// what the tracker heard — when restores, joins, leaves and rebuilds ended,
// who reported a loss, which deltas are still unacknowledged (from the wire,
// as the durability checker follows them; nothing is asked of the product).
//
// It only observes: no trace record, no engine event, no random draw, so a
// run with coverage recorded is the same run, event for event.
import type { Message } from '../../src/protocol/messages.js';
import type { Time } from '../engine/time.js';
import type { TriggerEvent } from '../faults/entry-fields.js';
import { LossyNetwork } from '../network/lossy-network.js';
import { deltaKey } from '../world/delta-key.js';
import type { World } from '../world/world.js';
import { PHASE_WINDOW, type Phase } from './cells.js';

type Ending = 'restored' | 'joined' | 'left' | 'rebuilt';

export class PhaseTracker {
  readonly #world: World;
  /** When each kind of operation last completed. */
  readonly #ended = new Map<Ending, Time>();
  /** Primaries that have reported a block lost. */
  readonly #reporters = new Set<string>();
  /** Per primary: numbers of deltas sent and not yet acknowledged by parity. */
  readonly #unacked = new Map<string, Set<number>>();

  constructor(world: World) {
    this.#world = world;
  }

  /** Hears the same events the fault triggers do (`joined` of a rebuild's merges is not a join's end). */
  event(event: TriggerEvent, array: string, partOfRebuild = false): void {
    const now = this.#world.engine.now;
    switch (event) {
      case 'restored':
      case 'left':
      case 'rebuilt':
        this.#ended.set(event, now);
        break;
      case 'joined':
        if (!partOfRebuild) this.#ended.set('joined', now);
        break;
      case 'lost':
        this.#reporters.add(array);
        break;
      case 'failed':
        this.#unacked.delete(array); // its journal is gone; a restore starts a new epoch
        break;
    }
    if (event === 'left') this.#unacked.delete(array);
  }

  /** Every message a live controller sends (the world's `message-sent`). */
  sent(from: string, to: string, m: Message): void {
    const parity = this.#world.parity.name;
    if (m.type === 'delta' && to === parity && m.seq > 0) {
      let set = this.#unacked.get(from);
      if (set === undefined) this.#unacked.set(from, (set = new Set()));
      set.add(deltaKey(m.epoch, m.seq));
    } else if (m.type === 'delta-ack' && from === parity) {
      this.#unacked.get(to)?.delete(deltaKey(m.epoch, m.seq));
    }
  }

  /** The phases a fault striking `targets` (arrays named by the fault; [] for none in particular) lands in; none: steady. */
  phases(targets: readonly string[]): Phase[] {
    const w = this.#world;
    const now = w.engine.now;
    const out: Phase[] = [];
    const parityOutage = w.outages.get(w.parity.name)?.at(-1);
    const rebuilding = parityOutage !== undefined && parityOutage.restoredAt === undefined && !w.parity.device.failed;
    const primaries = w.primaries.map((p) => p.name);
    const open = (name: string) => {
      const o = w.outages.get(name)?.at(-1);
      return o !== undefined && o.restoredAt === undefined;
    };
    const recent = (e: Ending) => {
      const t = this.#ended.get(e);
      return t !== undefined && now - t <= PHASE_WINDOW;
    };
    if (w.primaries.some((p) => open(p.name) && !p.device.failed)) out.push('restoring');
    if (recent('restored')) out.push('after-restore');
    if (!rebuilding && !w.parity.device.failed && primaries.some((p) => w.membership(p) === 'joining')) out.push('joining');
    if (recent('joined')) out.push('after-join');
    if (primaries.some((p) => w.membership(p) === 'leaving')) out.push('leaving');
    if (recent('left')) out.push('after-leave');
    if (rebuilding) out.push('parity-rebuild');
    if (recent('rebuilt')) out.push('after-parity-rebuild');
    if (w.nodes().some((n) => n.device.failed)) out.push('array-down');
    if (w.media.failedDrives().length > 0 || w.damage.openBlocks().some((d) => d.kinds.includes('drive'))) out.push('drive-down');
    if (w.scenario.scrub !== undefined) out.push('scrub');
    if (targets.some((t) => this.#reporters.has(t))) out.push('after-loss');
    if (targets.some((t) => primaries.includes(t) && w.membership(t) === 'outside')) out.push('non-member');
    if (targets.some((t) => this.#disordered(t, now))) out.push('delta-disorder');
    return out;
  }

  /** `array` has unacknowledged deltas and its link with parity misbehaved lately (or is down). */
  #disordered(array: string, now: Time): boolean {
    const net = this.#world.network;
    const parity = this.#world.parity.name;
    if (!(net instanceof LossyNetwork) || array === parity || (this.#unacked.get(array)?.size ?? 0) === 0) return false;
    if (net.isCut(array, parity) || net.isCut(parity, array)) return true;
    const t = net.lastDisorder(array, parity);
    return t !== undefined && now - t <= PHASE_WINDOW;
  }
}
