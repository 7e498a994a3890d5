import { kolmogorovSf } from './special';

/*
 * The null distribution of the two-sample Kolmogorov–Smirnov statistic.
 *
 * Small samples get the exact p-value (SciPy `ks_2samp(..., method="exact")`): the share of the
 * C(n+m, n) equally likely merge orders of the two samples whose ECDF gap reaches the observed D.
 * Larger ones get an approximation chosen for their shape, each within 8 % of the exact p-value
 * wherever p ≥ 10⁻³ (ksDistribution.test.ts checks generated sizes and gaps against the exact one),
 * and for a sample ten times the other or more down to p = 10⁻⁷:
 * a window against a reference at least 100 times larger, its one-sample distribution; unequal
 * samples, Kolmogorov's limit at Stephens' corrected statistic (√nₑ + 0.12 + 0.11/√nₑ)·D; samples
 * of similar size, the limit itself (off by +45 % at n = 40 against m = 25, but under 4 % once
 * nₑ = n·m/(n+m) passes several hundred, where these sizes use it). Tinier p-values of samples of
 * similar size are exact; those of unequal samples are approximate (below 10⁻⁷ without relative
 * precision: a factor of 2 at 10⁻⁸, where every verdict is drift anyway).
 */

export type KsPValueMethod = 'exact' | 'one-sample' | 'asymptotic';

export type KsPValue = { pValue: number; effectiveN: number; method: KsPValueMethod };

/**
 * The exact computation visits about 2·D·n·m lattice cells, 2.5–3.5 ns each. It always runs up to
 * EXACT_KS_QUICK_CELLS (under 1 ms), or EXACT_KS_QUICK_CELLS_UNEQUAL (0.2 ms, a feature's budget in
 * bench/drift.ts) for a sample three times the other or more (a window against its training
 * reference), where Stephens' correction is closer than the limit. Beyond, an approximation answers wherever it
 * says p ≥ APPROXIMATE_MIN_P (within 8 % there). In the far tail of samples of similar size, where
 * the limit loses its relative accuracy (a factor of 30 at p ≈ 1e-50), the exact computation runs up
 * to EXACT_KS_MAX_CELLS (5 ms); a window against its reference keeps its approximation there (within
 * 8 % down to 1e-7): a drifting model's features would otherwise each cost milliseconds. So a busy
 * board costs microseconds per feature. (With the exact computation up to 2 million cells
 * everywhere, a Grafana board of 50 models spent most of its time here.)
 */
export const EXACT_KS_MAX_PRODUCT = 10_000_000;
export const EXACT_KS_QUICK_CELLS = 250_000;
export const EXACT_KS_QUICK_CELLS_UNEQUAL = 50_000;
export const EXACT_KS_MAX_CELLS = 2_000_000;
export const APPROXIMATE_MIN_P = 1e-3;

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

/** Windows with ⌊n·D⌋ + 1 up to this use the one-sample distribution: matrices of at most 23×23, under 0.3 ms at n = 10⁶. */
export const ONE_SAMPLE_MAX_K = 12;
/** A reference at least this many times the window is taken as the population. */
export const ONE_SAMPLE_MIN_RATIO = 100;
/** A larger sample at least this many times the smaller takes Stephens' correction of the limit. */
export const STEPHENS_MIN_RATIO = 3;
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
 * Two-sided p-value of a two-sample KS statistic: exact while it is cheap (EXACT_KS_QUICK_CELLS,
 * or EXACT_KS_QUICK_CELLS_UNEQUAL for a sample three times the other or more), or, unless one
 * sample is ten times the other, in the far tail while affordable (EXACT_KS_MAX_CELLS); otherwise
 * `approximatePValue`.
 */
export function ksPValue(statistic: number, n: number, m: number): KsPValue {
  const affordable = n > 0 && m > 0 && n * m <= EXACT_KS_MAX_PRODUCT;
  const cells = 2 * statistic * n * m;
  const ratio = Math.max(n, m) / Math.min(n, m);
  const exact = () => ({ pValue: ksExactPValue(statistic, n, m), effectiveN: (n * m) / (n + m), method: 'exact' as const });
  if (affordable && cells <= (ratio >= STEPHENS_MIN_RATIO ? EXACT_KS_QUICK_CELLS_UNEQUAL : EXACT_KS_QUICK_CELLS)) return exact();
  const quick = approximatePValue(statistic, n, m, ONE_SAMPLE_MAX_K);
  if (quick.pValue >= APPROXIMATE_MIN_P || ratio >= 10) return quick;
  return affordable && cells <= EXACT_KS_MAX_CELLS ? exact() : quick;
}

/**
 * The two-sample p-value without the exact computation: for a small window against a reference at
 * least ONE_SAMPLE_MIN_RATIO times larger (and ⌊n·D⌋ + 1 up to `maxK`), the window's exact
 * one-sample distribution (the reference taken as the population, which the two-sample
 * distribution approaches as the reference grows); for unequal samples Kolmogorov's limit at
 * Stephens' corrected statistic (√nₑ + 0.12 + 0.11/√nₑ)·D (Stephens 1970, "Use of the
 * Kolmogorov–Smirnov, Cramér–Von Mises and related statistics without extensive tables"), which
 * follows the exact distribution of unequal samples within a few per cent where the plain limit is
 * 10–20 % high; for samples of similar size the limit itself (SciPy `kstwobign.sf(√nₑ·D)`), where
 * the correction overshoots.
 */
export function approximatePValue(statistic: number, n: number, m: number, maxK: number): KsPValue {
  const effectiveN = (n * m) / (n + m);
  const small = Math.min(n, m);
  if (small > 0 && Math.max(n, m) >= ONE_SAMPLE_MIN_RATIO * small && Math.floor(small * statistic) + 1 <= maxK) {
    return { pValue: kolmogorovOneSampleSf(statistic, small), effectiveN, method: 'one-sample' };
  }
  if (small > 0 && Math.max(n, m) >= STEPHENS_MIN_RATIO * small) {
    const root = Math.sqrt(effectiveN);
    return { pValue: kolmogorovSf((root + 0.12 + 0.11 / root) * statistic), effectiveN, method: 'asymptotic' };
  }
  return { pValue: kolmogorovSf(Math.sqrt(effectiveN) * statistic), effectiveN, method: 'asymptotic' };
}
