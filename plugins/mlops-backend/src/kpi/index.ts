import { LoggerService, RootConfigService } from '@backstage/backend-plugin-api';
import { ModelPolicy, parseDuration } from '@modelrails/plugin-mlops-common';
import { KubeConfig } from '@kubernetes/client-node';
import { Knex } from 'knex';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { DatabaseKpiStore } from './DatabaseKpiStore';
import { DefaultKpiService } from './KpiService';
import { LabelRollups } from './LabelRollups';
import { CostModel, KubernetesReplicaReader, ReplicaSampler } from './ReplicaSampler';
import { kpiRoutes } from './routes';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext, ScheduledTask } from '../wiring';

export { DatabaseKpiStore } from './DatabaseKpiStore';
export type { KpiStore, LabelRollup, ReplicaSample } from './KpiStore';
export { costOver, sloStatusOf } from './KpiService';
export type { KpiService } from './KpiService';
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
    service: new DefaultKpiService({ telemetry: options.telemetry, store, policies: options.policies, currency: costModel.currency }),
    labels: new LabelRollups(store, options.rawRetentionMs, parseDuration(options.config.getOptionalString('mlops.kpis.recountWindow') ?? '1h')),
    replicas: new ReplicaSampler(store, new KubernetesReplicaReader(options.kubeConfig), costModel),
  };
}

/**
 * Every minute one replica brings each active model's label rollups up to date and samples the
 * replicas of every model with a cost model.
 */
export function kpiInputsTask(options: {
  logger: LoggerService;
  telemetry: Pick<TelemetryStore, 'activeModels'>;
  kpis: ReturnType<typeof createKpis>;
  policies: (modelRef: string) => Promise<ModelPolicy | undefined>;
  modelRefs: () => Promise<string[]>;
  rawRetentionMs: number;
}): ScheduledTask {
  const { logger, telemetry, kpis, policies } = options;
  return {
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
  };
}

/** Every 30 minutes one replica removes KPI inputs (label rollups, replica samples) past the summaries' retention. */
export function kpiRetentionTask(options: { store: Pick<DatabaseKpiStore, 'purge'>; logger: LoggerService; summaryRetentionMs: number }): ScheduledTask {
  return {
    id: 'mlops-kpi-retention',
    scope: 'global',
    frequency: { minutes: 30 },
    timeout: { minutes: 10 },
    fn: async () => {
      const removed = await options.store.purge(Date.now() - options.summaryRetentionMs);
      if (removed) options.logger.info(`KPI retention removed ${removed} rows`);
    },
  };
}

/** KPIs and cost per model, version and segment, with what keeps their inputs current. */
export function createKpi(ctx: MlopsContext, deps: { telemetry: TelemetryStore; retention: { rawRetentionMs: number; summaryRetentionMs: number } }) {
  const kpis = createKpis({ db: ctx.db, config: ctx.config, telemetry: deps.telemetry, policies: ctx.policyOf, kubeConfig: ctx.kubeConfig, rawRetentionMs: deps.retention.rawRetentionMs });
  return {
    ...kpis,
    routes: (http: RouteContext) => kpiRoutes(http, { kpis: kpis.service, policies: ctx.policies }),
    tasks: [
      kpiInputsTask({
        logger: ctx.logger,
        telemetry: deps.telemetry,
        kpis,
        policies: ctx.policyOf,
        modelRefs: async () => (await ctx.policies.listModels(await ctx.auth.getOwnServiceCredentials())).map(m => m.entityRef),
        rawRetentionMs: deps.retention.rawRetentionMs,
      }),
      kpiRetentionTask({ store: kpis.store, logger: ctx.logger, summaryRetentionMs: deps.retention.summaryRetentionMs }),
    ],
  } satisfies Concern & Record<string, unknown>;
}
