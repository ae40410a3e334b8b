// Pinned fingerprints: the exact event sequence of a few small runs. A change
// here means the simulation now does something different for the same seed —
// fine when intended (a model or protocol change), and then the commit that
// updates these values says why. An unintended change is a determinism bug.
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioText } from '../sim/scenario/load.js';

const GOLDEN: Record<number, { hash: string; events: number }> = {
  1: { hash: '98a149af99db549e', events: 1817 },
  2: { hash: '81e4a7ba5ce0ba71', events: 1799 },
  3: { hash: 'b322e8d051034aa6', events: 1721 },
};

const loaded = parseScenarioText('tiny.json', readFileSync(new URL('fixtures/tiny.json', import.meta.url), 'utf8'));
if (!loaded.ok) throw new Error('tiny.json does not validate');
const tiny = loaded.scenario;

for (const [seed, want] of Object.entries(GOLDEN)) {
  test(`tiny.json seed ${seed}: traceHash ${want.hash} (${want.events} events)`, async () => {
    const r = await runScenario(tiny, { seed: Number(seed), file: 'tiny.json' });
    assert.is(r.verdict, 'pass');
    assert.is(r.events, want.events);
    assert.is(r.traceHash, want.hash);
  });
}
test.run();
