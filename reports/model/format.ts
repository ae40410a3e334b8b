// Number formatting shared by captions, tables and checks.

/** µs → "12.3 ms" / "850 µs" / "4.2 s". */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return String(us);
  if (Math.abs(us) >= 1e6) return `${sig(us / 1e6)} s`;
  if (Math.abs(us) >= 1e3) return `${sig(us / 1e3)} ms`;
  return `${sig(us)} µs`;
}

/** Three significant digits, no exponent for everyday magnitudes. */
export function sig(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 10 ** digits) return Math.round(x).toLocaleString('en-US');
  if (a < 1e-3) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)} %`;
}

/** Bytes → "4 KiB", "1.5 GB" (binary units for powers of two, else decimal). */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  for (const [unit, size] of [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['kB', 1e3]] as const) if (bytes >= size) return `${sig(bytes / size)} ${unit}`;
  return `${sig(bytes)} B`;
}

/** "seeds 1–3" or "seed 1". */
export function seedsText(seeds: readonly number[]): string {
  if (seeds.length === 1) return `seed ${seeds[0]}`;
  const contiguous = seeds.every((s, i) => i === 0 || s === seeds[i - 1]! + 1);
  return contiguous ? `seeds ${seeds[0]}–${seeds[seeds.length - 1]}` : `seeds ${seeds.join(', ')}`;
}
