/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectClose"] }] */
import fixtures from './__fixtures__/scipy.json';
import fc from 'fast-check';
import { APPROXIMATE_MIN_P, approximatePValue, EXACT_KS_QUICK_CELLS, EXACT_KS_QUICK_CELLS_UNEQUAL, kolmogorovOneSampleSf, ksExactPValue, ksPValue, ONE_SAMPLE_MAX_K } from './ksDistribution';

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
import { ksExact } from './exact';
import { generateSample, SampleSpec } from './random';
import { emptyNumeric, layoutFromSample, numericSummaryFromSample, addNumericValues } from './summaries';
import { numericDrift } from './fromSummaries';

function expectClose(actual: number, expected: number, relative = 1e-9) {
  const tolerance = Math.max(relative * Math.abs(expected), 1e-300);
  expect({ actual, withinTolerance: Math.abs(actual - expected) <= tolerance }).toEqual({ actual, withinTolerance: true });
}

/**
 * An independent reference: every one of the C(n+m, n) merge orders of two tie-free samples,
 * equally likely under H0, walked one by one; the share whose largest ECDF gap reaches d.
 */
function bruteForcePValue(d: number, n: number, m: number): number {
  let reached = 0;
  let total = 0;
  // Gaps are multiples of 1/lcm(n, m); like SciPy, d is first rounded to the nearest of them.
  let lcm = n * m;
  for (let k = Math.min(n, m); k >= 1; k--) if (n % k === 0 && m % k === 0) {
    lcm = (n * m) / k;
    break;
  }
  const h = Math.round(d * lcm);
  const walk = (x: number, y: number, largest: number) => {
    if (x === n && y === m) {
      total++;
      if (Math.round(largest * lcm) >= h) reached++;
      return;
    }
    if (x < n) walk(x + 1, y, Math.max(largest, Math.abs((x + 1) / n - y / m)));
    if (y < m) walk(x, y + 1, Math.max(largest, Math.abs(x / n - (y + 1) / m)));
  };
  walk(0, 0, 0);
  return reached / total;
}

