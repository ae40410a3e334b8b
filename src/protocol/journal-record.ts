// The primary's journal records.
//
// intent — journaled durably before the new data is written: enough to redo
//          the data write and resend the delta after a crash. Its log position
//          is the delta's sequence number. `replaces` = 1: the write replaced
//          a lost block (its delta is against zeros; parity forgets the loss).
//
// The journal's header holds what must outlive trimming: the epoch parity gave
// this array when it last started afresh (deltas carry it, so parity can tell
// them from those of the array's previous life, whose sequence numbers are
// reused), whether a restore is still under way, and the blocks it reported
// lost (src/primary/lost-blocks.ts).
import { DecodeError, type FieldSpec, fieldsSize, readFields, writeFields } from './fields.js';

export interface WriteIntent {
  readonly kind: 'intent';
  readonly block: number;
  /** The new contents (redo of the data write). */
  readonly data: Uint8Array;
  /** new ^ old (resent to parity until acknowledged). */
  readonly delta: Uint8Array;
  /** 1: the write replaced a lost block (old = zeros). */
  readonly replaces: number;
}

export type PrimaryJournalRecord = WriteIntent;

export interface PrimaryHeader {
  readonly epoch: number;
  /** 1 while a restore is under way (it resumes after a crash). */
  readonly restoring: number;
  /** The blocks reported lost, as LostBlocks.encode() wrote them. */
  readonly lost: Uint8Array;
}

const HEADER: FieldSpec = [
  ['epoch', 'uint'],
  ['restoring', 'uint'],
  ['lost', 'bytes'],
];

export function encodeHeader(header: PrimaryHeader): Uint8Array {
  const fields = header as unknown as Record<string, unknown>;
  const out = new Uint8Array(fieldsSize(HEADER, fields));
  writeFields(HEADER, fields, out, 0, 'header');
  return out;
}

/** An empty header (a new journal) reads as epoch 0, not restoring. */
export function decodeHeader(bytes: Uint8Array): PrimaryHeader {
  if (bytes.length === 0) return { epoch: 0, restoring: 0, lost: new Uint8Array(0) };
  const out: Record<string, unknown> = {};
  readFields(HEADER, bytes, 0, out, 'header');
  return out as unknown as PrimaryHeader;
}

const SPECS: Record<PrimaryJournalRecord['kind'], readonly [tag: number, spec: FieldSpec]> = {
  intent: [
    1,
    [
      ['block', 'uint'],
      ['data', 'bytes'],
      ['delta', 'bytes'],
      ['replaces', 'uint'],
    ],
  ],
};

export function encodeJournalRecord(record: PrimaryJournalRecord): Uint8Array {
  const [tag, spec] = SPECS[record.kind];
  const fields = record as unknown as Record<string, unknown>;
  const out = new Uint8Array(1 + fieldsSize(spec, fields));
  out[0] = tag;
  writeFields(spec, fields, out, 1, record.kind);
  return out;
}

export function decodeJournalRecord(bytes: Uint8Array): PrimaryJournalRecord {
  for (const [kind, [tag, spec]] of Object.entries(SPECS)) {
    if (bytes[0] !== tag) continue;
    const out: Record<string, unknown> = { kind };
    readFields(spec, bytes, 1, out, kind);
    return out as unknown as PrimaryJournalRecord;
  }
  throw new DecodeError(`unknown journal record tag ${bytes[0]}`);
}
