import {
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { mlopsReadPermission } from '@modelrails/plugin-mlops-common';
import express from 'express';
import { ModelRailsStore } from '../database/ModelRailsStore';
import { createOpenApiRouter } from '../schema/openapi/generated/router';
import { ModelPolicyService } from './ModelPolicyService';

export type RouterOptions = {
  store: ModelRailsStore;
  policies: ModelPolicyService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
};

export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { store, policies, httpAuth, permissions } = options;
  const router = await createOpenApiRouter();

  router.get('/health', async (_req, res) => {
    const database = await store.health();
    res
      .status(database.reachable ? 200 : 503)
      .json({ status: database.reachable ? 'ok' : 'degraded', database });
  });

  router.get('/models/:namespace/:name/policy', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { namespace, name } = req.params;
    const [decision] = await permissions.authorize(
      [
        {
          permission: mlopsReadPermission,
          resourceRef: stringifyEntityRef({ kind: 'model', namespace, name }),
        },
      ],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to read this model');
    }
    res.json(await policies.getPolicy({ namespace, name }, credentials));
  });

  return router;
}
