// The end-of-run journal check (sim/checker/checkers.ts, final()): a primary
// whose journal still holds records once the world has settled is a liveness
// violation. Proven able to fail with a planted "never trims" primary — the
// built-in controllers run as a module whose primaries get a journal port that
// acknowledges every trim and keeps every record — and not to fire on the same
// module with the journal passed through as it is. (Without a trim nothing
// else goes wrong: recovery resends deltas parity drops as duplicates, which
// is why outbox.ts's never-trim mutants once survived, docs/MUTATION.md.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { builtinControllers } from '../src/builtin-controllers.js';
import type { ControllerModule } from '../src/controller-api.js';
import type { DurableLog } from '../src/ports/durable-log.js';
import { runScenario } from '../sim/runner/run-scenario.js';
import type { World } from '../sim/world/world.js';
import { scenario } from './helpers.js';

/** A journal whose trims resolve and discard nothing. */
function neverTrims(journal: DurableLog): DurableLog {
  return { append: (d) => journal.append(d), trim: () => Promise.resolve(), writeHeader: (d) => journal.writeHeader(d), read: () => journal.read() };
}

/** The built-in controllers as a module; `journal` changes what each primary's journal port does. */
function builtinWith(journal: (log: DurableLog) => DurableLog): ControllerModule {
  const inner = builtinControllers();
  return { primary: (ports, config) => inner.primary({ ...ports, journal: journal(ports.journal) }, config), parity: (ports, config) => inner.parity(ports, config) };
}

/** Runs a small hardened world with `controllers`; also returns each primary's journal length (the world's SimLog) at the end. */
async function runWith(controllers: ControllerModule, seed: number) {
  const held = new Map<string, number>();
  const onPhase = (phase: 'load' | 'end', world: World) => {
    if (phase === 'end') for (const p of world.primaries) held.set(p.name, p.log.length);
  };
  const report = await runScenario(scenario({ protocol: 'hardened' }), { seed, file: 'journal-trim', controllers, onPhase });
  return { report, held };
}

test('a primary that never trims its journal is a liveness violation naming it and the records it holds', async () => {
  for (const seed of [1, 2]) {
    const { report, held } = await runWith(builtinWith(neverTrims), seed);
    assert.is(report.verdict, 'liveness', `seed ${seed}: ${report.violations[0]?.message ?? 'no violation'}`);
    const v = report.violations[0]!;
    assert.is(v.kind, 'liveness');
    assert.is(v.block, null);
    const m = /^(p\d)'s journal still holds (\d+) records after the settle bound: acknowledged deltas never trimmed$/.exec(v.message);
    assert.ok(m !== null, v.message);
    assert.is(v.array, m![1]);
    // The count is the world's own log's, read after the run; and the first such primary is the one named.
    assert.is(Number(m![2]), held.get(v.array!));
    assert.ok(Number(m![2]) > 1, v.message);
    const first = [...held].find(([, n]) => n > 0)![0];
    assert.is(v.array, first);
  }
});

test('the same module with the journal passed through passes, every journal empty at the end', async () => {
  for (const seed of [1, 2]) {
    const { report, held } = await runWith(builtinWith((log) => log), seed);
    assert.is(report.verdict, 'pass', `seed ${seed}: ${report.violations[0]?.message ?? ''}`);
    for (const [name, n] of held) assert.is(n, 0, `${name}'s journal holds ${n} records`);
  }
});

test('the built-in controllers leave every primary journal empty at the end', async () => {
  const held = new Map<string, number>();
  const report = await runScenario(scenario({ protocol: 'hardened', faults: { schedule: [{ at: '50ms', do: 'crash', array: 'p2', restartAfter: '10ms' }] } }), {
    seed: 3,
    file: 'journal-trim',
    onPhase: (phase, world) => {
      if (phase === 'end') for (const p of world.primaries) held.set(p.name, p.log.length);
    },
  });
  assert.is(report.verdict, 'pass', report.violations[0]?.message ?? '');
  for (const [name, n] of held) assert.is(n, 0, `${name}'s journal holds ${n} records`);
});

test.run();
