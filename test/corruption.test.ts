// Silent corruption and misdirected writes (H12): every block carries a
// checksum that includes its number, every read checks it, and the scrub finds
// and repairs what no read met — the bad copy, whichever it is. The checkers
// are shown to catch a controller that skips the check or repairs the wrong copy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { blockChecksum } from '../src/protocol/checksum.js';
import { intact } from '../src/util/verified-disk.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { scenario } from './helpers.js';

const load = { duration: '400ms', iodepth: 4, thinkTime: '500us', readFraction: 0.4 };
const damage = [
  { at: '20ms', do: 'corrupt', array: 'p1', count: 12 },
  { at: '40ms', do: 'corrupt', array: 'parity', count: 12 },
  { at: '60ms', do: 'misdirect', array: 'p2', count: 6 },
  { at: '80ms', do: 'misdirect', array: 'parity', count: 6 },
];

test('checksums: the block number is part of it, and any single changed byte is caught', () => {
  const data = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
  const sum = blockChecksum(42, data);
  assert.ok(intact(42, data, sum));
  assert.not.ok(intact(43, data, sum), 'the same data as another block');
  for (let i = 0; i < data.length; i++) {
    for (const flip of [1, 0x80, 0xff]) {
      const bad = data.slice();
      bad[i]! ^= flip;
      assert.not.ok(intact(42, bad, sum));
    }
  }
  assert.ok(intact(7, new Uint8Array(16), undefined), 'never written: zeros');
  assert.not.ok(intact(7, data, undefined));
});

test('hardened + scrub: corruption and misdirected writes on members and parity are all found and repaired; nothing wrong is read', async () => {
  // Hosts touch few blocks (a slow load over 512), so the scrub meets most of the damage first.
  const s = scenario({ primaries: { count: 3, blocks: 512 }, workload: { ...load, thinkTime: '5ms' }, scrub: { interval: '100us' }, faults: { schedule: damage } });
  for (const seed of [1, 2]) {
    const r = await runScenario(s, { seed, file: 'x' });
    assert.is(r.verdict, 'pass', r.violations[0]?.message);
    assert.is(r.hostOps.failed, 0);
    for (const probe of ['checksum-mismatch-on-read', 'scrub-mismatch-found', 'scrub-repaired-member', 'scrub-repaired-parity']) {
      assert.ok((r.probes[probe] ?? 0) > 0, `${probe}: ${JSON.stringify(r.probes)}`);
    }
    assert.is(r.probes['scrub-mismatch-unresolved'], undefined, 'checksums always named the bad copy');
  }
});

test('the scrub on HDD arrays repairs corruption, misdirected writes and latent sector errors alike', async () => {
  const s = scenario({
    primaries: { count: 3, blocks: 128 },
    disk: { model: 'hdd', drives: 2, queue: 'sptf' },
    workload: { duration: '1s', iodepth: 4, thinkTime: '5ms', readFraction: 0.5 },
    scrub: { interval: '2ms' },
    settle: '30s',
    faults: {
      schedule: [...damage.slice(0, 3), { at: '200ms', do: 'latent-errors', array: 'p3', count: 10 }],
    },
  });
  const r = await runScenario(s, { seed: 1, file: 'x' });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  for (const probe of ['scrub-repaired-member', 'scrub-repaired-parity']) assert.ok((r.probes[probe] ?? 0) > 0, probe);
});

test('without a scrub, damage nobody reads stays (exempt from the parity check), and reads are still never wrong', async () => {
  const r = await runScenario(scenario({ primaries: { count: 3, blocks: 128 }, workload: load, faults: { schedule: damage } }), { seed: 1, file: 'x' });
  assert.is(r.verdict, 'pass', r.violations[0]?.message);
  assert.ok((r.probes['checksum-mismatch-on-read'] ?? 0) > 0);
});

test('literal (no checksums) serves the corruption to its host: caught', async () => {
  const s = scenario({ protocol: 'literal', primaries: { count: 3, blocks: 32 }, workload: { ...load, readFraction: 1 }, faults: { schedule: [{ at: '20ms', do: 'corrupt', array: 'p1', count: 20 }] } });
  const r = await runScenario(s, { seed: 1, file: 'x' });
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]!.kind, 'durability');
});

test('planted bug "no-checksum-verify" (host reads unchecked) is caught: corrupt data reaches a host', async () => {
  const s = scenario({ primaries: { count: 3, blocks: 32 }, workload: { ...load, readFraction: 1 }, faults: { schedule: [{ at: '20ms', do: 'corrupt', array: 'p1', count: 20 }] } });
  const clean = await runScenario(s, { seed: 1, file: 'x' });
  assert.is(clean.verdict, 'pass', clean.violations[0]?.message);
  const r = await runScenario(s, { seed: 1, file: 'x', plantedBugs: new Set(['no-checksum-verify']) });
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]!.kind, 'durability');
  assert.match(r.violations[0]!.message, /^host read of p1\[\d+\] returned data/);
});

test('planted bug "scrub-repairs-wrong-copy" (rewrites Q instead of the bad member copy) is caught', async () => {
  const s = scenario({
    primaries: { count: 3, blocks: 512 },
    workload: { ...load, thinkTime: '5ms' },
    scrub: { interval: '100us' },
    faults: { schedule: [{ at: '20ms', do: 'corrupt', array: 'p1', count: 40 }] },
  });
  const clean = await runScenario(s, { seed: 1, file: 'x' });
  assert.is(clean.verdict, 'pass', clean.violations[0]?.message);
  const r = await runScenario(s, { seed: 1, file: 'x', plantedBugs: new Set(['scrub-repairs-wrong-copy']) });
  // The member's copy, rebuilt later from the wrong Q, is wrong: a host reads it.
  assert.is(r.verdict, 'correctness');
  assert.is(r.violations[0]!.kind, 'durability', r.violations[0]!.message);
});

test.run();
