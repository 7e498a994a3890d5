import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binIndex } from './quantile';
import { layoutFromSample, LOG_ACCURACY, LOG_MIN_VALUE, logBinIndex, logBinUpper, locatorOf, MAX_CATEGORIES, NUMERIC_BINS, OTHER_CATEGORY } from './summaries';
import { seededRandom } from './random';
import { summarizePredictions } from '../telemetry/TelemetryService';
import { PredictionRow } from '../telemetry/TelemetryStore';

/*
 * The binning rules every sender of profiles must follow, as test vectors: one JSON file that this
 * test and the Python client's tests (clients/python/tests/test_vectors.py) both check their code
 * against, so the two implementations cannot drift apart. The file is derived from this backend's
 * code and committed; a change to the rules fails here first. To rewrite it on purpose:
 *   UPDATE_VECTORS=1 yarn backstage-cli package test src/stats/binningVectors.test.ts
 */
const FILE = join(__dirname, '..', '..', '..', '..', 'test-vectors', 'binning.json');

function numericCases() {
  const random = seededRandom(7);
  const edges = [-2.5, -1, 0, 0, 0.1, 1, 1, 1, 3.75, 1e6];
  const between = (a: number, b: number) => a + (b - a) * 0.5;
  const values = [
    -1e300, -2.5000001, -2.5, -2.4999999, -1, -0.5, 0, 1e-300, 0.05, 0.1, 0.10000000000000002, 0.5, 1, 1.0000000000000002, 2,
    3.75, 3.7500000000000004, 999_999.9999, 1e6, 1e6 + 0.1, 1e300,
    ...edges.slice(1).map((e, i) => between(edges[i], e)),
  ];
  const cases = [{ name: 'ties, boundaries and far values', edges, values }];
  // A reference's own quantile edges (what a training profile fixes), probed around every edge.
  const sample = Array.from({ length: 5000 }, () => Math.exp(3 * (random() - 0.5)) * (random() < 0.1 ? 40 : 1));
  const layout = layoutFromSample(sample, NUMERIC_BINS);
  const probes: number[] = [];
  for (let i = 0; i < layout.edges.length; i += 37) {
    const e = layout.edges[i];
    probes.push(e, e * (1 - 1e-12), e * (1 + 1e-12));
  }
  for (let i = 0; i < 200; i++) probes.push(sample[i] * (0.5 + random()));
  cases.push({ name: 'a reference profile\'s 999 quantile edges', edges: layout.edges, values: probes });
  return cases.map(c => ({ ...c, bins: c.values.map(x => binIndex(c.edges, x)) }));
}

function logCases() {
  const random = seededRandom(11);
  const values = [1e-9, 1.0000001e-9, 2e-9, 1e-6, 0.001, 0.5, 0.99, 1, 1.01, 1.0202, 2, 12.3, 250, 999.5, 1e6, 3.4e38];
  // Values at and beside the bins' own boundaries: where two log implementations could disagree.
  for (let k = -1100; k <= 35_400; k += 13) {
    const boundary = logBinUpper(k);
    values.push(boundary, boundary * (1 + 1e-9), boundary * (1 - 1e-9));
  }
  for (let i = 0; i < 300; i++) values.push(Math.exp(30 * (random() - 0.3)));
  return { values, bins: values.map(x => logBinIndex(x)) };
}

const segmentOf = (i: number): Record<string, string> => {
  if (i % 2) return { platform: 'ios' };
  return i % 5 ? { platform: 'web' } : {};
};

/** No score, a zero score (counted apart from the log bins) or a random one. */
const scoreOf = (i: number, random: () => number) => {
  if (i % 7 === 0) return null;
  return i % 11 === 0 ? 0 : random();
};

