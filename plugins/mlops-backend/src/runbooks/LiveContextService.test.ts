import { mockCredentials } from '@backstage/backend-test-utils';
import { PermissionsService } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { DriftReport, FeatureDrift, RunbookList } from '@modelrails/plugin-mlops-common';
import { RolloutRecord } from '../rollout/RolloutStore';
import { DefaultLiveContextService, CANARY_ROLLBACK_ALERT_MS } from './LiveContextService';

const NOW = Date.parse('2026-11-24T12:00:00Z');
const MODEL = 'model:default/pricing';

const feature = (name: string, over: Partial<FeatureDrift>): FeatureDrift => ({
  feature: name,
  segment: '*',
  kind: 'numeric',
  n: 10_000,
  referenceN: 10_000,
  test: 'psi',
  severity: 'none',
  flagged: false,
  psi: 0.01,
  ksStatistic: null,
  pValue: null,
  pValueMethod: null,
  chiSquare: null,
  tail: null,
  jensenShannon: null,
  wasserstein: null,
  thresholds: { warning: 0.25, critical: 0.5 },
  ...over,
});

const report: DriftReport = {
  modelRef: MODEL,
  version: '13',
  window: { from: '2026-11-24T11:00:00.000Z', to: '2026-11-24T12:00:00.000Z' },
  reference: { kind: 'training', version: '13' },
  alpha: 0.05,
  correction: 'fdr',
  segments: ['platform'],
  events: 10_000,
  features: [
    feature('item_price', { psi: 0.61, severity: 'critical', flagged: true }),
    feature('user_age', { psi: 0.02 }),
    feature('basket_size', { psi: 0.3, severity: 'warning', flagged: false, attributedTo: ['platform=android'] }),
    feature('coupon', { test: 'none', psi: null, severity: 'insufficient' as any }),
    feature('session_length_s', { segment: 'platform=android', psi: 0.4, severity: 'warning', flagged: true }),
  ],
  violations: [
    { feature: 'user_country', segment: '*', check: 'type-change', value: 1, threshold: 0.01, firstBucket: '2026-11-24T10:35:00.000Z', lastBucket: '2026-11-24T11:55:00.000Z', open: true, flagged: true },
    { feature: 'user_age', segment: '*', check: 'null-spike', value: 0.2, threshold: 0.05, firstBucket: '2026-11-24T09:00:00.000Z', lastBucket: '2026-11-24T09:05:00.000Z', open: false, flagged: true },
  ],
  status: { drift: 'critical', openViolations: 1 },
};

const rollout = (over: Partial<RolloutRecord>): RolloutRecord => ({
  id: 'r1',
  modelRef: MODEL,
  version: '13',
  champion: '12',
  promotionId: 'p1',
  traffic: { kind: 'simulated' },
  policy: {} as any,
  stage: 'full',
  status: 'succeeded',
  step: null,
  weight: 100,
  mirrored: false,
  pending: null,
  scaledDown: true,
  stageStartedAt: NOW - 3600_000,
  lastAnalysisAt: null,
  createdAt: NOW - 7200_000,
  updatedAt: NOW - 3600_000,
  endedAt: NOW - 3600_000,
  headline: 'promoted after 4 steps',
  revision: 7,
  ...over,
});

const byAlert: RunbookList['byAlert'] = {
  'contract-violation': 'model-runbooks-pricing',
  'data-drift': 'data-drift',
  'latency-regression': 'latency-regression',
  'error-rate': 'error-rate',
  'canary-rollback': 'canary-rollback',
  'feature-store-outage': 'feature-store-outage',
};

/** Alice may do anything; everyone else may pause but not roll back. */
const permissions: PermissionsService = {
  authorize: async (requests, { credentials }) =>
    requests.map(r => ({
      result:
        (credentials.principal as any).userEntityRef === 'user:default/alice' || r.permission.name !== 'mlops.rollout.rollback' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
    })) as any,
  authorizeConditional: async () => [] as any,
};

