import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseKpiStore } from '../kpi/DatabaseKpiStore';
import { migrateDatabase } from '../migrations';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DefaultKpiService } from '../kpi/KpiService';
import { DatabaseTelemetryStore } from '../telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService } from '../telemetry/TelemetryService';
import { completeDemoHistory } from './demoKpis';
import { DEMO_EVENTS_PER_MINUTE, demoLiveModels } from './demoTraffic';
import { toWire, TrafficSimulator } from './simulation';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const HOUR = 3_600_000;

describe('the demo history completed', () => {
  it('counts its labels and prices its hours as a fleet scaled to its traffic, the live hours unchanged', async () => {
    const knex = await databases.init('SQLITE_3');
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const store = new DatabaseKpiStore(knex);
    const until = Date.UTC(2026, 11, 3, 13, 20);
    const since = until - 7 * 24 * HOUR;
    const ranker = 'model:default/home-feed-ranker';
    // The live hours' sample, as the demo's sampler records it: 8 GPU replicas at 3 an hour.
    await store.addReplicaSample({ modelRef: ranker, observedAt: until, environment: 'gpu-production', replicas: 8, hourlyCost: 24 });
    const recounted: Array<[string, number, number]> = [];
    const kpis = { store, labels: { recount: async (modelRef: string, _policy: unknown, from: number, to: number) => void recounted.push([modelRef, from, to]) } };

    await completeDemoHistory({ kpis: kpis as any, policyOf: async () => modelPolicySchema.parse({}), since, until });

    expect(recounted).toEqual(demoLiveModels().map(m => [m.modelRef, since, until]));
    const samples = await store.replicaSamples(ranker, since, until + 1);
    // Ten requests a minute against the live two hundred: a twentieth of the fleet, then the live one.
    expect(samples).toEqual([
      { modelRef: ranker, observedAt: since, environment: 'gpu-production', replicas: 0.4, hourlyCost: expect.closeTo(1.2, 12) },
      { modelRef: ranker, observedAt: until, environment: 'gpu-production', replicas: 8, hourlyCost: 24 },
    ]);
    // A model the sampler never priced gets no history price either.
    expect(await store.replicaSamples('model:default/ad-ctr-predictor', since, until + 1)).toEqual([]);
  });
});

describe("the demo's LLM", () => {
  it('streams answers whose tokens, first-token times, decode rates and cost per 1M tokens its catalog policy can judge, all within their SLOs', async () => {
    const entity = parseAllDocuments(readFileSync(join(__dirname, '../../../../catalog/ai-assets.yaml'), 'utf8'))
      .map(d => d.toJS())
      .find(e => e?.kind === 'Model' && e.metadata.name === 'support-assistant');
    const policy = modelPolicySchema.parse(entity.spec.policy);
    const modelRef = 'model:default/support-assistant';
    const knex = await databases.init('SQLITE_3');
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const now = Date.UTC(2026, 11, 3, 13, 0);
    const telemetryStore = new DatabaseTelemetryStore(knex);
    const telemetry = new DefaultTelemetryService({ store: telemetryStore, policies: async () => policy, now: () => now });
    const store = new DatabaseKpiStore(knex);
    // The demo's price of a GPU replica-hour (app-config.yaml), for the policy's two replicas.
    await store.addReplicaSample({ modelRef, observedAt: now - 2 * HOUR, environment: 'gpu-production', replicas: 2, hourlyCost: 6.4 });
    const live = demoLiveModels().find(m => m.modelRef === modelRef)!;
    expect(live.serving).toBe('llm');
    const events = new TrafficSimulator(modelRef, 'demo', 3).events(live.version, DEMO_EVENTS_PER_MINUTE * 60, now - HOUR, now, { llm: true });
    for (let i = 0; i < events.length; i += 5000) await telemetry.ingestPredictions({ batchId: `llm-${i}`, source: 'demo', events: toWire(events.slice(i, i + 5000)) });

    const kpis = new DefaultKpiService({ telemetry: telemetryStore, store, policies: async () => policy, now: () => now });
    const report = await kpis.report(modelRef, policy, { from: now - HOUR, to: now, modelType: entity.spec.type });
    const metric = (name: string) => report.metrics.find(m => m.name === name)!;
    const names = ['input_tokens', 'output_tokens', 'time_to_first_token_p50', 'time_to_first_token_p95', 'output_tokens_per_second', 'cost_per_1m_tokens'];
    expect(names.map(n => [n, metric(n).series[0].current.value !== null])).toEqual(names.map(n => [n, true]));
    expect(names.filter(n => metric(n).slo).map(n => [n, metric(n).sloStatus])).toEqual([
      ['time_to_first_token_p95', 'ok'],
      ['output_tokens_per_second', 'ok'],
      ['cost_per_1m_tokens', 'ok'],
    ]);
    // What an LLM answer looks like: hundreds of prompt tokens, a first token in a few hundred ms,
    // seconds for the whole answer.
    expect(metric('input_tokens').series[0].current.value).toBeGreaterThan(300);
    expect(metric('time_to_first_token_p50').series[0].current.value).toBeGreaterThan(100);
    expect(metric('latency_p50').series[0].current.value).toBeGreaterThan(1000);
  });
});
