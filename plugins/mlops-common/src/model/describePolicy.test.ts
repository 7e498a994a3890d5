import { describeGate, describePolicy } from './describePolicy';
import { modelPolicySchema } from './policy';

describe('describePolicy', () => {
  it('puts the default rails into words', () => {
    const sections = describePolicy(modelPolicySchema.parse({}));
    const byTitle = Object.fromEntries(sections.map(s => [s.title, s.lines]));
    expect(Object.keys(byTitle)).toEqual(['Validation gates', 'Rollout', 'Drift', 'Retraining', 'KPIs', 'Sign-off']);
    const rollout = Object.fromEntries(byTitle.Rollout.map(l => [l.label, l.value]));
    expect(rollout['canary steps']).toBe(
      '5 % (≥ 10m, ≥ 1000 samples) → 25 % (≥ 10m, ≥ 1000 samples) → 50 % (≥ 10m, ≥ 1000 samples) → 100 % (≥ 10m, ≥ 1000 samples)',
    );
    expect(rollout['roll back when']).toBe(
      'error rate > 0.5 %, p99 latency > 60 ms, or ctr drops > 2 % vs the champion at p < 0.05',
    );
    expect(byTitle['Validation gates']).toEqual([{ label: 'gates', value: 'none configured: promotion is not gated' }]);
    expect(byTitle.Drift.find(l => l.label === 'PSI')?.value).toBe('warning > 0.25, critical > 0.5');
    expect(byTitle.Drift.find(l => l.label === 'backtest')?.value).toBe('alarms of the last 30d against the KPIs 3d after; severities are not lowered');
  });

  it('records the backtest rule when it lowers severities', () => {
    const drift = describePolicy(modelPolicySchema.parse({ drift: { backtest: { lowerSeverity: true, minAlarms: 4, maxPrecision: 0.1 } } })).find(s => s.title === 'Drift')!;
    expect(drift.lines.find(l => l.label === 'backtest')?.value).toBe(
      'alarms of the last 30d against the KPIs 3d after; a signal whose alarms were followed ≤ 10 % of the time (from 4 alarms) is lowered one tier',
    );
  });

  it('states a KPI SLO band as shares', () => {
    const kpi = (slo: object) => ({ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' }, slo });
    const policy = modelPolicySchema.parse({ kpis: [kpi({ min: 0.03 }), { ...kpi({ max: 0.01 }), name: 'cb' }, { ...kpi({ min: 0.02, max: 0.04 }), name: 'cv' }] });
    const lines = describePolicy(policy).find(s => s.title === 'KPIs')!.lines.map(l => l.value);
    expect(lines[0]).toContain('SLO ≥ 3 %');
    expect(lines[1]).toContain('SLO ≤ 1 %');
    expect(lines[2]).toContain('SLO 2 % … 4 %');
  });

  it('describes each kind of gate', () => {
    const policy = modelPolicySchema.parse({
      gates: [
        { kind: 'metric-floor', metric: 'ndcg@20', min: 0.17 },
        { kind: 'metric-floor', metric: 'logloss', max: 0.4, advisory: true },
        { kind: 'champion-relative', metric: 'auc' },
        { kind: 'baseline-relative', metric: 'ndcg@20', window: 5 },
        { kind: 'latency-budget', maxMs: 60 },
        { kind: 'fairness', metric: 'fpr', sliceBy: 'country', maxGap: 0.01 },
        { kind: 'data-quality', feature: 'price', maxNullRate: 0.001, range: { min: 0 } },
        { kind: 'feature-parity' },
        { kind: 'feature-schema', name: 'schema check' },
      ],
    });
    expect(policy.gates.map(g => describeGate(g))).toEqual([
      { label: 'metric-floor', value: 'ndcg@20 ≥ 0.17' },
      { label: 'metric-floor', value: 'logloss ≤ 0.4 (advisory)' },
      { label: 'champion-relative', value: 'auc at most 2 % worse than the champion' },
      { label: 'baseline-relative', value: 'ndcg@20 at most 10 % worse than the best of the last 5 promoted versions' },
      { label: 'latency-budget', value: 'p99 latency ≤ 60 ms' },
      { label: 'fairness', value: 'fpr gap across country slices ≤ 0.01' },
      { label: 'data-quality', value: 'null rate of price ≤ 0.1 % and price within [0, +∞]' },
      { label: 'feature-parity', value: 'online and offline feature values agree within 0.000001' },
      { label: 'schema check', value: 'serving feature schema matches the training schema' },
    ]);
  });
});
