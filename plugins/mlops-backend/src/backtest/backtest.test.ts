import { DriftAlarm, DriftSeries, KpiReport, modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { auc } from '../stats/evaluation';
import { normal as generateNormal, seededRandom } from '../stats/random';
import { aucInterval, backtest, evaluationChanges, kpiChanges } from './backtest';

const DAY = 86_400_000;
const FROM = Date.UTC(2026, 9, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const day = (i: number) => iso(FROM + i * DAY);

/** A 30-day daily drift series; `alarms[feature]` maps a day to the checks alarming on it. */
function series(alarms: Record<string, Record<number, DriftAlarm[]>>): DriftSeries {
  return {
    modelRef: 'model:default/m',
    version: '1',
    segment: '*',
    from: day(0),
    to: day(30),
    stepMs: DAY,
    reference: { kind: 'training', version: '1' },
    steps: Array.from({ length: 30 }, (_, i) => ({ start: day(i), end: day(i + 1), events: 1000 })),
    features: Object.entries(alarms).map(([feature, byDay]) => ({
      feature,
      kind: 'numeric',
      thresholds: { warning: 0.25, critical: 0.5 },
      cells: Array.from({ length: 30 }, (_, i) => ({
        n: 1000,
        test: 'psi',
        severity: byDay[i]?.length ? 'warning' : 'none',
        psi: 0,
        pValue: null,
        jensenShannon: 0,
        alarms: byDay[i] ?? [],
        violations: [],
      })),
    })),
    violations: [],
  } as DriftSeries;
}

type Point = { value: number; lower?: number; upper?: number };

/** A KPI report with one metric per entry; points by day, days 0–29, labels matured until `matured`. */
function kpis(metrics: Array<{ name: string; slo?: { min: number | null; max: number | null }; direction?: string; points: Point[] }>, matured = 30): KpiReport {
  return {
    modelRef: 'model:default/m',
    from: day(0),
    to: day(30),
    stepMs: DAY,
    provisionalFrom: day(matured),
    metrics: [
      // Operational metrics are not what alarms are backtested against.
      { name: 'error_rate', title: 'Error rate', kind: 'operational', direction: 'lower-is-better', slo: { min: null, max: 0 }, series: [{ segment: '*', points: [{ value: 1, lower: 1, upper: 1, start: day(3), end: day(4) }] }] },
      ...metrics.map(m => ({
        name: m.name,
        title: m.name.toUpperCase(),
        kind: 'kpi',
        direction: m.direction ?? 'higher-is-better',
        slo: m.slo ?? null,
        series: [{ segment: '*', points: m.points.map((p, i) => ({ value: p.value, lower: p.lower ?? null, upper: p.upper ?? null, start: day(i), end: day(i + 1) })) }],
      })),
    ],
  } as unknown as KpiReport;
}

const steady = (n: number, value = 0.05): Point[] => Array.from({ length: n }, () => ({ value, lower: value - 0.002, upper: value + 0.002 }));
const policy = (backtestPolicy: object = {}) => modelPolicySchema.parse({ drift: { backtest: backtestPolicy } });

describe('KPI changes', () => {
  it('are breach onsets and interval drops in the worse direction, on matured steps only', () => {
    const ctr = steady(30);
    ctr[5] = { value: 0.04, lower: 0.038, upper: 0.042 }; // a drop: interval below the day before's
    ctr[6] = { value: 0.041, lower: 0.039, upper: 0.043 }; // overlaps day 5's: no new change
    ctr[12] = { value: 0.052, lower: 0.05, upper: 0.054 }; // better, not worse
    ctr[27] = { value: 0.03, lower: 0.028, upper: 0.032 }; // labels not matured yet
    const latency = Array.from({ length: 30 }, (_, i) => ({ value: i >= 8 && i <= 10 ? 300 : 100 }));
    const changes = kpiChanges(kpis([{ name: 'ctr', points: ctr }, { name: 'p95', direction: 'lower-is-better', slo: { min: null, max: 200 }, points: latency }], 25));
    expect(changes.map(c => [c.metric, c.kind, c.start])).toEqual([
      ['ctr', 'drop', day(5)],
      ['p95', 'slo-breach', day(8)],
    ]);
  });
});

describe('backtesting drift alarms', () => {
  // CTR drops on days 5, 14 and 22; the price feature alarms before two of them, the age feature never does.
  const ctr = steady(30);
  for (const d of [5, 14, 22]) ctr[d] = { value: 0.04, lower: 0.038, upper: 0.042 };
  for (const d of [6, 15, 23]) ctr[d] = { value: 0.05, lower: 0.048, upper: 0.052 };
  const report = kpis([{ name: 'ctr', points: ctr }]);
  const drift = series({
    item_price: { 3: ['psi'], 4: ['psi', 'tail'], 20: ['psi'], 27: ['psi'] },
    user_age: { 9: ['ks'], 10: ['ks'], 17: ['ks'], 26: ['ks'] },
  });

  it('counts episodes, those a change followed within the horizon, and the changes each missed', () => {
    const result = backtest(drift, report, policy(), 3 * DAY);
    expect(result.changes.map(c => c.start)).toEqual([day(5), day(14), day(22)]);
    const bySignal = Object.fromEntries(result.signals.map(s => [`${s.feature}/${s.check}`, s]));
    // PSI on item_price: episodes days 3–4, 20, 27; days 3–4 reach day 5 (≤ 4 + 3), 20 reaches 22, 27 nothing.
    expect(bySignal['item_price/psi']).toMatchObject({ alarms: 3, followed: 2, precision: 2 / 3, missed: 1, missRate: 1 / 3, followedMostBy: 'CTR', lowered: false });
    expect(bySignal['item_price/psi'].summary).toBe('PSI drift in item_price preceded a change in CTR 2 of 3 times');
    // The episodes themselves, for the timeline: whole steps, and what followed each.
    expect(bySignal['item_price/psi'].episodes).toEqual([
      { start: day(3), end: day(5), followedBy: ['CTR'] },
      { start: day(20), end: day(21), followedBy: ['CTR'] },
      { start: day(27), end: day(28), followedBy: [] },
    ]);
    // The tail check alarmed once, on day 4: followed by day 5's drop.
    expect(bySignal['item_price/tail']).toMatchObject({ alarms: 1, followed: 1, precision: 1, missed: 2 });
    // KS on user_age: days 9–10, 17, 26: 10 + 3 = 13 < 14 and 17 + 3 = 20 < 22: nothing followed.
    expect(bySignal['user_age/ks']).toMatchObject({ alarms: 3, followed: 0, precision: 0, missed: 3, missRate: 1, followedMostBy: null, lowered: false });
    expect(bySignal['user_age/ks'].summary).toBe('KS drift in user_age was followed by no KPI change (3 alarms)');
    // Day 14's drop had no alarm of any feature before it.
    expect(result.unexplained).toBe(1);
    expect(result.signals.map(s => `${s.feature}/${s.check}`)).toEqual(['item_price/psi', 'user_age/ks', 'item_price/tail']);
  });

  it('lowers a signal whose alarms never mattered, only when the policy asks', () => {
    const lowered = backtest(drift, report, policy({ lowerSeverity: true }), 3 * DAY);
    expect(lowered.rule).toEqual({ lowerSeverity: true, minAlarms: 3, maxPrecision: 0.2 });
    expect(lowered.signals.filter(s => s.lowered).map(s => s.feature)).toEqual(['user_age']);
    expect(lowered.signals.find(s => s.lowered)!.summary).toMatch(/: reported one tier lower$/);
    // Too few alarms to judge: not lowered however poor.
    expect(backtest(drift, report, policy({ lowerSeverity: true, minAlarms: 4 }), 3 * DAY).signals.some(s => s.lowered)).toBe(false);
    // A longer horizon lets days 9–10 reach day 14's drop and day 17 reach day 22's: precision 2/3.
    expect(backtest(drift, report, policy({ lowerSeverity: true }), 5 * DAY).signals.find(s => s.feature === 'user_age')).toMatchObject({ followed: 2, lowered: false });
  });
});

describe('ROC AUC changes on matured labels', () => {
  it('the Hanley–McNeil interval holds the spread of AUCs across samples', () => {
    // Binormal scores, positives shifted by 1.2 (AUC ≈ 0.80): 2,000 samples of 50 positives and 100 negatives.
    const random = seededRandom(5);
    const normal = () => generateNormal(random);
    const aucs: number[] = [];
    for (let r = 0; r < 2000; r++) {
      const scores = [...Array.from({ length: 50 }, () => normal() + 1.2), ...Array.from({ length: 100 }, normal)];
      const labels = [...Array(50).fill(1), ...Array(100).fill(0)];
      aucs.push(auc(scores, labels)!);
    }
    const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / (aucs.length - 1));
    const { lower, upper } = aucInterval(mean, 50, 100);
    // Its half-width is 1.96 standard errors: never narrower than 1.96 times the spread actually seen
    // (the exponential approximation is conservative for binormal scores: a drop it reports is real),
    // and at most 15 % wider (measured: 11 %).
    const ratio = (upper - lower) / 2 / (1.959963984540054 * sd);
    expect(ratio).toBeGreaterThanOrEqual(1);
    expect(ratio).toBeLessThan(1.15);
  });

  it('are matured days whose AUC interval lies below the day before\'s', () => {
    const d = (i: number, value: number | null, matured = true) => ({ day: day(i).slice(0, 10), start: day(i), matured, n: 2000, positives: 200, auc: value, logLoss: null, precision: null, recall: null, ndcg: null, estimated: null });
    const changes = evaluationChanges({ days: [d(0, 0.8), d(1, 0.79), d(2, 0.7), d(3, 0.69), d(4, 0.5, false)] });
    expect(changes).toEqual([{ metric: 'auc', title: 'ROC AUC', kind: 'drop', start: day(2), value: 0.7 }]);
  });
});
