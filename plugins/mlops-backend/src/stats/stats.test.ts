/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectClose"] }] */
import fixtures from './__fixtures__/scipy.json';
import fc from 'fast-check';
import { chiSquareSf, kolmogorovSf } from './special';
import {
  countIntoBins,
  chiSquareHomogeneity,
  jensenShannon,
  ksExact,
  psiExact,
  referenceQuantileEdges,
  rejectedHypotheses,
  std,
  wassersteinExact,
} from './exact';
import { generateSample, SampleSpec, seededRandom } from './random';
import { auc, logLoss, ndcgAtK, precisionRecall } from './evaluation';
import { emptyNumeric, layoutFromSample, numericSummaryFromSample, addNumeric, NumericSummary, locatorOf } from './summaries';
import { numericDrift } from './fromSummaries';
import { ksPValue } from './ksDistribution';
import { binIndex, sortedCopy } from './quantile';

/** |actual − expected| ≤ 1e-9 · |expected| (absolute 1e-15 near zero). */
function expectClose(actual: number, expected: number, relative = 1e-9) {
  const tolerance = Math.max(relative * Math.abs(expected), 1e-15);
  expect({ actual, withinTolerance: Math.abs(actual - expected) <= tolerance }).toEqual({ actual, withinTolerance: true });
}

const sample = (spec: SampleSpec) => generateSample(spec as SampleSpec);

describe('special functions against SciPy', () => {
  it.each(fixtures.kolmogorovSf)('kstwobign.sf(%p)', (z, expected) => {
    expectClose(kolmogorovSf(z), expected);
  });
  it.each(fixtures.chiSquareSf)('chi2.sf(%p, %p)', (x, dof, expected) => {
    expectClose(chiSquareSf(x, dof), expected);
  });
});

describe('exact path against SciPy (relative 1e-9)', () => {
  describe.each([...fixtures.numeric, ...fixtures.numericLarge, ...fixtures.numericHard])('$name', fixture => {
    const reference = sample(fixture.reference as SampleSpec);
    const current = sample(fixture.current as SampleSpec);

    it('KS statistic, and the p-value SciPy gives by the same method (exact for small samples)', () => {
      const ks = ksExact(reference, current);
      expectClose(ks.statistic, fixture.ksStatistic);
      const exact = (fixture as { ksPValueExact?: number | null }).ksPValueExact ?? null;
      expect(ks.method).toBe(exact === null ? 'asymptotic' : 'exact');
      expectClose(ks.pValue, exact ?? fixture.ksPValueAsymptotic);
    });
    it('Wasserstein distance and reference spread', () => {
      expectClose(wassersteinExact(reference, current), fixture.wasserstein);
      expectClose(std(reference), fixture.referenceStd);
    });
    it('PSI and Jensen–Shannon on reference deciles (numpy.quantile edges)', () => {
      const edges = referenceQuantileEdges(sortedCopy(reference), 10);
      Array.from(edges).forEach((edge, i) => expectClose(edge, fixture.referenceDecileEdges[i]));
      expectClose(psiExact(reference, current), fixture.psi);
      expectClose(jensenShannon(countIntoBins(edges, reference), countIntoBins(edges, current)), fixture.jensenShannon);
    });
  });

  it.each(fixtures.categorical)('chi-square and Jensen–Shannon: $name', fixture => {
    const result = chiSquareHomogeneity(fixture.reference, fixture.current);
    expectClose(result.statistic, fixture.statistic);
    expectClose(result.pValue, fixture.pValue);
    expect(result.degreesOfFreedom).toBe(fixture.degreesOfFreedom);
    expectClose(jensenShannon(fixture.reference, fixture.current), fixture.jensenShannon);
  });

  it('Benjamini–Hochberg rejects what scipy.stats.false_discovery_control adjusts below alpha', () => {
    for (const alpha of [0.01, 0.05, 0.1, 0.2]) {
      expect(rejectedHypotheses(fixtures.fdr.pValues, alpha, 'fdr')).toEqual(fixtures.fdr.adjusted.map(p => p <= alpha));
    }
    expect(rejectedHypotheses([0.004, 0.006, 0.5], 0.03, 'bonferroni')).toEqual([true, true, false].map((_, i) => [0.004, 0.006, 0.5][i] < 0.01));
  });
});

