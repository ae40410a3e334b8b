// DurableLog on a real file: the controller's journal (log-frames.ts gives
// the layout). Appends, trims and header writes are frames added to the end
// of one file; each resolves only after its frame is written and fdatasync'd.
// Operations queued while a write is under way go to the file together, in
// call order, with one fdatasync (group commit), so the journal costs one
// sync per batch, not per record.
//
// Positions are handed out at the call, in call order — as the simulated log
// does, whose fixed latency completes appends in call order — so a record's
// position is known before it is durable (the primary uses it as the delta's
// sequence number).
//
// Opening reads the whole file: the first frame that does not verify (a write
// torn by a crash, or garbage) ends the log, and the file is truncated there,
// so later appends follow the last good frame. Nothing acknowledged is lost
// that way: an append is acknowledged only after its frame and every frame
// before it were synced.
//
// Trimmed records stay in the file as history until it is compacted: once it
// is `compactBytes` long and at most half of it is still needed, the current
// contents (header, trim point, live records) are written to a new file that
// replaces the old one atomically (atomic-file.ts).
//
// A write or sync that fails leaves the journal unusable: that operation and
// every later one reject, which the controller takes for a crash (the port
// has no error result: a journal that cannot be written is a node down).
import { type FileHandle, open, readFile } from 'node:fs/promises';
import type { DurableLog, LogContents, LogRecord } from '../ports/durable-log.js';
import { removeLeftover, replaceFile } from './atomic-file.js';
import { type Frame, FrameKind, MAGIC, encodeFrame, frameBytes, scanFrames } from './log-frames.js';

export interface FileDurableLogOptions {
  /** Compact once the file is at least this long and at most half of it is live (default 4 MiB). */
  readonly compactBytes?: number;
}

const DEFAULT_COMPACT_BYTES = 4 * 1024 * 1024;

interface Op {
  /** The frame to write, or none (the op only waits for the operations before it). */
  readonly frame: Uint8Array | undefined;
  /** Applies the op to the in-memory contents once its frame is durable. */
  readonly apply: () => void;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The log's contents as the file's frames build them up. */
class Contents {
  header: Uint8Array = new Uint8Array(0);
  trimmedUpTo = 0;
  records: LogRecord[] = [];
  /** The highest position ever appended (0: none). */
  lastAppended = 0;
  /** Bytes a freshly written file holding exactly these contents would take. */
  liveBytes = MAGIC.length;

  /** Applies one frame; false if it cannot follow what came before (positions only increase). */
  apply(frame: Frame): boolean {
    if (frame.kind === FrameKind.Append) {
      if (frame.position <= Math.max(this.lastAppended, this.trimmedUpTo)) return false;
      this.lastAppended = frame.position;
      this.records.push({ position: frame.position, data: frame.data });
      this.liveBytes += frameBytes(FrameKind.Append, frame.data.length);
    } else if (frame.kind === FrameKind.Trim) {
      if (frame.position <= this.trimmedUpTo) return true;
      if (this.trimmedUpTo === 0) this.liveBytes += frameBytes(FrameKind.Trim, 0);
      this.trimmedUpTo = frame.position;
      const kept = this.records.filter((r) => r.position > frame.position);
      for (const r of this.records.slice(0, this.records.length - kept.length)) this.liveBytes -= frameBytes(FrameKind.Append, r.data.length);
      this.records = kept;
    } else {
      this.liveBytes += (frame.data.length === 0 ? 0 : frameBytes(FrameKind.Header, frame.data.length)) - (this.header.length === 0 ? 0 : frameBytes(FrameKind.Header, this.header.length));
      this.header = frame.data;
    }
    return true;
  }

  /** A whole journal file holding exactly these contents. */
  encode(): Uint8Array {
    const frames: Uint8Array[] = [MAGIC];
    if (this.header.length > 0) frames.push(encodeFrame({ kind: FrameKind.Header, data: this.header }));
    if (this.trimmedUpTo > 0) frames.push(encodeFrame({ kind: FrameKind.Trim, position: this.trimmedUpTo }));
    for (const r of this.records) frames.push(encodeFrame({ kind: FrameKind.Append, position: r.position, data: r.data }));
    return concat(frames);
  }
}

export class FileDurableLog implements DurableLog {
  readonly path: string;
  /** Bytes cut off the end of the file when it was opened (a torn or corrupt tail). */
  readonly truncatedBytes: number;
  readonly #compactBytes: number;
  readonly #state: Contents;
  #file: FileHandle;
  #fileBytes: number;
  /** The next position to hand out (at the call, before the record is durable). */
  #next: number;
  /** The highest trim point asked for so far (its frame may not be durable yet). */
  #trimAsked: number;
  #queue: Op[] = [];
  #draining: Promise<void> | undefined;
  #broken: unknown;
  #closed = false;
  /** Times the file was rewritten without its history (for tests). */
  compactions = 0;

