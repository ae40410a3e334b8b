// A primary array as an NBD export: byte ranges in, whole blocks through the
// controller's host operations out. A range that covers part of a block is
// read-modify-written — the block read, the bytes patched, the whole block
// written — under that block's lock here, so two clients writing different
// bytes of one block both land. (Whole-block writes take the lock too: a
// patch must not straddle one.) Errors become NBD error numbers: a block
// reported lost or a media error is EIO, a write to a leaving array EPERM.
import type { HostError, HostReadResult, HostWriteResult } from '../primary/host-io.js';
import { BlockLocks } from '../util/block-locks.js';
import { NBD_ERR } from './nbd-protocol.js';

/** What the export drives: the controller's host operations on whole blocks. */
export interface BlockTarget {
  readonly blockBytes: number;
  readonly blockCount: number;
  read(block: number): Promise<HostReadResult>;
  write(block: number, data: Uint8Array): Promise<HostWriteResult>;
}

export type ExportResult = { readonly ok: true; readonly data?: Uint8Array } | { readonly ok: false; readonly error: number };

/** Blocks of one request in flight at once (a 32 MiB request is 8 192 blocks of 4 KiB). */
const PER_REQUEST = 16;

export class BlockExport {
  readonly #target: BlockTarget;
  readonly #locks = new BlockLocks();
  readonly size: number;

  constructor(target: BlockTarget) {
    this.#target = target;
    this.size = target.blockCount * target.blockBytes;
  }

  get blockBytes(): number {
    return this.#target.blockBytes;
  }

  async read(offset: number, length: number): Promise<ExportResult> {
    const out = new Uint8Array(length);
    const B = this.#target.blockBytes;
    const failed = await this.#eachBlock(offset, length, async (block, from, to) => {
      const r = await this.#target.read(block);
      if (!r.ok) return errno(r.error);
      out.set(r.data.subarray(from - block * B, to - block * B), from - offset);
      return undefined;
    });
    return failed === undefined ? { ok: true, data: out } : { ok: false, error: failed };
  }

  async write(offset: number, data: Uint8Array): Promise<ExportResult> {
    const B = this.#target.blockBytes;
    const failed = await this.#eachBlock(offset, data.length, (block, from, to) =>
      this.#locks.with(block, async () => {
        const piece = data.subarray(from - offset, to - offset);
        let whole = piece;
        if (piece.length < B) {
          const old = await this.#target.read(block);
          if (!old.ok) return errno(old.error);
          whole = old.data.slice();
          whole.set(piece, from - block * B);
        }
        const w = await this.#target.write(block, whole);
        return w.ok ? undefined : errno(w.error);
      }),
    );
    return failed === undefined ? { ok: true } : { ok: false, error: failed };
  }

  /**
   * Runs `fn` for each block the range [offset, offset + length) touches, with the part of it
   * covered (absolute byte offsets), at most PER_REQUEST at a time; the first error, if any.
   */
  async #eachBlock(offset: number, length: number, fn: (block: number, from: number, to: number) => Promise<number | undefined>): Promise<number | undefined> {
    const B = this.#target.blockBytes;
    const end = offset + length;
    let next = Math.floor(offset / B);
    const last = Math.ceil(end / B);
    let failed: number | undefined;
    const worker = async () => {
      while (next < last && failed === undefined) {
        const block = next++;
        const error = await fn(block, Math.max(offset, block * B), Math.min(end, (block + 1) * B));
        failed ??= error;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PER_REQUEST, last - next) }, worker));
    return failed;
  }
}

/** The NBD error a host error is reported as. */
function errno(error: HostError): number {
  if (error === 'decommissioned') return NBD_ERR.EPERM;
  if (error === 'bad-request' || error === 'out-of-range') return NBD_ERR.EINVAL;
  return NBD_ERR.EIO; // data-lost, media-error, device-failed, checksum-mismatch: the data cannot be served
}

/**
 * A target whose operations wait until the real one is attached: the export
 * can listen (and a port in use be found) before the controller starts, and
 * no host I/O reaches the controller before its start and orders.
 */
export class DeferredTarget implements BlockTarget {
  readonly blockBytes: number;
  readonly blockCount: number;
  readonly #target: Promise<BlockTarget>;
  #attach: ((target: BlockTarget) => void) | undefined;

  constructor(blockBytes: number, blockCount: number) {
    this.blockBytes = blockBytes;
    this.blockCount = blockCount;
    this.#target = new Promise((resolve) => (this.#attach = resolve));
  }

  attach(target: BlockTarget): void {
    this.#attach?.(target);
  }

  async read(block: number): Promise<HostReadResult> {
    return (await this.#target).read(block);
  }

  async write(block: number, data: Uint8Array): Promise<HostWriteResult> {
    return (await this.#target).write(block, data);
  }
}
