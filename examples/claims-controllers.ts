// A primary and a parity controller written from the claims alone, as a
// module for `xorsim … --controllers examples/claims-controllers.ts`.
//
// N primary arrays each serve their own host; one parity array keeps, for
// every block number k, Q[k] = XOR of every member's block k. What the claims
// say, and where this file does it:
//
//   build   (claims 1, 6, 11): each primary sends a copy of every block; parity
//           XORs the copies with the same block number and stores the result.
//   update  (claims 2, 7, 12): on a host write, the primary reads the old
//           block, computes delta = old XOR new, stores new and sends
//           (k, delta) to parity; parity reads Q[k], XORs the delta into it,
//           writes Q[k] back.
//   join    (claims 3, 4, 8, 9, 13, 14): an added array sends copies of its
//           blocks, which parity XORs into Q, and from then on its deltas.
//   restore (claims 5, 10, 15): an array that lost its data asks parity for
//           it; parity asks every other member for a copy of each block, XORs
//           the copies with Q[k] and sends the result back.
//
// Two things the claims leave open are settled here the simplest way:
// read-modify-writes of one block run one at a time at each array (without
// that two writes to a block lose one update even on ideal hardware), and a
// delta for a block whose copy parity has not merged yet is dropped, since
// the copy will carry it. Everything else the claims do not mention is left
// out, on purpose: no acknowledgements, retransmissions or duplicate
// detection, no journal (a crash forgets whatever was in flight), no loss
// reports, no leave (the claims have none: leave() refuses), no scrub. The
// checker finds what that costs; see examples/README.md.
//
// Only types come from 'xorsim' (erased when the module is loaded), so the
// file runs as it is from a checkout or from an installed package.
import type { ControllerModule, Message, ParityPorts, ParityConfig, ParityRole, PrimaryConfig, PrimaryPorts, PrimaryRole } from 'xorsim';

