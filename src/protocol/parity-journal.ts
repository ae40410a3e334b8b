// The parity array's journal records.
//
// apply      — redo record, appended before Q[block] is overwritten: the new
//              contents and which (member, epoch, seq) they apply — the epoch,
//              because an apply of a member's last delta may be logged just
//              after its restore began a new epoch, whose numbers restart. Replaying it is
//              idempotent (write newQ), so a crash mid read-modify-write or
//              between the write and the ack cannot lose or double a delta.
// checkpoint — the applied-delta sets (and epochs) of every member at one
//              moment, so older records can be trimmed without forgetting
//              what was applied.
// epoch      — a member started a new epoch (its journal is new, its sequence
//              numbers restart): forget its applied set. `request`: the id of
//              the restore request that began it, whose boot number (rpc.ts
//              bootOf) no earlier life's late request may undercut after a crash.
// write      — redo record for any other write of Q[block] (a repair from the
//              members' copies, …): replayed in order with the applies, so an
//              older apply record can never overwrite it after a crash.
// member     — the group changed: `name` (of `blockCount` blocks) is joining,
//              a member, leaving, or has left.
// merge      — redo record of a join: `member`'s copy of `block` (reflecting
//              its deltas up to `upTo`, in `epoch`) is in newQ.
// unmerge    — redo record of a leave: `member`'s copy of `block` is XORed
//              out of newQ.
// lost       — `member`'s `block` is lost (losses.ts): remembered until a
//              host write replaces it (an apply with `replaces`); its stripe
//              waits to be re-protected until a `write` recomputes Q[block].
//              `stale` = 1 if Q[block] still holds the block's lost data.
//
// An apply with `replaces` = 1 applies the delta of a write that replaced a
// lost block; a merge with `noCopy` = 1 merged zeros for a block the member
// could not read (it is lost from then on, in the same record).
//
// A checkpoint carries, besides the applied sets, whatever of the above is
// still needed once older records are trimmed: the membership (if it differs
// from the one the controller was configured with), the blocks merged so far
// and the deltas their copies reflect, the blocks a leave took out, the lost
// blocks and the stripes still to re-protect.
//
// An apply record with an empty newQ applied its delta without a write: Q[block]
// was unreadable, and is rebuilt from the members' copies, which reflect it.
import { DecodeError, type FieldSpec, fieldsSize, readFields, writeFields } from './fields.js';

export interface ApplyRecord {
  readonly kind: 'apply';
  readonly member: string;
  /** The member's epoch the delta was sent in. */
  readonly epoch: number;
  readonly seq: number;
  readonly block: number;
  /** 1: the delta of a write that replaced `member`'s lost block. */
  readonly replaces: number;
  readonly newQ: Uint8Array;
}

export type MemberState = 'joining' | 'member' | 'leaving' | 'left';
const MEMBER_STATES: readonly MemberState[] = ['joining', 'member', 'leaving', 'left'];

export interface CheckpointState {
  /** Per member: its epoch; every seq ≤ floor is applied, plus those listed above it. */
  readonly applied: readonly { readonly member: string; readonly epoch: number; readonly floor: number; readonly above: readonly number[]; readonly request?: number }[];
  /** The whole group, if it differs from the configured one. */
  readonly members?: readonly { readonly name: string; readonly blockCount: number; readonly state: MemberState }[];
  /** Per member that joined: [block, delta number its merged copy reflects] still needed. */
  readonly merged?: readonly { readonly member: string; readonly blocks: readonly (readonly [number, number])[] }[];
  /** Per member leaving: blocks already XORed out. */
  readonly removed?: readonly { readonly member: string; readonly blocks: readonly number[] }[];
  /** Per member: its blocks lost (held as zeros until a write replaces them). */
  readonly lost?: readonly { readonly member: string; readonly blocks: readonly number[] }[];
  /** Stripes whose Q must still be recomputed from the members' copies. */
  readonly reprotect?: readonly number[];
  /** Of those, the ones whose Q[k] still holds a lost block's data (nothing can be rebuilt from it). */
  readonly stale?: readonly number[];
}

export interface CheckpointRecord extends CheckpointState {
  readonly kind: 'checkpoint';
}

export interface MemberRecord {
  readonly kind: 'member';
  readonly name: string;
  readonly blockCount: number;
  readonly state: MemberState;
}

