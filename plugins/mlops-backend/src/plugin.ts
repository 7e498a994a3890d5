import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { mlopsPermissions } from '@modelrails/plugin-mlops-common';
import { modelPermissionRules, modelResourceLoader, modelResourceRef } from './permissions/rules';
import { DatabaseModelRailsStore, migrateDatabase } from './database/DatabaseModelRailsStore';
import { DatabaseRegistryStore } from './registry/DatabaseRegistryStore';
import { DefaultRegistryService } from './registry/RegistryService';
import { DefaultModelPolicyService } from './service/ModelPolicyService';
import { createRouter } from './service/router';
import { DefaultRunbookService } from './runbooks/RunbookService';
import { LiveContextService } from './runbooks/LiveContextService';
import { scheduleServingMetrics } from './alerts/servingMetrics';
import { catalogModelOwners, OwnerNotifications } from './notifications/OwnerNotifications';
import { notificationService } from '@backstage/plugin-notifications-node';
import { seedDemoPromotions, seedDemoRegistry } from './demo/demoRegistry';
import { createMlflowAliasMover, DatabaseSyncStatusStore, scheduleMlflowSync } from './mlflow';
import { catalogPolicies, createGateService, schedulePendingGateEvaluation } from './gates';
import { DatabasePromotionStore } from './promotion/DatabasePromotionStore';
import { PromotionService } from './promotion/PromotionService';
import { DatabaseTelemetryStore } from './telemetry/DatabaseTelemetryStore';
import { TelemetryService } from './telemetry/TelemetryService';
import { DriftService } from './telemetry/DriftService';
import { TelemetryMetrics } from './telemetry/metrics';
import { scheduleDriftMonitor } from './telemetry/DriftMonitor';
import { DemoTraffic } from './demo/demoTraffic';
import { seedDemoRollouts } from './demo/demoRollouts';
import { seedDemoKpiInputs } from './demo/demoKpis';
import { EvaluationService } from './telemetry/EvaluationService';
import { createKpis, scheduleKpiInputs } from './kpi';
import { RetrainingTriggers } from './retraining/RetrainingTriggers';
import { ArgoWorkflowSubmitter, WebhookCaller } from './retraining/RetrainActions';
import { kubeConfigFrom } from './retraining/kubernetes';
import { parseDuration } from '@modelrails/plugin-mlops-common';
import { createCanaryJudge, createRolloutEngine, DatabaseRolloutStore, rolloutStarter, scheduleRollouts, SimulatedTraffic } from './rollout';

