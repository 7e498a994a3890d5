import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { mlopsPermissions } from '@modelrails/plugin-mlops-common';
import { DatabaseModelRailsStore } from './database/DatabaseModelRailsStore';
import { DefaultModelPolicyService } from './service/ModelPolicyService';
import { createRouter } from './service/router';

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
        database: coreServices.database,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        logger: coreServices.logger,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
      },
      async init({ database, httpRouter, httpAuth, logger, permissions, permissionsRegistry, catalog }) {
        permissionsRegistry.addPermissions(mlopsPermissions);
        const store = await DatabaseModelRailsStore.create({ database });
        httpRouter.use(
          await createRouter({
            store,
            policies: new DefaultModelPolicyService(catalog),
            httpAuth,
            permissions,
            logger,
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
      },
    });
  },
});