export interface MergeRecord {
  readonly kind: 'merge';
  readonly member: string;
  readonly block: number;
  readonly upTo: number;
  readonly epoch: number;
  /** 1: the member had no copy to give; zeros went in, and its block is lost. */
  readonly noCopy: number;
  /** Empty: Q[block] was unavailable (rebuilt from the members' copies, which include this one). */
  readonly newQ: Uint8Array;
}

export interface LostRecord {
  readonly kind: 'lost';
  readonly member: string;
  readonly block: number;
  /** 1: Q[block] holds the lost block's last data (which nobody has now); 0: Q counts it as zeros already. */
  readonly stale: number;
}

export interface UnmergeRecord {
  readonly kind: 'unmerge';
  readonly member: string;
  readonly block: number;
  readonly newQ: Uint8Array;
}

export interface EpochRecord {
  readonly kind: 'epoch';
  readonly member: string;
  readonly epoch: number;
  /** The rpc id of the restore request that began it (absent in a journal written before it was kept). */
  readonly request?: number;
}

export interface WriteRecord {
  readonly kind: 'write';
  readonly block: number;
  readonly newQ: Uint8Array;
  /** Members held lost whose data went into newQ (they gave it): their loss is over. */
  readonly found?: readonly string[];
}

export type ParityJournalRecord = ApplyRecord | CheckpointRecord | EpochRecord | WriteRecord | MemberRecord | MergeRecord | UnmergeRecord | LostRecord;

const APPLY: FieldSpec = [
  ['member', 'bytes'],
  ['epoch', 'uint'],
  ['seq', 'uint'],
  ['block', 'uint'],
  ['replaces', 'uint'],
  ['newQ', 'bytes'],
];
const LOST: FieldSpec = [
  ['member', 'bytes'],
  ['block', 'uint'],
  ['stale', 'uint'],
];
const CHECKPOINT: FieldSpec = [['applied', 'bytes']];
const EPOCH: FieldSpec = [
  ['member', 'bytes'],
  ['epoch', 'uint'],
];
const EPOCH_REQUEST: FieldSpec = [
  ['member', 'bytes'],
  ['epoch', 'uint'],
  ['request', 'uint'],
];
const WRITE: FieldSpec = [
  ['block', 'uint'],
  ['newQ', 'bytes'],
];
const WRITE_FOUND: FieldSpec = [
  ['block', 'uint'],
  ['found', 'bytes'],
  ['newQ', 'bytes'],
];
const MEMBER: FieldSpec = [
  ['name', 'bytes'],
  ['blockCount', 'uint'],
  ['state', 'uint'],
];
const MERGE: FieldSpec = [
  ['member', 'bytes'],
  ['block', 'uint'],
  ['upTo', 'uint'],
  ['epoch', 'uint'],
  ['noCopy', 'uint'],
  ['newQ', 'bytes'],
];
const UNMERGE: FieldSpec = [
  ['member', 'bytes'],
  ['block', 'uint'],
  ['newQ', 'bytes'],
];

const text = new TextEncoder();
/** Members' names as bytes: every apply record names its member, and encoding the same few names over and over was 1.5 % of the CI gate's CPU. */
const nameBytes = new Map<string, Uint8Array>();
const NAMES_KEPT = 1024;

/** `name` as UTF-8 (shared bytes: writeFields copies them; never modified). */
function encodeName(name: string): Uint8Array {
  let bytes = nameBytes.get(name);
  if (bytes === undefined) {
    bytes = text.encode(name);
    if (nameBytes.size < NAMES_KEPT) nameBytes.set(name, bytes);
  }
  return bytes;
}
const untext = new TextDecoder();

export function encodeParityRecord(r: ParityJournalRecord): Uint8Array {
  const [tag, spec, fields] = recordFields(r);
  const out = new Uint8Array(1 + fieldsSize(spec, fields));
  out[0] = tag;
  writeFields(spec, fields, out, 1, r.kind);
  return out;
}

