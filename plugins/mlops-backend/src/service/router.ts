import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { BasicPermission, ResourcePermission } from '@backstage/plugin-permission-common';
import { authorizeOrThrow } from '../permissions/authorize';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  mlopsReadPermission,
  mlopsRegisterPermission,
} from '@modelrails/plugin-mlops-common';
import express, { ErrorRequestHandler, RequestHandler } from 'express';
import { ModelRailsStore } from '../database/ModelRailsStore';
import { RegistryService } from '../registry/RegistryService';
import { SyncStatusStore } from '../mlflow/SyncStatusStore';
import { PromotionService } from '../promotion/PromotionService';
import { PromotionStatus } from '@modelrails/plugin-mlops-common';
import { createOpenApiRouter, spec } from '../schema/openapi/generated/router';
import { middleware as openApiValidator } from 'express-openapi-validator';
import { InputError } from '@backstage/errors';
import { ModelPolicyService } from './ModelPolicyService';

/** Request bodies larger than this are refused with 413 before anything is parsed or written. */
export const BODY_LIMIT = '256kb';

export type RouterOptions = {
  store: ModelRailsStore;
  policies: ModelPolicyService;
  registry: RegistryService;
  syncStatus: SyncStatusStore;
  promotions: PromotionService;
  auditor: AuditorService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  logger: LoggerService;
};

/** body-parser's own errors would otherwise reach the OpenAPI validator's handler and become 400s. */
const payloadTooLarge: ErrorRequestHandler = (error, _req, res, next) => {
  if (error?.type === 'entity.too.large') {
    res.status(413).json({
      error: { name: 'PayloadTooLargeError', message: `Request body exceeds ${BODY_LIMIT}` },
      response: { statusCode: 413 },
    });
    return;
  }
  next(error);
};

/**
 * The validator's own message says "request/body must NOT have additional properties"; its error
 * list knows which one. Name every offending field, as `request/body/colour: ...`.
 */
const validationErrorsNamingFields: ErrorRequestHandler = (error, _req, _res, next) => {
  const errors: Array<{ path?: string; message?: string }> | undefined = error?.errors;
  if (error?.status && error.status < 500 && Array.isArray(errors) && errors.length) {
    next(new InputError(errors.map(e => `request${e.path ?? ''}: ${e.message ?? 'is invalid'}`).join('; ')));
    return;
  }
  next(error);
};

export async function createRouter(options: RouterOptions): Promise<express.Router> {
  const { store, policies, registry, syncStatus, promotions, auditor, httpAuth, permissions } = options;
  // Requests are validated here rather than by the typed router, whose error handler drops the
  // field names. Express takes error handlers in a middleware list; the option's type does not.
  const router = await createOpenApiRouter({
    validatorOptions: { validateRequests: false },
    middleware: [
      express.json({ limit: BODY_LIMIT }),
      payloadTooLarge as unknown as RequestHandler,
      ...(openApiValidator({
        apiSpec: spec as any,
        validateRequests: { coerceTypes: false, allowUnknownQueryParameters: false },
        validateResponses: false,
        ignoreUndocumented: true,
        useRequestUrl: true,
      }) as RequestHandler[]),
      validationErrorsNamingFields as unknown as RequestHandler,
    ],
  });

  const allow = (
    credentials: BackstageCredentials,
    permission: BasicPermission | ResourcePermission,
    resourceRef?: string,
  ) => authorizeOrThrow(permissions, credentials, permission, resourceRef);
  const reader = async (req: express.Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    await allow(credentials, mlopsReadPermission);
    return credentials;
  };

  router.get('/health', async (_req, res) => {
    const database = await store.health();
    res
      .status(database.reachable ? 200 : 503)
      .json({ status: database.reachable ? 'ok' : 'degraded', database });
  });

  router.get('/models/:namespace/:name/policy', async (req, res) => {
    const credentials = await reader(req);
    res.json(await policies.getPolicy(req.params, credentials));
  });

  router.post('/models/:namespace/:name/versions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    await allow(credentials, mlopsRegisterPermission, stringifyEntityRef({ kind: 'model', ...req.params }));
    res.status(201).json(await registry.register(req.params, req.body, credentials));
  });

  router.get('/models/:namespace/:name/versions', async (req, res) => {
    await reader(req);
    res.json(await registry.list(req.params));
  });

  router.get('/models/:namespace/:name/versions/:version', async (req, res) => {
    await reader(req);
    res.json(await registry.get(req.params, req.params.version));
  });

  router.post('/models/:namespace/:name/versions/:version/gates', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    await allow(credentials, mlopsRegisterPermission, stringifyEntityRef({ kind: 'model', namespace: req.params.namespace, name: req.params.name }));
    res.json(await registry.evaluateGates(req.params, req.params.version, credentials));
  });

  router.get('/models/:namespace/:name/versions/:version/lineage', async (req, res) => {
    await reader(req);
    const depth = req.query.depth ? Number(req.query.depth) : undefined;
    res.json(await registry.modelLineage(req.params, req.params.version, depth));
  });

  router.get('/datasets/:namespace/:name/versions/:version/lineage', async (req, res) => {
    await reader(req);
    const depth = req.query.depth ? Number(req.query.depth) : undefined;
    res.json(await registry.datasetLineage(req.params, req.params.version, depth));
  });

  router.get('/datasets/:namespace/:name/versions/:version/models', async (req, res) => {
    await reader(req);
    res.json(await registry.datasetConsumers(req.params, req.params.version));
  });

  /** Runs a state change as an auditor event too (our own audit rows are written by the store). */
  const audited = async <T>(req: express.Request, eventId: string, meta: Record<string, string>, fn: () => Promise<T>) => {
    const event = await auditor.createEvent({ eventId, severityLevel: 'medium', request: req, meta });
    try {
      const result = await fn();
      await event.success();
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  };

  router.post('/models/:namespace/:name/versions/:version/promotions', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const { namespace, name, version } = req.params;
    const created = await audited(req, 'promotion-request', { namespace, name, version, environment: req.body.environment }, () =>
      promotions.request({ namespace, name }, version, req.body, credentials),
    );
    res.status(201).json({ ...created, canDecide: await promotions.canDecide(created, credentials) });
  });

  router.get('/models/:namespace/:name/production', async (req, res) => {
    await reader(req);
    const at = req.query.at ? new Date(String(req.query.at)) : new Date();
    res.json(await promotions.productionAt(req.params, at));
  });

  router.get('/promotions', async (req, res) => {
    await reader(req);
    res.json({
      items: await promotions.list({
        status: req.query.status as PromotionStatus | undefined,
        modelRef: req.query.model ? String(req.query.model) : undefined,
      }),
    });
  });

  router.get('/promotions/:id', async (req, res) => {
    const credentials = await reader(req);
    const promotion = await promotions.get(req.params.id);
    res.json({ ...promotion, canDecide: await promotions.canDecide(promotion, credentials) });
  });

  for (const [path, outcome] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    router.post(`/promotions/:id/${path}`, async (req, res) => {
      // Only people decide: a service or external token is refused here with 403.
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const decided = await audited(req, `promotion-${path}`, { promotion: req.params.id }, () =>
        promotions.decide(req.params.id, outcome, req.body, credentials),
      );
      res.json({ ...decided, canDecide: await promotions.canDecide(decided, credentials) });
    });
  }

  router.get('/sync/mlflow', async (req, res) => {
    await reader(req);
    const status = await syncStatus.get('mlflow');
    res.json(status ? { configured: true, ...status } : { configured: false });
  });

  return router;
}
