/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectClose"] }] */
import fc from 'fast-check';
import fixtures from './__fixtures__/scipy.json';
import { agreementRate, averageRanks, spearman, twoProportionTest } from './canaryStats';
import { seededRandom } from '../stats/random';

function expectClose(actual: number, expected: number, relative = 1e-9) {
  const tolerance = Math.max(relative * Math.abs(expected), 1e-15);
  expect({ actual, withinTolerance: Math.abs(actual - expected) <= tolerance }).toEqual({ actual, withinTolerance: true });
}

/** The generator of scripts/scipy-fixtures.py's paired_scores. */
function pairedScores(seed: number, n: number, noise: number, decimals: number) {
  const random = seededRandom(seed);
  const x: number[] = [];
  const y: number[] = [];
  const scale = 10 ** decimals;
  for (let i = 0; i < n; i++) {
    const a = random();
    const b = Math.min(1, Math.max(0, a + noise * (random() - 0.5)));
    x.push(Math.floor(a * scale) / scale);
    y.push(Math.floor(b * scale) / scale);
  }
  return { x, y };
}

describe('two-proportion test against SciPy', () => {
  it.each(fixtures.twoProportion.map(c => [`${c.x2}/${c.n2} vs ${c.x1}/${c.n1}`, c] as const))('%s', (_, c) => {
    const t = twoProportionTest(c.x1, c.n1, c.x2, c.n2);
    expectClose(t.z * t.z, c.chi2);
    expectClose(t.pTwoSided, c.pTwoSided);
    expectClose(t.pLower, c.pLower);
    expectClose(t.pHigher, c.pHigher);
    expectClose(t.relativeDifference + 1, c.relativeRisk);
    expectClose(t.interval[0] + 1, c.low);
    expectClose(t.interval[1] + 1, c.high);
  });

  it('puts the challenger below the champion exactly when its one-sided p is under one half', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 10000, max: 20000 }), (x1, x2, n) => {
        const t = twoProportionTest(x1, n, x2, n);
        expect(Math.sign(0.5 - t.pLower)).toBe(Math.sign(x1 - x2));
        expect(t.interval[0]).toBeLessThanOrEqual(t.relativeDifference);
        expect(t.interval[1]).toBeGreaterThanOrEqual(t.relativeDifference);
      }),
    );
  });
});

describe('Spearman rank correlation against SciPy', () => {
  it.each(fixtures.spearman.map(c => [`seed ${c.seed}, n=${c.n}, ties at ${c.decimals} decimals`, c] as const))('%s', (_, c) => {
    const { x, y } = pairedScores(c.seed, c.n, c.noise, c.decimals);
    expectClose(spearman(x, y), c.rho);
    expect(Array.from(averageRanks(x).slice(0, 20))).toEqual(c.ranksX);
  });

  it('is 1 for any increasing transformation and -1 for a decreasing one', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 3, maxLength: 200 }), ints => {
        const xs = ints.map(i => i / 1_000_000);
        expectClose(spearman(xs, xs.map(v => Math.exp(3 * v))), 1);
        expectClose(spearman(xs, xs.map(v => -v * v)), -1);
      }),
    );
  });
});

describe('agreement rate', () => {
  it('counts pairs on the same side of the threshold', () => {
    expect(agreementRate([0.9, 0.1, 0.6, 0.4], [0.8, 0.2, 0.3, 0.45])).toBe(0.75);
    expect(agreementRate([0.5], [0.49])).toBe(0);
    expect(agreementRate([0.2, 0.7], [0.3, 0.9], 0.25)).toBe(0.5);
  });
});