  private constructor(path: string, file: FileHandle, state: Contents, fileBytes: number, truncatedBytes: number, compactBytes: number) {
    this.path = path;
    this.#file = file;
    this.#state = state;
    this.#fileBytes = fileBytes;
    this.truncatedBytes = truncatedBytes;
    this.#compactBytes = compactBytes;
    this.#next = Math.max(state.lastAppended, state.trimmedUpTo) + 1;
    this.#trimAsked = state.trimmedUpTo;
  }

  /** Opens the journal at `path`, creating an empty one if there is none; a torn tail is truncated away. */
  static async open(path: string, options: FileDurableLogOptions = {}): Promise<FileDurableLog> {
    const compactBytes = options.compactBytes ?? DEFAULT_COMPACT_BYTES;
    if (!Number.isSafeInteger(compactBytes) || compactBytes <= 0) throw new RangeError(`FileDurableLog: bad compactBytes ${compactBytes}`);
    await removeLeftover(path); // a compaction a crash interrupted: the old file is whole
    const bytes = await readOrCreate(path);
    if (bytes.length < MAGIC.length || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`FileDurableLog: ${path} is not a journal`);
    const state = new Contents();
    const scan = scanFrames(bytes, MAGIC.length, (frame) => state.apply(frame));
    const file = await open(path, 'r+');
    if (scan.end < bytes.length) {
      await file.truncate(scan.end);
      await file.datasync();
    }
    return new FileDurableLog(path, file, state, scan.end, bytes.length - scan.end, compactBytes);
  }

  append(data: Uint8Array): Promise<number> {
    const position = this.#next++;
    const frame: Frame = { kind: FrameKind.Append, position, data: data.slice() };
    return this.#submit(encodeFrame(frame), () => void this.#state.apply(frame)).then(() => position);
  }

  trim(position: number): Promise<void> {
    if (!Number.isSafeInteger(position) || position < 0) return Promise.reject(new RangeError(`FileDurableLog.trim: bad position ${position}`));
    if (position <= this.#trimAsked) return this.#submit(undefined, () => {});
    this.#trimAsked = position;
    // No position at or below a trim point is ever handed out, even one past the last append.
    this.#next = Math.max(this.#next, position + 1);
    const frame: Frame = { kind: FrameKind.Trim, position };
    return this.#submit(encodeFrame(frame), () => void this.#state.apply(frame));
  }

  writeHeader(data: Uint8Array): Promise<void> {
    const frame: Frame = { kind: FrameKind.Header, data: data.slice() };
    return this.#submit(encodeFrame(frame), () => void this.#state.apply(frame));
  }

  /** Everything durable and not trimmed, once every operation called before it is done. */
  async read(): Promise<LogContents> {
    await this.#submit(undefined, () => {});
    const s = this.#state;
    return { header: s.header.slice(), trimmedUpTo: s.trimmedUpTo, records: s.records.map((r) => ({ position: r.position, data: r.data.slice() })) };
  }

  /** Waits for every operation under way, then closes the file (later calls reject). */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#draining;
    this.#closed = true;
    await this.#file.close();
  }

  /** The file's length in bytes (history included). */
  get fileBytes(): number {
    return this.#fileBytes;
  }

  #submit(frame: Uint8Array | undefined, apply: () => void): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`FileDurableLog: ${this.path} is closed`));
    if (this.#broken !== undefined) return Promise.reject(this.#broken);
    return new Promise((resolve, reject) => {
      this.#queue.push({ frame, apply, resolve, reject });
      this.#draining ??= this.#drain();
    });
  }

  /** Writes queued frames in batches until the queue is empty. */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      try {
        await this.#commit(batch);
      } catch (error) {
        this.#broken = error;
        for (const op of [...batch, ...this.#queue.splice(0)]) op.reject(error);
        break;
      }
      for (const op of batch) op.apply();
      for (const op of batch) op.resolve();
      try {
        if (this.#compactionDue()) await this.#compact();
      } catch (error) {
        this.#broken = error; // the old file is whole (the rename never happened), but this handle may be gone
        for (const op of this.#queue.splice(0)) op.reject(error);
        break;
      }
    }
    this.#draining = undefined;
  }

  /** One write of every frame in `batch`, then one fdatasync: durable before any of them is acknowledged. */
  async #commit(batch: readonly Op[]): Promise<void> {
    const frames = batch.flatMap((op) => (op.frame === undefined ? [] : [op.frame]));
    if (frames.length === 0) return;
    const bytes = concat(frames);
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await this.#file.write(bytes, written, bytes.length - written, this.#fileBytes + written);
      written += bytesWritten;
    }
    await this.#file.datasync();
    this.#fileBytes += bytes.length;
  }

  #compactionDue(): boolean {
    return this.#fileBytes >= this.#compactBytes && this.#state.liveBytes * 2 <= this.#fileBytes;
  }

  /** Replaces the file with one holding only the current contents. */
  async #compact(): Promise<void> {
    const bytes = this.#state.encode();
    await replaceFile(this.path, bytes);
    const old = this.#file;
    this.#file = await open(this.path, 'r+');
    this.#fileBytes = bytes.length;
    this.compactions++;
    await old.close();
  }
}

async function readOrCreate(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    await replaceFile(path, MAGIC); // created whole or not at all: never a file with half a magic
    return MAGIC;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
