import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { createKpis } from '../kpi';
import { demoLiveModels } from './demoTraffic';
import { DEMO_MODELS } from './demoRegistry';

/**
 * Once the demo traffic has backfilled its hours: their labels counted (the minute job may have run
 * while the backfill was under way) and each model's replicas priced from the backfill's start, as
 * if the demo had been serving all along.
 */
export async function seedDemoKpiInputs(options: {
  kpis: ReturnType<typeof createKpis>;
  policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>;
  since: number;
  now?: number;
}) {
  await countDemoLabels({ ...options, until: options.now ?? Date.now() });
  for (const m of DEMO_MODELS) {
    const modelRef = `model:default/${m.name}`;
    const cost = (await options.policyOf(modelRef))?.cost;
    if (cost) await options.kpis.replicas.sample(modelRef, cost, options.since);
  }
}

/** The labels of the demo's predictions in [since, until) counted (the history's, once it is sent). */
export async function countDemoLabels(options: {
  kpis: ReturnType<typeof createKpis>;
  policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>;
  since: number;
  until: number;
}) {
  for (const m of demoLiveModels()) {
    const policy = await options.policyOf(m.modelRef);
    if (policy) await options.kpis.labels.recount(m.modelRef, policy, options.since, options.until);
  }
}
