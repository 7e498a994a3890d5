/*
 * Performance before labels: confidence-based performance estimation (CBPE, as NannyML does it).
 *
 * A binary classifier's scores are calibrated on a labelled reference (isotonic regression), so
 * each production score becomes the probability p that its outcome will be positive. The expected
 * ROC AUC, precision and recall of a window follow from those probabilities alone; the interval is
 * the spread of the metric the window's labels would realise if each label were drawn with its p.
 * Valid while P(outcome | score) stays as in the reference: covariate shift is fine, concept drift
 * (the same scores now meaning another outcome rate) is invisible to it.
 */

import { normal, Random, seededRandom } from './random';

/**
 * A monotone map from score to the outcome's probability: the pooled blocks of isotonic regression
 * (each block's score range, rows and positives). Between blocks the probability is interpolated
 * linearly from one block's highest score to the next one's lowest; outside, it is clipped.
 */
export type ScoreCalibration = {
  outcome: string;
  /** Labelled reference rows it was fitted on, and their positives. */
  n: number;
  positives: number;
  blocks: { low: number[]; high: number[]; n: number[]; positives: number[] };
};

/**
 * Pools adjacent blocks while a block's rate is not above its predecessor's (pool adjacent
 * violators). Equal rates are pooled too: predictions are the same, and fewer, larger blocks keep
 * the redrawn calibration from adding noise where positives are rare (runs of all-zero blocks).
 */
function pool(low: number[], high: number[], weight: number[], sum: number[]) {
  while (low.length > 1) {
    const b = low.length - 1;
    // Rates compared by cross-multiplying: exact for counts.
    if (sum[b - 1] * weight[b] < sum[b] * weight[b - 1]) return;
    high[b - 1] = high[b];
    weight[b - 1] += weight[b];
    sum[b - 1] += sum[b];
    low.pop();
    high.pop();
    weight.pop();
    sum.pop();
  }
}

/**
 * Isotonic regression of labels on scores, predicting what scikit-learn's
 * IsotonicRegression(out_of_bounds="clip") predicts.
 */
export function fitCalibration(scores: ArrayLike<number>, labels: ArrayLike<number>, outcome: string): ScoreCalibration {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const low: number[] = [];
  const high: number[] = [];
  const weight: number[] = [];
  const sum: number[] = [];
  let positives = 0;
  for (let k = 0; k < order.length; ) {
    // A run of equal scores is one point: it is pooled whole, never judged on part of its labels.
    const score = scores[order[k]];
    let count = 0;
    let ones = 0;
    for (; k < order.length && scores[order[k]] === score; k++, count++) ones += labels[order[k]] ? 1 : 0;
    positives += ones;
    low.push(score);
    high.push(score);
    weight.push(count);
    sum.push(ones);
    pool(low, high, weight, sum);
  }
  return { outcome, n: scores.length, positives, blocks: { low, high, n: weight, positives: sum } };
}

/** Interpolation knots of a calibration: each block's lowest and highest score at its rate. */
function knotsOf(blocks: ScoreCalibration['blocks'], rates: ArrayLike<number>) {
  const x: number[] = [];
  const y: number[] = [];
  for (let b = 0; b < blocks.low.length; b++) {
    x.push(blocks.low[b], blocks.high[b]);
    y.push(rates[b], rates[b]);
  }
  return { x, y };
}

/** Where a score falls among the knots: the knot at or below it and the share of the way to the next. */
function position(x: number[], score: number): [number, number] {
  if (score <= x[0]) return [0, 0];
  if (score >= x[x.length - 1]) return [x.length - 2, 1];
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= score) lo = mid;
    else hi = mid;
  }
  return [lo, x[hi] === x[lo] ? 0 : (score - x[lo]) / (x[hi] - x[lo])];
}

const ratesOf = (blocks: ScoreCalibration['blocks']) => blocks.n.map((w, b) => blocks.positives[b] / w);

/** The calibrated probability of a score. */
export function calibrate(calibration: ScoreCalibration, score: number): number {
  const { blocks } = calibration;
  if (!blocks.low.length) return Number.NaN;
  const { x, y } = knotsOf(blocks, ratesOf(blocks));
  const [lo, t] = position(x, score);
  return t === 0 ? y[lo] : y[lo] + (y[lo + 1] - y[lo]) * t;
}

export type Estimate = { value: number; lower: number; upper: number };

export type PerformanceEstimate = {
  n: number;
  /** Expected positives: the sum of the calibrated probabilities. */
  expectedPositives: number;
  auc: Estimate | null;
  precision: Estimate | null;
  recall: Estimate | null;
};

