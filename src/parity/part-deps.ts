// What every part of the parity controller (builder, joiner, leaver, repairer,
// restorer, scrubber) is built with: the controller's shared ports and
// settings, and, for the parts that gather copies, the group as Q holds it.
import type { Buggify } from '../ports/buggify.js';
import type { Clock } from '../ports/clock.js';
import type { Probe } from '../ports/probe.js';
import type { NodeId } from '../ports/transport.js';
import type { RetransmitOptions } from '../protocol/retransmit.js';
import type { Rpc } from '../protocol/rpc.js';
import type { BlockLocks } from '../util/block-locks.js';
import type { VerifiedDisk } from '../util/verified-disk.js';
import type { Member } from './member.js';

export interface PartDeps {
  readonly disk: VerifiedDisk;
  readonly clock: Clock;
  readonly rpc: Rpc;
  /** Per Q[k]: every read-modify-write of it holds its lock. */
  readonly locks: BlockLocks;
  readonly retransmit: RetransmitOptions;
  /** Code probes: marks situations reached (no effect on behaviour). */
  readonly probe: Probe;
  /** Faults from inside the code (src/ports/buggify.ts): inert outside the simulator. */
  readonly buggify: Buggify;
}

export interface GroupView {
  readonly members: () => Iterable<Member>;
  /** Does Q[block] include `member`'s copy now (a joining member's merged blocks, not a leaving one's removed blocks)? */
  readonly contributes: (member: NodeId, block: number) => boolean;
}
