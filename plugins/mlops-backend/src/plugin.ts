import { coreServices, createBackendPlugin } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { mlopsRetrainActionsExtensionPoint, mlopsTrafficRoutersExtensionPoint } from '@modelrails/plugin-mlops-node';
import { assembleConcerns, MlopsExtensions } from './assemble';
import { DatabaseModelRailsStore } from './database/DatabaseModelRailsStore';
import { DATABASE_LOCKS, withDatabaseLock } from './database/migrations';
import { migrateDatabase, STORE_MIGRATIONS } from './migrations';
import { MlopsInternals, mlopsInternalsExtensionPoint } from './internals';
import { kubeConfigFrom } from './kubernetes/kubeConfig';
import { TelemetryMetrics } from './metrics/MlopsMetrics';
import { registerMlopsPermissions } from './permissions/rules';
import { createPolicies } from './policy';
import { createMlopsRouter } from './router/router';
import { wireConcerns } from './wiring';

/**
 * The ModelRails backend plugin: declares its extension points and services, and wires the
 * concerns (assembled in assemble.ts) into the HTTP router and the scheduler. Nothing else.
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    const extensions: MlopsExtensions = { trafficRouters: [], retrainActions: [] };
    const readyHooks: Array<(internals: MlopsInternals) => Promise<void>> = [];
    env.registerExtensionPoint(mlopsTrafficRoutersExtensionPoint, { addTrafficRouter: (name, factory) => void extensions.trafficRouters.push([name, factory]) });
    env.registerExtensionPoint(mlopsRetrainActionsExtensionPoint, { addRetrainAction: (name, action) => void extensions.retrainActions.push([name, action]) });
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
        const policies = createPolicies(catalog, core.auth, core.logger);
        const replica = `${hostname()}-${randomUUID().slice(0, 8)}`;
        const metrics = new TelemetryMetrics(replica);
        const { concerns, internals } = assembleConcerns(
          {
            ...core,
            catalog,
            db,
            store: new DatabaseModelRailsStore(db, STORE_MIGRATIONS),
            kubeConfig: kubeConfigFrom(core.config),
            replica,
            metrics,
            policies: policies.service,
            policyOf: policies.lookup,
          },
          { extensions, notifications, lifecycle },
        );
        const http = await createMlopsRouter({ httpAuth, permissions: core.permissions, auditor: core.auditor });
        // The scheduler migrates its own tables on the first global task; knex's migration lock
        // table is created without a guard, so replicas starting together take turns here too.
        await withDatabaseLock(db, DATABASE_LOCKS.migrations, () => wireConcerns(concerns, http, scheduler, metrics));
        httpRouter.use(http.router);
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // Flagger cannot send headers: the route checks the token in the webhook's metadata itself.
        httpRouter.addAuthPolicy({ path: '/judge/flagger', allow: 'unauthenticated' });
        // MLflow signs its webhooks with a shared secret: the route verifies the signature itself.
        httpRouter.addAuthPolicy({ path: '/mlflow/webhooks', allow: 'unauthenticated' });
        for (const hook of readyHooks) await hook(internals);
      },
    });
  },
});
