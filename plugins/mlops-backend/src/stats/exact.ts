import { chiSquareSf } from './special';
import { KsPValue, ksPValue } from './ksDistribution';
import { binIndex, quantileSorted, sortedCopy } from './quantile';

/*
 * The exact, sort-based path: used for small windows, for raw sampled events and as the reference
 * the summary path is tested against. Each function states the SciPy/NumPy call it agrees with.
 */

/** Proportions below this are raised to it, so an empty bin gives a large but finite PSI term. */
export const PSI_EPSILON = 1e-4;

/** Σ (cur - ref) · ln(cur / ref) over matching bins of two count vectors. */
export function psiFromCounts(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let refTotal = 0;
  let curTotal = 0;
  for (let i = 0; i < reference.length; i++) {
    refTotal += reference[i];
    curTotal += current[i];
  }
  if (refTotal === 0 || curTotal === 0) return Number.NaN;
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i] / refTotal, PSI_EPSILON);
    const c = Math.max(current[i] / curTotal, PSI_EPSILON);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

/** Interior edges at the reference's quantiles k/bins (NumPy `quantile`, linear). */
export function referenceQuantileEdges(sortedReference: ArrayLike<number>, bins: number): Float64Array {
  const edges = new Float64Array(bins - 1);
  for (let k = 1; k < bins; k++) edges[k - 1] = quantileSorted(sortedReference, k / bins);
  return edges;
}

/** Counts per bin (edge[i-1], edge[i]], the outer bins open-ended. */
export function countIntoBins(edges: ArrayLike<number>, values: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < values.length; i++) counts[binIndex(edges, values[i])]++;
  return counts;
}

/** PSI on `bins` reference-quantile bins. */
export function psiExact(reference: ArrayLike<number>, current: ArrayLike<number>, bins = 10): number {
  const edges = referenceQuantileEdges(sortedCopy(reference), bins);
  return psiFromCounts(countIntoBins(edges, reference), countIntoBins(edges, current));
}

export type KsResult = KsPValue & { statistic: number };

/** Two-sample KS statistic (SciPy `ks_2samp(...).statistic`), p-value as in `ksPValue` (exact for small samples). */
export function ksExact(reference: ArrayLike<number>, current: ArrayLike<number>): KsResult {
  const a = sortedCopy(reference);
  const b = sortedCopy(current);
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i], b[j]);
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return { statistic: d, ...ksPValue(d, n, m) };
}

/** First Wasserstein distance of two samples (SciPy `wasserstein_distance`). */
export function wassersteinExact(u: ArrayLike<number>, v: ArrayLike<number>): number {
  const a = sortedCopy(u);
  const b = sortedCopy(v);
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let total = 0;
  let previous = Math.min(a[0], b[0]);
  while (i < n || j < m) {
    const x = j >= m || (i < n && a[i] <= b[j]) ? a[i] : b[j];
    total += Math.abs(i / n - j / m) * (x - previous);
    previous = x;
    while (i < n && a[i] <= x) i++;
    while (j < m && b[j] <= x) j++;
  }
  return total;
}

/** Population standard deviation (NumPy `std`, ddof 0). */
export function std(values: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += (values[i] - mean) / (i + 1);
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  return Math.sqrt(ss / values.length);
}

/** Wasserstein distance divided by the reference's standard deviation: comparable across features. */
export function normalizedWassersteinExact(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  return wassersteinExact(reference, current) / std(reference);
}

/** Jensen–Shannon distance, natural log (SciPy `spatial.distance.jensenshannon`). */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let ps = 0;
  let qs = 0;
  for (let i = 0; i < p.length; i++) {
    ps += p[i];
    qs += q[i];
  }
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / ps;
    const qi = q[i] / qs;
    const mi = (pi + qi) / 2;
    if (pi > 0) divergence += pi * Math.log(pi / mi);
    if (qi > 0) divergence += qi * Math.log(qi / mi);
  }
  return Math.sqrt(Math.max(0, divergence / 2));
}

export type ChiSquareResult = { statistic: number; pValue: number; degreesOfFreedom: number };

/**
 * Pearson's test of homogeneity on a 2×k table (SciPy `chi2_contingency`, Yates' correction when
 * there is one degree of freedom). Categories empty in both rows are dropped first.
 */
export function chiSquareHomogeneity(reference: ArrayLike<number>, current: ArrayLike<number>): ChiSquareResult {
  const rows: number[][] = [[], []];
  for (let i = 0; i < reference.length; i++) {
    if (reference[i] + current[i] > 0) {
      rows[0].push(reference[i]);
      rows[1].push(current[i]);
    }
  }
  const k = rows[0].length;
  const degreesOfFreedom = k - 1;
  const rowTotals = rows.map(r => r.reduce((s, x) => s + x, 0));
  const total = rowTotals[0] + rowTotals[1];
  if (degreesOfFreedom < 1 || rowTotals[0] === 0 || rowTotals[1] === 0) {
    return { statistic: 0, pValue: 1, degreesOfFreedom: Math.max(0, degreesOfFreedom) };
  }
  let statistic = 0;
  for (let c = 0; c < k; c++) {
    const columnTotal = rows[0][c] + rows[1][c];
    for (let r = 0; r < 2; r++) {
      const expected = (rowTotals[r] * columnTotal) / total;
      let observed = rows[r][c];
      if (degreesOfFreedom === 1) {
        const diff = expected - observed;
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      statistic += ((observed - expected) * (observed - expected)) / expected;
    }
  }
  return { statistic, pValue: chiSquareSf(statistic, degreesOfFreedom), degreesOfFreedom };
}

/** Indices of p-values rejected at level alpha under each correction. */
export function rejectedHypotheses(
  pValues: number[],
  alpha: number,
  correction: 'none' | 'bonferroni' | 'fdr',
): boolean[] {
  const m = pValues.length;
  if (correction === 'none') return pValues.map(p => p < alpha);
  if (correction === 'bonferroni') return pValues.map(p => p < alpha / m);
  // Benjamini–Hochberg: reject the k smallest, k the largest rank with p(k) ≤ k·alpha/m.
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  let cutoff = -1;
  order.forEach(([p], rank) => {
    if (p <= ((rank + 1) * alpha) / m) cutoff = rank;
  });
  const rejected = new Array<boolean>(m).fill(false);
  for (let r = 0; r <= cutoff; r++) rejected[order[r][1]] = true;
  return rejected;
}
