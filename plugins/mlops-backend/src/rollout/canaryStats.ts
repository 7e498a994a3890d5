import { chiSquareSf, Z_975 } from '../stats/special';

/*
 * The statistics of canary analysis: champion vs challenger. Checked against SciPy
 * (scripts/scipy-fixtures.py → src/rollout/__fixtures__/scipy.json).
 */


export type TwoProportionTest = {
  /** Challenger rate minus champion rate, over the pooled standard error. */
  z: number;
  /** One-sided p-value of "the challenger's rate is lower than the champion's". */
  pLower: number;
  /** One-sided p-value of "the challenger's rate is higher than the champion's". */
  pHigher: number;
  /** Two-sided p-value (equals SciPy's chi2_contingency without continuity correction). */
  pTwoSided: number;
  championRate: number;
  challengerRate: number;
  /** challengerRate / championRate − 1. */
  relativeDifference: number;
  /** 95 % interval of the relative difference (Katz log interval of the rate ratio). */
  interval: [number, number];
};

/**
 * Pooled two-proportion z-test, challenger (x2 of n2) against champion (x1 of n1). NaN fields
 * where the test is undefined (an empty arm, or no successes at all).
 */
export function twoProportionTest(x1: number, n1: number, x2: number, n2: number): TwoProportionTest {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = (p2 - p1) / se;
  const pTwoSided = Number.isFinite(z) ? chiSquareSf(z * z, 1) : Number.NaN;
  const pLower = z < 0 ? pTwoSided / 2 : 1 - pTwoSided / 2;
  const pHigher = z > 0 ? pTwoSided / 2 : 1 - pTwoSided / 2;
  const ratio = p2 / p1;
  const logSe = Math.sqrt(1 / x2 - 1 / n2 + 1 / x1 - 1 / n1);
  return {
    z,
    pLower,
    pHigher,
    pTwoSided,
    championRate: p1,
    challengerRate: p2,
    relativeDifference: ratio - 1,
    interval: [Math.exp(Math.log(ratio) - Z_975 * logSe) - 1, Math.exp(Math.log(ratio) + Z_975 * logSe) - 1],
  };
}

/** Ranks from 1, ties sharing their average rank (SciPy's `rankdata(method='average')`). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

/** Spearman's rank correlation of paired samples; NaN when either side is constant. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error('spearman needs paired samples');
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const n = rx.length;
  const mean = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = rx[i] - mean;
    const dy = ry[i] - mean;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Share of pairs on the same side of the decision threshold (both positive or both negative). */
export function agreementRate(x: ArrayLike<number>, y: ArrayLike<number>, threshold = 0.5): number {
  if (x.length !== y.length) throw new Error('agreement needs paired samples');
  let same = 0;
  for (let i = 0; i < x.length; i++) if (x[i] >= threshold === y[i] >= threshold) same++;
  return same / x.length;
}
