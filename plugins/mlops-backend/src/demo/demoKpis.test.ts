import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseKpiStore } from '../kpi/DatabaseKpiStore';
import { migrateDatabase } from '../migrations';
import { completeDemoHistory } from './demoKpis';
import { demoLiveModels } from './demoTraffic';

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
