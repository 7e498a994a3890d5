import { logGamma } from './special';
import { NumericLayout, NumericSummary } from './summaries';

/*
 * The tail check: what share of the window lies beyond the reference's 1st and 99th percentiles,
 * against the reference's own share there. Deciles (PSI) and the KS statistic cannot see a tail
 * that doubles while the body stays put, and tails are where fraud, pricing and latency models
 * break. The layout's interior edges are the reference's quantiles k/bins, so with 1,000 bins the
 * ten outermost bins on each side are exactly the mass beyond p1 and beyond p99: no new storage.
 *
 * The test is the conditional binomial test of two rates: given the t values beyond a threshold
 * in both samples together, under H0 the current window's count among them is
 * Binomial(t, n/(n+m)) (SciPy `binomtest(x, t, n/(n+m), alternative="greater")`). It accounts for
 * the reference being a sample too: its percentile is itself estimated, and a one-sample test
 * against "exactly 1 %" raises far more false alarms than α on large windows.
 */

/** Share of the reference beyond each threshold: the 1st and 99th percentiles. */
export const TAIL_QUANTILE = 0.01;

/** The window needs this many values expected beyond a threshold before the check says anything. */
export const TAIL_MIN_EXPECTED = 10;

export type TailSide = {
  /** The reference's percentile the side is measured beyond. */
  threshold: number;
  /** Share of the window at or below p1 (lower) or above p99 (upper). */
  share: number;
  referenceShare: number;
  /** share / referenceShare. */
  ratio: number;
  /** One-sided: is the window's tail heavier than the reference's? */
  pValue: number;
};

export type TailStatistics = {
  lower: TailSide;
  upper: TailSide;
  /** The smaller side's p-value, doubled (Bonferroni over the two sides). */
  pValue: number;
};

/**
 * P(X ≥ x) for X ~ Binomial(t, p). The smaller tail is summed, term by term away from the mode
 * (each term from the previous by their ratio, the first in log space), so the sum never starts
 * from an underflowed term in the bulk: above the mean P(X ≥ x) directly, below it 1 − P(X < x).
 * Accurate to about 1e-9 relative for the t of a day's traffic (logGamma's cancellation at large t).
 */
export function binomialSf(x: number, t: number, p: number): number {
  if (x <= 0) return 1;
  if (x > t) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  const logPmf = (k: number) => logGamma(t + 1) - logGamma(k + 1) - logGamma(t - k + 1) + k * Math.log(p) + (t - k) * Math.log1p(-p);
  const odds = p / (1 - p);
  if (x > t * p) {
    // Upper tail: terms fall from x upwards (x is at or past the mode).
    let term = Math.exp(logPmf(x));
    let sum = term;
    for (let k = x; k < t && term > sum * 1e-17; k++) {
      term *= ((t - k) / (k + 1)) * odds;
      sum += term;
    }
    return Math.min(1, sum);
  }
  // Lower tail P(X ≤ x − 1): terms fall from x − 1 downwards (below the mode).
  let term = Math.exp(logPmf(x - 1));
  let sum = term;
  for (let k = x - 1; k > 0 && term > sum * 1e-17; k--) {
    term *= (k / (t - k + 1)) / odds;
    sum += term;
  }
  return Math.max(0, 1 - sum);
}

function side(threshold: number, x: number, n: number, y: number, m: number): TailSide {
  const share = x / n;
  const referenceShare = y / m;
  return { threshold, share, referenceShare, ratio: share / referenceShare, pValue: binomialSf(x, x + y, n / (n + m)) };
}

/**
 * The tail check of a window against its reference on the feature's layout, or null when the
 * window is too small for it (fewer than TAIL_MIN_EXPECTED values expected beyond a threshold) or
 * the layout's bins do not split into percentiles.
 */
export function tailCheck(layout: NumericLayout, reference: NumericSummary, current: NumericSummary): TailStatistics | null {
  const bins = layout.edges.length + 1;
  const perSide = bins * TAIL_QUANTILE;
  if (!Number.isInteger(perSide) || perSide < 1) return null;
  let refLow = 0;
  let curLow = 0;
  let refHigh = 0;
  let curHigh = 0;
  for (let i = 0; i < perSide; i++) {
    refLow += reference.counts[i];
    curLow += current.counts[i];
    refHigh += reference.counts[bins - 1 - i];
    curHigh += current.counts[bins - 1 - i];
  }
  const n = current.n;
  const m = reference.n;
  if (!n || !m || !refLow || !refHigh) return null;
  if (Math.min(refLow, refHigh) * (n / m) < TAIL_MIN_EXPECTED) return null;
  const lower = side(layout.edges[perSide - 1], curLow, n, refLow, m);
  const upper = side(layout.edges[bins - perSide - 1], curHigh, n, refHigh, m);
  return { lower, upper, pValue: Math.min(1, 2 * Math.min(lower.pValue, upper.pValue)) };
}