describe('exact two-sample KS p-value', () => {
  // All but a window against a reference 667 times larger, whose p-value is its one-sample one (below).
  const unequal = (f: (typeof fixtures.ksSmall)[number]) => f.name.startsWith('20,000 against 30');
  describe.each(fixtures.ksSmall.filter(f => !unequal(f)))('$name against SciPy ks_2samp(method="exact")', fixture => {
    const reference = generateSample(fixture.reference as SampleSpec);
    const current = generateSample(fixture.current as SampleSpec);

    it('statistic and exact p-value (relative 1e-9, tiny p-values included)', () => {
      const ks = ksExact(reference, current);
      expectClose(ks.statistic, fixture.statistic);
      expect(ks.method).toBe('exact');
      expectClose(ks.pValue, fixture.pValueExact);
    });
  });

  it.each(fixtures.ksSmall.filter(unequal))("$name: the window's one-sample p-value, within 2 % of SciPy ks_2samp(method=\"exact\")", fixture => {
    const ks = ksExact(generateSample(fixture.reference as SampleSpec), generateSample(fixture.current as SampleSpec));
    expectClose(ks.statistic, fixture.statistic);
    expect(ks.method).toBe('one-sample');
    expect(Math.abs(ks.pValue / fixture.pValueExact - 1)).toBeLessThanOrEqual(0.02);
  });

  it('the asymptotic p-value the exact one replaces was off by up to +45 % on these samples', () => {
    const worst = Math.max(...fixtures.ksSmall.map(f => f.pValueAsymptotic / f.pValueExact));
    // SciPy's own numbers: the limit overstates small-sample p-values, so drift was under-reported.
    expect(worst).toBeGreaterThan(1.2);
  });

  it('equals the share of all merge orders reaching the gap (every d, n, m up to 7)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 0, max: 49 }), (n, m, k) => {
        // Attainable gaps and the ones between them.
        const d = Math.min(1, (k % (n * m + 1)) / (n * m));
        const expected = bruteForcePValue(d, n, m);
        expectClose(ksExactPValue(d, n, m), expected, 1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('falls to an approximation where the exact one would be slow, and says so', () => {
    expect(ksPValue(0.01, 100_000, 100_000).method).toBe('asymptotic');
    expect(ksPValue(0.2, 40, 25).method).toBe('exact');
    expect(ksPValue(0.2, 1_000, 600).method).toBe('exact');
    // Too many lattice cells for the exact path, but the reference dwarfs the window: its one-sample distribution.
    expect(ksPValue(0.2, 40, 100_000).method).toBe('one-sample');
    // ⌊n·D⌋ + 1 above 12: Stephens' corrected limit, in the far tail too (p ≈ 1e-13 here).
    expect(ksPValue(0.3, 40, 100_000).method).toBe('asymptotic');
    expect(ksPValue(0.6, 40, 100_000).method).toBe('asymptotic');
    // Samples of similar size: the exact computation in the far tail where affordable (p ≈ 1e-30 here).
    expect(ksPValue(0.2, 2_000, 1_500).method).toBe('exact');
    expect(ksPValue(0.05, 2_000, 1_500).method).toBe('asymptotic');
  });

  it('approximates the exact p-value within 8 % wherever it is at least 1e-3, beyond the quick exact budget (generated sizes and lattice gaps)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 2_000 }),
        fc.constantFrom(1, 1.3, 2, 3, 4, 7, 12, 30, 80, 150, 400, 1_000),
        fc.double({ min: 0.5, max: 2.2, noNaN: true }),
        (n, ratio, z) => {
          const m = Math.round(n * ratio);
          // A gap two ECDFs can have: a multiple of 1/lcm(n, m).
          const lcm = (n / gcd(n, m)) * m;
          const d = Math.round((z / Math.sqrt((n * m) / (n + m))) * lcm) / lcm;
          // Only where the approximations answer, and the exact reference stays quick to compute.
          fc.pre(2 * d * n * m > (m >= 3 * n ? EXACT_KS_QUICK_CELLS_UNEQUAL : EXACT_KS_QUICK_CELLS) && 2 * d * n * m <= 2e7);
          const exact = ksExactPValue(d, n, m);
          fc.pre(exact >= APPROXIMATE_MIN_P);
          const approximate = approximatePValue(d, n, m, ONE_SAMPLE_MAX_K);
          expect(Math.abs(approximate.pValue / exact - 1)).toBeLessThanOrEqual(0.08);
          expect(Math.abs(ksPValue(d, n, m).pValue / exact - 1)).toBeLessThanOrEqual(0.08);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('a small window against a much larger reference: the one-sample distribution', () => {
  // The function holds for any k; ksPValue uses it up to ONE_SAMPLE_MAX_K, where it is cheap.
  const usable = fixtures.kolmogorovOneSample.filter(f => Math.floor(f.n * f.d) + 1 <= 30);

  it.each(usable)('P(D_$n ≥ $d) as SciPy kstwo.sf', ({ d, n, sf }) => {
    // Relative 1e-6 where the p-value decides anything; tiny ones to 1e-12 absolute (computed as 1 − P(D < d)).
    const tolerance = sf > 1e-6 ? 1e-6 * sf : 1e-12;
    expect(Math.abs(kolmogorovOneSampleSf(d, n) - sf)).toBeLessThanOrEqual(tolerance);
  });

  it('covers the fixtures meant for it', () => {
    expect(usable.length).toBeGreaterThanOrEqual(9);
  });

  it.each(fixtures.ksLargeReference)('$name: within 0.1 % of SciPy ks_2samp(method="exact"), where the limit was 4-14 % high', fixture => {
    const reference = generateSample(fixture.reference as SampleSpec);
    const current = generateSample(fixture.current as SampleSpec);
    const ks = ksExact(reference, current);
    expectClose(ks.statistic, fixture.statistic);
    expect(ks.method).toBe('one-sample');
    expectClose(ks.pValue, fixture.pValueExact, 1e-3);
    expect(fixture.pValueAsymptotic / fixture.pValueExact).toBeGreaterThan(1.04);
  });

  it('is used only where it is cheap and the reference dwarfs the window', () => {
    expect(ksPValue(0.25, 25, 400_000).method).toBe('one-sample');
    expect(ksPValue(0.25, 25, 2_000).method).toBe('exact');
    // A reference not 100 times the window: the limit.
    expect(ksPValue(0.05, 10_000, 400_000).method).toBe('asymptotic');
    // ⌊n·D⌋ + 1 above ONE_SAMPLE_MAX_K: Stephens' corrected limit.
    expect(Math.floor(1_000 * 0.05) + 1).toBeGreaterThan(ONE_SAMPLE_MAX_K);
    expect(ksPValue(0.05, 1_000, 400_000).method).toBe('asymptotic');
  });
});

describe('small current windows against a large reference, from summaries', () => {
  // The reference as a training profile (20,000 values on 1,000 quantile bins), 30 current values.
  const fixture = fixtures.ksSmall.find(f => f.name.startsWith('20,000 against 30'))!;
  const reference = generateSample(fixture.reference as SampleSpec);
  const current = generateSample(fixture.current as SampleSpec);
  const layout = layoutFromSample(reference);
  const refSummary = numericSummaryFromSample(reference, layout);
  const curSummary = emptyNumeric(layout);
  addNumericValues(curSummary, layout, current);
  const { ks } = numericDrift(layout, refSummary, curSummary);

  it('the statistic is within its bound of SciPy, the bound no wider than a reference bin', () => {
    expect(ks.statistic).toBeLessThanOrEqual(fixture.statistic + 1e-12);
    expect(ks.statisticBound).toBeGreaterThanOrEqual(fixture.statistic);
    expect(ks.statisticBound - ks.statistic).toBeLessThanOrEqual(1 / 1000 + 1e-9);
  });

  it("the p-value is the window's one-sample one, within 2 % of the exact, and gives SciPy's exact test verdict", () => {
    expect(ks.method).toBe('one-sample');
    const exactAt = (d: number) => ksExactPValue(d, reference.length, current.length);
    expect(Math.abs(ks.pValue / exactAt(ks.statistic) - 1)).toBeLessThanOrEqual(0.02);
    // SciPy's exact p-value lies between the exact p-values of the summary's statistic and of its bound.
    expect(fixture.pValueExact).toBeLessThanOrEqual(exactAt(ks.statistic) * (1 + 1e-9));
    expect(fixture.pValueExact).toBeGreaterThanOrEqual(exactAt(ks.statisticBound) * (1 - 1e-9));
    expect(ks.pValue < 0.01).toBe(fixture.pValueExact < 0.01);
  });
});