describe('evaluation against SciPy/NumPy', () => {
  it.each(fixtures.evaluation)('seed $seed, n $n', fixture => {
    const random = seededRandom(fixture.seed);
    const scores: number[] = [];
    const labels: number[] = [];
    const queries: number[] = [];
    const relevance: number[] = [];
    for (let i = 0; i < fixture.n; i++) {
      const score = random();
      labels.push(random() < score * 0.8 ? 1 : 0);
      queries.push(Math.floor(random() * 40));
      relevance.push(Math.floor(random() * score * 4));
      scores.push(score);
    }
    expectClose(auc(scores, labels), fixture.auc);
    expectClose(logLoss(scores, labels), fixture.logLoss);
    const pr = precisionRecall(scores, labels, fixture.threshold);
    expectClose(pr.precision, fixture.precision);
    expectClose(pr.recall, fixture.recall);
    expectClose(ndcgAtK(queries, scores, relevance, fixture.k), fixture.ndcg);
  });

  it('AUC counts tied scores half', () => {
    expect(auc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0])).toBe(0.5);
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
  });
});

describe('summary path against SciPy', () => {
  /** The 5 % critical value of the two-sample KS statistic. */
  const critical = (n: number, m: number) => 1.3581 * Math.sqrt((n + m) / (n * m));

  // Normal and skewed data at three sizes, then heavy tails, mass beyond the reference's range,
  // rounded and discrete data (numericHard).
  describe.each([...fixtures.numericLarge, ...fixtures.numericHard])('$name', fixture => {
    const reference = sample(fixture.reference as SampleSpec);
    const current = sample(fixture.current as SampleSpec);
    const layout = layoutFromSample(reference);
    const refSummary = numericSummaryFromSample(reference, layout);
    // The current side is summarised event by event, in 5-minute-sized pieces merged together,
    // as ingestion does.
    const curSummary: NumericSummary = emptyNumeric(layout);
    current.forEach(v => addNumeric(curSummary, layout, v));
    const drift = numericDrift(layout, refSummary, curSummary);

    it('KS within 0.05 × the 5 % critical value, and below its own bound', () => {
      const error = Math.abs(drift.ks.statistic - fixture.ksStatistic);
      expect(error).toBeLessThanOrEqual(0.05 * critical(reference.length, current.length));
      expect(drift.ks.statisticBound).toBeGreaterThanOrEqual(fixture.ksStatistic);
      expect(drift.ks.statistic).toBeLessThanOrEqual(fixture.ksStatistic + 1e-12);
      const { pValue } = ksPValue(fixture.ksStatistic, reference.length, current.length);
      // The verdict at 5 % agrees with SciPy's statistic unless the p-value sits right at 5 %.
      const clearCut = Math.abs(pValue - 0.05) > 0.01;
      expect(clearCut ? drift.ks.pValue < 0.05 : pValue < 0.05).toBe(pValue < 0.05);
    });
    it('PSI equals the exact reference-decile PSI', () => {
      expectClose(drift.psi, fixture.psi);
    });
    it('Jensen–Shannon equals the exact decile value', () => {
      expectClose(drift.jensenShannon, fixture.jensenShannon);
    });
    it('normalised Wasserstein within 2 % of SciPy', () => {
      const expected = fixture.wasserstein / fixture.referenceStd;
      expect(Math.abs(drift.wasserstein - expected)).toBeLessThanOrEqual(0.02 * expected + 1e-4);
    });
  });
});

describe('bin location', () => {
  it('the grid locator gives exactly the bisection answer, ties and extremes included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 300 }),
        fc.array(fc.double({ min: -2e6, max: 2e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (rawEdges, xs) => {
          const edges = [...rawEdges].sort((a, b) => a - b);
          const locator = locatorOf({ edges, min: edges[0], max: edges[edges.length - 1], mean: 0, std: 1 });
          for (const x of [...xs, ...edges, edges[0] - 1, edges[edges.length - 1] + 1]) {
            expect(locator.locate(x)).toBe(binIndex(edges, x));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