/** Draws of the labels a window could realise; 200 put the 2.5 % and 97.5 % quantiles within about ±1 draw. */
export const ESTIMATE_DRAWS = 200;
/** Below this many predictions a window gets no estimate (the metrics themselves are too noisy). */
export const MIN_ESTIMATE_PREDICTIONS = 100;

function expectedPositivesPerGroup(probabilities: Float64Array, groupEnd: number[]): Float64Array {
  const out = new Float64Array(groupEnd.length);
  for (let g = 0, k = 0; g < groupEnd.length; g++) {
    let p = 0;
    for (; k < groupEnd[g]; k++) p += probabilities[k];
    out[g] = p;
  }
  return out;
}

function drawnPositives(probabilities: Float64Array, groupEnd: number[], random: Random): Float64Array {
  const out = new Float64Array(groupEnd.length);
  for (let g = 0, k = 0; g < groupEnd.length; g++) {
    let p = 0;
    for (; k < groupEnd[g]; k++) if (random() < probabilities[k]) p++;
    out[g] = p;
  }
  return out;
}

/** AUC (ties half), precision and recall of "score ≥ threshold" from per-group positives, in ascending score order. */
function metricsOfGroups(groupPositives: Float64Array, groupEnd: number[], aboveThreshold: boolean[]) {
  let negativesBelow = 0;
  let pairs = 0;
  let positives = 0;
  let negatives = 0;
  let truePositives = 0;
  let predictedPositive = 0;
  for (let g = 0; g < groupEnd.length; g++) {
    const count = groupEnd[g] - (g ? groupEnd[g - 1] : 0);
    const p = groupPositives[g];
    const q = count - p;
    pairs += p * (negativesBelow + q / 2);
    negativesBelow += q;
    positives += p;
    negatives += q;
    if (aboveThreshold[g]) {
      truePositives += p;
      predictedPositive += count;
    }
  }
  return {
    auc: positives > 0 && negatives > 0 ? pairs / (positives * negatives) : Number.NaN,
    precision: predictedPositive ? truePositives / predictedPositive : Number.NaN,
    recall: positives > 0 ? truePositives / positives : Number.NaN,
  };
}