/**
 * The ModelRails backend plugin: wires services together and nothing else.
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    env.registerInit({
      deps: {
        auth: coreServices.auth,
        auditor: coreServices.auditor,
        config: coreServices.rootConfig,
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        urlReader: coreServices.urlReader,
        notifications: notificationService,
      },
      async init({ auth, auditor, config, database, httpRouter, httpAuth, logger, permissions, permissionsRegistry, catalog, scheduler, lifecycle, urlReader, notifications }) {
        // Model-scoped permissions carry rules policy authors can use (owner, lifecycle).
        permissionsRegistry.addResourceType({
          resourceRef: modelResourceRef,
          permissions: mlopsPermissions.filter(p => p.type === 'resource'),
          rules: modelPermissionRules,
          getResources: modelResourceLoader(catalog, auth),
        });
        permissionsRegistry.addPermissions(mlopsPermissions.filter(p => p.type !== 'resource'));
        const db = await migrateDatabase(database);
        const store = new DatabaseModelRailsStore(db);
        const registryStore = new DatabaseRegistryStore(db, store);
        const syncStatus = new DatabaseSyncStatusStore(db);
        const gates = createGateService(registryStore, catalog, auth);
        const promotionStore = new DatabasePromotionStore(db, store);
        const telemetryStore = new DatabaseTelemetryStore(db);
        const kubeConfig = kubeConfigFrom(config);
        const moveExternalAlias = createMlflowAliasMover({ config, catalog, auth, logger });
        const rolloutStore = new DatabaseRolloutStore(db, store);
        const ownerNotifications = new OwnerNotifications(notifications, catalogModelOwners(catalog, auth), logger);
        const simulatedTraffic = new SimulatedTraffic();
        const rollouts = createRolloutEngine({
          store: rolloutStore,
          telemetry: telemetryStore,
          registry: registryStore,
          kubeConfig,
          simulated: simulatedTraffic,
          moveExternalAlias,
          onEnded: record => ownerNotifications.onRolloutEnded(record),
        });
        const promotions = new PromotionService(
          promotionStore,
          registryStore,
          catalogPolicies(catalog, auth),
          permissions,
          auth,
          moveExternalAlias,
          rolloutStarter(rollouts, rolloutStore),
        );
        const metrics = new TelemetryMetrics();
        const modelPolicies = new DefaultModelPolicyService(catalog, auth);
        const retentionMs = parseDuration(config.getOptionalString('mlops.telemetry.rawRetention') ?? '7d');
        const telemetry = new TelemetryService({
          store: telemetryStore,
          policies: catalogPolicies(catalog, auth),
          metrics,
          rawSampleRate: config.getOptionalNumber('mlops.telemetry.rawSampleRate') ?? 0.01,
          retentionMs,
        });
        const drift = new DriftService(telemetryStore, telemetry);
        const kpis = createKpis({ db, config, telemetry: telemetryStore, policies: catalogPolicies(catalog, auth), kubeConfig, rawRetentionMs: retentionMs });
        const evaluation = new EvaluationService(telemetryStore);
        const triggers = new RetrainingTriggers({
          store: telemetryStore,
          evaluation,
          actions: { argo: kubeConfig ? new ArgoWorkflowSubmitter(kubeConfig) : undefined, webhook: new WebhookCaller() },
          metrics,
          logger,
        });
        const runbooks = new DefaultRunbookService(catalog, auth, urlReader);
        const liveContext = new LiveContextService({
          driftReport: modelRef => drift.report(modelRef),
          rollouts: rolloutStore,
          production: model => promotions.productionAt(model, new Date()),
          runbooks: (model, credentials) => runbooks.list(model, credentials),
          permissions,
        });
        httpRouter.use(
          await createRouter({
            runbooks,
            liveContext,
            ownerNotifications,
            // Where runbook pages live: the portal (a backend that serves the app answers on its own URL).
            portalBaseUrl:
              config.getOptionalString('mlops.runbooks.portalBaseUrl') ?? config.getOptionalString('app.baseUrl') ?? config.getOptionalString('backend.baseUrl') ?? '',
            telemetry,
            telemetryStore,
            kpis: kpis.service,
            drift,
            evaluation,
            metrics,
            store,
            policies: modelPolicies,
            registry: new DefaultRegistryService(registryStore, catalog, auth, gates),
            syncStatus,
            promotions,
            rollouts,
            rolloutStore,
            judge: createCanaryJudge({ telemetry: telemetryStore, registry: registryStore, policyOf: catalogPolicies(catalog, auth) }),
            auditor,
            auth,
            httpAuth,
            permissions,
            logger,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // Flagger cannot send headers: the route checks the token in the webhook's metadata itself.
        httpRouter.addAuthPolicy({ path: '/judge/flagger', allow: 'unauthenticated' });
        await scheduleMlflowSync({
          config,
          scheduler,
          logger,
          catalog,
          auth,
          registry: registryStore,
          status: syncStatus,
          onVersionCreated: async (modelRef, version) => {
            await gates.evaluate(modelRef, version, 'sync', 'plugin:mlops:mlflow-sync');
          },
        });
        await schedulePendingGateEvaluation({ scheduler, logger, catalog, auth, gates });
        await scheduleRollouts({ scheduler, logger, engine: rollouts });
        await scheduleKpiInputs({
          scheduler,
          logger,
          telemetry: telemetryStore,
          kpis,
          policies: catalogPolicies(catalog, auth),
          modelRefs: async () => (await modelPolicies.listModels(await auth.getOwnServiceCredentials())).map(m => m.entityRef),
          rawRetentionMs: retentionMs,
        });
        await scheduler.scheduleTask({
          id: 'mlops-promotions-expire',
          scope: 'global',
          frequency: { minutes: 1 },
          timeout: { minutes: 1 },
          fn: async () => {
            const ended = await promotionStore.expireDue();
            if (ended) {
              const event = await auditor.createEvent({ eventId: 'promotion-expire', severityLevel: 'low', meta: { ended: String(ended) } });
              await event.success();
            }
          },
        });
        await scheduleServingMetrics({ scheduler, logger, metrics, rollouts: rolloutStore, telemetry: telemetryStore, kpis: kpis.service, policyOf: catalogPolicies(catalog, auth) });
        await scheduleDriftMonitor({
          scheduler,
          logger,
          store: telemetryStore,
          drift,
          metrics,
          onReport: async report => {
            await ownerNotifications.onDriftReport(report);
            await triggers.onDriftReport(report, await drift.policyOf(report.modelRef));
          },
        });
        await scheduler.scheduleTask({
          id: 'mlops-retraining-checks',
          scope: 'global',
          frequency: { minutes: 5 },
          timeout: { minutes: 5 },
          fn: async () => {
            for (const modelRef of await telemetryStore.activeModels(Date.now() - 8 * 86_400_000)) {
              const policy = await telemetry.policy(modelRef);
              if (!policy) continue;
              await triggers.checkSchedule(modelRef, policy);
              await triggers.checkPerformance(modelRef, policy);
            }
          },
        });
        const summaryRetentionMs = parseDuration(config.getOptionalString('mlops.telemetry.summaryRetention') ?? '90d');
        await scheduler.scheduleTask({
          id: 'mlops-telemetry-retention',
          scope: 'global',
          frequency: { minutes: 30 },
          timeout: { minutes: 10 },
          fn: async () => {
            const now = Date.now();
            const removed =
              (await telemetryStore.purge({ rawEvents: now - retentionMs, summaries: now - summaryRetentionMs })) + (await kpis.store.purge(now - summaryRetentionMs));
            if (removed) logger.info(`Telemetry retention removed ${removed} rows`);
          },
        });
        if (config.getOptionalBoolean('mlops.demo.enabled')) {
          await seedDemoRegistry(registryStore, logger);
          await seedDemoPromotions(promotionStore);
          const traffic = new DemoTraffic(telemetry, telemetryStore, logger, { registry: registryStore, simulated: simulatedTraffic, rollouts: rolloutStore });
          traffic.startWhenCatalogReady(5_000, async () => {
            await seedDemoKpiInputs({ kpis, policyOf: catalogPolicies(catalog, auth), since: traffic.backfilledFrom });
            // The seeded requests wait for their owners, who hear of them as of any request.
            for (const pending of await promotionStore.list({ status: 'pending' })) await ownerNotifications.onPromotionRequested(pending);
            await seedDemoRollouts({ engine: rollouts, rollouts: rolloutStore, registry: registryStore, promotions: promotionStore, policyOf: catalogPolicies(catalog, auth), logger });
          });
          lifecycle.addShutdownHook(() => traffic.stop());
        }
      },
    });
  },
});
