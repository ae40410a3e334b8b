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
  for (let i = 0; i < spec.length; i++) {
    const name = spec[i]![0];
    const kind = spec[i]![1];
    size += kind === 'uint' ? 8 : 4 + (record[name] as Uint8Array).length;
  }
  return size;
}

// A float64 passes through these 8 bytes (no DataView per record: records are
// small and many). The wire is little-endian; a big-endian host reverses them.
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function putFloat64(out: Uint8Array, at: number, v: number): void {
  F64[0] = v;
  for (let i = 0; i < 8; i++) out[at + i] = F64_BYTES[LITTLE_ENDIAN ? i : 7 - i]!;
}

function getFloat64(bytes: Uint8Array, at: number): number {
  for (let i = 0; i < 8; i++) F64_BYTES[LITTLE_ENDIAN ? i : 7 - i] = bytes[at + i]!;
  return F64[0]!;
}

function putUint32(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = v >>> 24;
}

function getUint32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Writes the fields into `out` at `at`; returns the offset after them. */
export function writeFields(spec: FieldSpec, record: Record<string, unknown>, out: Uint8Array, at: number, what: string): number {
  for (let i = 0; i < spec.length; i++) {
    const field = spec[i]!; // (indexed, not destructured: once per field of every message and journal record)
    const name = field[0];
    if (field[1] === 'uint') {
      const v = record[name] as number;
      if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`encode ${what}.${name}: not a uint: ${v}`);
      putFloat64(out, at, v);
      at += 8;
    } else {
      const bytes = record[name] as Uint8Array;
      putUint32(out, at, bytes.length);
      out.set(bytes, at + 4);
      at += 4 + bytes.length;
    }
  }
  return at;
}

/** Reads the fields from `bytes` at `at` into `out`; the record must end exactly there. */
export function readFields(spec: FieldSpec, bytes: Uint8Array, at: number, out: Record<string, unknown>, what: string): void {
  for (let i = 0; i < spec.length; i++) {
    const field = spec[i]!; // (indexed, not destructured: once per field of every message and journal record)
    const name = field[0];
    if (field[1] === 'uint') {
      if (at + 8 > bytes.length) throw new DecodeError(`${what}.${name}: truncated`);
      const v = getFloat64(bytes, at);
      // A peer's bytes: a NaN, a fraction or a negative number is not a uint, whatever it claims.
      if (!Number.isSafeInteger(v) || v < 0) throw new DecodeError(`${what}.${name}: not a uint: ${v}`);
      out[name] = v;
      at += 8;
    } else {
      if (at + 4 > bytes.length) throw new DecodeError(`${what}.${name}: truncated length`);
      const n = getUint32(bytes, at);
      if (at + 4 + n > bytes.length) throw new DecodeError(`${what}.${name}: truncated bytes`);
      out[name] = bytes.slice(at + 4, at + 4 + n);
      at += 4 + n;
    }
  }
  if (at !== bytes.length) throw new DecodeError(`${what}: ${bytes.length - at} trailing bytes`);
}
