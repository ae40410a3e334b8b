// A node's admin socket (src/real/admin-socket.ts): mode 0600, one JSON order
// per line answered in order, anything else answered with an error, an
// over-long line ending the connection, an answer sent even to a client that
// closed its side, a live socket refusing a second node and a dead one's
// socket replaced.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type AdminOp, AdminServer, adminRequest } from '../src/real/admin-socket.js';

/** Sends `text` and half-closes; everything the server says until it closes. */
function exchange(path: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(path);
    let got = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', () => {});
    s.end(text);
  });
}

test('orders answered in order, bad lines refused, an answer to a half-closed client, mode 0600', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-admin-'));
  const path = join(dir, 'admin.sock');
  const seen: AdminOp[] = [];
  let after = 0;
  const admin = await AdminServer.listen(path, async (op) => {
    seen.push(op);
    await new Promise((r) => setTimeout(r, op === 'status' ? 20 : 0)); // a slow first answer must not be overtaken
    return { reply: op === 'join' ? { ok: false, error: 'not now' } : { ok: true, op }, after: () => void after++ };
  });
  try {
    assert.is(statSync(path).mode & 0o777, 0o600);
    const lines = (await exchange(path, '{"op":"status"}\nnonsense\n{"op":"reboot"}\n[1]\n{"op":"join"}\n')).trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines, [
      { ok: true, op: 'status' },
      { ok: false, error: 'not JSON: send one object per line, e.g. {"op": "status"}' },
      { ok: false, error: 'unknown op "reboot"; expected one of status, join, leave, restore, rebuild, fail, stop' },
      { ok: false, error: 'unknown op undefined; expected one of status, join, leave, restore, rebuild, fail, stop' },
      { ok: false, error: 'not now' },
    ]);
    assert.equal(seen, ['status', 'join']);
    assert.is(after, 2, 'each answer\'s follow-up runs once it is sent');
    assert.match(await exchange(path, 'x'.repeat(70 * 1024)), /a line longer than 65536 bytes/);
    assert.equal(await adminRequest(path, 'leave'), { ok: true, op: 'leave' });
  } finally {
    await admin.close();
  }
  assert.equal(await adminRequest(path, 'status'), { ok: false, error: 'not running (its admin socket does not answer)' });
  rmSync(dir, { recursive: true, force: true });
});

test('the socket is the directory\'s lock: a live one refuses a second server, a dead one\'s is replaced', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-admin-'));
  const path = join(dir, 'admin.sock');
  const handler = async () => ({ reply: { ok: true } as const });
  const first = await AdminServer.listen(path, handler);
  try {
    await AdminServer.listen(path, handler).then(
      () => assert.unreachable('a second server on a live socket'),
      (error: Error) => assert.match(error.message, /another node is running in this directory/),
    );
  } finally {
    await first.close();
  }
  // A node killed with SIGKILL leaves its socket behind, answering nobody.
  spawnSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
  assert.ok(existsSync(path), 'a dead node\'s socket');
  const second = await AdminServer.listen(path, handler);
  assert.equal(await adminRequest(path, 'status'), { ok: true });
  await second.close();
  await AdminServer.listen(join(dir, 'x'.repeat(120)), handler).then(
    () => assert.unreachable('a path too long for a Unix socket'),
    (error: Error) => assert.match(error.message, /longer than a Unix socket path may be/),
  );
  rmSync(dir, { recursive: true, force: true });
});

test.run();
