// The damage log under drive write caches: with a cache, what lands on the
// media is a destage — possibly an older write of the block, or a misdirected
// write's bytes — so a landing repairs wrong bytes only if the block then
// holds what its checksum says and nothing newer waits in the cache. Before,
// any landing closed the damage and the parity check judged blocks still
// holding wrong data (found by explore --generate, shrunk from seed 14).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioText } from '../sim/scenario/load.js';
import type { World } from '../sim/world/world.js';

const loaded = parseScenarioText('misdirect-write-cache.json', readFileSync(new URL('fixtures/misdirect-write-cache.json', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error('misdirect-write-cache.json does not validate');
const scenario = loaded.scenario;

test('misdirected restore writes through a write cache: every seed passes, and a block left holding another block\'s bytes stays damaged', async () => {
  let stillDamaged = 0;
  for (const seed of [5, 6, 7, 8, 14]) {
    let world: World | undefined;
    const r = await runScenario(scenario, { seed, file: 'misdirect-write-cache.json', onPhase: (phase, w) => void (phase === 'end' && (world = w)) });
    assert.is(r.verdict, 'pass', `seed ${seed}: ${r.violations[0]?.message}`);
    stillDamaged += world!.damage.openBlocks().filter((d) => d.kinds.includes('misdirected') || d.kinds.includes('stale')).length;
  }
  assert.ok(stillDamaged > 0, 'no misdirected block left open');
});

test('without the cache the same faults are judged as before', async () => {
  const plain = { ...scenario, disk: { ...scenario.disk, writeCache: false } } as typeof scenario;
  for (const seed of [5, 6, 7]) assert.is((await runScenario(plain, { seed, file: 'x.json' })).verdict, 'pass');
});

test.run();
