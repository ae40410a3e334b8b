// Port: a block device (one disk array as its controller sees it).
//
// Blocks are numbered 0..blockCount-1 and all hold `blockBytes` bytes. Expected
// I/O failures are returned as values, never thrown: a thrown error inside a
// controller means a broken invariant (a bug), an IoError is weather.

export type IoErrorKind =
  /** The sector could not be read (latent sector error); rewriting it clears it. */
  | 'media-error'
  /** The device or the drive holding the block is gone. */
  | 'device-failed'
  /** The block number is outside the device. */
  | 'out-of-range';

export interface IoError {
  readonly ok: false;
  readonly error: IoErrorKind;
}

export type ReadResult = { readonly ok: true; readonly data: Uint8Array } | IoError;
export type WriteResult = { readonly ok: true } | IoError;

export interface BlockDevice {
  /** Bytes stored per block (every block has this length). */
  readonly blockBytes: number;
  readonly blockCount: number;
  /** Resolves with a fresh copy of the block; never-written blocks read as zeros. */
  read(block: number): Promise<ReadResult>;
  /**
   * Resolves once `data` is on the device (the caller may reuse `data`): on
   * the media, or — with a volatile write cache on — possibly only in the
   * cache, which a power failure loses.
   */
  write(block: number, data: Uint8Array): Promise<WriteResult>;
  /** Resolves once every write resolved before the call is on the media (FLUSH CACHE; fsync). */
  flush(): Promise<WriteResult>;
}
