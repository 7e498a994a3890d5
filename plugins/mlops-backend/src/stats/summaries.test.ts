import fc from 'fast-check';
import fixtures from './__fixtures__/scipy.json';
import { generateSample, SampleSpec } from './random';
import {
  addFeatureValue,
  addLog,
  addNumeric,
  addToTally,
  countUnbinnable,
  decodeSummary,
  emptyCategorical,
  emptyLog,
  emptyNumeric,
  emptyTally,
  encodeSummary,
  encodeTally,
  layoutFromSample,
  locatorOf,
  logBinIndex,
  mergeEncoded,
  mergeEncodedAll,
  mergeInto,
  NumericSummary,
  numericSummaryFromSample,
} from './summaries';
import { numericDrift } from './fromSummaries';

/*
 * Ties and tail sketches: what a numeric summary keeps besides its bin counts. Checked here against
 * their definitions, value by value; the statistics they make exact are checked against SciPy in
 * stats.test.ts.
 */

const layout = layoutFromSample(Array.from({ length: 400 }, (_, i) => Math.round(10 * Math.sin(i) * (1 + (i % 7))) / 10), 20);
const edges = layout.edges;

/**
 * Values that hit edges exactly, fall between them, or lie far beyond them on either side. Zero is
 * unsigned: JSON, which the pieces pass through below, writes -0 as 0, and a summary's extremes
 * mean the same either way.
 */
const value = fc
  .oneof(fc.constantFrom(...edges), fc.double({ min: -8, max: 8, noNaN: true }), fc.double({ min: -1e12, max: 1e12, noNaN: true }))
  .map(x => (x === 0 ? 0 : x));

function byDefinition(values: number[]) {
  const ties = new Map<number, number>();
  const lowTail = new Map<number, number>();
  const highTail = new Map<number, number>();
  const add = (m: Map<number, number>, k: number) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const x of values) {
    const bin = edges.findIndex(e => x <= e);
    if (bin === -1) add(highTail, logBinIndex(x - edges[edges.length - 1]));
    else if (x === edges[bin]) add(ties, bin);
    else if (bin === 0) add(lowTail, logBinIndex(edges[0] - x));
  }
  return { ties, lowTail, highTail };
}

describe('numeric summaries keep ties and tails', () => {
  it('as their definitions say, and merged from pieces as from the whole (generated)', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 5 }), (values, cuts) => {
        const whole = emptyNumeric(layout);
        values.forEach(x => addNumeric(whole, layout, x));
        const { ties, lowTail, highTail } = byDefinition(values);
        expect({ ties: whole.ties, lowTail: whole.lowTail, highTail: whole.highTail }).toEqual({ ties, lowTail, highTail });
        // The batch path (reference profiles, benchmarks) keeps the same.
        expect(numericSummaryFromSample(values, layout)).toEqual(whole);
        // Pieces merged, through the stored form: the same summary.
        const bounds = [...new Set(cuts.map(c => c % (values.length + 1)))].sort((a, b) => a - b);
        const merged = emptyNumeric(layout);
        [0, ...bounds].forEach((start, k) => {
          const piece = emptyNumeric(layout);
          values.slice(start, [...bounds, values.length][k]).forEach(x => addNumeric(piece, layout, x));
          mergeInto(merged, decodeSummary(JSON.parse(JSON.stringify(encodeSummary(piece))), edges.length + 1));
        });
        // Everything but the floating-point sums, which depend on the order of additions.
        const exactParts = (s: NumericSummary) => ({ ...encodeSummary(s), sum: undefined, sumSquares: undefined });
        expect(exactParts(merged)).toEqual(exactParts(whole));
      }),
      { numRuns: 300 },
    );
  });

  it("ingestion's tally, values kept until there are many and a summary after, encodes as the summary of the same values (generated)", () => {
    const anyValue = fc.oneof({ weight: 8, arbitrary: value }, fc.constantFrom<unknown>(null, undefined, 'text', Number.NaN));
    fc.assert(
      fc.property(fc.array(anyValue, { maxLength: 60 }), values => {
        const summary = emptyNumeric(layout);
        const tally = emptyTally();
        for (const x of values) {
          addFeatureValue(summary, layout, x);
          if (typeof x === 'number' && Number.isFinite(x)) addToTally(tally, layout, x, locatorOf(layout).locate(x));
          else countUnbinnable(tally, x);
        }
        expect(encodeTally(tally, layout)).toEqual(encodeSummary(summary));
      }),
      { numRuns: 300 },
    );
  });

  it('many stored summaries added in one pass give what adding them two at a time gives (generated)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { maxLength: 40 }), { minLength: 1, maxLength: 12 }), pieces => {
        const parts = pieces.map(values => {
          const piece = emptyNumeric(layout);
          values.forEach(x => addNumeric(piece, layout, x));
          return encodeSummary(piece);
        });
        // Compared decoded: the bins may take either stored form. Both add the float sums left to right.
        expect(decodeSummary(mergeEncodedAll(parts), edges.length + 1)).toEqual(decodeSummary(parts.reduce(mergeEncoded), edges.length + 1));
      }),
      { numRuns: 300 },
    );
  });

  it('so do categorical and log summaries (generated)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(fc.constantFrom('a', 'b', 'c'), fc.double({ min: 0, max: 1e6, noNaN: true })), { maxLength: 30 }), { minLength: 1, maxLength: 12 }), pieces => {
        const categorical = pieces.map(values => {
          const piece = emptyCategorical();
          values.forEach(x => addFeatureValue(piece, undefined, typeof x === 'string' ? x : null));
          return encodeSummary(piece);
        });
        const log = pieces.map(values => {
          const piece = emptyLog();
          values.forEach(x => typeof x === 'number' && addLog(piece, x));
          return encodeSummary(piece);
        });
        for (const parts of [categorical, log]) expect(mergeEncodedAll(parts)).toEqual(parts.reduce(mergeEncoded));
      }),
      { numRuns: 200 },
    );
  });

  it('the tail sketch is what makes Wasserstein from summaries exact on heavy tails', () => {
    const fixture = fixtures.numericHard.find(f => f.name === 'Student t3, widened')!;
    const reference = generateSample(fixture.reference as SampleSpec);
    const current = generateSample(fixture.current as SampleSpec);
    const refLayout = layoutFromSample(reference);
    const ref = numericSummaryFromSample(reference, refLayout);
    const cur = numericSummaryFromSample(current, refLayout);
    const expected = fixture.wasserstein / fixture.referenceStd;
    const relativeError = (r: NumericSummary, c: NumericSummary) => Math.abs(numericDrift(refLayout, r, c).wasserstein - expected) / expected;
    // Rows stored before the sketches were kept: the outer bins are closed at the observed extremes.
    const unsketched = (s: NumericSummary): NumericSummary => ({ ...s, lowTail: new Map(), highTail: new Map() });
    expect(relativeError(ref, cur)).toBeLessThan(0.005);
    expect(relativeError(unsketched(ref), unsketched(cur))).toBeGreaterThan(0.1);
    // One side without a sketch is enough to fall back on (a window mixing old and new rows).
    expect(relativeError(ref, unsketched(cur))).toBeCloseTo(relativeError(unsketched(ref), unsketched(cur)), 12);
  });
});
