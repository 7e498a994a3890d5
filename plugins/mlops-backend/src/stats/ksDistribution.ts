import { kolmogorovSf } from './special';

/*
 * The null distribution of the two-sample Kolmogorov–Smirnov statistic.
 *
 * Small samples get the exact p-value (SciPy `ks_2samp(..., method="exact")`): the share of the
 * C(n+m, n) equally likely merge orders of the two samples whose ECDF gap reaches the observed D.
 * Larger ones get Kolmogorov's limiting distribution, which the exact one approaches as n·m grows
 * (it is off by +45 % at n = 40 against m = 25, under 2 % once n·m/(n+m) passes a few hundred).
 */

export type KsPValueMethod = 'exact' | 'one-sample' | 'asymptotic';

export type KsPValue = { pValue: number; effectiveN: number; method: KsPValueMethod };

/**
 * The exact computation visits about 2·D·n·m lattice cells, about 2.5 ns each: below these sizes it
 * takes 5 ms at most, so a drift report or series with many small-sample cells stays interactive.
 * Beyond them a window against a much larger reference gets the one-sample distribution (25 values
 * against 400,000 at D = 0.25: Kolmogorov's limit said 0.088 where the truth is about 0.073), and
 * everything else the limiting distribution, close to the exact one for large samples.
 */
export const EXACT_KS_MAX_PRODUCT = 10_000_000;
export const EXACT_KS_MAX_CELLS = 2_000_000;

function gcd(n: number, m: number): number {
  let [a, b] = [n, m];
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * P(D ≥ d) under H0 for samples of sizes n and m, ties ignored (as SciPy does), d rounded to the
 * nearest attainable value h/lcm(n, m) first.
 *
 * Lattice paths: (x, y) counts the first x values of one sample and y of the other in the merged
 * order; the gap there is |x/n − y/m| = |m·x − n·y|/(n·m), so D ≥ h/lcm exactly when a path reaches
 * |m·x − n·y| ≥ h·gcd — integer arithmetic, no rounding at the boundary. v(x, y) is the share of
 * the paths to (x, y) that have already reached it: 1 on and beyond the boundary, and inside it
 * v(x, y) = (x·v(x−1, y) + y·v(x, y−1)) / (x + y), because x/(x+y) of the paths to (x, y) come from
 * (x−1, y). Every step is a convex combination of numbers in [0, 1]: no overflow, no cancellation,
 * and p-values of 1e-15 keep their relative accuracy (unlike 1 − P(inside)).
 */
export function ksExactPValue(d: number, n: number, m: number): number {
  const g = gcd(n, m);
  const lcm = (n / g) * m;
  const h = Math.round(d * lcm);
  if (h <= 0) return 1;
  const bound = h * g;
  // row[y] holds v(x, y) for the current x; cells are visited only inside the band.
  const row = new Float64Array(m + 1).fill(1);
  const lowest = (x: number) => Math.max(0, Math.floor((m * x - bound) / n) + 1);
  const highest = (x: number) => Math.min(m, Math.ceil((m * x + bound) / n) - 1);
  for (let y = 0; y <= highest(0); y++) row[y] = 0;
  // 1/(x+y) by table: a multiplication per cell instead of a division.
  const inverse = new Float64Array(n + m + 1);
  for (let k = 1; k <= n + m; k++) inverse[k] = 1 / k;
  let previousLow = 0;
  for (let x = 1; x <= n; x++) {
    const low = lowest(x);
    const high = highest(x);
    // Cells that left the band below stay reached (1) from now on.
    for (let y = previousLow; y < low && y <= m; y++) row[y] = 1;
    // row[y] is still v(x−1, y) (1 if that cell was beyond the band); row[y−1] is v(x, y−1).
    let fromBelow = low > 0 ? row[low - 1] : 0;
    for (let y = low; y <= high; y++) {
      fromBelow = (x * row[y] + y * fromBelow) * inverse[x + y];
      row[y] = fromBelow;
    }
    previousLow = low;
  }
  return Math.min(1, Math.max(0, row[m]));
}

/** Product of two m×m matrices (row-major). */
function multiply(a: Float64Array, b: Float64Array, m: number): Float64Array {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const aik = a[i * m + k];
      if (aik === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j] += aik * b[k * m + j];
    }
  }
  return c;
}

