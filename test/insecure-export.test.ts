// An export beyond loopback without TLS runs only with "insecure": true in the cluster file, and
// its node says so in its log at every start (the refusal without it: cluster-file.test.ts).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseClusterText } from '../cli/cluster/cluster-file.js';
import { initSecrets } from '../cli/cluster/secret-files.js';
import type { ClusterConfig } from '../src/real/cluster-config.js';
import { NodeRuntime } from '../src/real/node-runtime.js';
import { freePorts } from './wire-attacks.js';

test('"insecure": true and an export on 0.0.0.0: the node starts and warns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xorsim-insecure-'));
  const [q, a, n] = (await freePorts(3)) as [number, number, number];
  const file = join(dir, 'c.json');
  writeFileSync(file, JSON.stringify({ name: 'open', insecure: true, parity: { address: `127.0.0.1:${q}`, dir: 'q' }, primaries: [{ name: 'p1', address: `127.0.0.1:${a}`, nbd: `0.0.0.0:${n}`, dir: 'p1', blocks: 8 }] }));
  const cluster = parseClusterText(file, readFileSync(file, 'utf8')) as ClusterConfig;
  initSecrets(cluster, false);
  const log: string[] = [];
  const node = await NodeRuntime.start({ cluster, name: 'p1', mode: 'init', print: (l) => log.push(l), exit: () => {} });
  try {
    assert.match(log.join('\n'), new RegExp(`p1 warning: nbd export on 0\\.0\\.0\\.0:${n} without TLS \\("insecure": true in the cluster file\\): anyone who can reach it reads and writes this array`));
  } finally {
    await node.stop('test over');
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
