// The fault model's table (sim/faults/registry.ts): every kind's file is a
// row, each row's trace code is the one traces were recorded with, every
// coverage and swarm family has a kind to strike it, and docs/SCENARIOS.md
// lists every kind users write.
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FAMILIES } from '../sim/coverage/cells.js';
import { FAULT_KINDS, RANDOM_FAULTS, faultName, kindsOf } from '../sim/faults/registry.js';
import { SWARM_FAMILIES } from '../sim/scenario/swarm-schema.js';

const dir = (sub: string) => new URL(`../sim/faults/${sub}/`, import.meta.url);

test('every file of kinds/ is a row of the table, named as its file', async () => {
  const files = readdirSync(dir('kinds')).filter((f) => f.endsWith('.ts'));
  const names = FAULT_KINDS.map((k) => k.name);
  assert.equal([...files].sort(), names.map((n) => `${n}.ts`).sort());
  for (const file of files) {
    const exported = Object.values(await import(new URL(file, dir('kinds')).href)).filter((v) => FAULT_KINDS.includes(v as never));
    assert.equal(exported.map((k) => (k as { name: string }).name), [file.replace(/\.ts$/, '')], file);
  }
});

test('every file of random/ is a row of the rate-driven table', async () => {
  const files = readdirSync(dir('random')).filter((f) => f.endsWith('.ts'));
  let rows = 0;
  for (const file of files) rows += Object.values(await import(new URL(file, dir('random')).href)).filter((v) => RANDOM_FAULTS.includes(v as never)).length;
  assert.is(rows, files.length);
  assert.is(RANDOM_FAULTS.length, files.length);
});

test('trace codes are the ones recorded traces (and their hashes) were made with', () => {
  const codes = Object.fromEntries(FAULT_KINDS.map((k) => [k.name, k.code]));
  assert.equal(codes, {
    crash: 1, restart: 2, 'fail-array': 3, 'replace-array': 4, join: 5, leave: 6, partition: 7, heal: 8, flap: 9,
    'latent-errors': 10, 'fail-drive': 11, 'replace-drive': 12, corrupt: 13, misdirect: 14, 'power-fail': 15, 'rogue-messages': 16, 'misdirect-read': 17,
  });
  for (const k of FAULT_KINDS) assert.is(faultName(k.code), k.name);
  assert.is(faultName(100), undefined); // a latent-error burst: no scheduled kind
});

test('every coverage family has a kind that strikes it', () => {
  for (const family of FAMILIES) assert.ok(kindsOf(family).length > 0, family);
});

test('every swarm family switches something off: a link fault, a kind or a rate-driven fault', () => {
  const link = ['loss', 'duplicate', 'reorder', 'jitter'];
  const claimed = new Set([...FAULT_KINDS.map((k) => k.swarm), ...RANDOM_FAULTS.map((r) => r.swarm)]);
  for (const family of SWARM_FAMILIES) assert.ok(link.includes(family) || claimed.has(family), family);
});

test('docs/SCENARIOS.md describes every kind and every field of faults.random', () => {
  const doc = readFileSync(new URL('../docs/SCENARIOS.md', import.meta.url), 'utf8');
  for (const k of FAULT_KINDS) assert.ok(doc.includes(`| \`${k.name}\` |`), k.name);
  for (const r of RANDOM_FAULTS) assert.ok(doc.includes(`| \`faults.random.${r.key}\` |`), r.key);
});

test.run();
