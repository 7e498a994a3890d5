import { mockServices } from '@backstage/backend-test-utils';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { DriftReport, Promotion } from '@modelrails/plugin-mlops-common';
import { RolloutRecord } from '../rollout/RolloutStore';
import { OwnerNotifications } from './OwnerNotifications';

const MODEL = 'model:default/home-feed-ranker';
const violation = { feature: 'user_country', segment: '*', check: 'type-change' as const, value: 1, threshold: 0.01, firstBucket: '2026-11-24T10:35:00.000Z', lastBucket: '2026-11-24T11:55:00.000Z', open: true, flagged: true };
const report = (violations: DriftReport['violations']): DriftReport =>
  ({ modelRef: MODEL, violations, features: [], status: { drift: 'none', openViolations: violations.length } }) as unknown as DriftReport;

function setup(failFirst = false) {
  const sent: NotificationSendOptions[] = [];
  let calls = 0;
  const notifier = new OwnerNotifications(
    {
      send: async options => {
        calls++;
        if (failFirst && calls === 1) throw new Error('notifications backend down');
        sent.push(options);
      },
    },
    async modelRef => (modelRef === MODEL ? { ownerRef: 'group:default/ranking-team', title: 'Home feed ranker' } : undefined),
    mockServices.logger.mock(),
  );
  return { notifier, sent };
}

describe('OwnerNotifications', () => {
  it('tells the owners once when a contract violation opens, and again for a new one', async () => {
    const { notifier, sent } = setup();
    await notifier.onDriftReport(report([violation, { ...violation, feature: 'user_age', open: false }]));
    await notifier.onDriftReport(report([violation]));
    expect(sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: 'group:default/ranking-team' },
        payload: {
          title: 'Home feed ranker: contract violation on user_country',
          description: 'user_country: type change, 100 % of values (limit 1 %), since 2026-11-24T10:35:00.000Z.',
          link: '/catalog/default/model/home-feed-ranker/runbooks?alert=contract-violation',
          severity: 'critical',
          topic: 'contract-violation',
          scope: 'mlops:contract:model:default/home-feed-ranker:user_country:*:type-change:2026-11-24T10:35:00.000Z',
        },
      },
    ]);
    // The same feature violated again later is a new event.
    await notifier.onDriftReport(report([{ ...violation, firstBucket: '2026-11-24T14:00:00.000Z' }]));
    expect(sent).toHaveLength(2);
  });

  it('tries again when sending failed', async () => {
    const { notifier, sent } = setup(true);
    await notifier.onDriftReport(report([violation]));
    expect(sent).toHaveLength(0);
    await notifier.onDriftReport(report([violation]));
    expect(sent).toHaveLength(1);
  });

  it('tells the owners of a rollback, not of a success', async () => {
    const { notifier, sent } = setup();
    const record = { id: 'r1', modelRef: MODEL, version: '18', champion: '17', status: 'rolled-back', headline: 'rolled back at 10 %: ctr −45 %' } as RolloutRecord;
    await notifier.onRolloutEnded({ ...record, id: 'r0', status: 'succeeded' });
    await notifier.onRolloutEnded(record);
    expect(sent.map(s => [s.payload.title, s.payload.description, s.payload.link, s.payload.severity])).toEqual([
      ['Home feed ranker: v18 rolled back to v17', 'rolled back at 10 %: ctr −45 %', '/catalog/default/model/home-feed-ranker/runbooks?alert=canary-rollback', 'high'],
    ]);
  });

  it('asks the owners but the requester to approve a pending promotion', async () => {
    const { notifier, sent } = setup();
    const promotion = { id: 'p-1', modelRef: MODEL, version: '18', environment: 'production', status: 'pending', requestedBy: 'user:default/alice', requestReason: 'NDCG +2 %' } as Promotion;
    await notifier.onPromotionRequested(promotion);
    await notifier.onPromotionRequested({ ...promotion, id: 'p-2', status: 'approved' });
    expect(sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: 'group:default/ranking-team', excludeEntityRef: 'user:default/alice' },
        payload: expect.objectContaining({ title: 'Home feed ranker v18 awaits your approval for production', description: 'Requested by alice: NDCG +2 %.', link: '/mlops/promotions?id=p-1' }),
      },
    ]);
  });
});
