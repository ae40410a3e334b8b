// Encoding of flat records described by field specs: shared by wire messages
// (codec.ts) and journal records (journal-record.ts).
// uint → 8 bytes little-endian (a safe integer, as float64); bytes → u32 length + bytes.

export type FieldKind = 'uint' | 'bytes';
export type FieldSpec = readonly (readonly [name: string, kind: FieldKind])[];

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export function fieldsSize(spec: FieldSpec, record: Record<string, unknown>): number {
  let size = 0;
  for (const [name, kind] of spec) size += kind === 'uint' ? 8 : 4 + (record[name] as Uint8Array).length;
  return size;
}

/** Writes the fields into `out` at `at`; returns the offset after them. */
export function writeFields(spec: FieldSpec, record: Record<string, unknown>, out: Uint8Array, at: number, what: string): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const [name, kind] of spec) {
    if (kind === 'uint') {
      const v = record[name] as number;
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`encode ${what}.${name}: not a uint: ${v}`);
      view.setFloat64(at, v, true);
      at += 8;
    } else {
      const bytes = record[name] as Uint8Array;
      view.setUint32(at, bytes.length, true);
      out.set(bytes, at + 4);
      at += 4 + bytes.length;
    }
  }
  return at;
}

/** Reads the fields from `bytes` at `at` into `out`; the record must end exactly there. */
export function readFields(spec: FieldSpec, bytes: Uint8Array, at: number, out: Record<string, unknown>, what: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const [name, kind] of spec) {
    if (kind === 'uint') {
      if (at + 8 > bytes.length) throw new DecodeError(`${what}.${name}: truncated`);
      const v = view.getFloat64(at, true);
      // A peer's bytes: a NaN, a fraction or a negative number is not a uint, whatever it claims.
      if (!Number.isSafeInteger(v) || v < 0) throw new DecodeError(`${what}.${name}: not a uint: ${v}`);
      out[name] = v;
      at += 8;
    } else {
      if (at + 4 > bytes.length) throw new DecodeError(`${what}.${name}: truncated length`);
      const n = view.getUint32(at, true);
      if (at + 4 + n > bytes.length) throw new DecodeError(`${what}.${name}: truncated bytes`);
      out[name] = bytes.slice(at + 4, at + 4 + n);
      at += 4 + n;
    }
  }
  if (at !== bytes.length) throw new DecodeError(`${what}: ${bytes.length - at} trailing bytes`);
}