function recordFields(r: ParityJournalRecord): readonly [number, FieldSpec, Record<string, unknown>] {
  switch (r.kind) {
    case 'apply':
      return [1, APPLY, { member: encodeName(r.member), epoch: r.epoch, seq: r.seq, block: r.block, replaces: r.replaces, newQ: r.newQ }];
    case 'checkpoint': {
      // Just the applied sets while nothing else is needed (the layout checkpoints always had).
      const { kind: _kind, ...state } = r;
      const extra = state.members !== undefined || state.merged !== undefined || state.removed !== undefined || state.lost !== undefined || state.reprotect !== undefined || state.stale !== undefined;
      return [CHECKPOINT_TAG, CHECKPOINT, { applied: text.encode(JSON.stringify(extra ? state : state.applied)) }];
    }
    case 'epoch':
      if (r.request === undefined) return [3, EPOCH, { member: encodeName(r.member), epoch: r.epoch }];
      return [10, EPOCH_REQUEST, { member: encodeName(r.member), epoch: r.epoch, request: r.request }];
    case 'write':
      // Tag 4 as before when it ends no loss (its bytes, and every run's trace, unchanged).
      if (r.found === undefined || r.found.length === 0) return [4, WRITE, { block: r.block, newQ: r.newQ }];
      return [9, WRITE_FOUND, { block: r.block, found: text.encode(JSON.stringify(r.found)), newQ: r.newQ }];
    case 'member':
      return [5, MEMBER, { name: encodeName(r.name), blockCount: r.blockCount, state: MEMBER_STATES.indexOf(r.state) }];
    case 'merge':
      return [6, MERGE, { member: encodeName(r.member), block: r.block, upTo: r.upTo, epoch: r.epoch, noCopy: r.noCopy, newQ: r.newQ }];
    case 'unmerge':
      return [7, UNMERGE, { member: encodeName(r.member), block: r.block, newQ: r.newQ }];
    case 'lost':
      return [8, LOST, { member: encodeName(r.member), block: r.block, stale: r.stale }];
  }
}

/** A record's first byte says its kind; a checkpoint's: */
const CHECKPOINT_TAG = 2;

/** Is this encoded record a checkpoint (without decoding it)? */
export function isCheckpointRecord(bytes: Uint8Array): boolean {
  return bytes[0] === CHECKPOINT_TAG;
}

export function decodeParityRecord(bytes: Uint8Array): ParityJournalRecord {
  const out: Record<string, unknown> = {};
  const str = (name: string) => untext.decode(out[name] as Uint8Array);
  switch (bytes[0]) {
    case 1:
      readFields(APPLY, bytes, 1, out, 'apply');
      return { kind: 'apply', member: str('member'), epoch: out['epoch'] as number, seq: out['seq'] as number, block: out['block'] as number, replaces: out['replaces'] as number, newQ: out['newQ'] as Uint8Array };
    case CHECKPOINT_TAG: {
      readFields(CHECKPOINT, bytes, 1, out, 'checkpoint');
      const state = JSON.parse(str('applied')) as CheckpointState | CheckpointState['applied'];
      return Array.isArray(state) ? { kind: 'checkpoint', applied: state } : { kind: 'checkpoint', ...(state as CheckpointState) };
    }
    case 3:
      readFields(EPOCH, bytes, 1, out, 'epoch');
      return { kind: 'epoch', member: str('member'), epoch: out['epoch'] as number };
    case 10:
      readFields(EPOCH_REQUEST, bytes, 1, out, 'epoch');
      return { kind: 'epoch', member: str('member'), epoch: out['epoch'] as number, request: out['request'] as number };
    case 4:
      readFields(WRITE, bytes, 1, out, 'write');
      return { kind: 'write', block: out['block'] as number, newQ: out['newQ'] as Uint8Array };
    case 5: {
      readFields(MEMBER, bytes, 1, out, 'member');
      const state = MEMBER_STATES[out['state'] as number];
      if (state === undefined) throw new DecodeError(`member: unknown state ${out['state']}`);
      return { kind: 'member', name: str('name'), blockCount: out['blockCount'] as number, state };
    }
    case 6:
      readFields(MERGE, bytes, 1, out, 'merge');
      return { kind: 'merge', member: str('member'), block: out['block'] as number, upTo: out['upTo'] as number, epoch: out['epoch'] as number, noCopy: out['noCopy'] as number, newQ: out['newQ'] as Uint8Array };
    case 7:
      readFields(UNMERGE, bytes, 1, out, 'unmerge');
      return { kind: 'unmerge', member: str('member'), block: out['block'] as number, newQ: out['newQ'] as Uint8Array };
    case 8:
      readFields(LOST, bytes, 1, out, 'lost');
      return { kind: 'lost', member: str('member'), block: out['block'] as number, stale: out['stale'] as number };
    case 9: {
      readFields(WRITE_FOUND, bytes, 1, out, 'write');
      const found: unknown = JSON.parse(str('found'));
      if (!Array.isArray(found) || !found.every((m) => typeof m === 'string')) throw new DecodeError('write: found is not a list of member names');
      return { kind: 'write', block: out['block'] as number, newQ: out['newQ'] as Uint8Array, found };
    }
  }
  throw new DecodeError(`unknown parity journal record tag ${bytes[0]}`);
}
