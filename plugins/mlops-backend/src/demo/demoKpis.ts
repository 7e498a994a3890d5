import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { createKpis } from '../kpi';
import { DEMO_EVENTS_PER_MINUTE, DEMO_HISTORY_EVENTS_PER_MINUTE, demoLiveModels } from './demoTraffic';
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

/**
 * Once the week of history is sent: its labels counted, and its replicas priced as a fleet scaled to
 * the history's thinner traffic (a twentieth of the live fleet, fractional replicas and all), so
 * the cost per 1,000 predictions means the same over the week as over the live hours.
 */
export async function completeDemoHistory(options: {
  kpis: ReturnType<typeof createKpis>;
  policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>;
  since: number;
  until: number;
}) {
  await countDemoLabels(options);
  const scale = DEMO_HISTORY_EVENTS_PER_MINUTE / DEMO_EVENTS_PER_MINUTE;
  for (const m of demoLiveModels()) {
    // The sample in effect where the live hours begin (the demo priced them from there).
    const live = (await options.kpis.store.replicaSamples(m.modelRef, options.until, options.until + 1)).at(-1);
    if (!live) continue;
    await options.kpis.store.addReplicaSample({ ...live, observedAt: options.since, replicas: live.replicas * scale, hourlyCost: live.hourlyCost * scale });
  }
}

/** The labels of the demo's predictions in [since, until) counted. */
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
