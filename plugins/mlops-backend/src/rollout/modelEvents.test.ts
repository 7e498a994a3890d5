import { Promotion, Rollout } from '@modelrails/plugin-mlops-common';
import { modelEvents } from './modelEvents';

const t = (hour: number) => new Date(Date.UTC(2026, 10, 23, hour)).toISOString();
const promotion = (over: Partial<Promotion>): Promotion => ({
  id: 'p1',
  modelRef: 'model:default/m',
  version: '7',
  environment: 'production',
  status: 'pending',
  requestedBy: 'user:default/ada',
  requestedAt: t(1),
  artifactDigest: 'sha256:0',
  ...over,
});
const rollout = (over: Partial<Rollout>): Rollout =>
  ({ id: 'r1', modelRef: 'model:default/m', version: '7', champion: '6', target: 'VirtualService ml/m', status: 'running', createdAt: t(3), endedAt: null, headline: null, ...over }) as Rollout;

describe('model events', () => {
  it('lists requests, decisions, rollout starts and endings in the window, oldest first', () => {
    const events = modelEvents(
      [
        promotion({ status: 'approved', decidedBy: 'user:default/grace', decidedAt: t(2), decisionReason: 'gates green' }),
        promotion({ id: 'p0', version: '5', status: 'rejected', requestedAt: t(0), decidedAt: t(0), decidedBy: 'user:default/grace' }),
      ],
      [rollout({ status: 'rolled-back', endedAt: t(4), headline: 'rolled back: error rate 1.2 % > 0.5 % at 25 %' })],
      Date.parse(t(1)),
      Date.parse(t(5)),
    );
    expect(events.map(e => [e.at, e.kind, e.version, e.actor])).toEqual([
      [t(1), 'promotion-requested', '7', 'user:default/ada'],
      [t(2), 'promotion-approved', '7', 'user:default/grace'],
      [t(3), 'rollout-started', '7', null],
      [t(4), 'rollout-rolled-back', '7', null],
    ]);
    expect(events[3]).toMatchObject({ title: 'v7 rolled back', text: 'rolled back: error rate 1.2 % > 0.5 % at 25 %', link: { kind: 'rollout', id: 'r1' } });
    expect(events[1]).toMatchObject({ text: 'gates green', link: { kind: 'promotion', id: 'p1' } });
  });

  it('has no ending for a rollout still running, and no decision for a pending request', () => {
    const events = modelEvents([promotion({})], [rollout({})], 0, Date.parse(t(10)));
    expect(events.map(e => e.kind)).toEqual(['promotion-requested', 'rollout-started']);
  });
});
