// The mutation runner itself (scripts/mutation/, `npm run mutation`): its
// ignorer leaves out exactly literal-only code and the planted-bug seams, its
// judge tells a product crash from a simulator crash, and — end to end, with
// StrykerJS and a two-run judge set — it kills a known mutant and lets an
// equivalent one survive. The measured run itself is not part of npm test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSync, traverse } from '@babel/core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { thrownFrom } from '../scripts/mutation/judge.js';
// @ts-expect-error plain JS module without types
import { excludedReason } from '../scripts/mutation/stryker-plugin.mjs';


/** The ignore reason of the first node whose source text is `target` in `code`. */
function reasonFor(code: string, target: string): string | undefined {
  const ast = parseSync(code, { filename: 'x.ts', configFile: false, babelrc: false, presets: [], plugins: [], parserOpts: { plugins: ['typescript'] } });
  let reason: string | undefined | null = null;
  // The ignorer is asked top-down and an ignored node's subtree goes with it: the same here.
  traverse(ast!, {
    enter(path) {
      if (reason !== null) return;
      const r = excludedReason(path) as string | undefined;
      if (code.slice(path.node.start!, path.node.end!) === target) reason = r;
      else if (r !== undefined && path.node.start! <= code.indexOf(target) && code.indexOf(target) + target.length <= path.node.end!) reason = r;
    },
  });
  return reason ?? undefined;
}

test('ignorer: literal-only branches, code after `if (hardened) return`, planted-bug seams; never hardened code', () => {
  const code = `class C {
    #hardened; #seam; #leaving;
    f(d) {
      if (!d.hardened) return d.disk.read(1);
      const x = this.#hardened ? journal() : none();
      if (!written.ok && !this.#hardened) return written;
      if (this.#leaving && this.#hardened) return refuse();
      const y = this.#seam.dedups ? fine() : planted();
      if (d.seam.acksEarly) early();
      assert(x > 0 && y !== undefined, 'checked');
      const z = d.seam.delta(w, old);
      if (d.hardened && copy.status !== 0) return later();
      if (this.variant === 'literal') literalOnly();
      hardenedToo();
    }
    g() {
      if (this.#hardened) return;
      literalAfter();
    }
  }`;
  assert.ok(reasonFor(code, 'd.disk.read(1)'), 'consequent of if (!hardened)');
  assert.ok(reasonFor(code, 'none()'), 'alternate of hardened ? … : …');
  assert.ok(reasonFor(code, 'return written;'), 'consequent of … && !hardened');
  assert.ok(reasonFor(code, 'this.#seam.dedups'), 'the seam itself');
  assert.ok(reasonFor(code, 'planted()'), 'what only a planted bug runs (honest true)');
  assert.ok(reasonFor(code, 'early();'), 'what only a planted bug runs (honest false)');
  assert.ok(reasonFor(code, "assert(x > 0 && y !== undefined, 'checked')"), 'an assertion');
  assert.ok(reasonFor(code, "assert(x > 0 && y !== undefined, 'checked');"), 'an assertion removed (its statement)');
  assert.ok(reasonFor(code, 'x > 0'), "an assertion's condition");
  assert.ok(reasonFor(code, 'literalOnly()'), "variant === 'literal'");
  assert.ok(reasonFor(code, 'literalAfter();'), 'after if (hardened) return');
  for (const hardened of ['!d.hardened', 'journal()', 'return refuse();', 'fine()', 'w, old', 'return later();', 'hardenedToo();', '!written.ok && !this.#hardened']) {
    assert.is(reasonFor(code, hardened), undefined, hardened);
  }
});

test('judge: a throw from src/ is the product crashing (a kill); from sim/ it is the simulator (not a kill)', () => {
  const err = (frames: string[]) => Object.assign(new Error('x'), { stack: ['Error: x', ...frames.map((f) => `    at f (${f}:1:1)`)].join('\n') });
  assert.is(thrownFrom(err(['node:internal/x', '/w/.stryker-tmp/sandbox-1/src/primary/outbox.ts', '/w/sim/world/world.ts'])), 'src');
  assert.is(thrownFrom(err(['/w/sim/engine/engine.ts', '/w/src/parity/parity-controller.ts'])), 'sim');
  assert.is(thrownFrom('not an error'), 'unknown');
});

test('end to end: StrykerJS with the xorsim runner kills a real mutant and lets an equivalent one survive', async () => {
  // StrykerJS 10's CLI asks for Node 22; its engine runs here (scripts/mutation/run.mjs).
  const { Stryker } = await import('../node_modules/@stryker-mutator/core/dist/src/stryker.js' as string);
  const config = (await import('../stryker.config.mjs' as string)).default;
  const out = mkdtempSync(join(tmpdir(), 'xorsim-mutation-'));
  const saved = process.env.XORSIM_JUDGE_SET;
  // Two runs: a generated world and lossy-network (duplicated deltas), each under a second.
  process.env.XORSIM_JUDGE_SET = JSON.stringify({ scenarios: ['lossy-network'], scenarioSeeds: [1], generated: { recoverable: [1], unlimited: [] } });
  try {
    const results: { location: { start: { line: number } }; mutatorName: string; replacement: string; status: string }[] = await new Stryker({
      ...config,
      // Line 10: the dedup test of parity's applied set (`seq <= floor`): a mutant there re-applies duplicates.
      // Line 38: SeqSet.size, which nothing reads: its mutants are equivalent.
      mutate: ['src/protocol/seq-set.ts:10-10', 'src/protocol/seq-set.ts:38-38'],
      checkers: [],
      concurrency: 1,
      reporters: ['json'],
      jsonReporter: { fileName: join(out, 'mutation.json') },
      tempDirName: '.stryker-tmp-test',
      logLevel: 'error',
      fileLogLevel: 'off',
    }).runMutationTest();
    const on = (line: number) => results.filter((r) => r.location.start.line === line - 1 || r.location.start.line === line);
    const dedup = on(10).find((r) => r.replacement.includes('seq < this.#floor'));
    assert.ok(dedup, `a mutant turns <= into < on line 10 (got ${JSON.stringify(results.map((r) => [r.location.start.line, r.replacement, r.status]))})`);
    assert.is(dedup!.status, 'Killed');
    const size = on(38).find((r) => r.mutatorName === 'ArithmeticOperator');
    assert.ok(size, 'an ArithmeticOperator mutant on line 38');
    assert.is(size!.status, 'Survived');
  } finally {
    if (saved === undefined) delete process.env.XORSIM_JUDGE_SET;
    else process.env.XORSIM_JUDGE_SET = saved;
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
