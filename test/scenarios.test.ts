// The shipped scenarios do what they exist for: hardened passes each as
// written; literal is caught where the claims alone cannot cope. (Many seeds of
// every scenario under hardened: the CI gate, test/gate.test.ts.)
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ProtocolVariant } from '../src/protocol/variant.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import { parseScenarioText } from '../sim/scenario/load.js';

function load(name: string) {
  const file = `scenarios/${name}.json`;
  const r = parseScenarioText(file, readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
  if (!r.ok) throw new Error(`${file} does not validate`);
  return r.scenario;
}

async function verdicts(name: string, protocol: ProtocolVariant, seeds: number) {
  const scenario = { ...load(name), protocol };
  const out: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await runScenario(scenario, { seed, file: name });
    out.push(r.verdict === 'pass' ? 'pass' : `${r.verdict}: ${r.violations[0]?.message}`);
  }
  return out;
}

const names = readdirSync(new URL('../scenarios/', import.meta.url))
  .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

test(`hardened passes seed 1 of every scenario as written, full length (${names.length})`, async () => {
  for (const name of names) assert.equal(await verdicts(name, 'hardened', 1), ['pass'], name);
});

test(`literal is caught in every scenario, seed 1 (${names.length}): a correctness violation each`, async () => {
  for (const name of names) {
    const [v] = await verdicts(name, 'literal', 1);
    assert.ok(v!.startsWith('correctness'), `${name}: ${v}`);
  }
});

test('crash-recovery: literal loses deltas to crashes (caught within 3 seeds)', async () => {
  const v = await verdicts('crash-recovery', 'literal', 3);
  assert.ok(v.some((x) => x.startsWith('correctness')), v.join('\n'));
});

test('rebuild-under-load: literal is caught', async () => {
  assert.ok((await verdicts('rebuild-under-load', 'literal', 2)).some((x) => x.startsWith('correctness')));
});

test('join-under-load: literal is caught', async () => {
  assert.ok((await verdicts('join-under-load', 'literal', 2)).some((x) => x.startsWith('correctness')));
});

test('silent-corruption: literal serves corrupt data to a host (no checksums)', async () => {
  assert.ok((await verdicts('silent-corruption', 'literal', 1))[0]!.startsWith('correctness'));
});

test('lossy-network: literal is caught with a parity violation (a lost or doubled delta)', async () => {
  const v = await verdicts('lossy-network', 'literal', 2);
  assert.ok(v.every((x) => x.startsWith('correctness: Q[')), v.join('\n'));
});

test('quickstart: literal is caught (concurrent deltas, H5)', async () => {
  assert.ok((await verdicts('quickstart', 'literal', 1))[0]!.startsWith('correctness'));
});
test.run();
