import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { BasicPermission, ResourcePermission } from '@backstage/plugin-permission-common';
import { authorizeOrThrow } from '../permissions/authorize';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  mlopsIngestPermission,
  mlopsReadPermission,
  mlopsRegisterPermission,
} from '@modelrails/plugin-mlops-common';
import { TelemetryService } from '../telemetry/TelemetryService';
import { DriftService } from '../telemetry/DriftService';
import { TelemetryMetrics } from '../telemetry/metrics';
import { EvaluationService } from '../telemetry/EvaluationService';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import express, { ErrorRequestHandler, RequestHandler } from 'express';
import { ModelRailsStore } from '../database/ModelRailsStore';
import { RegistryService } from '../registry/RegistryService';
import { SyncStatusStore } from '../mlflow/SyncStatusStore';
import { PromotionService } from '../promotion/PromotionService';
import { PromotionStatus } from '@modelrails/plugin-mlops-common';
import { createOpenApiRouter, spec } from '../schema/openapi/generated/router';
import { middleware as openApiValidator } from 'express-openapi-validator';
import { AuthenticationError, InputError, NotAllowedError, NotFoundError, ServiceUnavailableError } from '@backstage/errors';
import { ModelPolicyService } from './ModelPolicyService';
import { CanaryJudge, JudgeRequest, ManualAction, ROLLOUT_ACTION_PERMISSIONS, RolloutEngine, RolloutStore, rolloutView } from '../rollout';
import { principalRef } from '../registry/RegistryService';
import { KpiService } from '../kpi/KpiService';
import { parseDuration } from '@modelrails/plugin-mlops-common';
import { ALL_TRAFFIC } from '../telemetry/TelemetryService';
import { modelEvents } from './modelEvents';
import { AnswerCache } from './AnswerCache';
import { RunbookService } from '../runbooks/RunbookService';
import { LiveContextService } from '../runbooks/LiveContextService';
import { alertRuleFile, AlertRuleModel } from '../alerts/alertRules';
import { OwnerNotifications } from '../notifications/OwnerNotifications';

/** Request bodies larger than this are refused with 413 before anything is parsed or written. */
export const BODY_LIMIT = '256kb';
/** Telemetry batches (10,000 events) and training profiles are bigger. */
export const TELEMETRY_BODY_LIMIT = '8mb';
const LARGE_BODY_PATHS = /^\/(telemetry\/(predictions|outcomes|profiles)|models\/[^/]+\/[^/]+\/versions\/[^/]+\/profile)$/;
/** Ingestion bodies are validated by the telemetry service itself (per-event checks at speed). */
const INGEST_PATHS = /\/telemetry\/(predictions|outcomes|profiles)$/;

export type RouterOptions = {
  store: ModelRailsStore;
  policies: ModelPolicyService;
  registry: RegistryService;
  syncStatus: SyncStatusStore;
  promotions: PromotionService;
  rollouts: RolloutEngine;
  rolloutStore: RolloutStore;
  judge: CanaryJudge;
  telemetry: TelemetryService;
  telemetryStore: TelemetryStore;
  kpis: KpiService;
  drift: DriftService;
  evaluation: EvaluationService;
  metrics: TelemetryMetrics;
  auditor: AuditorService;
  httpAuth: HttpAuthService;
  /** Checks tokens that arrive in a body (Flagger's webhooks cannot send headers). */
  auth: AuthService;
  permissions: PermissionsService;
  logger: LoggerService;
  runbooks: RunbookService;
  liveContext: LiveContextService;
  ownerNotifications?: Pick<OwnerNotifications, 'onPromotionRequested'>;
  /** Where the portal serves runbook pages (alert rules link to them). */
  portalBaseUrl: string;
};

