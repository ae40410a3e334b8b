// The CI gate: every scenario in scenarios/ over GATE_SEEDS seeds, quick (the
// load cut just past the last scheduled fault: every fault still happens), on
// two workers, with the determinism re-check. Every seed must pass, every re-run
// match, and each scenario must reach the code probes it exists for. A failure
// prints the summary with each failing seed's violation and replay command.
//
// The selftest half of the gate (every planted bug caught) belongs with
// `xorsim selftest`, which runs through the same explore() with plantedBugs.
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProbeName } from '../src/protocol/probe-names.js';
import { type ExploreTarget, explore } from '../sim/explore/explore.js';
import { formatExploration } from '../sim/explore/format.js';
import type { Exploration } from '../sim/explore/result.js';
import { parseScenarioText } from '../sim/scenario/load.js';

// uvu sets FORCE_COLOR; with NO_COLOR also set (scripts/test.mjs), every worker thread would warn.
delete process.env.FORCE_COLOR;

const GATE_SEEDS = 20;
const VARIANT = { swarm: false, quick: true };

const dir = new URL('../scenarios/', import.meta.url);
const targets: ExploreTarget[] = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
  .sort()
  .map((f) => {
    const file = `scenarios/${f}`;
    const r = parseScenarioText(file, readFileSync(new URL(f, dir), 'utf8'));
    if (!r.ok) throw new Error(`${file} does not validate`);
    return { file, scenario: r.scenario };
  });

/** The probes each scenario exists to reach (src/protocol/probe-names.ts says what each means). */
const EXPECTED: Record<string, readonly ProbeName[]> = {
  'lossy-network': ['delta-retransmitted', 'duplicate-delta-dropped'],
  'hdd-arrays': ['delta-retransmitted', 'duplicate-delta-dropped'],
  'crash-recovery': ['primary-journal-redo', 'parity-journal-redo'],
  'rebuild-under-load': ['degraded-read-served', 'restore-cut-retried'],
  'join-under-load': ['join-delta-absorbed'],
  'parity-rebuild': ['join-delta-absorbed', 'leave-waited-for-join'],
  'double-failure': ['block-reported-lost'],
  'latent-errors': ['block-reported-lost', 'degraded-read-served'],
  'mixed-sizes': ['degraded-read-served', 'restore-resumed-after-silence'],
  'join-crash': ['parity-journal-redo', 'join-delta-absorbed'],
  'silent-corruption': ['checksum-mismatch-on-read', 'scrub-mismatch-found', 'scrub-repaired-member', 'scrub-repaired-parity'],
  'drive-failure': ['lost-block-rebuilt', 'parity-block-rebuilt'],
  'hot-blocks': ['delta-waited-for-previous', 'delta-retransmitted', 'degraded-read-served'],
  'outsider-media-errors': ['checksum-mismatch-on-read', 'block-reported-lost'],
  'confused-peers': ['peer-message-refused', 'degraded-read-served'],
  'loss-then-crash': ['block-reported-lost', 'loss-declared', 'stripe-reprotected', 'primary-journal-redo'],
  'power-after-restore': ['restore-resumed-after-crash', 'parity-journal-redo', 'stale-restore-data-ignored', 'join-delta-absorbed'],
  'hdd-scrub': ['read-right-again', 'scrub-repaired-member', 'scrub-repaired-parity', 'media-error-repaired'],
  'unlimited-scrub': ['scrub-found-loss', 'stripe-reprotected', 'block-reported-lost', 'scrub-repaired-member', 'scrub-repaired-parity'],
  'join-loss-parity-crash': ['loss-declared', 'block-reported-lost', 'parity-journal-redo', 'stripe-reprotected'],
  'stale-stripe-parity-crash': ['loss-declared', 'block-reported-lost', 'parity-journal-redo', 'stripe-reprotected'],
};

let gate: Exploration;

test(`gate: every scenario (${targets.length}) × ${GATE_SEEDS} seeds, quick, 2 workers — every seed passes, every re-run identical`, async () => {
  gate = await explore(targets, { from: 1, seeds: GATE_SEEDS, workers: 2, variant: VARIANT });
  const summary = formatExploration(gate);
  console.log(`\n${summary}\n`);
  assert.is(gate.totals.runs, targets.length * GATE_SEEDS);
  assert.is(gate.totals.pass, gate.totals.runs, summary);
  assert.equal(gate.determinism.mismatches, [], summary);
  assert.ok(gate.determinism.rechecked.length >= targets.length, 'at least one seed of every scenario re-run');
});

test('gate: each scenario reaches the probes it exists for, and does real work', () => {
  for (const name of Object.keys(EXPECTED)) assert.ok(gate.scenarios.some((s) => s.name === name), `${name}: expected probes, but no such scenario in scenarios/`);
  for (const s of gate.scenarios) {
    for (const probe of EXPECTED[s.name] ?? []) {
      const seeds = s.runs.filter((r) => (r.probes[probe] ?? 0) > 0).length;
      assert.ok(seeds > 0, `${s.name}: probe ${probe} reached in none of ${s.runs.length} seeds`);
    }
    // Quick loads are short, not empty: even the slowest (HDD arrays, 20 ms think time) issues dozens of writes per seed.
    for (const r of s.runs) assert.ok(r.hostOps.writes >= 40 && r.checks.parity >= 40, `${s.name} seed ${r.seed}: ${r.hostOps.writes} writes, ${r.checks.parity} parity checks`);
  }
});

test('gate: double-failure reports exactly every doubly-lost block; latent-errors only the unreadable ones; mixed-sizes none', () => {
  const runs = (name: string) => gate.scenarios.find((s) => s.name === name)?.runs ?? [];
  // p1 and p2 (512 blocks each) are both lost: each reports every one of its blocks lost.
  for (const r of runs('double-failure')) assert.is(r.checks.lossReports, 2 * 512, `double-failure seed ${r.seed}`);
  // 40 sectors of p3 turn unreadable; only blocks whose restore needs one of them may be lost — by p2's restore,
  // and by p3 too when its own host meets one while p2 is out (the honesty checker vets each report).
  for (const r of runs('latent-errors')) assert.ok(r.checks.lossReports > 0 && r.checks.lossReports <= 2 * 40, `latent-errors seed ${r.seed}: ${r.checks.lossReports} loss reports`);
  // mixed-sizes: the largest primary restored past the smaller ones' ends; nothing is lost.
  for (const r of runs('mixed-sizes')) assert.is(r.checks.lossReports, 0, `mixed-sizes seed ${r.seed}`);
  assert.ok(runs('double-failure').length === GATE_SEEDS && runs('latent-errors').length === GATE_SEEDS && runs('mixed-sizes').length === GATE_SEEDS);
});

test('gate: one worker gives the same seeds the same traceHash and verdict as two', async () => {
  const subset = targets.filter((t) => ['crash-recovery', 'lossy-network'].includes(t.scenario.name));
  const serial = await explore(subset, { from: 1, seeds: 2, workers: 1, variant: VARIANT, recheck: 0 });
  for (const s of serial.scenarios) {
    const parallel = gate.scenarios.find((g) => g.file === s.file)!.runs.slice(0, 2);
    assert.equal(s.runs.map((r) => [r.seed, r.verdict, r.traceHash]), parallel.map((r) => [r.seed, r.verdict, r.traceHash]), s.file);
  }
  assert.is(serial.totals.runs, 4);
});

test.run();
