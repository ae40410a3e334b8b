// The block device as a controller uses it. hardened: every write carries the
// block's checksum (src/protocol/checksum.ts), every read is checked against
// the checksum stored with the block, and a read whose data does not match
// answers `checksum-mismatch` — handled like an unreadable sector: the copy is
// repaired from parity, never served. A read that fails — unreadable, or
// not matching its checksum — is read again first: a misdirected read (the
// head on the wrong track, perhaps over an unreadable sector) is gone on
// another try, and a copy that is fine must not be taken for lost. An
// unreadable sector is read twice; a mismatch up to MISMATCH_ATTEMPTS times,
// as misdirected reads can come in a row (two did, on parity's Q of a block
// whose member was being restored: its block declared lost with Q intact,
// generated seed 737). A block never written with a checksum
// must read as zeros (an unwritten block). literal, or a device that keeps no
// checksums, is passed through unchecked.
import type { BlockDevice, ReadResult, WriteResult } from '../ports/block-device.js';
import type { Probe } from '../ports/probe.js';
import { blockChecksum } from '../protocol/checksum.js';
import { isZero } from '../protocol/xor.js';

const MISMATCH = Object.freeze({ ok: false, error: 'checksum-mismatch' } as const);

/** Reads of a block whose data keeps not matching its checksum before it counts as corrupt (a persistent mismatch). */
const MISMATCH_ATTEMPTS = 4;

/** Read, but the data does not match the block's checksum (silent corruption, a misdirected write). */
export type ChecksumMismatch = typeof MISMATCH;
export type VerifiedRead = ReadResult | ChecksumMismatch;

export class VerifiedDisk {
  readonly #disk: BlockDevice;
  readonly #probe: Probe;
  readonly #check: boolean;

  readonly #writesAgain: boolean;

  /** `writeAgain`: a write that fails is tried once more (write()). */
  constructor(disk: BlockDevice, probe: Probe, verify: boolean, writeAgain = false) {
    this.#disk = disk;
    this.#probe = probe;
    this.#check = verify && disk.keepsChecksums === true;
    this.#writesAgain = writeAgain;
  }

  get blockBytes(): number {
    return this.#disk.blockBytes;
  }

  get blockCount(): number {
    return this.#disk.blockCount;
  }

  get keepsChecksums(): boolean {
    return this.#check;
  }

  async read(block: number): Promise<VerifiedRead> {
    const first = this.#verified(block, await this.#disk.read(block));
    if (first.ok || !this.#check || first.error === 'out-of-range' || first.error === 'device-failed') return first;
    let again = this.#verified(block, await this.#disk.read(block));
    for (let attempt = 2; !again.ok && again.error === 'checksum-mismatch' && attempt < MISMATCH_ATTEMPTS; attempt++) again = this.#verified(block, await this.#disk.read(block));
    if (again.ok) this.#probe.hit('read-right-again');
    return again;
  }

  #verified(block: number, r: ReadResult): VerifiedRead {
    if (!r.ok || !this.#check || intact(block, r.data, r.checksum)) return r;
    this.#probe.hit('checksum-mismatch-on-read');
    return MISMATCH;
  }

  /** The device's answer, unchecked (a planted bug's way to serve what the media holds). */
  readUnchecked(block: number): Promise<ReadResult> {
    return this.#disk.read(block);
  }

  /**
   * A write that fails (`writeAgain`) is tried once more: it may have failed
   * elsewhere — misdirected onto another drive that failed under it — and
   * left this block as it was, readable, its old data matching its old
   * checksum. Nothing would ever tell that stale block from the write's data
   * (seed 1631: the next delta was taken against it, and Q[k] was wrong from
   * then on). A block whose own drive is lost fails again, and reads fail
   * until it is rebuilt.
   */
  write(block: number, data: Uint8Array): Promise<WriteResult> {
    const checksum = this.#check ? blockChecksum(block, data) : undefined;
    const first = this.#disk.write(block, data, checksum);
    if (!this.#writesAgain) return first;
    return first.then((r) => {
      if (r.ok || r.error !== 'device-failed') return r;
      this.#probe.hit('write-failed-tried-again');
      return this.#disk.write(block, data, checksum);
    });
  }

  flush(): Promise<WriteResult> {
    return this.#disk.flush();
  }

  lostBlocks(): readonly number[] {
    return this.#disk.lostBlocks?.() ?? [];
  }
}

export function intact(block: number, data: Uint8Array, checksum: number | undefined): boolean {
  return checksum === undefined ? isZero(data) : checksum === blockChecksum(block, data);
}