function quantile(sorted: number[], q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

/**
 * CBPE for one window of scores: the expected metric under the calibration, and a 95 % interval
 * (the 2.5 % and 97.5 % quantiles over draws) of the metric the window's labels will realise. Each
 * draw first redraws the calibration's block rates within their binomial uncertainty (re-pooled to
 * stay monotone), since a reference of finite size misstates every window the same way, then draws
 * each label with its probability. `seed` fixes the draws: the same window gets the same interval.
 */
export function estimatePerformance(
  calibration: ScoreCalibration,
  scores: ArrayLike<number>,
  threshold: number,
  seed: number,
  draws = ESTIMATE_DRAWS,
): PerformanceEstimate {
  return estimateAcrossVersions([{ calibration, scores }], threshold, seed, draws);
}

/** Scores of one version and the calibration of that version. */
export type CalibratedScores = { calibration: ScoreCalibration; scores: ArrayLike<number> };

/**
 * Block rates redrawn within their binomial uncertainty, then pooled again to stay monotone, written
 * as knot values (each block's rate at its lowest and highest score) into `knots`. Typed arrays and a
 * stack index: this runs once per block per draw.
 */
class RateRedraw {
  private readonly first: Int32Array;
  private readonly last: Int32Array;
  private readonly weight: Float64Array;
  private readonly sum: Float64Array;
  readonly knots: Float64Array;

  constructor(
    private readonly blocks: ScoreCalibration['blocks'],
    private readonly fitted: number[],
    private readonly spread: number[],
  ) {
    const size = blocks.low.length;
    this.first = new Int32Array(size);
    this.last = new Int32Array(size);
    this.weight = new Float64Array(size);
    this.sum = new Float64Array(size);
    this.knots = new Float64Array(2 * size);
  }

  draw(random: Random): Float64Array {
    const { blocks, fitted, spread, first, last, weight, sum, knots } = this;
    let top = -1;
    for (let b = 0; b < blocks.low.length; b++) {
      const rate = Math.min(1, Math.max(0, fitted[b] + spread[b] * normal(random)));
      top++;
      first[top] = b;
      last[top] = b;
      weight[top] = blocks.n[b];
      sum[top] = rate * blocks.n[b];
      while (top > 0 && sum[top - 1] * weight[top] > sum[top] * weight[top - 1]) {
        last[top - 1] = last[top];
        weight[top - 1] += weight[top];
        sum[top - 1] += sum[top];
        top--;
      }
    }
    for (let j = 0; j <= top; j++) {
      const rate = sum[j] / weight[j];
      for (let b = first[j]; b <= last[j]; b++) knots[2 * b] = knots[2 * b + 1] = rate;
    }
    return knots;
  }
}

/**
 * CBPE for a window served by several versions (a canary, a shadow): each prediction calibrated by
 * its own version's calibration, the metric over all of them ranked by raw score, as the realised
 * metric is.
 */
export function estimateAcrossVersions(parts: CalibratedScores[], threshold: number, seed: number, draws = ESTIMATE_DRAWS): PerformanceEstimate {
  const usable = parts.filter(p => p.calibration.blocks.low.length);
  const n = usable.reduce((total, p) => total + p.scores.length, 0);
  const scores = new Float64Array(n);
  const partOf = new Int32Array(n);
  usable.reduce((offset, part, j) => {
    for (let i = 0; i < part.scores.length; i++) {
      scores[offset + i] = part.scores[i];
      partOf[offset + i] = j;
    }
    return offset + part.scores.length;
  }, 0);
  const fitted = usable.map(p => ratesOf(p.calibration.blocks));
  const knots = usable.map((p, j) => knotsOf(p.calibration.blocks, fitted[j]));
  // The window sorted by score, runs of equal scores as groups, each score's place among its version's knots.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const part = new Int32Array(n);
  const knot = new Int32Array(n);
  const share = new Float64Array(n);
  const groupEnd: number[] = [];
  const aboveThreshold: boolean[] = [];
  for (let k = 0; k < n; k++) {
    part[k] = partOf[order[k]];
    [knot[k], share[k]] = position(knots[part[k]].x, scores[order[k]]);
    if (k === n - 1 || scores[order[k + 1]] !== scores[order[k]]) {
      groupEnd.push(k + 1);
      aboveThreshold.push(scores[order[k]] >= threshold);
    }
  }
  const probabilities = new Float64Array(n);
  const fill = (values: ArrayLike<number>[]) => {
    for (let k = 0; k < n; k++) {
      const y = values[part[k]];
      probabilities[k] = share[k] === 0 ? y[knot[k]] : y[knot[k]] + (y[knot[k] + 1] - y[knot[k]]) * share[k];
    }
  };
  fill(knots.map(k => k.y));
  const expectedPositives = probabilities.reduce((total, p) => total + p, 0);
  if (n < MIN_ESTIMATE_PREDICTIONS) return { n, expectedPositives, auc: null, precision: null, recall: null };
  const metrics = (drawLabels: Random | null) => {
    // Per run of equal scores: positives (expected or drawn), all, and whether it is above the threshold.
    const groupPositives = drawLabels ? drawnPositives(probabilities, groupEnd, drawLabels) : expectedPositivesPerGroup(probabilities, groupEnd);
    return metricsOfGroups(groupPositives, groupEnd, aboveThreshold);
  };
  const expected = metrics(null);
  const random: Random = seededRandom(seed);
  const drawn = { auc: [] as number[], precision: [] as number[], recall: [] as number[] };
  // Block rates are redrawn around the fit with a Jeffreys-smoothed binomial spread, so a block of
  // all zeros still varies: a reference of finite size misstates every window the same way.
  const spreads = usable.map(({ calibration: { blocks } }) =>
    blocks.n.map((w, b) => {
      const smoothed = (blocks.positives[b] + 0.5) / (w + 1);
      return Math.sqrt((smoothed * (1 - smoothed)) / w);
    }),
  );
  const redraws = usable.map((p, j) => new RateRedraw(p.calibration.blocks, fitted[j], spreads[j]));
  for (let d = 0; d < draws; d++) {
    fill(redraws.map(redraw => redraw.draw(random)));
    const m = metrics(random);
    for (const key of ['auc', 'precision', 'recall'] as const) if (Number.isFinite(m[key])) drawn[key].push(m[key]);
  }
  const estimate = (key: 'auc' | 'precision' | 'recall'): Estimate | null => {
    // A metric most draws leave undefined (no positives expected, nothing above the threshold) has no estimate.
    if (!Number.isFinite(expected[key]) || drawn[key].length < draws / 2) return null;
    const sorted = drawn[key].sort((a, b) => a - b);
    return { value: expected[key], lower: quantile(sorted, 0.025), upper: quantile(sorted, 0.975) };
  };
  return { n, expectedPositives, auc: estimate('auc'), precision: estimate('precision'), recall: estimate('recall') };
}