function service(rollouts: RolloutRecord[]) {
  return new DefaultLiveContextService({
    driftReport: async () => report,
    rollouts: {
      list: async () => rollouts,
      decisions: async id => [{ id: 1, rolloutId: id, at: '2026-11-24T11:00:00.000Z', stage: 'full', step: null, weight: 100, action: 'promote', actor: 'plugin:mlops:rollout-engine', reason: 'all steps passed', checks: [] }],
    },
    production: async () => ({ modelRef: MODEL, version: '13', since: '2026-11-24T11:00:00.000Z', setBy: 'plugin:mlops:rollout-engine', approvedBy: 'user:default/alice', override: false }),
    story: async () => ({ servingVersion: '13', awaitingDeployment: false }),
    runbooks: async () => ({ modelRef: MODEL, items: [], byAlert }),
    permissions,
    now: () => NOW,
  });
}

describe('LiveContextService', () => {
  it('lists open alerts, the rollout, the top drifting features and the last deploy', async () => {
    const context = await service([rollout({})]).read({ namespace: 'default', name: 'pricing' }, mockCredentials.user('user:default/alice'));
    expect(context.alerts).toEqual([
      expect.objectContaining({ kind: 'contract-violation', severity: 'page', feature: 'user_country', since: '2026-11-24T10:35:00.000Z', runbookId: 'model-runbooks-pricing' }),
      expect.objectContaining({ kind: 'data-drift', severity: 'warning', feature: 'item_price', runbookId: 'data-drift' }),
      expect.objectContaining({ kind: 'data-drift', severity: 'warning', feature: 'session_length_s', segment: 'platform=android' }),
    ]);
    expect(context.alerts[0].summary).toBe('user_country: type change, 100 % of values (limit 1 %)');
    expect(context.alerts[1].summary).toBe('item_price: critical drift, PSI 0.61');
    expect(context.alerts[2].summary).toBe('session_length_s: warning drift (platform=android), PSI 0.40');
    // Flagged first, then by PSI; features without a test are left out.
    expect(context.topDrifting.map(f => `${f.feature}@${f.segment}`)).toEqual(['item_price@*', 'session_length_s@platform=android', 'basket_size@*', 'user_age@*']);
    expect(context.rollout).toMatchObject({ id: 'r1', version: '13', champion: '12', status: 'succeeded', lastDecision: { action: 'promote', reason: 'all steps passed' } });
    expect(context.lastDeploy).toEqual({
      version: '13',
      since: '2026-11-24T11:00:00.000Z',
      setBy: 'plugin:mlops:rollout-engine',
      approvedBy: 'user:default/alice',
      override: false,
      servingVersion: '13',
      awaitingDeployment: false,
    });
    expect(context.actions).toEqual([
      { action: 'rollback', rolloutId: 'r1', label: 'Roll back to v12 (the warm standby)', allowed: true, permission: 'mlops.rollout.rollback' },
    ]);
  });

  it('says which actions the caller may not take, and why', async () => {
    const context = await service([rollout({ status: 'running', stage: 'canary', weight: 10, endedAt: null })]).read(
      { namespace: 'default', name: 'pricing' },
      mockCredentials.user('user:default/hana'),
    );
    expect(context.actions).toEqual([
      expect.objectContaining({ action: 'rollback', label: 'Roll back: all traffic to v12, v13 scaled down', allowed: false, refusal: 'Not allowed: mlops.rollout.rollback on model:default/pricing' }),
      expect.objectContaining({ action: 'pause', label: 'Pause the rollout of v13 at 10 %', allowed: true }),
    ]);
  });

  it('offers nothing to roll back to once rolled back, and keeps a recent rollback as an alert for a day', async () => {
    const endedAt = NOW - CANARY_ROLLBACK_ALERT_MS + 60_000;
    const recent = await service([rollout({ status: 'rolled-back', stage: 'rolled-back', endedAt, headline: 'ctr −45 %' })]).read({ namespace: 'default', name: 'pricing' }, mockCredentials.user('user:default/alice'));
    expect(recent.actions).toEqual([]);
    expect(recent.alerts.filter(a => a.kind === 'canary-rollback')).toEqual([
      { kind: 'canary-rollback', severity: 'page', summary: 'v13 rolled back: ctr −45 %', since: new Date(endedAt).toISOString(), runbookId: 'canary-rollback' },
    ]);
    const old = await service([rollout({ status: 'rolled-back', endedAt: NOW - CANARY_ROLLBACK_ALERT_MS - 1 })]).read({ namespace: 'default', name: 'pricing' }, mockCredentials.user('user:default/alice'));
    expect(old.alerts.filter(a => a.kind === 'canary-rollback')).toEqual([]);
  });
});
