import { LoggerService, RootConfigService, SchedulerService } from '@backstage/backend-plugin-api';
import { ModelPolicy, parseDuration } from '@modelrails/plugin-mlops-common';
import { KubeConfig } from '@kubernetes/client-node';
import { Knex } from 'knex';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { DatabaseKpiStore } from './DatabaseKpiStore';
import { KpiService } from './KpiService';
import { LabelRollups } from './LabelRollups';
import { CostModel, KubernetesReplicaReader, ReplicaSampler } from './ReplicaSampler';

export { DatabaseKpiStore } from './DatabaseKpiStore';
export type { KpiStore, LabelRollup, ReplicaSample } from './KpiStore';
export { KpiService, costOver, sloStatusOf } from './KpiService';
export type { KpiQuery } from './KpiService';
export { LabelRollups, kpiOutcomes } from './LabelRollups';
export { KubernetesReplicaReader, ReplicaSampler } from './ReplicaSampler';
export type { CostModel } from './ReplicaSampler';
export { wilsonInterval } from './wilson';

/** `mlops.cost`: the currency and each environment's price per replica-hour. */
export function costModelFrom(config: RootConfigService): CostModel {
  const cost = config.getOptionalConfig('mlops.cost');
  const environments = cost?.getOptionalConfig('environments');
  const replicaHourCost: Record<string, number> = {};
  for (const name of environments?.keys() ?? []) replicaHourCost[name] = environments!.getNumber(`${name}.replicaHourCost`);
  return { currency: cost?.getOptionalString('currency') ?? 'USD', replicaHourCost };
}

/** The KPI pieces a backend needs: the service the routes read, and what keeps its inputs current. */
export function createKpis(options: {
  db: Knex;
  config: RootConfigService;
  telemetry: TelemetryStore;
  policies: (modelRef: string) => Promise<ModelPolicy | undefined>;
  kubeConfig?: KubeConfig;
  rawRetentionMs: number;
}) {
  const store = new DatabaseKpiStore(options.db);
  const costModel = costModelFrom(options.config);
  return {
    store,
    service: new KpiService({ telemetry: options.telemetry, store, policies: options.policies, currency: costModel.currency }),
    labels: new LabelRollups(store, options.rawRetentionMs, parseDuration(options.config.getOptionalString('mlops.kpis.recountWindow') ?? '1h')),
    replicas: new ReplicaSampler(store, new KubernetesReplicaReader(options.kubeConfig), costModel),
  };
}

/**
 * Every minute one replica brings each active model's label rollups up to date and samples the
 * replicas of every model with a cost model.
 */
export async function scheduleKpiInputs(options: {
  scheduler: SchedulerService;
  logger: LoggerService;
  telemetry: TelemetryStore;
  kpis: ReturnType<typeof createKpis>;
  policies: (modelRef: string) => Promise<ModelPolicy | undefined>;
  modelRefs: () => Promise<string[]>;
  rawRetentionMs: number;
}) {
  const { scheduler, logger, telemetry, kpis, policies } = options;
  await scheduler.scheduleTask({
    id: 'mlops-kpi-inputs',
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 15 },
    fn: async () => {
      const now = Date.now();
      for (const modelRef of await telemetry.activeModels(now - options.rawRetentionMs)) {
        try {
          const policy = await policies(modelRef);
          if (policy) await kpis.labels.refresh(modelRef, policy, now);
        } catch (error) {
          logger.warn(`KPI label rollups skipped ${modelRef}: ${(error as Error).message}`);
        }
      }
      for (const modelRef of await options.modelRefs()) {
        try {
          const cost = (await policies(modelRef))?.cost;
          if (cost) await kpis.replicas.sample(modelRef, cost, now);
        } catch (error) {
          logger.warn(`Replica sample skipped ${modelRef}: ${(error as Error).message}`);
        }
      }
    },
  });
}