/** a XOR b, as a new array (both the same length). */
function xor(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

/** Runs `fn` once every earlier call for the same block has finished: one read-modify-write of a block at a time. */
function blockLocks() {
  const tails = new Map<number, Promise<unknown>>();
  return <T>(block: number, fn: () => Promise<T>): Promise<T> => {
    const run = (tails.get(block) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    tails.set(block, tail);
    void tail.then(() => tails.get(block) === tail && tails.delete(block));
    return run;
  };
}

export function primary(ports: PrimaryPorts, config: PrimaryConfig): PrimaryRole {
  const { disk, transport } = ports;
  const locked = blockLocks();
  let member = config.member;
  /** While restoring, host I/O waits: the local disk does not hold the host's data yet. */
  let restoring: Promise<void> | undefined;
  let restoreDone = () => {};
  const send = (message: Message) => transport.send(config.parity, message);

  async function onMessage(from: string, message: Message): Promise<void> {
    if (from !== config.parity) return;
    switch (message.type) {
      case 'build-request': // claims 1 and 3: a copy of each block asked for (under its lock: between writes)
        for (let k = message.first; k < message.first + message.count && k < disk.blockCount; k++) {
          await locked(k, async () => {
            const r = await disk.read(k);
            if (r.ok) send({ type: 'block-copy', block: k, data: r.data });
          });
        }
        return;
      case 'copy-request': // claim 5: another array is being restored
        return locked(message.block, async () => {
          const r = await disk.read(message.block);
          if (r.ok) transport.send(from, { type: 'copy-reply', id: message.id, block: message.block, status: 0, data: r.data });
        });
      case 'restore-data': // claim 5: a block of ours, rebuilt by parity
        return void (await disk.write(message.block, message.data));
      case 'restore-complete':
        restoring = undefined;
        restoreDone();
        return ports.report.restored();
      default:
        return; // nothing else is in the claims
    }
  }

  return {
    start: () => transport.listen(onMessage),
    async hostWrite(block, data) {
      if (block < 0 || block >= disk.blockCount || data.length !== disk.blockBytes) return { ok: false, error: 'bad-request' };
      await restoring;
      return locked(block, async () => {
        const old = await disk.read(block);
        if (!old.ok) return old;
        const delta = xor(old.data, data); // claim 2: the XOR of the write data and the data it replaces
        const written = await disk.write(block, data);
        if (!written.ok) return written;
        if (member) send({ type: 'delta', block, epoch: 0, seq: 0, replaces: 0, data: delta });
        return { ok: true };
      });
    },
    async hostRead(block) {
      if (block < 0 || block >= disk.blockCount) return { ok: false, error: 'bad-request' };
      await restoring;
      return locked(block, () => disk.read(block));
    },
    restore() {
      restoring ??= new Promise<void>((done) => (restoreDone = done));
      send({ type: 'restore-request', id: ports.boot, epoch: 0, resume: 0 });
    },
    join() {
      member = true; // deltas from now on; parity drops those its copies will carry
      send({ type: 'join-request', id: ports.boot, blockCount: disk.blockCount });
    },
    leave() {
      throw new Error('claims-controllers: leave is not in the claims (1-15); this module cannot take an array out of the group');
    },
  };
}

export function parity(ports: ParityPorts, config: ParityConfig): ParityRole {
  const { disk, transport, clock } = ports;
  const locked = blockLocks();
  /** Per member: its size, and the blocks whose copy is in Q (undefined: all of them). */
  const members = new Map<string, { blockCount: number; merged?: Set<number>; whole?: () => void }>();
  for (const m of config.members) members.set(m.name, { blockCount: m.blockCount });
  /** Copy requests of a restore, waiting for their replies: `${from}/${id}` → its answer. */
  const waiting = new Map<string, (data: Uint8Array) => void>();
  let nextId = ports.boot * 2 ** 32;

  /** Q[k] ^= data, as one read-modify-write of the block (claims 1, 2, 3). */
  const fold = (k: number, data: Uint8Array) =>
    locked(k, async () => {
      const q = await disk.read(k);
      if (q.ok) await disk.write(k, xor(q.data, data));
    });

  /** Asks `name` for a copy of every block and XORs each into Q as it comes (claims 1, 3); resolves when all are in. */
  function merge(name: string, blockCount: number): Promise<void> {
    return new Promise((whole) => {
      members.set(name, { blockCount, merged: new Set(), whole });
      if (blockCount === 0) return finish(name);
      transport.send(name, { type: 'build-request', first: 0, count: blockCount });
    });
  }

  function finish(name: string): void {
    const m = members.get(name)!;
    const whole = m.whole;
    members.set(name, { blockCount: m.blockCount });
    whole?.();
  }

  async function restore(to: string, id: number): Promise<void> {
    const others = [...members].filter(([name]) => name !== to);
    for (let k = 0; k < members.get(to)!.blockCount; k++) {
      // claim 5: a copy of block k from every other member (a smaller one has none: zeros), XORed with Q[k].
      const copies = others.filter(([, m]) => k < m.blockCount).map(([name]) => ask(name, k));
      let data = (await Promise.all(copies)).reduce(xor, new Uint8Array(disk.blockBytes));
      await locked(k, async () => {
        const q = await disk.read(k);
        if (q.ok) data = xor(data, q.data);
      });
      transport.send(to, { type: 'restore-data', id, session: 0, block: k, lost: 0, data });
    }
    transport.send(to, { type: 'restore-complete', id, session: 0 });
  }

  function ask(name: string, block: number): Promise<Uint8Array> {
    const id = nextId++;
    return new Promise((answer) => {
      waiting.set(`${name}/${id}`, answer);
      transport.send(name, { type: 'copy-request', id, block });
    });
  }

  async function onMessage(from: string, message: Message): Promise<void> {
    const m = members.get(from);
    switch (message.type) {
      case 'block-copy': // claims 1 and 3
        if (m?.merged === undefined || m.merged.has(message.block)) return;
        await fold(message.block, message.data);
        m.merged.add(message.block);
        if (m.merged.size === m.blockCount) finish(from);
        return;
      case 'delta': // claims 2 and 4 (a block not merged yet: its copy carries this write)
        if (m === undefined || (m.merged !== undefined && !m.merged.has(message.block))) return;
        return fold(message.block, message.data);
      case 'copy-reply':
        waiting.get(`${from}/${message.id}`)?.(message.data);
        waiting.delete(`${from}/${message.id}`);
        return;
      case 'restore-request': // claim 5
        if (m !== undefined) clock.spawn(`restore ${from}`, () => restore(from, message.id));
        return;
      case 'join-request': // claim 3
        if (m !== undefined || !config.peers.includes(from)) return;
        clock.spawn(`join ${from}`, async () => {
          await merge(from, message.blockCount);
          transport.send(from, { type: 'join-complete', id: message.id });
          ports.report.joined(from);
        });
        return;
      default:
        return;
    }
  }

  /** Claim 1: Q from every member's copies. */
  async function build(): Promise<void> {
    await Promise.all(config.members.map((m) => merge(m.name, m.blockCount)));
  }

  return {
    start: () => transport.listen(onMessage),
    build,
    rebuild() {
      // A new, empty parity array: claim 1 again, each member reported merged once its copies are in.
      clock.spawn('rebuild', async () => {
        await build();
        for (const m of config.members) ports.report.joined(m.name);
      });
    },
  };
}

// The shape a --controllers module exports (named exports work as well).
const module: ControllerModule = { primary, parity };
export default module;