/** Events through the ingest's own summariser: what a profile sender must reproduce. */
function summaryCases() {
  const random = seededRandom(3);
  const layout = layoutFromSample(Array.from({ length: 2000 }, () => 50 + 10 * (random() + random() + random() - 1.5)), 20);
  const features = new Map<string, { kind: 'numeric' | 'categorical'; layout: typeof layout | null }>([
    ['age', { kind: 'numeric', layout }],
    ['country', { kind: 'categorical', layout: null }],
    ['premium', { kind: 'categorical', layout: null }],
  ]);
  const values: Array<Record<string, unknown>> = [
    { age: 50, country: 'US', premium: true },
    { age: layout.edges[3], country: 'DE', premium: false },
    { age: layout.min - 1, country: 840 },
    { age: layout.max + 1, country: null, premium: 'yes' },
    { age: null, country: 'US' },
    { age: '42', country: 'FR', premium: true },
    { country: 'US' },
    {},
  ];
  for (let i = 0; i < 40; i++) values.push({ age: Math.round(400 + 200 * random()) / 10, country: ['US', 'DE', 'FR', 'BR'][i % 4], premium: i % 3 === 0 });
  const rows: PredictionRow[] = values.map((f, i) => ({
    source: 's',
    sequence: i,
    modelRef: 'model:default/m',
    version: '1',
    requestId: `r${i}`,
    queryId: null,
    occurredAt: 1_800_000_000_000,
    segment: segmentOf(i),
    score: scoreOf(i, random),
    latencyMs: i % 9 === 0 ? null : 5 + 200 * random() ** 3,
    error: i % 13 === 0,
    features: f,
    keepFeatures: false,
  }));
  const events = rows.map(r => ({ features: r.features, score: r.score, latencyMs: r.latencyMs, error: r.error, segment: r.segment }));
  const layouts = new Map([['model:default/m@1', { layoutVersion: '1', features }]]);
  const deltas = summarizePredictions(rows, layouts, new Map([['model:default/m', ['platform']]]));
  // Many distinct categories: past MAX_CATEGORIES the rest are counted as OTHER_CATEGORY.
  const manyRows: PredictionRow[] = Array.from({ length: MAX_CATEGORIES + 20 }, (_, i) => ({
    ...rows[0],
    sequence: 1000 + i,
    segment: {},
    features: { country: `c${i % (MAX_CATEGORIES + 10)}` },
  }));
  const many = summarizePredictions(manyRows, layouts, new Map([['model:default/m', []]]));
  // Rounded values on a layout of rounded values (ties at the edges), and tails far beyond it.
  const rounded = layoutFromSample(Array.from({ length: 2000 }, () => Math.round(50 + 10 * (random() + random() + random() - 1.5))), 20);
  const roundedFeatures = new Map([['age', { kind: 'numeric' as const, layout: rounded }]]);
  const roundedRows: PredictionRow[] = [
    ...Array.from({ length: 60 }, (_, i) => Math.round(50 + 12 * (random() + random() + random() - 1.5)) + (i % 10 === 0 ? 0.5 : 0)),
    rounded.edges[0] - 1e-9,
    rounded.edges[rounded.edges.length - 1] + 1e-12,
    // Far, but with squares that stay finite (the sum of squares must be).
    -1e9,
    1e150,
  ].map((age, i) => ({ ...rows[0], sequence: 2000 + i, segment: {}, features: { age } }));
  const roundedLayouts = new Map([['model:default/m@1', { layoutVersion: '1', features: roundedFeatures }]]);
  const roundedDeltas = summarizePredictions(roundedRows, roundedLayouts, new Map([['model:default/m', []]]));
  const shape = (list: typeof deltas) => list.map(d => ({ segment: d.segment, feature: d.feature, summary: d.summary }));
  return [
    {
      name: 'mixed events in all traffic and per platform',
      features: [...features].map(([name, spec]) => ({ name, kind: spec.kind, ...(spec.layout ? { layout: spec.layout } : {}) })),
      segments: ['platform'],
      events,
      expected: shape(deltas),
    },
    {
      name: 'more distinct categories than a summary keeps',
      features: [...features].map(([name, spec]) => ({ name, kind: spec.kind, ...(spec.layout ? { layout: spec.layout } : {}) })),
      segments: [],
      events: manyRows.map(r => ({ features: r.features, score: r.score, latencyMs: r.latencyMs, error: r.error, segment: r.segment })),
      expected: shape(many),
    },
    {
      name: 'rounded values tied to the edges, and far tails',
      features: [{ name: 'age', kind: 'numeric', layout: rounded }],
      segments: [],
      events: roundedRows.map(r => ({ features: r.features, score: r.score, latencyMs: r.latencyMs, error: r.error, segment: r.segment })),
      expected: shape(roundedDeltas),
    },
  ];
}

function vectors() {
  return {
    about:
      'Binning rules shared by the ModelRails backend (plugins/mlops-backend/src/stats) and every client that ' +
      'sends profiles (clients/python). Derived from the backend by plugins/mlops-backend/src/stats/binningVectors.test.ts; ' +
      'both test suites check their implementation against this file.',
    constants: { numericBins: NUMERIC_BINS, logAccuracy: LOG_ACCURACY, logMinValue: LOG_MIN_VALUE, maxCategories: MAX_CATEGORIES, otherCategory: OTHER_CATEGORY },
    numeric: numericCases(),
    log: logCases(),
    summaries: summaryCases(),
  };
}

describe('the shared binning vectors (test-vectors/binning.json)', () => {
  const computed = JSON.parse(JSON.stringify(vectors()));
  if (process.env.UPDATE_VECTORS) writeFileSync(FILE, `${JSON.stringify(computed)}\n`);
  const stored = JSON.parse(readFileSync(FILE, 'utf8'));

  it('hold what the backend computes today', () => {
    expect(stored).toEqual(computed);
  });

  it('agree with the rules as the docs state them', () => {
    // Bin i holds (edges[i-1], edges[i]]: a value equal to an edge goes to the first bin that edge closes.
    const ties = stored.numeric[0];
    const at = (x: number) => ties.bins[ties.values.indexOf(x)];
    expect([at(-2.5), at(0), at(1), at(1.0000000000000002), at(1e300)]).toEqual([0, 2, 5, 8, 10]);
    // The fast locator the ingest uses finds the same bins as bisection.
    for (const c of stored.numeric) {
      const locator = locatorOf({ edges: c.edges, min: c.edges[0], max: c.edges[c.edges.length - 1], mean: 0, std: 0 });
      expect(c.values.map((x: number) => locator.locate(x))).toEqual(c.bins);
    }
    // A log bin k holds (γ^(k-1), γ^k]; 1 is in bin 0, and values up to 1e-9 are zeros (no bin).
    expect(stored.log.bins[stored.log.values.indexOf(1)]).toBe(0);
    const relative = stored.log.values.map((x: number, i: number) => Math.abs((2 * ((1 + LOG_ACCURACY) / (1 - LOG_ACCURACY)) ** stored.log.bins[i]) / ((1 + LOG_ACCURACY) / (1 - LOG_ACCURACY) + 1) - x) / x);
    expect(Math.max(...relative.filter((_r: number, i: number) => stored.log.values[i] > LOG_MIN_VALUE))).toBeLessThanOrEqual(LOG_ACCURACY + 1e-12);
  });
});
