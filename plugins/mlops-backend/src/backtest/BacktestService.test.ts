import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { toWire, trainingProfile, TrafficScenario, TrafficSimulator } from '../demo/simulation';
import { DefaultDriftService } from '../drift/DriftService';
import { DefaultEvaluationService } from '../evaluation/EvaluationService';
import { DatabaseKpiStore } from '../kpi/DatabaseKpiStore';
import { DefaultKpiService } from '../kpi/KpiService';
import { LabelRollups } from '../kpi/LabelRollups';
import { migrateDatabase } from '../migrations';
import { DatabaseTelemetryStore } from '../telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService } from '../telemetry/TelemetryService';
import { DefaultBacktestService } from './BacktestService';

jest.setTimeout(180_000);

const databases = createTestDatabases();
const MODEL = 'model:default/shop-ranker';
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const TODAY = Math.floor(NOW / DAY) * DAY;

describe.each(databases.eachSupportedId())('drift backtest from stored telemetry on %s', databaseId => {
  it('sets each alarm against the KPI changes after it', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const policy = modelPolicySchema.parse({
      kpis: [{ name: 'ctr', title: 'CTR', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' } }],
      drift: { backtest: { horizon: '1d', window: '6d' } },
    });
    const telemetryStore = new DatabaseTelemetryStore(knex);
    const telemetry = new DefaultTelemetryService({ store: telemetryStore, policies: async () => policy, rawSampleRate: 0, retentionMs: 40 * DAY, now: () => NOW });
    const kpiStore = new DatabaseKpiStore(knex);
    const kpis = new DefaultKpiService({ telemetry: telemetryStore, store: kpiStore, policies: async () => policy, now: () => NOW });
    const drift = new DefaultDriftService(telemetryStore, telemetry, () => NOW);
    await telemetry.putReferenceProfile(MODEL, '1', trainingProfile(1));

    // Six whole days before today: item_price shifts on days 1 and 3; only on day 3 do clicks fall.
    const days: TrafficScenario[] = [{}, { priceShift: 1.5 }, {}, { priceShift: 1.5, clickRateFactor: 0.4 }, {}, {}];
    for (const [i, scenario] of days.entries()) {
      const start = TODAY - (6 - i) * DAY;
      const events = new TrafficSimulator(MODEL, `pod-${i}`, 10 + i).events('1', 3000, start + 60_000, start + DAY - 60_000, scenario);
      await telemetry.ingestPredictions({ batchId: `p${i}`, source: `pod-${i}`, events: toWire(events) });
      const outcomes = events.filter(e => e.clicked).map((e, k) => ({ requestId: e.requestId, sequence: k, outcome: 'click', time: e.time + 500 }));
      await telemetry.ingestOutcomes({ batchId: `o${i}`, source: `labels-${i}`, outcomes });
    }
    await new LabelRollups(kpiStore, 40 * DAY).refresh(MODEL, policy, NOW);

    const evaluation = new DefaultEvaluationService(telemetryStore, () => NOW);
    const result = await new DefaultBacktestService({ drift, kpi: kpis, evaluation, now: () => NOW }).backtest(MODEL, policy);
    expect({ from: result.from, to: result.to, stepMs: result.stepMs, horizonMs: result.horizonMs }).toEqual({
      from: new Date(TODAY - 6 * DAY).toISOString(),
      to: new Date(TODAY).toISOString(),
      stepMs: DAY,
      horizonMs: DAY,
    });
    // CTR fell on day 3 (and recovered on day 4, which is no change for the worse). Fewer clicks at
    // every score leave the ranking as good as it was: no ROC AUC change.
    expect(result.changes.map(c => [c.metric, c.kind, c.start])).toEqual([['ctr', 'drop', new Date(TODAY - 3 * DAY).toISOString()]]);
    // The AUCs it weighed: one per day of the window, all on matured labels.
    const aucs = (await evaluation.daily(MODEL, policy, { days: 7, step: '1d', estimate: false })).days.filter(d => d.matured && d.auc !== null);
    expect(aucs.map(d => d.start)).toEqual(days.map((_, i) => new Date(TODAY - (6 - i) * DAY).toISOString()));
    // Two alarm episodes on item_price (3,000 values a day: its KS test; the shift fattens its upper
    // tail too), one followed by the drop: precision 1/2, no change missed.
    const price = result.signals.filter(s => s.feature === 'item_price');
    expect(price.map(s => s.check).sort()).toEqual(['ks', 'tail']);
    for (const signal of price) expect(signal).toMatchObject({ alarms: 2, followed: 1, precision: 0.5, missed: 0, missRate: 0, followedMostBy: 'CTR', lowered: false });
    expect(price.find(s => s.check === 'ks')!.summary).toBe('KS drift in item_price preceded a change in CTR 1 of 2 times');
    expect(result.unexplained).toBe(0);

    // The lowering rule, asked to lower signals followed at most half the time: the drift report of
    // day 1 (a price shift nothing followed) says item_price one tier lower, and why.
    const backtests = new DefaultBacktestService({ drift, kpi: kpis, now: () => NOW });
    const lowering = modelPolicySchema.parse({ ...policy, drift: { backtest: { horizon: '1d', window: '6d', lowerSeverity: true, minAlarms: 1, maxPrecision: 0.5 } } });
    expect([...(await backtests.lowered(MODEL, lowering))]).toEqual(expect.arrayContaining(['item_price\u0000ks', 'item_price\u0000tail']));
    const day1 = { version: '1', from: TODAY - 5 * DAY, to: TODAY - 4 * DAY };
    const lowerer = (modelRef: string, p: typeof policy) => backtests.lowered(modelRef, p);
    const before = (await new DefaultDriftService(telemetryStore, telemetry, () => NOW, lowerer).report(MODEL, day1)).features.find(f => f.feature === 'item_price' && f.segment === '*')!;
    expect({ severity: before.severity, loweredBy: before.loweredBy }).toEqual({ severity: 'critical', loweredBy: undefined });
    const underRule = new DefaultTelemetryService({ store: telemetryStore, policies: async () => lowering, rawSampleRate: 0, retentionMs: 40 * DAY, now: () => NOW });
    const after = (await new DefaultDriftService(telemetryStore, underRule, () => NOW, lowerer).report(MODEL, day1)).features.find(f => f.feature === 'item_price' && f.segment === '*')!;
    expect({ severity: after.severity, flagged: after.flagged, loweredBy: after.loweredBy }).toEqual({ severity: 'warning', flagged: true, loweredBy: ['ks', 'tail'] });
  });
});
