import { RolloutDecision, RolloutDetail } from '@modelrails/plugin-mlops-common';
import { foldHolds } from './ModelRolloutsContent';
import { timelineOf } from './RolloutTimeline';

const decision = (id: number, at: string, action: RolloutDecision['action'], weight: number, stage: RolloutDecision['stage'] = 'canary'): RolloutDecision => ({
  id,
  rolloutId: 'r',
  at,
  stage,
  step: 0,
  weight,
  action,
  actor: 'plugin:mlops:rollout-engine',
  reason: `${action} at ${weight} %`,
  checks: [],
});

describe('the decision log and timeline', () => {
  it('folds consecutive holds at one stage and weight, and nothing else', () => {
    // Newest first, as the backend lists them.
    const log = [
      decision(9, '2026-11-24T01:09:00Z', 'advance', 25),
      decision(8, '2026-11-24T01:08:00Z', 'hold', 25),
      decision(7, '2026-11-24T01:07:00Z', 'hold', 25),
      decision(6, '2026-11-24T01:06:00Z', 'hold', 25),
      decision(5, '2026-11-24T01:05:00Z', 'advance', 10),
      decision(4, '2026-11-24T01:04:00Z', 'hold', 10),
      decision(3, '2026-11-24T01:03:00Z', 'pause', 10),
      decision(2, '2026-11-24T01:02:00Z', 'hold', 10),
      decision(1, '2026-11-24T01:01:00Z', 'start', 0, 'shadow'),
    ];
    const rows = foldHolds(log);
    expect(rows.map(r => [r.first.id, r.folded.map(f => f.id)])).toEqual([
      [9, []],
      [8, [7, 6]],
      [5, []],
      [4, []],
      [3, []],
      [2, []],
      [1, []],
    ]);
    // Every decision is still there, folded or not.
    expect(rows.reduce((n, r) => n + 1 + r.folded.length, 0)).toBe(log.length);
  });

  it('draws the weight each decision left in time order (an advance moves to the next step), the KPI difference with its interval, and holds the last weight to the end', () => {
    const kpi = { check: 'kpi' as const, verdict: 'pass' as const, value: -0.01, threshold: -0.02, comparator: '>=', championN: 900, challengerN: 100, interval: [-0.03, 0.01], detail: '' };
    const detail = {
      stage: 'canary',
      weight: 25,
      steps: [10, 25, 50].map(weight => ({ weight, minDuration: '30s', minSamples: 400 })),
      endedAt: '2026-11-24T01:10:00Z',
      decisions: [
        { ...decision(3, '2026-11-24T01:05:00Z', 'advance', 10), checks: [kpi] },
        decision(2, '2026-11-24T01:02:00Z', 'advance', 0, 'shadow'),
        decision(1, '2026-11-24T01:01:00Z', 'start', 0, 'shadow'),
      ],
    } as unknown as RolloutDetail;
    const { points, kpiThreshold } = timelineOf(detail);
    expect(points.map(p => [new Date(p.time).toISOString().slice(11, 16), p.weight, p.action])).toEqual([
      ['01:01', 0, 'start'],
      ['01:02', 10, 'advance'],
      ['01:05', 25, 'advance'],
      ['01:10', 25, undefined],
    ]);
    expect(points[2].kpi).toBe(-0.01);
    // Error bars are offsets from the point: down to −3 %, up to +1 %.
    expect(points[2].kpiError![0]).toBeCloseTo(0.02, 12);
    expect(points[2].kpiError![1]).toBeCloseTo(0.02, 12);
    expect(kpiThreshold).toBe(-0.02);
  });
});
