// Authenticated links (src/real/tcp-transport.ts with a PeerAuth): nodes with the cluster's key
// talk; a connection with a wrong key, an identity that is no node of the cluster, or no TLS at
// all is closed before any of its bytes is framed, and logged without the key; a frame naming a
// sender other than the identity its connection proved is dropped; a frame longer than the
// node's limit closes its connection.
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode } from '../src/protocol/codec.js';
import type { Message } from '../src/protocol/messages.js';
import { TcpTransport } from '../src/real/tcp-transport.js';
import { encodeFrame } from '../src/real/tcp-frames.js';
import { exchange, open, secretForms } from './wire-attacks.js';

const leave: Message = { type: 'leave-request', id: 7 };
const name = (n: string) => new TextEncoder().encode(n);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function node(self: string, key: Buffer, log: string[], maxFrameBytes?: number) {
  const t = await TcpTransport.listen(self, '127.0.0.1', 0, (e) => assert.unreachable(String(e)), maxFrameBytes === undefined ? {} : { maxFrameBytes }, { key, peers: ['parity', 'p1', 'p2'].filter((n) => n !== self), onRefused: (l) => log.push(l) });
  const got: [string, string][] = [];
  t.listen((from, m) => void got.push([from, m.type]));
  return { t, got };
}

test('members with the key talk both ways; a wrong key, a stranger\'s identity, plain TCP: refused, nothing delivered, logged without the key', async () => {
  const key = randomBytes(32);
  const log: string[] = [];
  const parity = await node('parity', key, log);
  const p1 = await node('p1', key, log);
  const bad = await node('p1', randomBytes(32), log);
  try {
    p1.t.addPeer('parity', parity.t.address);
    parity.t.addPeer('p1', p1.t.address);
    p1.t.send('parity', leave);
    parity.t.send('p1', { type: 'leave-complete', id: 7 });
    bad.t.addPeer('parity', parity.t.address);
    bad.t.send('parity', leave);
    await pause(300);
    assert.equal(parity.got, [['p1', 'leave-request']]);
    assert.equal(p1.got, [['parity', 'leave-complete']]);
    assert.not.ok(bad.t.link('parity')!.connected, 'a node with another key never connects');
    // A stranger with the right key but no node's name, and plain TCP carrying a well-formed frame.
    assert.is(await open(parity.t.address.port, { identity: 'mallory', key }), undefined);
    const plain = await open(parity.t.address.port);
    const said = await exchange(plain!, [encodeFrame(name('p1'), encode(leave))], 1000);
    assert.ok(said.closed, 'plain TCP is closed');
    await pause(50);
    assert.equal(parity.got, [['p1', 'leave-request']], 'nothing more delivered');
    assert.ok(parity.t.refused >= 3, `${parity.t.refused} refused`);
    const text = log.join('\n');
    assert.match(text, /peer connection from 127\.0\.0\.1:\d+ as "p1" refused: authentication failed \(ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC\)/);
    assert.match(text, /as "mallory" \(not a node of this cluster\) refused: authentication failed/);
    assert.match(text, /peer connection from 127\.0\.0\.1:\d+ refused: authentication failed \(ERR_SSL_WRONG_VERSION_NUMBER\)/);
    for (const s of secretForms(key)) assert.is(Buffer.from(text).indexOf(s), -1, 'no key in the log');
  } finally {
    await Promise.all([parity.t.close(), p1.t.close(), bad.t.close()]);
  }
});

test('a frame naming another sender than its connection proved is dropped; one longer than the limit closes the connection', async () => {
  const key = randomBytes(32);
  const log: string[] = [];
  const parity = await node('parity', key, log, 4096 + 1024);
  try {
    const s = await open(parity.t.address.port, { identity: 'p2', key });
    assert.ok(s !== undefined, 'p2 authenticates');
    const r = await exchange(s!, [encodeFrame(name('p1'), encode(leave)), encodeFrame(name('p2'), encode(leave))], 300);
    assert.not.ok(r.closed);
    assert.equal(parity.got, [['p2', 'leave-request']], 'p2\'s own frame delivered (its controller judges a non-member), the one claiming p1 not');
    assert.is(parity.t.impostor, 1);
    assert.match(log.join('\n'), /frame from "p2" claiming to be from "p1" dropped \(1 so far\)/);
    const long = await open(parity.t.address.port, { identity: 'p2', key });
    const header = new Uint8Array(6);
    new DataView(header.buffer).setUint32(0, 4096 + 1025, true);
    const cut = await exchange(long!, [header], 2000);
    assert.ok(cut.closed, 'a length past the limit closes the connection at once (nothing buffered for it)');
    assert.is(parity.t.malformed, 1);
  } finally {
    await parity.t.close();
  }
});

test.run();
