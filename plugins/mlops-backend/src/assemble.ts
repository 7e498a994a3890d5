import { LifecycleService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { RetrainAction as PluginRetrainAction, TrafficRouterFactory } from '@modelrails/plugin-mlops-node';
import { createAlerts } from './alerts';
import { healthRoutes } from './database/routes';
import { createBacktest } from './backtest';
import { createDrift, LoweredSignals } from './drift';
import { createEvaluation } from './evaluation';
import { MlopsInternals } from './internals';
import { createKpi } from './kpi';
import { createLineage } from './lineage';
import { createMlflow } from './mlflow';
import { createNotifications } from './notifications';
import { policyRoutes } from './policy/routes';
import { RouteContext } from './router/router';
import { createPromotion, createPromotionStore } from './promotion';
import { createRegistry } from './registry';
import { productionStory } from './registry/production';
import { createRetraining } from './retraining';
import { createRollout, SimulatedTraffic, TrafficRouters } from './rollout';
import { createRunbooks } from './runbooks';
import { createModelCards } from './modelcard';
import { createTelemetry, telemetryRetention } from './telemetry';
import { Concern, MlopsContext } from './wiring';

/** What backend modules added through the extension points. */
export type MlopsExtensions = {
  trafficRouters: Array<[string, TrafficRouterFactory]>;
  retrainActions: Array<[string, PluginRetrainAction]>;
};

/**
 * Every concern made by its factory, in dependency order, and connected where one concern tells
 * another (notifications, drift → retraining, rollouts ↔ promotions). The composition root.
 */
export function assembleConcerns(
  ctx: MlopsContext,
  deps: { extensions: MlopsExtensions; notifications: NotificationService; lifecycle: LifecycleService },
): { concerns: Concern[]; internals: MlopsInternals } {
  const ownerNotifications = createNotifications(ctx, deps.notifications);
  const simulatedTraffic = new SimulatedTraffic();
  const routers = new TrafficRouters({ kubeConfig: ctx.kubeConfig, simulated: simulatedTraffic });
  for (const [name, factory] of deps.extensions.trafficRouters) routers.add(name, factory);

  const registry = createRegistry(ctx);
  const mlflow = createMlflow(ctx, registry);
  const telemetry = createTelemetry(ctx, { registry: registry.service });
  const promotionStore = createPromotionStore(ctx);
  const rollout = createRollout(ctx, {
    registry: registry.store,
    telemetry: telemetry.store,
    routers,
    moveExternalAlias: mlflow.moveAlias,
    onEnded: record => ownerNotifications.onRolloutEnded(record),
    promotions: promotionStore,
  });
  const promotion = createPromotion(ctx, {
    registry: registry.store,
    moveExternalAlias: mlflow.moveAlias,
    rollouts: rollout.starter,
    onRequested: p => ownerNotifications.onPromotionRequested(p),
    store: promotionStore,
    gates: registry.gates,
  });
  const evaluation = createEvaluation({ store: telemetry.store, policyOf: modelRef => telemetry.service.requirePolicy(modelRef) });
  const retraining = createRetraining(ctx, { store: telemetry.store, telemetry: telemetry.service, evaluation: evaluation.service });
  for (const [name, action] of deps.extensions.retrainActions) retraining.actions.add(name, action);
  // The backtest reads drift series, and the drift report asks the backtest which signals to lower:
  // the report's side is bound once the backtest exists (below).
  const backtestOf: { lowered?: LoweredSignals } = {};
  const drift = createDrift(ctx, {
    telemetry: telemetry.service,
    store: telemetry.store,
    loweredSignals: (modelRef, policy) => backtestOf.lowered!(modelRef, policy),
    onReport: async report => {
      await ownerNotifications.onDriftReport(report);
      await retraining.triggers.onDriftReport(report, await telemetry.service.requirePolicy(report.modelRef));
    },
  });
  const kpi = createKpi(ctx, { telemetry: telemetry.store, retention: telemetryRetention(ctx.config) });
  const backtest = createBacktest(ctx, { drift: drift.service, kpi: kpi.service, evaluation: evaluation.service });
  backtestOf.lowered = (modelRef, policy) => backtest.service.lowered(modelRef, policy);
  const runbooks = createRunbooks(ctx, {
    driftReport: modelRef => drift.service.report(modelRef),
    rollouts: rollout.store,
    production: model => promotion.service.productionAt(model, new Date()),
    story: async modelRef => productionStory(await registry.store.listVersions(modelRef)),
  });
  const alerts = createAlerts(ctx, { runbooks: runbooks.service, rollouts: rollout.store, telemetry: telemetry.store });
  const modelCards = createModelCards(ctx, { versions: model => registry.service.list(model), kpis: kpi.service });
  const health: Concern = { routes: (http: RouteContext) => healthRoutes(http, () => ctx.store.health()) };
  const policies: Concern = { routes: (http: RouteContext) => policyRoutes(http, ctx.policies) };

  return {
    concerns: [health, policies, registry, createLineage(ctx), mlflow, telemetry, rollout, promotion, drift, backtest, evaluation, retraining, kpi, runbooks, alerts, modelCards],
    internals: {
      ctx,
      lifecycle: deps.lifecycle,
      registry: registry.store,
      promotions: promotion.store,
      telemetry: telemetry.service,
      telemetryStore: telemetry.store,
      rollouts: rollout.engine,
      rolloutStore: rollout.store,
      trafficRouters: routers,
      kpis: kpi,
      ownerNotifications,
    },
  };
}
