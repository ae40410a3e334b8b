// Where selftest hunts each planted bug: the shipped scenario that exercises
// the code the bug breaks (the hazard it reopens), under hardened.
import type { PlantedBug } from '../../src/protocol/planted-bugs.js';

export interface Hunt {
  readonly bug: PlantedBug;
  /** The scenario file, relative to the project root. */
  readonly scenario: string;
}

export const HUNTS: readonly Hunt[] = [
  { bug: 'parity-stores-delta', scenario: 'scenarios/quickstart.json' },
  { bug: 'primary-skips-delta', scenario: 'scenarios/quickstart.json' },
  { bug: 'primary-sends-data-not-delta', scenario: 'scenarios/quickstart.json' },
  { bug: 'parity-reports-false-loss', scenario: 'scenarios/rebuild-under-load.json' },
  // Duplicates and retransmissions need a network that makes them (H2).
  { bug: 'no-dedup', scenario: 'scenarios/lossy-network.json' },
  // Both open the write hole (H3): only a crash at the wrong moment shows it.
  { bug: 'ack-before-durable', scenario: 'scenarios/crash-recovery.json' },
  { bug: 'journal-after-data', scenario: 'scenarios/crash-recovery.json' },
  // Four hosts' deltas for one block meet at parity (H5).
  { bug: 'no-parity-lock', scenario: 'scenarios/quickstart.json' },
  // Survivors keep writing while a restore gathers their blocks (H7).
  { bug: 'restore-without-cut', scenario: 'scenarios/rebuild-under-load.json' },
  // The joining primary's host writes while its blocks are copied (H6).
  { bug: 'join-copy-without-fence', scenario: 'scenarios/join-under-load.json' },
  { bug: 'wrong-block-delta', scenario: 'scenarios/quickstart.json' },
  // A restore of the largest primary, past the ends of the smaller ones.
  { bug: 'no-zero-extension', scenario: 'scenarios/mixed-sizes.json' },
  // Corruption and misdirected writes on every array, the scrub running (H12).
  { bug: 'scrub-repairs-wrong-copy', scenario: 'scenarios/silent-corruption.json' },
  { bug: 'no-checksum-verify', scenario: 'scenarios/silent-corruption.json' },
  // Hot blocks on a reordering, flapping link, then the array lost while deltas are retransmitted.
  { bug: 'unordered-deltas', scenario: 'scenarios/hot-blocks.json' },
  // Malformed, out-of-range and misaddressed frames at every controller.
  { bug: 'no-peer-checks', scenario: 'scenarios/confused-peers.json' },
  // Two arrays lost, then every controller restarts.
  { bug: 'volatile-losses', scenario: 'scenarios/loss-then-crash.json' },
  // Parity crashes while lost and duplicated acks leave deltas applied above each member's floor (mutation testing's find).
  { bug: 'checkpoint-forgets-early-deltas', scenario: 'scenarios/checkpoint-crash.json' },
  // Thousands of applies: a journal never checkpointed holds them all at the end.
  { bug: 'parity-never-checkpoints', scenario: 'scenarios/quickstart.json' },
];
