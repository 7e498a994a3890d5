import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { spawnSync } from 'node:child_process';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { driftMonitorTask } from '../drift/DriftMonitor';
import { DefaultDriftService } from '../drift/DriftService';
import { trainingProfile, toWire, TrafficSimulator } from '../demo/simulation';
import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { migrateDatabase } from '../migrations';
import { RolloutRecord } from '../rollout/RolloutStore';
import { CANARY_ROLLBACK_ALERT_MS } from '../runbooks/LiveContextService';
import { DatabaseTelemetryStore } from '../telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService } from '../telemetry/TelemetryService';
import { DRIFT_SIGNALS_FRESH_MS, publishServingMetrics } from './servingMetrics';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const rollout = (over: Partial<RolloutRecord>) => ({ id: 'r', modelRef: 'model:default/a', version: '2', champion: '1', stage: 'canary', status: 'running', weight: 10, endedAt: null, ...over }) as RolloutRecord;

async function gauges(metrics: TelemetryMetrics) {
  const all = await metrics.registry.getMetricsAsJSON();
  const of = (name: string) => (all.find(m => m.name === name) as any).values.map((v: any) => [v.labels, v.value]);
  return {
    weight: of('mlops_rollout_weight_ratio'),
    rolledBack: of('mlops_rollout_rolled_back'),
    violations: of('mlops_contract_violations'),
    flagged: of('mlops_drift_flagged'),
    psi: of('mlops_drift_score').length,
  };
}

describe.each(databases.eachSupportedId())('alert gauges on every replica (%s)', databaseId => {
  it('every replica exports the drift monitor\'s signals and the stored rollouts, whichever replica ran the monitor', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const store = new DatabaseTelemetryStore(knex);
    const policy = modelPolicySchema.parse({ drift: { segments: ['platform'] } });
    const now = Date.now();
    const NOW = now;
    const telemetry = new DefaultTelemetryService({ store, policies: async ref => (ref === MODEL ? policy : undefined), rawSampleRate: 0.1 });
    await telemetry.putReferenceProfile(MODEL, '17', trainingProfile(1));
    // user_country arrives as numbers (a contract violation), the price has drifted.
    const events = toWire(new TrafficSimulator(MODEL, 'pod-1', 3).events('17', 3000, now - 30 * 60_000, now, { countryAsNumber: true, priceShift: 1.6 }));
    await telemetry.ingestPredictions({ batchId: 'b1', source: 'pod-1', events });

    // The monitor runs on one replica; two others export what it stored.
    await driftMonitorTask({ logger: mockServices.logger.mock(), store, drift: new DefaultDriftService(store, telemetry) }).fn(new AbortController().signal as any);
    const rollouts = [
      rollout({ id: 'a2', modelRef: 'model:default/a', version: '3', weight: 25 }),
      rollout({ id: 'b1', modelRef: 'model:default/b', version: '8', champion: '7', status: 'rolled-back', stage: 'rolled-back', weight: 0, endedAt: NOW - 60_000 }),
      rollout({ id: 'c1', modelRef: 'model:default/c', version: '4', status: 'rolled-back', endedAt: NOW - CANARY_ROLLBACK_ALERT_MS - 1 }),
      rollout({ id: 'd1', modelRef: 'model:default/d', version: '5', status: 'succeeded', stage: 'full', weight: 100, endedAt: NOW - 60_000 }),
    ];
    const replicas = [new TelemetryMetrics(), new TelemetryMetrics()];
    for (const metrics of replicas) {
      await publishServingMetrics({ metrics, rollouts: { list: async () => rollouts }, driftSignals: since => store.driftSignals(since), now });
    }
    const [first, second] = await Promise.all(replicas.map(gauges));
    expect(second).toEqual(first);
    expect(first.weight).toEqual([[{ model: 'model:default/a', version: '3', champion: '1', stage: 'canary' }, 0.25]]);
    expect(first.violations).toContainEqual([{ model: MODEL, feature: 'user_country', segment: '*', check: 'type-change' }, 1]);
    expect(first.flagged).toContainEqual([expect.objectContaining({ model: MODEL, feature: 'item_price', segment: '*' }), 1]);
    expect(first.psi).toBeGreaterThan(4);

    // Prometheus' linter accepts the exposition with every gauge filled in.
    const lint = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: await replicas[0].registry.metrics(), encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);

    // Signals the monitor stopped refreshing (the model went quiet) leave the gauges.
    await publishServingMetrics({ metrics: replicas[0], rollouts: { list: async () => [] }, driftSignals: since => store.driftSignals(since), now: now + DRIFT_SIGNALS_FRESH_MS + 60_000 });
    expect(await gauges(replicas[0])).toEqual({ weight: [], rolledBack: [], violations: [], flagged: [], psi: 0 });
  });
});
