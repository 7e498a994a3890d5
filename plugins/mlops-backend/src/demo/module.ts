import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { DATABASE_LOCKS, withDatabaseLock } from '../database/migrations';
import { mlopsInternalsExtensionPoint } from '../internals';
import { completeDemoHistory, seedDemoKpiInputs } from './demoKpis';
import { seedDemoPromotions, seedDemoRegistry } from './demoRegistry';
import { seedDemoRollouts } from './demoRollouts';
import { DemoTraffic } from './demoTraffic';

/**
 * The embedded demo (`mlops.demo.enabled`): seeded registry history and promotion requests,
 * simulated serving traffic through the real ingestion path, and two canaries driven by the real
 * engine. Added by the demo portal's backend only; a production backend never loads it.
 *
 * @public
 */
export const mlopsDemoModule = createBackendModule({
  pluginId: 'mlops',
  moduleId: 'demo',
  register(env) {
    env.registerInit({
      deps: { internals: mlopsInternalsExtensionPoint, config: coreServices.rootConfig },
      async init({ internals, config }) {
        if (!config.getOptionalBoolean('mlops.demo.enabled')) return;
        internals.onReady(async ({ ctx, lifecycle, registry, promotions, telemetry, telemetryStore, rollouts, rolloutStore, trafficRouters, kpis, ownerNotifications }) => {
          // Replicas started together take turns: the second finds the history seeded and leaves it.
          await withDatabaseLock(ctx.db, DATABASE_LOCKS.demoSeed, async () => {
            await seedDemoRegistry(registry, ctx.logger);
            await seedDemoPromotions(promotions, registry);
          });
          const traffic = new DemoTraffic(telemetry, telemetryStore, ctx.logger, {
            registry,
            routerFor: r => trafficRouters.routerFor(r),
            rollouts: rolloutStore,
          });
          traffic.startWhenCatalogReady(5_000, async () => {
            await seedDemoKpiInputs({ kpis, policyOf: ctx.policyOf, since: traffic.backfilledFrom });
            // The seeded requests wait for their owners, who hear of them as of any request.
            for (const pending of await promotions.list({ status: 'pending' })) await ownerNotifications.onPromotionRequested(pending);
            await withDatabaseLock(ctx.db, DATABASE_LOCKS.demoRollouts, () =>
              seedDemoRollouts({ engine: rollouts, rollouts: rolloutStore, registry, promotions, policyOf: ctx.policyOf, logger: ctx.logger }),
            );
            // The week before, in the background, once everything else of the demo runs.
            if (config.getOptionalBoolean('mlops.demo.history') ?? true) {
              traffic
                .sendHistory()
                .then(({ from, to }) => completeDemoHistory({ kpis, policyOf: ctx.policyOf, since: from, until: to }))
                .catch(e => ctx.logger.warn(`Demo history: ${(e as Error).message}`));
            }
          });
          lifecycle.addShutdownHook(() => traffic.stop());
        });
      },
    });
  },
});
