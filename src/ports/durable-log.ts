// Port: a durable, append-only log (the controller's journal, e.g. NVRAM or a
// dedicated log device). It survives a controller crash; it is lost with the
// array.

export interface LogRecord {
  /** Position: increases by one per append, never reused, even after trim. */
  readonly position: number;
  readonly data: Uint8Array;
}

export interface LogContents {
  /** The last header written (empty if none): small state that must outlive trimming. */
  readonly header: Uint8Array;
  /** Every record at or below this position was trimmed. */
  readonly trimmedUpTo: number;
  readonly records: readonly LogRecord[];
}

export interface DurableLog {
  /** Resolves with the record's position once it is durable. */
  append(data: Uint8Array): Promise<number>;
  /** Discards every record at or below `position` (durably, before resolving). */
  trim(position: number): Promise<void>;
  /** Replaces the header, durably (a superblock: a few bytes of state). */
  writeHeader(data: Uint8Array): Promise<void>;
  /** Everything not trimmed, in append order (for recovery after a restart). */
  read(): Promise<LogContents>;
}
