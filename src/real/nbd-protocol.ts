// The NBD wire format (the network block device protocol, doc/proto.md of
// github.com/NetworkBlockDevice/nbd): the constants of the fixed newstyle
// handshake and of the transmission phase with simple replies, and the
// messages this server sends. Every integer is big-endian.
//
// Handshake:  S: "NBDMAGIC" · "IHAVEOPT" · u16 handshake flags;  C: u32 client flags
// Option:     C: "IHAVEOPT" · u32 option · u32 length · data
// Reply:      S: u64 0x3e889045565a9 · u32 option · u32 reply type · u32 length · data
// Request:    C: u32 0x25609513 · u16 flags · u16 type · u64 cookie · u64 offset · u32 length · (write data)
// Reply:      S: u32 0x67446698 · u32 error · u64 cookie · (read data)

export const NBDMAGIC = 0x4e42444d41474943n;
export const IHAVEOPT = 0x49484156454f5054n;
export const OPTION_REPLY_MAGIC = 0x3e889045565a9n;
export const REQUEST_MAGIC = 0x25609513;
export const SIMPLE_REPLY_MAGIC = 0x67446698;

export const HANDSHAKE = { FIXED_NEWSTYLE: 1 << 0, NO_ZEROES: 1 << 1 } as const;
export const CLIENT = { FIXED_NEWSTYLE: 1 << 0, NO_ZEROES: 1 << 1 } as const;

export const TRANSMISSION = {
  HAS_FLAGS: 1 << 0,
  READ_ONLY: 1 << 1,
  SEND_FLUSH: 1 << 2,
  SEND_FUA: 1 << 3,
  SEND_TRIM: 1 << 5,
  CAN_MULTI_CONN: 1 << 8,
} as const;

export const OPT = { EXPORT_NAME: 1, ABORT: 2, LIST: 3, STARTTLS: 5, INFO: 6, GO: 7 } as const;

export const REP = {
  ACK: 1,
  SERVER: 2,
  INFO: 3,
  ERR_UNSUP: 0x80000001,
  ERR_INVALID: 0x80000003,
  ERR_TLS_REQD: 0x80000005,
  ERR_UNKNOWN: 0x80000006,
  ERR_SHUTDOWN: 0x80000007,
  ERR_TOO_BIG: 0x80000009,
} as const;

export const INFO = { EXPORT: 0, NAME: 1, DESCRIPTION: 2, BLOCK_SIZE: 3 } as const;

export const CMD = { READ: 0, WRITE: 1, DISC: 2, FLUSH: 3, TRIM: 4 } as const;
export const CMD_FLAG = { FUA: 1 << 0 } as const;

export const NBD_ERR = { EPERM: 1, EIO: 5, ENOMEM: 12, EINVAL: 22, ENOSPC: 28, EOVERFLOW: 75, ENOTSUP: 95, ESHUTDOWN: 108 } as const;

/** Bytes of a transmission request's header, and of an option's header (after the client flags). */
export const REQUEST_BYTES = 28;
export const OPTION_HEADER_BYTES = 16;

/** The largest read or write payload this server takes (the spec's default maximum, 32 MiB). */
export const MAX_PAYLOAD = 32 * 1024 * 1024;
/** An option's data is at most this long (an export name and a few info requests): longer is skipped and refused. */
export const MAX_OPTION_DATA = 4096;

export interface Request {
  readonly flags: number;
  readonly type: number;
  readonly cookie: bigint;
  readonly offset: bigint;
  readonly length: number;
}

/** A request header, or undefined if its magic is wrong (nothing after it can be trusted). */
export function parseRequest(b: Uint8Array): Request | undefined {
  const v = view(b);
  if (v.getUint32(0) !== REQUEST_MAGIC) return undefined;
  return { flags: v.getUint16(4), type: v.getUint16(6), cookie: v.getBigUint64(8), offset: v.getBigUint64(16), length: v.getUint32(24) };
}

export interface OptionHeader {
  readonly option: number;
  readonly length: number;
}

/** An option's header, or undefined if its magic is wrong. */
export function parseOptionHeader(b: Uint8Array): OptionHeader | undefined {
  const v = view(b);
  if (v.getBigUint64(0) !== IHAVEOPT) return undefined;
  return { option: v.getUint32(8), length: v.getUint32(12) };
}

/** NBD_OPT_INFO / NBD_OPT_GO data: the export name and the info types asked for; undefined if it does not parse. */
export function parseInfoRequest(data: Uint8Array): { name: string; requests: number[] } | undefined {
  const v = view(data);
  if (data.length < 6) return undefined;
  const nameLength = v.getUint32(0);
  if (nameLength > data.length - 6) return undefined;
  const count = v.getUint16(4 + nameLength);
  if (data.length !== 6 + nameLength + 2 * count) return undefined;
  const requests = Array.from({ length: count }, (_, i) => v.getUint16(6 + nameLength + 2 * i));
  return { name: new TextDecoder().decode(data.subarray(4, 4 + nameLength)), requests };
}

export function serverGreeting(): Uint8Array {
  const b = new Uint8Array(18);
  const v = view(b);
  v.setBigUint64(0, NBDMAGIC);
  v.setBigUint64(8, IHAVEOPT);
  v.setUint16(16, HANDSHAKE.FIXED_NEWSTYLE | HANDSHAKE.NO_ZEROES);
  return b;
}

export function optionReply(option: number, type: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(20 + data.length);
  const v = view(b);
  v.setBigUint64(0, OPTION_REPLY_MAGIC);
  v.setUint32(8, option);
  v.setUint32(12, type);
  v.setUint32(16, data.length);
  b.set(data, 20);
  return b;
}

/** An error reply, with a message for people. */
export function optionError(option: number, type: number, message: string): Uint8Array {
  return optionReply(option, type, new TextEncoder().encode(message));
}

/** NBD_REP_INFO payloads. */
export function infoExport(size: bigint, flags: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = view(b);
  v.setUint16(0, INFO.EXPORT);
  v.setBigUint64(2, size);
  v.setUint16(10, flags);
  return b;
}

export function infoBlockSize(minimum: number, preferred: number, maximum: number): Uint8Array {
  const b = new Uint8Array(14);
  const v = view(b);
  v.setUint16(0, INFO.BLOCK_SIZE);
  v.setUint32(2, minimum);
  v.setUint32(6, preferred);
  v.setUint32(10, maximum);
  return b;
}

export function infoName(name: string): Uint8Array {
  const text = new TextEncoder().encode(name);
  const b = new Uint8Array(2 + text.length);
  view(b).setUint16(0, INFO.NAME);
  b.set(text, 2);
  return b;
}

/** NBD_REP_SERVER's payload: the export's name. */
export function serverEntry(name: string): Uint8Array {
  const text = new TextEncoder().encode(name);
  const b = new Uint8Array(4 + text.length);
  view(b).setUint32(0, text.length);
  b.set(text, 4);
  return b;
}

/** What NBD_OPT_EXPORT_NAME is answered with: size and flags, then 124 zero bytes unless the client said NO_ZEROES. */
export function exportNameReply(size: bigint, flags: number, noZeroes: boolean): Uint8Array {
  const b = new Uint8Array(10 + (noZeroes ? 0 : 124));
  const v = view(b);
  v.setBigUint64(0, size);
  v.setUint16(8, flags);
  return b;
}

export function simpleReply(cookie: bigint, error: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = view(b);
  v.setUint32(0, SIMPLE_REPLY_MAGIC);
  v.setUint32(4, error);
  v.setBigUint64(8, cookie);
  return b;
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
