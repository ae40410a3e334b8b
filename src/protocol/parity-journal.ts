// The parity array's journal records.
//
// apply      — redo record, appended before Q[block] is overwritten: the new
//              contents and which (member, seq) they apply. Replaying it is
//              idempotent (write newQ), so a crash mid read-modify-write or
//              between the write and the ack cannot lose or double a delta.
// checkpoint — the applied-delta sets (and epochs) of every member at one
//              moment, so older records can be trimmed without forgetting
//              what was applied.
// epoch      — a member started a new epoch (its journal is new, its sequence
//              numbers restart): forget its applied set.
// write      — redo record for any other write of Q[block] (a repair from the
//              members' copies, …): replayed in order with the applies, so an
//              older apply record can never overwrite it after a crash.
//
// An apply record with an empty newQ applied its delta without a write: Q[block]
// was unreadable, and is rebuilt from the members' copies, which reflect it.
import { DecodeError, type FieldSpec, fieldsSize, readFields, writeFields } from './fields.js';

export interface ApplyRecord {
  readonly kind: 'apply';
  readonly member: string;
  readonly seq: number;
  readonly block: number;
  readonly newQ: Uint8Array;
}

export interface CheckpointRecord {
  readonly kind: 'checkpoint';
  /** Per member: its epoch; every seq ≤ floor is applied, plus those listed above it. */
  readonly applied: readonly { readonly member: string; readonly epoch: number; readonly floor: number; readonly above: readonly number[] }[];
}

export interface EpochRecord {
  readonly kind: 'epoch';
  readonly member: string;
  readonly epoch: number;
}

export interface WriteRecord {
  readonly kind: 'write';
  readonly block: number;
  readonly newQ: Uint8Array;
}

export type ParityJournalRecord = ApplyRecord | CheckpointRecord | EpochRecord | WriteRecord;

const APPLY: FieldSpec = [
  ['member', 'bytes'],
  ['seq', 'uint'],
  ['block', 'uint'],
  ['newQ', 'bytes'],
];
const CHECKPOINT: FieldSpec = [['applied', 'bytes']];
const EPOCH: FieldSpec = [
  ['member', 'bytes'],
  ['epoch', 'uint'],
];
const WRITE: FieldSpec = [
  ['block', 'uint'],
  ['newQ', 'bytes'],
];

const text = new TextEncoder();
const untext = new TextDecoder();

export function encodeParityRecord(r: ParityJournalRecord): Uint8Array {
  const [tag, spec, fields] =
    r.kind === 'apply'
      ? ([1, APPLY, { member: text.encode(r.member), seq: r.seq, block: r.block, newQ: r.newQ }] as const)
      : r.kind === 'checkpoint'
        ? ([2, CHECKPOINT, { applied: text.encode(JSON.stringify(r.applied)) }] as const)
        : r.kind === 'epoch'
          ? ([3, EPOCH, { member: text.encode(r.member), epoch: r.epoch }] as const)
          : ([4, WRITE, { block: r.block, newQ: r.newQ }] as const);
  const out = new Uint8Array(1 + fieldsSize(spec, fields));
  out[0] = tag;
  writeFields(spec, fields, out, 1, r.kind);
  return out;
}

export function decodeParityRecord(bytes: Uint8Array): ParityJournalRecord {
  const out: Record<string, unknown> = {};
  if (bytes[0] === 1) {
    readFields(APPLY, bytes, 1, out, 'apply');
    return { kind: 'apply', member: untext.decode(out['member'] as Uint8Array), seq: out['seq'] as number, block: out['block'] as number, newQ: out['newQ'] as Uint8Array };
  }
  if (bytes[0] === 2) {
    readFields(CHECKPOINT, bytes, 1, out, 'checkpoint');
    return { kind: 'checkpoint', applied: JSON.parse(untext.decode(out['applied'] as Uint8Array)) as CheckpointRecord['applied'] };
  }
  if (bytes[0] === 3) {
    readFields(EPOCH, bytes, 1, out, 'epoch');
    return { kind: 'epoch', member: untext.decode(out['member'] as Uint8Array), epoch: out['epoch'] as number };
  }
  if (bytes[0] === 4) {
    readFields(WRITE, bytes, 1, out, 'write');
    return { kind: 'write', block: out['block'] as number, newQ: out['newQ'] as Uint8Array };
  }
  throw new DecodeError(`unknown parity journal record tag ${bytes[0]}`);
}
