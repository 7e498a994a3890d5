import { calibrate, estimatePerformance, fitCalibration, MIN_ESTIMATE_PREDICTIONS } from './cbpe';
import { auc, precisionRecall } from './evaluation';
import { normal, seededRandom } from './random';
import fixtures from './__fixtures__/scipy.json';

describe('isotonic calibration against scikit-learn', () => {
  it.each(fixtures.calibration)('seed $seed, n $n, scores rounded to $decimals decimals', fixture => {
    const random = seededRandom(fixture.seed);
    const scores: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < fixture.n; i++) {
      const u = random();
      scores.push(Math.floor(u * 10 ** fixture.decimals) / 10 ** fixture.decimals);
      labels.push(random() < u * u ? 1 : 0);
    }
    const calibration = fitCalibration(scores, labels, 'click');
    expect(calibration.n).toBe(fixture.n);
    fixture.grid.forEach((x, i) => expect(calibrate(calibration, x)).toBeCloseTo(fixture.predicted[i], 12));
    // Monotone, as isotonic regression must be.
    const { blocks } = calibration;
    for (let b = 1; b < blocks.n.length; b++) {
      expect(blocks.positives[b] / blocks.n[b]).toBeGreaterThan(blocks.positives[b - 1] / blocks.n[b - 1]);
      expect(blocks.low[b]).toBeGreaterThan(blocks.high[b - 1]);
    }
    expect(blocks.n.reduce((a, b) => a + b, 0)).toBe(fixture.n);
  });
});

/*
 * Simulated serving: a feature x, the outcome drawn with probability sigmoid(-1.5 + 1.5·x), and a
 * model whose score sigmoid(0.7·x) ranks by x but is not calibrated. The reference is labelled;
 * each window's labels are drawn too, so the realised metric is the independent answer.
 */
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

type World = { mean: number; sd: number; slope: number; /** Multiplies the outcome's probability (rare outcomes). */ share?: number };
const REFERENCE: World = { mean: 0, sd: 1, slope: 1.5 };

function draw(world: World, n: number, seed: number) {
  const random = seededRandom(seed);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = world.mean + world.sd * normal(random);
    scores.push(sigmoid(0.7 * x));
    labels.push(random() < (world.share ?? 1) * sigmoid(-1.5 + world.slope * x) ? 1 : 0);
  }
  return { scores, labels };
}

const THRESHOLD = 0.5;
const WINDOWS = 100;
const WINDOW_SIZE = 1000;

function coverage(world: World) {
  const reference = draw({ ...REFERENCE, share: world.share }, 20_000, 1);
  const calibration = fitCalibration(reference.scores, reference.labels, 'click');
  const covered = { auc: 0, precision: 0, recall: 0 };
  let valueInside = 0;
  let estimatedAuc = 0;
  let realisedAuc = 0;
  for (let w = 0; w < WINDOWS; w++) {
    const window = draw(world, WINDOW_SIZE, 1000 + w);
    const estimate = estimatePerformance(calibration, window.scores, THRESHOLD, w);
    const realised = { auc: auc(window.scores, window.labels), ...precisionRecall(window.scores, window.labels, THRESHOLD) };
    for (const key of ['auc', 'precision', 'recall'] as const) {
      const e = estimate[key]!;
      if (e.lower <= realised[key] && realised[key] <= e.upper) covered[key]++;
    }
    if (estimate.auc!.lower <= estimate.auc!.value && estimate.auc!.value <= estimate.auc!.upper) valueInside++;
    estimatedAuc += estimate.auc!.value / WINDOWS;
    realisedAuc += realised.auc / WINDOWS;
  }
  return {
    auc: covered.auc / WINDOWS,
    precision: covered.precision / WINDOWS,
    recall: covered.recall / WINDOWS,
    valueInside: valueInside / WINDOWS,
    estimatedAuc,
    realisedAuc,
    referenceAuc: auc(reference.scores, reference.labels),
  };
}

describe('CBPE against realised labels (95 % intervals over 100 simulated windows)', () => {
  // 95 % intervals cover in 95 of 100 windows on average; fewer than 89 would happen by chance
  // with probability below 1 % (binomial), so the bound fails only for a wrong interval.
  const STATED = 0.89;

  it('covers the realised AUC, precision and recall without shift', () => {
    const c = coverage(REFERENCE);
    expect(c.auc).toBeGreaterThanOrEqual(STATED);
    expect(c.precision).toBeGreaterThanOrEqual(STATED);
    expect(c.recall).toBeGreaterThanOrEqual(STATED);
    expect(Math.abs(c.estimatedAuc - c.realisedAuc)).toBeLessThan(0.01);
  });

  it('follows covariate shift: the estimate moves with the realised metric, away from the reference', () => {
    const c = coverage({ mean: 0.8, sd: 0.6, slope: 1.5 });
    expect(c.auc).toBeGreaterThanOrEqual(STATED);
    expect(c.precision).toBeGreaterThanOrEqual(STATED);
    expect(c.recall).toBeGreaterThanOrEqual(STATED);
    // A narrower population is harder to rank: AUC falls by about 0.07, and the estimate sees it.
    expect(c.referenceAuc - c.realisedAuc).toBeGreaterThan(0.04);
    expect(Math.abs(c.estimatedAuc - c.realisedAuc)).toBeLessThan(0.01);
  });

  it('covers when positives are rare (a chargeback-like outcome, 5 % of the rate), the estimate inside its own interval', () => {
    const c = coverage({ ...REFERENCE, share: 0.05 });
    expect(c.auc).toBeGreaterThanOrEqual(STATED);
    expect(c.valueInside).toBe(1);
  });

  it('cannot see concept drift (the documented limit): the same scores now mean another outcome rate', () => {
    const c = coverage({ mean: 0, sd: 1, slope: 0.5 });
    expect(c.auc).toBeLessThan(0.2);
    expect(c.estimatedAuc - c.realisedAuc).toBeGreaterThan(0.05);
  });

  it('gives no estimate for tiny windows, and the same interval for the same window', () => {
    const reference = draw(REFERENCE, 5000, 2);
    const calibration = fitCalibration(reference.scores, reference.labels, 'click');
    const tiny = draw(REFERENCE, MIN_ESTIMATE_PREDICTIONS - 1, 3);
    expect(estimatePerformance(calibration, tiny.scores, THRESHOLD, 1).auc).toBeNull();
    const window = draw(REFERENCE, 500, 4);
    expect(estimatePerformance(calibration, window.scores, THRESHOLD, 7)).toEqual(estimatePerformance(calibration, window.scores, THRESHOLD, 7));
  });

  it('has no precision estimate when nothing scores above the threshold', () => {
    const reference = draw(REFERENCE, 5000, 5);
    const calibration = fitCalibration(reference.scores, reference.labels, 'click');
    const window = draw(REFERENCE, 1000, 6);
    const estimate = estimatePerformance(calibration, window.scores, 0.999, 1);
    expect(estimate.precision).toBeNull();
    expect(estimate.auc).not.toBeNull();
  });
});
