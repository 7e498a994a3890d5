import { StepVerdict, StepVerdicts } from './StepVerdicts';

const verdict = (events: number): StepVerdict => ({ events, reference: { kind: 'training', version: '1' }, present: [], drift: new Map(), alarms: new Map(), hits: new Map(), violations: [], checked: [] });

describe('StepVerdicts', () => {
  it('drops a model’s steps ending after a bucket a commit touched, and only those', () => {
    const kept = new StepVerdicts({ maxEntries: 100, maxAgeMs: 60_000, now: () => 0 });
    for (const start of [0, 100, 200]) kept.set('model:a', 'series', start, start + 100, verdict(start));
    kept.set('model:b', 'series', 0, 100, verdict(7));
    kept.invalidate('model:a', 100);
    expect([0, 100, 200].map(start => kept.get('model:a', 'series', start)?.events)).toEqual([0, undefined, undefined]);
    expect(kept.get('model:b', 'series', 0)?.events).toBe(7);
  });

  it('forgets the least recently used step beyond its bound, and steps older than their maximum age', () => {
    let now = 0;
    const kept = new StepVerdicts({ maxEntries: 2, maxAgeMs: 1_000, now: () => now });
    kept.set('model:a', 's', 0, 1, verdict(0));
    kept.set('model:a', 's', 1, 2, verdict(1));
    expect(kept.get('model:a', 's', 0)?.events).toBe(0);
    kept.set('model:a', 's', 2, 3, verdict(2));
    expect([0, 1, 2].map(start => kept.get('model:a', 's', start)?.events)).toEqual([0, undefined, 2]);
    now = 1_001;
    expect(kept.get('model:a', 's', 2)).toBeUndefined();
    expect(kept.size).toBe(1);
  });
});
