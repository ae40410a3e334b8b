// cli/cluster/processes.ts: a node that has exited is not running, even while
// it waits, a zombie, for its adopter to reap it (found by the chaos test:
// this VM's init reaps a second late, so every `cluster down` waited a second
// per node; under a PID 1 that never reaps, `down` would have waited forever).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alive, stopPid } from '../cli/cluster/processes.js';

const state = (pid: number) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
  } catch {
    return 'gone';
  }
};

test('a zombie is not alive; its parent is; stopPid on a zombie returns at once', async () => {
  // The shell starts `sleep 0`, prints its pid and becomes `sleep 5`, which never reaps it.
  const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const child = Number(await new Promise<string>((r) => parent.stdout.once('data', (d: Buffer) => r(d.toString()))));
    for (let i = 0; i < 200 && state(child) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 10));
    assert.is(state(child), 'Z', 'the child is a zombie');
    assert.is(alive(child), false);
    assert.is(alive(parent.pid!), true);
    const began = Date.now();
    assert.is(await stopPid(child, 5000), 'stopped');
    assert.ok(Date.now() - began < 1000, 'no wait for a reaping that does not come');
  } finally {
    parent.kill('SIGKILL');
  }
  assert.is(alive(2 ** 22 + 1), false, 'a pid past pid_max: no such process');
});

test.run();
