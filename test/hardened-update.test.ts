// hardened applies every delta exactly once over a transport that loses and
// duplicates messages (hazards H1, H2); literal, fed the same faults, does not.
// Real controllers on the engine with ideal disks; the transport is a small
// deterministic fault-injecting stand-in, so this test needs no network model.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParityController } from '../src/parity/parity-controller.js';
import type { MessageHandler, NodeId, Transport } from '../src/ports/transport.js';
import { PrimaryController } from '../src/primary/primary-controller.js';
import { decode, encode } from '../src/protocol/codec.js';
import type { Message } from '../src/protocol/messages.js';
import type { ProtocolVariant } from '../src/protocol/variant.js';
import { LiteralPrimary } from '../src/primary/literal-primary.js';
import { LiteralParity } from '../src/parity/literal-parity.js';
import { equalBytes, xorInto } from '../src/protocol/xor.js';
import { IdealDisk } from '../sim/disk/ideal-disk.js';
import { Engine } from '../sim/engine/engine.js';
import { SimClock } from '../sim/world/sim-clock.js';

/** Delivers after 50 µs; drops and duplicates deltas and acks with the given probabilities. */
class FaultyNet {
  readonly #engine: Engine;
  readonly #handlers = new Map<NodeId, MessageHandler>();
  readonly #rng;
  dropped = 0;
  duplicated = 0;

  constructor(engine: Engine, readonly loss: number, readonly dup: number) {
    this.#engine = engine;
    this.#rng = engine.random.stream('faulty-net');
  }

  endpoint(self: NodeId): Transport {
    return { self, send: (to, m) => this.#send(self, to, m), listen: (h) => void this.#handlers.set(self, h) };
  }

  #send(from: NodeId, to: NodeId, message: Message): void {
    const faulty = message.type === 'delta' || message.type === 'delta-ack';
    if (faulty && this.#rng.chance(this.loss)) {
      this.dropped++;
      return;
    }
    const copies = faulty && this.#rng.chance(this.dup) ? 2 : 1;
    if (copies === 2) this.duplicated++;
    const wire = encode(message);
    for (let i = 0; i < copies; i++) {
      this.#engine.after(50 + i * this.#rng.int(3000), this.#engine.trace.kind('net'), () => {
        const r = this.#handlers.get(to)?.(from, decode(wire));
        if (r) this.#engine.watch(r, to);
      });
    }
  }
}

async function run(variant: ProtocolVariant, loss: number, dup: number) {
  const e = new Engine(11);
  const net = new FaultyNet(e, loss, dup);
  const disk = (name: string) => new IdealDisk(e, { name, blockCount: 32, blockBytes: 8, latencyUs: 100 });
  const names = ['p1', 'p2', 'p3'];
  const primaries = names.map((name) => {
    const d = disk(name);
    const ports = { disk: d, transport: net.endpoint(name), clock: new SimClock(e, name), parity: 'parity' };
    const c = variant === 'literal' ? new LiteralPrimary(ports) : new PrimaryController(ports);
    c.start();
    return { d, c };
  });
  const qDisk = disk('parity');
  const parityPorts = { disk: qDisk, transport: net.endpoint('parity'), clock: new SimClock(e, 'parity'), members: names.map((name) => ({ name, blockCount: 32, joining: false })) };
  const parity = variant === 'literal' ? new LiteralParity(parityPorts) : new ParityController(parityPorts);
  parity.start();
  const rng = e.random.stream('writes');
  const acked: boolean[] = [];
  for (let i = 0; i < 300; i++) {
    const p = primaries[i % 3]!;
    e.at(i * 200, e.trace.kind('w'), () => {
      e.watch(p.c.hostWrite(rng.int(32), rng.fill(new Uint8Array(8))).then((r) => void acked.push(r.ok)), 'host');
    });
  }
  await e.run();
  assert.is(e.crash, undefined);
  let wrong = 0;
  for (let k = 0; k < 32; k++) {
    const x = new Uint8Array(8);
    for (const p of primaries) xorInto(x, p.d.store.get(k));
    if (!equalBytes(x, qDisk.store.get(k))) wrong++;
  }
  return { wrong, acked: acked.length, net, retransmissions: primaries.reduce((n, p) => n + (p.c instanceof PrimaryController ? p.c.retransmissions : 0), 0), duplicatesDropped: parity instanceof ParityController ? parity.duplicatesDropped : 0 };
}

test('hardened: 10% loss and 10% duplication of deltas and acks — parity exact, every write acked', async () => {
  const r = await run('hardened', 0.1, 0.1);
  assert.ok(r.net.dropped > 20 && r.net.duplicated > 20, `faults injected: ${r.net.dropped} dropped, ${r.net.duplicated} duplicated`);
  assert.is(r.wrong, 0);
  assert.is(r.acked, 300);
  assert.ok(r.retransmissions >= r.net.dropped / 2, `retransmissions ${r.retransmissions}`);
  assert.ok(r.duplicatesDropped > 0);
});

test('literal: the same losses leave parity wrong (H1)', async () => {
  const r = await run('literal', 0.1, 0);
  assert.ok(r.wrong > 0);
});

test('literal: duplicated deltas are applied twice and leave parity wrong (H2)', async () => {
  const r = await run('literal', 0, 0.2);
  assert.ok(r.wrong > 0);
});
test.run();
