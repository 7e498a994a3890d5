import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { mlopsRetrainActionsExtensionPoint, mlopsTrafficRoutersExtensionPoint } from '@modelrails/plugin-mlops-node';
import { createAlerts } from './alerts';
import { DatabaseModelRailsStore, migrateDatabase } from './database/DatabaseModelRailsStore';
import { healthRoutes } from './database/routes';
import { createDrift } from './drift';
import { createEvaluation } from './evaluation';
import { MlopsInternals, mlopsInternalsExtensionPoint } from './internals';
import { createKpi } from './kpi';
import { kubeConfigFrom } from './kubernetes/kubeConfig';
import { createLineage } from './lineage';
import { TelemetryMetrics } from './metrics/MlopsMetrics';
import { createMlflow } from './mlflow';
import { createNotifications } from './notifications';
import { registerMlopsPermissions } from './permissions/rules';
import { createPolicies } from './policy';
import { createPromotion } from './promotion';
import { createRegistry } from './registry';
import { RetrainActions } from './retraining/RetrainActions';
import { createRetraining } from './retraining';
import { createRollout, SimulatedTraffic, TrafficRouters } from './rollout';
import { createRunbooks } from './runbooks';
import { createMlopsRouter } from './router/router';
import { createTelemetry, telemetryRetention } from './telemetry';
import { MlopsContext, wireConcerns } from './wiring';

/**
 * The ModelRails backend plugin: wires each concern's factory together and nothing else. Modules
 * add traffic routers and retraining actions through `@modelrails/plugin-mlops-node`.
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    const addedRouters: Array<Parameters<TrafficRouters['add']>> = [];
    const addedActions: Array<Parameters<RetrainActions['add']>> = [];
    const readyHooks: Array<(internals: MlopsInternals) => Promise<void>> = [];
    env.registerExtensionPoint(mlopsTrafficRoutersExtensionPoint, { addTrafficRouter: (name, factory) => void addedRouters.push([name, factory]) });
    env.registerExtensionPoint(mlopsRetrainActionsExtensionPoint, { addRetrainAction: (name, action) => void addedActions.push([name, action]) });
    env.registerExtensionPoint(mlopsInternalsExtensionPoint, { onReady: hook => void readyHooks.push(hook) });
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        urlReader: coreServices.urlReader,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        notifications: notificationService,
      },
      async init({ database, httpRouter, httpAuth, permissionsRegistry, catalog, scheduler, lifecycle, notifications, ...core }) {
        registerMlopsPermissions(permissionsRegistry, catalog, core.auth);
        const db = await migrateDatabase(database);
        const policies = createPolicies(catalog, core.auth);
        const ctx: MlopsContext = { ...core, catalog, db, store: new DatabaseModelRailsStore(db), kubeConfig: kubeConfigFrom(core.config), metrics: new TelemetryMetrics(), policies: policies.service, policyOf: policies.lookup };
        const ownerNotifications = createNotifications(ctx, notifications);
        const simulatedTraffic = new SimulatedTraffic();
        const routers = new TrafficRouters({ kubeConfig: ctx.kubeConfig, simulated: simulatedTraffic });
        for (const [name, factory] of addedRouters) routers.add(name, factory);

        const registry = createRegistry(ctx);
        const mlflow = createMlflow(ctx, registry);
        const telemetry = createTelemetry(ctx, { registry: registry.service });
        const rollout = createRollout(ctx, {
          registry: registry.store,
          telemetry: telemetry.store,
          routers,
          moveExternalAlias: mlflow.moveAlias,
          onEnded: record => ownerNotifications.onRolloutEnded(record),
          promotions: { list: filter => promotion.service.list(filter) },
        });
        const promotion = createPromotion(ctx, { registry: registry.store, moveExternalAlias: mlflow.moveAlias, rollouts: rollout.starter, onRequested: p => ownerNotifications.onPromotionRequested(p) });
        const drift = createDrift(ctx, {
          telemetry: telemetry.service,
          store: telemetry.store,
          onReport: async report => {
            await ownerNotifications.onDriftReport(report);
            await retraining.triggers.onDriftReport(report, await drift.service.policyOf(report.modelRef));
          },
        });
        const evaluation = createEvaluation({ store: telemetry.store, policyOf: modelRef => drift.service.policyOf(modelRef) });
        const retraining = createRetraining(ctx, { store: telemetry.store, telemetry: telemetry.service, evaluation: evaluation.service });
        for (const [name, action] of addedActions) retraining.actions.add(name, action);
        const kpi = createKpi(ctx, { telemetry: telemetry.store, retention: telemetryRetention(core.config) });
        const runbooks = createRunbooks(ctx, { driftReport: modelRef => drift.service.report(modelRef), rollouts: rollout.store, production: model => promotion.service.productionAt(model, new Date()) });
        const alerts = createAlerts(ctx, { runbooks: runbooks.service, rollouts: rollout.store, telemetry: telemetry.store, kpis: kpi.service });

        const http = await createMlopsRouter({ httpAuth, permissions: core.permissions, auditor: core.auditor });
        const concerns = [{ routes: policies.routes }, registry, createLineage(ctx), mlflow, telemetry, rollout, promotion, drift, evaluation, retraining, kpi, runbooks, alerts];
        await wireConcerns([{ routes: h => healthRoutes(h, () => ctx.store.health()) }, ...concerns], http, scheduler);
        httpRouter.use(http.router);
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // Flagger cannot send headers: the route checks the token in the webhook's metadata itself.
        httpRouter.addAuthPolicy({ path: '/judge/flagger', allow: 'unauthenticated' });

        const internals: MlopsInternals = { ctx, lifecycle, registry: registry.store, promotions: promotion.store, telemetry: telemetry.service, telemetryStore: telemetry.store, rollouts: rollout.engine, rolloutStore: rollout.store, simulatedTraffic, kpis: kpi, ownerNotifications };
        for (const hook of readyHooks) await hook(internals);
      },
    });
  },
});