/** H^n with a power-of-ten exponent kept aside, so entries stay in range (Marsaglia et al.'s scaling). */
function power(h: Float64Array, m: number, n: number): { value: Float64Array; exponent: number } {
  if (n === 1) return { value: h, exponent: 0 };
  const half = power(h, m, Math.floor(n / 2));
  let value = multiply(half.value, half.value, m);
  let exponent = 2 * half.exponent;
  if (n % 2 === 1) value = multiply(h, value, m);
  const centre = Math.floor(m / 2) * m + Math.floor(m / 2);
  if (value[centre] > 1e140) {
    for (let i = 0; i < value.length; i++) value[i] *= 1e-140;
    exponent += 140;
  }
  return { value, exponent };
}

/** Windows with ⌊n·D⌋ + 1 up to this use the one-sample distribution: matrices of at most 59×59, about 10 ms at n = 10⁶. */
export const ONE_SAMPLE_MAX_K = 30;
/** A reference at least this many times the window is taken as the population. */
export const ONE_SAMPLE_MIN_RATIO = 100;

/**
 * P(D_n ≥ d) of the one-sample KS statistic against a continuous distribution (SciPy
 * `kstwo.sf(d, n)`), by Marsaglia, Tsang and Wang (2003), "Evaluating Kolmogorov's distribution":
 * P(D_n < d) = n!/nⁿ · (Hⁿ)_kk with k = ⌊n·d⌋ + 1 and H a (2k−1)-square matrix. Accurate to about
 * 1e-13 absolute; p-values below that are returned as computed (relative accuracy lost).
 */
export function kolmogorovOneSampleSf(d: number, n: number): number {
  if (d <= 0) return 1;
  if (d >= 1) return 0;
  const k = Math.floor(n * d) + 1;
  const m = 2 * k - 1;
  const h = k - n * d;
  const matrix = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) matrix[i * m + j] = i - j + 1 >= 0 ? 1 : 0;
  for (let i = 0; i < m; i++) {
    matrix[i * m] -= h ** (i + 1);
    matrix[(m - 1) * m + i] -= h ** (m - i);
  }
  matrix[(m - 1) * m] += 2 * h - 1 > 0 ? (2 * h - 1) ** m : 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      for (let g = 1; g <= i - j + 1; g++) matrix[i * m + j] /= g;
    }
  }
  const { value, exponent } = power(matrix, m, n);
  let s = value[(k - 1) * m + (k - 1)];
  let scale = exponent;
  for (let i = 1; i <= n; i++) {
    s = (s * i) / n;
    if (s < 1e-140) {
      s *= 1e140;
      scale -= 140;
    }
  }
  const below = s * 10 ** scale;
  return Math.min(1, Math.max(0, 1 - below));
}

/**
 * Two-sided p-value of a two-sample KS statistic: exact while it is cheap (n·m up to
 * EXACT_KS_MAX_PRODUCT); for a small window against a reference at least ONE_SAMPLE_MIN_RATIO
 * times larger, the window's exact one-sample distribution (the reference taken as the population,
 * which the two-sample distribution approaches as the reference grows); Kolmogorov's limit (SciPy
 * `kstwobign.sf(√(nm/(n+m))·D)`) beyond.
 */
export function ksPValue(statistic: number, n: number, m: number): KsPValue {
  const effectiveN = (n * m) / (n + m);
  if (n > 0 && m > 0 && n * m <= EXACT_KS_MAX_PRODUCT && 2 * statistic * n * m <= EXACT_KS_MAX_CELLS) {
    return { pValue: ksExactPValue(statistic, n, m), effectiveN, method: 'exact' };
  }
  const small = Math.min(n, m);
  if (small > 0 && Math.max(n, m) >= ONE_SAMPLE_MIN_RATIO * small && Math.floor(small * statistic) + 1 <= ONE_SAMPLE_MAX_K) {
    return { pValue: kolmogorovOneSampleSf(statistic, small), effectiveN, method: 'one-sample' };
  }
  return { pValue: kolmogorovSf(Math.sqrt(effectiveN) * statistic), effectiveN, method: 'asymptotic' };
}
