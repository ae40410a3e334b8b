// What a host sees from its primary array.
import type { IoErrorKind } from '../ports/block-device.js';

export type HostError = IoErrorKind | 'bad-request';

export type HostWriteResult = { readonly ok: true } | { readonly ok: false; readonly error: HostError };
export type HostReadResult =
  | { readonly ok: true; readonly data: Uint8Array }
  | { readonly ok: false; readonly error: HostError };
