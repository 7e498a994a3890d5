/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectClose"] }] */
import fixtures from './__fixtures__/scipy.json';
import { binomialSf, tailCheck } from './tails';
import { emptyNumeric, layoutFromSample, numericSummaryFromSample, addNumericValues, NumericLayout } from './summaries';
import { numericDrift } from './fromSummaries';
import { quantileSorted, sortedCopy } from './quantile';
import { Random, simulationRandom } from './random';

function expectClose(actual: number, expected: number, relative = 1e-9) {
  const tolerance = Math.max(relative * Math.abs(expected), 1e-300);
  expect({ actual, withinTolerance: Math.abs(actual - expected) <= tolerance }).toEqual({ actual, withinTolerance: true });
}

/** exp(μ + σ·Z), Z standard normal by Box–Muller: real tails, unlike a sum of uniforms. */
function lognormal(random: Random, n: number, mu: number, sigma: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    out[i] = Math.exp(mu + sigma * z);
  }
  return out;
}

function summarise(layout: NumericLayout, values: Float64Array) {
  const summary = emptyNumeric(layout);
  addNumericValues(summary, layout, values);
  return summary;
}

describe('binomial survival function', () => {
  it.each(fixtures.binomialSf)('P(X ≥ %p), X ~ Binomial(%p, %p), against SciPy binomtest', (x, t, p, expected) => {
    expectClose(binomialSf(x, t, p), expected, 1e-9);
  });
});

describe('tail check', () => {
  // A training profile of 100,000 values and, in the field report's words, a lognormal whose mean
  // rose 31 % and whose mass above the reference's 99th percentile went from 1 % to 2.5 %:
  // lognormal(0.158, 1.106) against lognormal(0, 1).
  const random = simulationRandom(7);
  const reference = lognormal(random, 100_000, 0, 1);
  const layout = layoutFromSample(reference);
  const refSummary = numericSummaryFromSample(reference, layout);
  const shifted = lognormal(random, 10_000, 0.158, 1.106);

  it('measures the shares beyond the reference percentiles exactly (NumPy quantile edges, counted directly)', () => {
    const tail = tailCheck(layout, refSummary, summarise(layout, shifted))!;
    const sorted = sortedCopy(reference);
    const p1 = quantileSorted(sorted, 0.01);
    const p99 = quantileSorted(sorted, 0.99);
    expect(tail.lower.threshold).toBe(p1);
    expect(tail.upper.threshold).toBe(p99);
    expect(tail.upper.share).toBe(shifted.filter(v => v > p99).length / shifted.length);
    expect(tail.lower.share).toBe(shifted.filter(v => v <= p1).length / shifted.length);
    expect(tail.upper.referenceShare).toBe(reference.filter(v => v > p99).length / reference.length);
  });

  it('catches the lognormal tail shift at n = 10,000 that PSI on deciles calls no drift', () => {
    const current = summarise(layout, shifted);
    const tail = tailCheck(layout, refSummary, current)!;
    expect(tail.upper.share).toBeGreaterThan(0.02);
    expect(tail.upper.ratio).toBeGreaterThan(2);
    expect(tail.pValue).toBeLessThan(1e-12);
    // What the other checks make of it: PSI far below its warning threshold of 0.25.
    expect(numericDrift(layout, refSummary, current).psi).toBeLessThan(0.1);
  });

  it('judges each side on its own: a shifted window, lighter below and heavier above', () => {
    const shiftedUp = summarise(layout, lognormal(simulationRandom(8), 20_000, 0.3, 1));
    const tail = tailCheck(layout, refSummary, shiftedUp)!;
    expect(tail.lower.share).toBeLessThan(tail.lower.referenceShare);
    // The lighter side is no evidence of a heavier tail: its one-sided p-value is about 1, not 0.
    expect(tail.lower.pValue).toBeGreaterThan(0.99);
    expect(tail.upper.ratio).toBeGreaterThan(1.5);
    expect(tail.upper.pValue).toBeLessThan(1e-12);
    expect(tail.pValue).toBe(Math.min(1, 2 * tail.upper.pValue));
  });

  it('says nothing when the window is too small to expect ten values beyond a percentile', () => {
    expect(tailCheck(layout, refSummary, summarise(layout, shifted.subarray(0, 900)))).toBeNull();
    expect(tailCheck(layout, refSummary, summarise(layout, shifted.subarray(0, 1000)))).not.toBeNull();
  });

  it('raises no more false alarms than α on 200,000-value windows drawn like the reference (200 seeds)', () => {
    // Each seed draws its own reference (a 20,000-value training sample) and a 200,000-value window
    // from the same distribution; the check must reject at α in at most α of the seeds, up to the
    // binomial noise of 200 trials (2.5 standard errors). The check reads only which side of two
    // reference order statistics each value falls on, so its false-alarm rate is the same for every
    // continuous distribution: uniform values stand for all of them (and cost no logarithms).
    const seeds = 200;
    const alpha = 0.05;
    let alarms = 0;
    let smallest = 1;
    for (let seed = 1; seed <= seeds; seed++) {
      const r = simulationRandom(1000 + seed);
      const draw = (n: number) => Float64Array.from({ length: n }, () => r());
      const ref = draw(20_000);
      const lay = layoutFromSample(ref);
      const tail = tailCheck(lay, numericSummaryFromSample(ref, lay), summarise(lay, draw(200_000)))!;
      if (tail.pValue < alpha) alarms++;
      smallest = Math.min(smallest, tail.pValue);
    }
    const standardError = Math.sqrt((alpha * (1 - alpha)) / seeds);
    expect(alarms / seeds).toBeLessThanOrEqual(alpha + 2.5 * standardError);
    // Not vacuous: the p-values do reach into the rejection region now and then.
    expect(smallest).toBeLessThan(alpha);
  });
});
