/**
 * How figures read in the table: thousands separated, units spelled out, ratios with a `×`. One
 * place, so every section prints the same number the same way.
 */

const KIB = 1024;

/** 1000 → "1,000"; fractions keep up to `digits` decimals. */
export function count(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** Milliseconds: one decimal below 10 ms, where a rounding would hide the figure. */
export function ms(value: number): string {
  return `${count(value, value < 10 ? 1 : 0)} ms`;
}

/** Bytes as KB of 1,024 (the unit Lambda's and esbuild's reports use). */
export function kb(bytes: number): string {
  return `${count(bytes / KIB, 1)} KB`;
}

export function kbToBytes(kilobytes: number): number {
  return kilobytes * KIB;
}

/** 0.1234 → "0.12×"; tiny non-zero ratios keep a significant digit instead of printing 0.00×. */
export function ratio(value: number): string {
  if (!Number.isFinite(value)) {
    return "n/a";
  }
  const digits = value !== 0 && Math.abs(value) < 0.01 ? 3 : 2;
  return `${value.toFixed(digits)}×`;
}
