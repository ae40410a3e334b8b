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

/**
 * `checksum`: the one stored with the block's last write, if the device keeps
 * checksums (keepsChecksums) and the block was written with one.
 */
export type ReadResult = { readonly ok: true; readonly data: Uint8Array; readonly checksum?: number | undefined } | IoError;
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
   * cache, which a power failure loses. `checksum`, if the device keeps
   * checksums, is stored with it (a protection-information region indexed by
   * block number, written in the same operation: T10 DIF, dm-integrity) and
   * returned by later reads.
   */
  write(block: number, data: Uint8Array, checksum?: number): Promise<WriteResult>;
  /** Resolves once every write resolved before the call is on the media (FLUSH CACHE; fsync). */
  flush(): Promise<WriteResult>;
  /** Does the device store each block's checksum (see write)? Absent: no. */
  readonly keepsChecksums?: boolean;
  /**
   * Blocks whose contents the device lost and that it can store again — a
   * failed member drive was replaced — ascending; they read as errors until
   * rewritten. What a RAID controller reports for a replaced member. Optional:
   * a device without member drives never loses single blocks this way.
   */
  lostBlocks?(): readonly number[];
}
