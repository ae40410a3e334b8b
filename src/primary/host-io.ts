// What a host sees from its primary array.
import type { IoErrorKind } from '../ports/block-device.js';

/**
 * `data-lost`: the block could not be rebuilt (a second failure in its group): reported, never invented.
 * `checksum-mismatch` is handled inside (the copy is repaired); it is in the type for completeness.
 */
export type HostError = IoErrorKind | 'checksum-mismatch' | 'bad-request' | 'data-lost' | 'decommissioned';

export type HostWriteResult = { readonly ok: true } | { readonly ok: false; readonly error: HostError };
export type HostReadResult =
  | { readonly ok: true; readonly data: Uint8Array }
  | { readonly ok: false; readonly error: HostError };