/** body-parser's own errors would otherwise reach the OpenAPI validator's handler and become 400s. */
const payloadTooLarge: ErrorRequestHandler = (error, req, res, next) => {
  if (error?.type === 'entity.too.large') {
    const limit = LARGE_BODY_PATHS.test(req.path) ? TELEMETRY_BODY_LIMIT : BODY_LIMIT;
    res.status(413).json({
      error: { name: 'PayloadTooLargeError', message: `Request body exceeds ${limit}` },
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
  const { store, policies, registry, syncStatus, promotions, rollouts, rolloutStore, judge, auth, telemetry, telemetryStore, kpis, drift, evaluation, metrics, auditor, httpAuth, permissions, runbooks, liveContext, portalBaseUrl, ownerNotifications } = options;
  const smallJson = express.json({ limit: BODY_LIMIT });
  const largeJson = express.json({ limit: TELEMETRY_BODY_LIMIT });
  // Requests are validated here rather than by the typed router, whose error handler drops the
  // field names. Express takes error handlers in a middleware list; the option's type does not.
  const router = await createOpenApiRouter({
    validatorOptions: { validateRequests: false },
    middleware: [
      ((req, res, next) => (LARGE_BODY_PATHS.test(req.path) ? largeJson : smallJson)(req, res, next)) as RequestHandler,
      payloadTooLarge as unknown as RequestHandler,
      ...(openApiValidator({
        apiSpec: spec as any,
        ignorePaths: INGEST_PATHS,
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
    void ownerNotifications?.onPromotionRequested(created);
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

  const modelRefOf = (params: { namespace: string; name: string }) => stringifyEntityRef({ kind: 'model', ...params });

  /** Decisions shown with a rollout: the newest, enough for a day of one-minute analyses. */
  const ROLLOUT_DECISIONS = 500;
  const rolloutDetail = async (id: string) => {
    const record = await rolloutStore.get(id);
    if (!record) throw new NotFoundError(`No rollout ${id}`);
    return { ...rolloutView(record), decisions: await rolloutStore.decisions(id, ROLLOUT_DECISIONS) };
  };

  router.get('/models/:namespace/:name/rollouts', async (req, res) => {
    await reader(req);
    res.json({ items: (await rolloutStore.list({ modelRef: modelRefOf(req.params), limit: 100 })).map(rolloutView) });
  });

  router.get('/rollouts/:id', async (req, res) => {
    await reader(req);
    res.json(await rolloutDetail(req.params.id));
  });

  router.post('/rollouts/:id/:action', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const action = req.params.action as ManualAction;
    const record = await rolloutStore.get(req.params.id);
    if (!record) throw new NotFoundError(`No rollout ${req.params.id}`);
    await allow(credentials, ROLLOUT_ACTION_PERMISSIONS[action], record.modelRef);
    const reason = typeof req.body?.reason === 'string' ? req.body.reason : '';
    await audited(req, `rollout-${action}`, { rollout: record.id, model: record.modelRef }, () =>
      rollouts.act(record.id, action, principalRef(credentials), reason),
    );
    res.json(await rolloutDetail(record.id));
  });

  /** Judge parameters from a query string or Flagger metadata (both strings, validated by the spec). */
  const judgeRequest = (params: { namespace: string; name: string }, p: Record<string, unknown>): JudgeRequest => {
    const text = (key: string) => (typeof p[key] === 'string' ? (p[key] as string) : undefined);
    const minSamples = text('minSamples');
    return {
      modelRef: modelRefOf(params),
      champion: text('champion'),
      challenger: text('challenger'),
      window: text('window'),
      since: text('since'),
      minSamples: minSamples === undefined ? undefined : Number(minSamples),
    };
  };

  router.get('/judge/models/:namespace/:name', async (req, res) => {
    await reader(req);
    res.json(await judge.judge(judgeRequest(req.params, req.query)));
  });

  router.post('/judge/flagger/models/:namespace/:name', async (req, res) => {
    const metadata: Record<string, unknown> = req.body.metadata ?? {};
    let credentials: BackstageCredentials;
    if (req.headers.authorization) {
      credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    } else if (typeof metadata.token === 'string') {
      credentials = await auth.authenticate(metadata.token).catch(() => {
        throw new AuthenticationError('metadata.token: not a valid Backstage token');
      });
    } else {
      throw new AuthenticationError('Missing credentials: an Authorization header or metadata.token (Flagger webhooks cannot send headers)');
    }
    await allow(credentials, mlopsReadPermission);
    const verdict = await judge.judge(judgeRequest(req.params, metadata));
    // Flagger reads only the status: anything but a pass must not look like success.
    res.status(verdict.verdict === 'pass' ? 200 : 412).json(verdict);
  });

  for (const [path, kind, ingest] of [
    ['predictions', 'predictions', (body: unknown) => telemetry.ingestPredictions(body)],
    ['outcomes', 'outcomes', (body: unknown) => telemetry.ingestOutcomes(body)],
    ['profiles', 'profiles', (body: unknown) => telemetry.ingestProfiles(body)],
  ] as const) {
    router.post(`/telemetry/${path}`, async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
      await allow(credentials, mlopsIngestPermission);
      const list: unknown = (req.body as Record<string, unknown> | undefined)?.[path === 'predictions' ? 'events' : path];
      const records = Array.isArray(list) ? list.length : 0;
      try {
        res.json(await ingest(req.body));
      } catch (error) {
        if (error instanceof InputError || error instanceof NotAllowedError) {
          metrics.countRejected(kind, records, false);
          throw error;
        }
        // Anything else (the database above all) is worth a retry with the same batch id.
        metrics.countRejected(kind, 0, true);
        res.setHeader('Retry-After', '5');
        throw new ServiceUnavailableError(`Telemetry was not committed, retry the batch: ${(error as Error).message}`);
      }
    });
  }

  router.put('/models/:namespace/:name/versions/:version/profile', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    const modelRef = modelRefOf(req.params);
    await allow(credentials, mlopsRegisterPermission, modelRef);
    await registry.get(req.params, req.params.version);
    const profile = await audited(req, 'reference-profile-put', { modelRef, version: req.params.version }, () =>
      telemetry.putReferenceProfile(modelRef, req.params.version, req.body),
    );
    res.status(201).json(profileSummary(profile));
  });

  router.get('/models/:namespace/:name/versions/:version/profile', async (req, res) => {
    await reader(req);
    const modelRef = modelRefOf(req.params);
    const profile =
      (await telemetryStore.getReferenceProfile(modelRef, req.params.version)) ??
      (await telemetryStore.latestReferenceProfile(modelRef));
    if (!profile) throw new NotFoundError(`No reference profile for ${modelRef} version ${req.params.version} or any other version`);
    res.json(profileSummary(profile));
  });

  /** `from` and `to` as given (either may be absent: the service defaults it), in order. */
  const optionalWindow = (query: express.Request['query']) => {
    const time = (name: 'from' | 'to') => (query[name] ? Date.parse(String(query[name])) : undefined);
    const from = time('from');
    const to = time('to');
    if (from !== undefined && to !== undefined && from >= to) throw new InputError('query.from must be before query.to');
    return { from, to };
  };

  // Every viewer of a dashboard asks the same aligned window (the Grafana data source aligns to
  // 5 minutes): one answer per window until the model's telemetry changes, 10 s at most.
  const seriesAnswers = new AnswerCache({ maxEntries: 64, maxAgeMs: 10_000 });

  /** A series window: `window` back from now (or from `to`), or `from`–`to`. */
  const seriesWindow = (query: express.Request['query'], fallback: string) => {
    if (query.window && query.from) throw new InputError('query.window: give a window or a from time, not both');
    const windowMs = parseDuration(String(query.window ?? fallback));
    if (windowMs > 90 * 86_400_000) throw new InputError('query.window: at most 90d (the summaries\' retention)');
    const given = optionalWindow(query);
    const to = given.to ?? Date.now();
    const from = given.from ?? to - windowMs;
    if (from >= to) throw new InputError('query.from must be before query.to');
    if (to - from > 90 * 86_400_000) throw new InputError('query.from: at most 90 days before query.to');
    return { from, to, stepMs: query.step ? parseDuration(String(query.step)) : undefined };
  };

  router.get('/models/:namespace/:name/drift', async (req, res) => {
    await reader(req);
    res.json(await drift.report(modelRefOf(req.params), { version: req.query.version ? String(req.query.version) : undefined, ...optionalWindow(req.query) }));
  });

  /** `all` (or absent) is all traffic; anything else is tag=value, checked by the drift service. */
  const segmentOf = (query: express.Request['query']) => (!query.segment || query.segment === 'all' ? ALL_TRAFFIC : String(query.segment));

  router.get('/models', async (req, res) => {
    const credentials = await reader(req);
    const models = await policies.listModels(credentials);
    res.json({ items: models.map(({ entityRef, title, owner, lifecycle }) => ({ entityRef, title, owner, lifecycle })).sort((a, b) => a.entityRef.localeCompare(b.entityRef)) });
  });

  router.get('/models/:namespace/:name/drift/series', async (req, res) => {
    const credentials = await reader(req);
    const model = await policies.getPolicy(req.params, credentials);
    const asked = { ...seriesWindow(req.query, '24h'), version: req.query.version ? String(req.query.version) : undefined, segment: segmentOf(req.query) };
    await seriesAnswers.send(req, res, JSON.stringify([model.entityRef, asked]), telemetry.changes.generation(model.entityRef), () => drift.series(model.entityRef, asked));
  });

  router.get('/models/:namespace/:name/drift/distribution', async (req, res) => {
    const credentials = await reader(req);
    const model = await policies.getPolicy(req.params, credentials);
    res.json(
      await drift.distribution(model.entityRef, {
        feature: String(req.query.feature),
        version: req.query.version ? String(req.query.version) : undefined,
        segment: segmentOf(req.query),
        ...optionalWindow(req.query),
      }),
    );
  });

  router.get('/models/:namespace/:name/events', async (req, res) => {
    const credentials = await reader(req);
    const model = await policies.getPolicy(req.params, credentials);
    const { from, to } = seriesWindow(req.query, '7d');
    const [modelPromotions, modelRollouts] = await Promise.all([promotions.list({ modelRef: model.entityRef }), rolloutStore.list({ modelRef: model.entityRef, limit: 100 })]);
    res.json({ items: modelEvents(modelPromotions, modelRollouts.map(rolloutView), from, to) });
  });

  router.get('/models/:namespace/:name/kpis', async (req, res) => {
    const credentials = await reader(req);
    const model = await policies.getPolicy(req.params, credentials);
    res.json(
      await kpis.report(model.entityRef, model.policy, {
        ...seriesWindow(req.query, '24h'),
        version: req.query.version ? String(req.query.version) : undefined,
        segmentTags: req.query.segments ? String(req.query.segments).split(',') : undefined,
      }),
    );
  });

  router.get('/kpis', async (req, res) => {
    const credentials = await reader(req);
    res.json(await kpis.overview(await policies.listModels(credentials), seriesWindow(req.query, '7d')));
  });

  router.get('/models/:namespace/:name/evaluation', async (req, res) => {
    await reader(req);
    const modelRef = modelRefOf(req.params);
    const num = (v: unknown) => (v === undefined ? undefined : Number(v));
    res.json(
      await evaluation.daily(modelRef, await drift.policyOf(modelRef), {
        days: num(req.query.days),
        threshold: num(req.query.threshold),
        k: num(req.query.k),
      }),
    );
  });

  router.get('/models/:namespace/:name/retrain-triggers', async (req, res) => {
    await reader(req);
    const items = await telemetryStore.listTriggers(modelRefOf(req.params), req.query.limit ? Number(req.query.limit) : 20);
    res.json({ items: items.map(t => ({ ...t, createdAt: new Date(t.createdAt).toISOString() })) });
  });

  router.get('/metrics', async (req, res) => {
    await reader(req);
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  router.get('/models/:namespace/:name/runbooks', async (req, res) => {
    const credentials = await reader(req);
    res.json(await runbooks.list(req.params, credentials));
  });

  router.get('/models/:namespace/:name/runbooks/:id', async (req, res) => {
    const credentials = await reader(req);
    res.json(await runbooks.get(req.params, req.params.id, credentials));
  });

  router.get('/models/:namespace/:name/live-context', async (req, res) => {
    const credentials = await reader(req);
    res.json(await liveContext.read(req.params, credentials));
  });

  const ruleModel = async (model: { entityRef: string; title: string; policy: AlertRuleModel['policy'] }, credentials: BackstageCredentials): Promise<AlertRuleModel> => {
    const { namespace, name } = parseEntityRef(model.entityRef);
    return { ...model, runbookIds: (await runbooks.list({ namespace, name }, credentials)).byAlert };
  };
  const sendRules = (res: express.Response, models: AlertRuleModel[]) => {
    res.setHeader('Content-Type', 'application/yaml; charset=utf-8');
    res.send(alertRuleFile(models, portalBaseUrl));
  };

  router.get('/alert-rules', async (req, res) => {
    const credentials = await reader(req);
    const models = await policies.listModels(credentials);
    sendRules(res, await Promise.all(models.map(m => ruleModel(m, credentials))));
  });

  router.get('/models/:namespace/:name/alert-rules', async (req, res) => {
    const credentials = await reader(req);
    const model = await policies.getPolicy(req.params, credentials);
    sendRules(res, [await ruleModel({ entityRef: model.entityRef, title: model.title ?? req.params.name, policy: model.policy }, credentials)]);
  });

  router.get('/sync/mlflow', async (req, res) => {
    await reader(req);
    const status = await syncStatus.get('mlflow');
    res.json(status ? { configured: true, ...status } : { configured: false });
  });

  return router;
}

function profileSummary(profile: import('../telemetry/TelemetryStore').ReferenceProfile) {
  return {
    modelRef: profile.modelRef,
    version: profile.version,
    createdAt: new Date(profile.createdAt).toISOString(),
    features: profile.features.map(f => ({
      feature: f.feature,
      kind: f.kind,
      n: 'n' in f.summary ? f.summary.n : 0,
      ...(f.layout ? { layout: f.layout } : {}),
    })),
  };
}
