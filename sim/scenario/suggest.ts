// "Did you mean …?": the candidate nearest a mistyped name, if one is near
// enough to be what was meant. Used for scenario fields and command flags.

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
export function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length]!;
}

/** What to suggest for a mistyped `word`: the nearest candidate, else those it begins or is part of ("fail" → fail-array, fail-drive). */
export function meant(word: string, candidates: readonly string[]): string[] {
  const near = closest(word, candidates);
  if (near !== undefined) return [near];
  const w = word.toLowerCase();
  return w.length < 3 ? [] : candidates.filter((c) => c.toLowerCase().startsWith(w) || c.toLowerCase().includes(w));
}

/** The nearest candidate within a third of the word's length (at least 2 edits), or undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}
