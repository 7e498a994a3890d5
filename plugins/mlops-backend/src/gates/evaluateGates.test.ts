import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { evaluateGates, GateEvidence } from './evaluateGates';

const gates = (list: unknown[]) => modelPolicySchema.parse({ gates: list }).gates;
const evidence = (metrics: Record<string, number>, extra: Partial<GateEvidence> = {}): GateEvidence => ({
  version: { version: '2', metrics, featureSets: [] },
  promoted: [],
  ...extra,
});

describe('evaluateGates', () => {
  it('judges a metric floor and a ceiling, and fails when the metric is missing', () => {
    const g = gates([{ kind: 'metric-floor', metric: 'auc', min: 0.75 }, { kind: 'metric-floor', metric: 'logloss', max: 0.4 }]);
    expect(evaluateGates(g, evidence({ auc: 0.76, logloss: 0.39 })).passed).toBe(true);
    const low = evaluateGates(g, evidence({ auc: 0.74, logloss: 0.41 }));
    expect(low.results.map(r => [r.status, r.value, r.threshold])).toEqual([
      ['fail', 0.74, 0.75],
      ['fail', 0.41, 0.4],
    ]);
    expect(evaluateGates(g, evidence({ logloss: 0.3 })).results[0]).toMatchObject({ status: 'fail', reason: 'auc was not reported' });
  });

  it('compares with the champion in the metric direction', () => {
    const up = gates([{ kind: 'champion-relative', metric: 'auc', maxRelativeDrop: 0.02 }]);
    const champion = { version: '1', metrics: { auc: 0.8, logloss: 0.4 }, featureSets: [] };
    expect(evaluateGates(up, evidence({ auc: 0.785 }, { champion })).results[0]).toMatchObject({ status: 'pass', value: 0.01875 });
    expect(evaluateGates(up, evidence({ auc: 0.78 }, { champion })).results[0]).toMatchObject({ status: 'fail', value: 0.025 });
    const down = gates([{ kind: 'champion-relative', metric: 'logloss', direction: 'lower-is-better', maxRelativeDrop: 0.01 }]);
    expect(evaluateGates(down, evidence({ logloss: 0.41 }, { champion })).results[0].status).toBe('fail');
    expect(evaluateGates(down, evidence({ logloss: 0.39 }, { champion })).results[0].status).toBe('pass');
    expect(evaluateGates(up, evidence({ auc: 0.5 })).results[0]).toMatchObject({ status: 'pass', reason: 'no champion to compare with' });
  });

  it('states the metric value each gate fails beyond, on the metric scale, for the Versions chart', () => {
    const champion = { version: '1', metrics: { auc: 0.8, logloss: 0.4 }, featureSets: [] };
    const g = gates([
      { kind: 'champion-relative', metric: 'auc', maxRelativeDrop: 0.02 },
      { kind: 'champion-relative', metric: 'logloss', direction: 'lower-is-better', maxRelativeDrop: 0.05 },
      { kind: 'metric-floor', metric: 'auc', min: 0.75 },
      { kind: 'latency-budget', maxMs: 60 },
    ]);
    const results = evaluateGates(g, evidence({ auc: 0.79, logloss: 0.41, latency_p99_ms: 42 }, { champion })).results;
    expect(results.map(r => [r.metric, r.bound])).toEqual([
      ['auc', 0.784], // 0.8 less 2 %
      ['logloss', 0.42], // 0.4 plus 5 %: lower is better
      ['auc', 0.75],
      ['latency_p99_ms', 60],
    ]);
    // The bound is where the verdict flips: just beyond it fails, just inside passes.
    expect(evaluateGates(g.slice(0, 1), evidence({ auc: 0.7839 }, { champion })).results[0].status).toBe('fail');
    expect(evaluateGates(g.slice(0, 1), evidence({ auc: 0.7841 }, { champion })).results[0].status).toBe('pass');
  });

  it('compares with the best recent promoted version, within the window', () => {
    const g = gates([{ kind: 'baseline-relative', metric: 'ndcg@20', maxRelativeDrop: 0.1, window: 2 }]);
    const promoted = [
      { version: '5', metrics: { 'ndcg@20': 0.17 } },
      { version: '4', metrics: { 'ndcg@20': 0.18 } },
      { version: '3', metrics: { 'ndcg@20': 0.3 } }, // outside the window
    ];
    const r = evaluateGates(g, evidence({ 'ndcg@20': 0.163 }, { promoted })).results[0];
    expect(r).toMatchObject({ status: 'pass', threshold: 0.1 });
    expect(r.reason).toContain('v4');
    expect(evaluateGates(g, evidence({ 'ndcg@20': 0.161 }, { promoted })).results[0].status).toBe('fail');
  });

  it('checks latency budgets, fairness gaps, data quality and parity from reported metrics', () => {
    const g = gates([
      { kind: 'latency-budget', maxMs: 60 },
      { kind: 'fairness', metric: 'ndcg@20', sliceBy: 'platform', maxGap: 0.02 },
      { kind: 'data-quality', feature: 'price', maxNullRate: 0.01, range: { min: 0 } },
      { kind: 'feature-parity', tolerance: 1e-6 },
    ]);
    const ok = evaluateGates(
      g,
      evidence({
        latency_p99_ms: 42,
        'ndcg@20[platform=ios]': 0.18,
        'ndcg@20[platform=android]': 0.17,
        'null_rate:price': 0.001,
        'min:price': 0.5,
        parity_max_abs_diff: 0,
      }),
    );
    expect(ok.results.map(r => r.status)).toEqual(['pass', 'pass', 'pass', 'pass']);
    const bad = evaluateGates(
      g,
      evidence({
        latency_p99_ms: 61,
        'ndcg@20[platform=ios]': 0.18,
        'ndcg@20[platform=android]': 0.15,
        'null_rate:price': 0.001,
        'min:price': -3,
        parity_max_abs_diff: 0.01,
      }),
    );
    expect(bad.results.map(r => r.status)).toEqual(['fail', 'fail', 'fail', 'fail']);
    expect(bad.results[1].reason).toContain('lowest: android');
    expect(bad.results[2].reason).toBe('price goes down to −3, below 0');
    expect(evaluateGates(g, evidence({})).results.every(r => r.status === 'fail')).toBe(true);
  });

  it('fails a schema change against the champion and lets advisory gates through', () => {
    const g = gates([{ kind: 'feature-schema' }, { kind: 'metric-floor', metric: 'auc', min: 0.9, advisory: true }]);
    const champion = {
      version: '1',
      metrics: {},
      featureSets: [{ ref: 'resource:default/user-features', version: 'v1', schema: { user_country: 'string', age: 'int' } }],
    };
    const changed = evaluateGates(g, {
      version: { version: '2', metrics: { auc: 0.5 }, featureSets: [{ ref: 'resource:default/user-features', version: 'v2', schema: { user_country: 'int' } }] },
      champion,
      promoted: [],
    });
    expect(changed.results[0]).toMatchObject({ status: 'fail', reason: 'user_country changed from string to int; age is missing' });
    expect(changed.passed).toBe(false);
    const same = evaluateGates(g, { version: { version: '2', metrics: { auc: 0.5 }, featureSets: champion.featureSets }, champion, promoted: [] });
    expect(same.results.map(r => r.status)).toEqual(['pass', 'fail']);
    expect(same.passed).toBe(true);
  });
});
