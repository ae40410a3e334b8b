// One life of a node's controller, from start (or restart) to crash.
//
// A crash must stop the controller dead, yet its async code is still in the
// heap: promises it awaits will resolve. So every port a controller gets is
// gated by its incarnation (the journal by its SimLog, asking whether the life
// is alive): once dead, sends are dropped, timers never fire, and disk,
// journal and clock promises never resolve — the dead code is frozen forever.
// Disk I/O already submitted keeps going at the device (a crash does not
// unsubmit it); only its answer is lost.
import type { BlockDevice, ReadResult, WriteResult } from '../../src/ports/block-device.js';
import type { Clock, Micros, Timer } from '../../src/ports/clock.js';
import type { Transport } from '../../src/ports/transport.js';
import type { CallbackDevice } from '../disk/sim-device.js';

export class Incarnation {
  readonly node: string;
  readonly number: number;
  #alive = true;

  constructor(node: string, number: number) {
    this.node = node;
    this.number = number;
  }

  get alive(): boolean {
    return this.#alive;
  }

  kill(): void {
    this.#alive = false;
  }

  /** Resolves as `promise` does while alive; never, once dead. (One derived promise: it settles in the same job a wrapping one would.) */
  gate<T>(promise: Promise<T>): Promise<T> {
    return promise.then(
      (value) => (this.#alive ? value : never<T>()),
      (error: unknown) => {
        if (this.#alive) throw error;
        return never<T>();
      },
    );
  }

  /**
   * `device`'s port for this life. A device that answers through callbacks
   * (the world's ports) costs one promise per operation; any other is gated.
   */
  device(device: BlockDevice & Partial<CallbackDevice>): BlockDevice {
    const alive = () => this.#alive;
    const { readThen, writeThen } = device;
    const callbacks = readThen !== undefined && writeThen !== undefined;
    // A dead life's answer never comes: its promise is left pending.
    const read = callbacks
      ? (block: number): Promise<ReadResult> => new Promise((resolve) => readThen.call(device, block, (r) => alive() && resolve(r)))
      : (block: number): Promise<ReadResult> => this.gate(device.read(block));
    const write = callbacks
      ? (block: number, data: Uint8Array, checksum?: number): Promise<WriteResult> => new Promise((resolve) => writeThen.call(device, block, data, (r) => alive() && resolve(r), checksum))
      : (block: number, data: Uint8Array, checksum?: number): Promise<WriteResult> => this.gate(device.write(block, data, checksum));
    return {
      get blockBytes() {
        return device.blockBytes;
      },
      get blockCount() {
        return device.blockCount;
      },
      ...(device.keepsChecksums === undefined ? {} : { keepsChecksums: device.keepsChecksums }),
      read: (block: number): Promise<ReadResult> => (alive() ? read(block) : never()),
      write: (block: number, data: Uint8Array, checksum?: number): Promise<WriteResult> => (alive() ? write(block, data, checksum) : never()),
      flush: (): Promise<WriteResult> => (alive() ? this.gate(device.flush()) : never()),
      ...(device.lostBlocks === undefined ? {} : { lostBlocks: () => device.lostBlocks!() }),
    };
  }

  transport(endpoint: Transport): Transport {
    return {
      self: endpoint.self,
      send: (to, message) => {
        if (this.#alive) endpoint.send(to, message);
      },
      listen: (handler) =>
        endpoint.listen((from, message) => {
          if (this.#alive) return handler(from, message);
        }),
    };
  }

  clock(clock: Clock): Clock {
    return {
      now: () => clock.now(),
      sleep: (us: Micros) => (this.#alive ? this.gate(clock.sleep(us)) : never()),
      timer: (us: Micros, fn: () => void): Timer => clock.timer(us, () => this.#alive && fn()),
      spawn: (name, task) => clock.spawn(name, () => (this.#alive ? task() : never())),
    };
  }
}

function never<T>(): Promise<T> {
  return new Promise<T>(() => {});
}
