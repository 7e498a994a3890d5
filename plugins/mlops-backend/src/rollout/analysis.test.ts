import { modelPolicySchema, ModelPolicyInput } from '@modelrails/plugin-mlops-common';
import { ArmMetrics, canaryChecks, kpiCheck, verdictOf } from './analysis';
import { RolloutPolicy } from './RolloutStore';

function policyWith(kpi: ModelPolicyInput['kpis'], analysis: Record<string, unknown> = {}): RolloutPolicy {
  const policy = modelPolicySchema.parse({ kpis: kpi, rollout: { analysis: { kpi: kpi![0].name, ...analysis } } });
  return { ...policy.rollout, kpiDefinition: policy.kpis[0] };
}

const ctr = policyWith([{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' } }]);
const chargebacks = policyWith([
  { name: 'chargeback_rate', numerator: { source: 'outcome', outcome: 'chargeback' }, denominator: { source: 'predictions' }, direction: 'lower-is-better' },
]);

const arm = (positives: number, n: number): ArmMetrics => ({ n, errors: 0, p99LatencyMs: 20, kpiPositives: positives, kpiN: n });

describe('the KPI check', () => {
  it('fails a significant drop of a higher-is-better KPI and passes a rise', () => {
    const drop = kpiCheck(ctr, 1000, arm(1000, 10_000), arm(900, 10_000));
    expect(drop).toMatchObject({ verdict: 'fail', threshold: -0.02, comparator: '>=' });
    expect(drop.value).toBeCloseTo(-0.1, 10);
    expect(drop.pValue!).toBeLessThan(0.05);
    expect(kpiCheck(ctr, 1000, arm(1000, 10_000), arm(1100, 10_000)).verdict).toBe('pass');
  });

  it('fails a significant rise of a lower-is-better KPI and passes a drop', () => {
    const rise = kpiCheck(chargebacks, 1000, arm(100, 10_000), arm(160, 10_000));
    expect(rise).toMatchObject({ verdict: 'fail', threshold: 0.02, comparator: '<=' });
    expect(rise.detail).toContain('rolls back on a rise of 2.00\u00a0%');
    expect(kpiCheck(chargebacks, 1000, arm(100, 10_000), arm(60, 10_000)).verdict).toBe('pass');
  });

  it('keeps collecting a large worsening that is not yet significant', () => {
    expect(kpiCheck(ctr, 100, arm(20, 200), arm(16, 200)).verdict).toBe('collecting');
    expect(kpiCheck(chargebacks, 100, arm(16, 200), arm(20, 200)).verdict).toBe('collecting');
  });

  it('is inconclusive, never a pass, below the minimum samples on either side', () => {
    expect(kpiCheck(ctr, 1000, arm(100, 999), arm(200, 5000)).verdict).toBe('inconclusive');
    expect(kpiCheck(ctr, 1000, arm(100, 5000), arm(200, 999)).verdict).toBe('inconclusive');
  });
});

describe('a canary step', () => {
  it('advances only when every check passes and rolls back on any failure', () => {
    const step = { minDuration: '1m', minSamples: 1000 };
    const healthy = canaryChecks(ctr, step, arm(1000, 10_000), arm(1010, 10_000), 120_000);
    expect(verdictOf(healthy)).toBe('advance');
    const early = canaryChecks(ctr, step, arm(1000, 10_000), arm(1010, 10_000), 30_900);
    expect(verdictOf(early)).toBe('hold');
    // Details in the portal's formats: counts with separators, durations with their unit.
    expect(early.find(c => c.check === 'duration')!.detail).toBe('30\u00a0s of at least 1\u00a0min');
    expect(early.find(c => c.check === 'samples')!.detail).toMatch(/^10,000 \S.* of at least 1,000$/);
    const broken = canaryChecks(ctr, step, arm(1000, 10_000), { ...arm(1010, 10_000), errors: 80 }, 120_000);
    expect(broken.find(c => c.check === 'error-rate')).toMatchObject({ verdict: 'fail', value: 0.008 });
    expect(verdictOf(broken)).toBe('rollback');
  });
});
