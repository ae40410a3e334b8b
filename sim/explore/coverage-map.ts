// The coverage map as explore and merge print it: a table of fault families
// (rows) by protocol phases (columns), each cell the number of seeds in which
// a fault of that family struck in that phase; then the cells of the
// generator's universe that no seed reached. A cell outside the universe
// (a combination that cannot happen, or not within the budget) shows `·`
// when nothing reached it.
import { FAMILIES, PHASE_NAMES, type Phase, cellOf } from '../coverage/cells.js';
import { type Budget, universe } from '../generate/universe.js';

const SHORT: Record<Phase, string> = {
  steady: 'steady',
  restoring: 'restor',
  'after-restore': '+restor',
  joining: 'join',
  'after-join': '+join',
  leaving: 'leave',
  'after-leave': '+leave',
  'parity-rebuild': 'rebuild',
  'after-parity-rebuild': '+rebuild',
  'array-down': 'down',
  'drive-down': 'drive',
  scrub: 'scrub',
  'after-loss': '+loss',
  'non-member': 'outside',
  'delta-disorder': 'disorder',
};

const n = (x: number) => x.toLocaleString('en-US');

/** `seeds`: per cell, in how many seeds it was reached. `budgets`: whose universe the unreached cells are counted against. */
export function formatCoverageMap(seeds: ReadonlyMap<string, number>, budgets: readonly Budget[]): string[] {
  const aimed = new Set(budgets.flatMap((b) => universe(b)));
  const head = ['family', ...PHASE_NAMES.map((p) => SHORT[p])];
  const rows = FAMILIES.map((f) => [f, ...PHASE_NAMES.map((p) => {
    const c = cellOf(f, p);
    const k = seeds.get(c) ?? 0;
    return k > 0 ? n(k) : aimed.has(c) ? '—' : '·';
  })]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' ')}`.trimEnd();
  const never = [...aimed].filter((c) => (seeds.get(c) ?? 0) === 0);
  const reached = [...aimed].length - never.length;
  return [
    `coverage map (seeds in which a fault of each family struck in each phase; + = just after, — = aimed at but never reached, · = cannot happen${budgets.includes('unlimited') ? '' : ' within the budget'}):`,
    line(head),
    ...rows.map(line),
    never.length === 0 ? `every one of the ${n(aimed.size)} cells the generator aims at was reached` : `${n(reached)} of ${n(aimed.size)} cells reached; never reached: ${never.join(', ')}`,
  ];
}
