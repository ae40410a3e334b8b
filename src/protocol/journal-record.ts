// The primary's intent record, journaled durably before the new data is
// written: enough to redo the data write and resend the delta after a crash.
// Its log position is the delta's sequence number.
import { fieldsSize, readFields, writeFields, type FieldSpec } from './fields.js';

export interface WriteIntent {
  readonly block: number;
  /** The new contents (redo of the data write). */
  readonly data: Uint8Array;
  /** new ^ old (resent to parity until acknowledged). */
  readonly delta: Uint8Array;
}

const SPEC: FieldSpec = [
  ['block', 'uint'],
  ['data', 'bytes'],
  ['delta', 'bytes'],
];

export function encodeIntent(intent: WriteIntent): Uint8Array {
  const record = intent as unknown as Record<string, unknown>;
  const out = new Uint8Array(fieldsSize(SPEC, record));
  writeFields(SPEC, record, out, 0, 'write-intent');
  return out;
}

export function decodeIntent(bytes: Uint8Array): WriteIntent {
  const out: Record<string, unknown> = {};
  readFields(SPEC, bytes, 0, out, 'write-intent');
  return out as unknown as WriteIntent;
}
