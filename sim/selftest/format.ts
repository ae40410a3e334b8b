// The selftest table: per planted bug, where it was hunted, whether and after
// how many seeds it was caught, and what caught it.
import { formatTime } from '../engine/time.js';
import type { HuntResult } from './selftest.js';

export function formatSelftest(results: readonly HuntResult[], maxSeeds: number): string {
  const rows = results.map((r) => [
    r.bug,
    r.scenario,
    r.caught ? 'yes' : 'NO',
    r.caught ? String(r.seeds) : `>${maxSeeds}`,
    r.run === null ? '—' : r.run.verdict,
    r.run?.violation == null ? `survived seeds 1…${maxSeeds}` : `${r.run.violation.kind} at ${formatTime(r.run.violation.timeUs)}: ${oneLine(r.run.violation.message)}`,
  ]);
  const head = ['bug', 'scenario', 'caught', 'seeds', 'verdict', 'first violation'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === 3 ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const caught = results.filter((r) => r.caught);
  const seeds = caught.map((r) => r.seeds);
  const summary =
    caught.length === results.length
      ? `${results.length} of ${results.length} planted bugs caught, each within ${Math.max(0, ...seeds)} seed${Math.max(0, ...seeds) === 1 ? '' : 's'}`
      : `${results.length - caught.length} of ${results.length} planted bugs SURVIVED: ${results.filter((r) => !r.caught).map((r) => r.bug).join(', ')}`;
  return [line(head), ...rows.map(line), '', summary].join('\n');
}

function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, ' ');
  return flat.length > 90 ? `${flat.slice(0, 89)}…` : flat;
}
