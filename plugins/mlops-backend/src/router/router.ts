import {
  AuditorService,
  BackstageCredentials,
  BackstagePrincipalTypes,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { BasicPermission, ResourcePermission } from '@backstage/plugin-permission-common';
import { mlopsReadPermission } from '@modelrails/plugin-mlops-common';
import express, { ErrorRequestHandler, RequestHandler } from 'express';
import { middleware as openApiValidator } from 'express-openapi-validator';
import type { TypedRouter } from '@backstage/backend-openapi-utils';
import { authorizeOrThrow } from '../permissions/authorize';
import { createOpenApiRouter, EndpointMap, spec } from '../schema/openapi/generated';

/*
 * What every route shares: body parsing with size limits, the OpenAPI validator with errors that
 * name the field, and the auth helpers. Each concern registers its own routes (its `routes.ts`)
 * on the router this makes; nothing here knows any concern.
 */

/** Request bodies larger than this are refused with 413 before anything is parsed or written. */
export const BODY_LIMIT = '256kb';
/** Telemetry batches (10,000 events) and training profiles are bigger. */
export const TELEMETRY_BODY_LIMIT = '8mb';
const LARGE_BODY_PATHS = /^\/(telemetry\/(predictions|outcomes|profiles)|models\/[^/]+\/[^/]+\/versions\/[^/]+\/profile)$/;
/** Ingestion bodies are validated by the telemetry service itself (per-event checks at speed). */
const INGEST_PATHS = /\/telemetry\/(predictions|outcomes|profiles)$/;

/** Signed webhooks: the signature covers the bytes as sent, so the route needs them unparsed too. */
const RAW_BODY_PATHS = /\/mlflow\/webhooks\/?$/i;

/** The request body exactly as received, on the paths that verify a signature over it. */
export function rawBodyOf(req: express.Request): Buffer | undefined {
  return (req as express.Request & { rawBody?: Buffer }).rawBody;
}

const keepRawBody = (req: express.Request & { rawBody?: Buffer }, _res: unknown, buffer: Buffer) => {
  if (RAW_BODY_PATHS.test(req.path)) req.rawBody = buffer;
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

/** The first place in `value` holding a NUL character (in a string or a key), as a field path. */
function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('\u0000')) return `${path}/${key.split('\u0000').join('\\0')}`;
      const found = nulAt(inner, `${path}/${key}`);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Neither database stores a NUL character in text (PostgreSQL refuses it outright): a 400 naming
 * the field, here once for every route, rather than a database error that looks worth retrying.
 * Ingest bodies check their own fields as they are read.
 */
const refuseNulCharacters: RequestHandler = (req, _res, next) => {
  const segments = req.path.split('/').map(segment => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
  const field =
    (segments.some(segment => segment.includes('\u0000')) ? 'request/path' : undefined) ??
    nulAt(req.query, 'request/query') ??
    (INGEST_PATHS.test(req.path) ? undefined : nulAt(req.body, 'request/body'));
  next(field ? new InputError(`${field}: must not contain the NUL character`) : undefined);
};

/** The router typed by the OpenAPI spec: a path or method the spec lacks does not compile. */
export type MlopsRouter = TypedRouter<EndpointMap>;

/** What a concern's routes receive: the typed router and the helpers every route uses. */
export type RouteContext = {
  router: MlopsRouter;
  /** The caller's credentials, refusing principal types not in `allow` (default: users and services). */
  credentials(req: express.Request, allow?: Array<keyof BackstagePrincipalTypes>): Promise<BackstageCredentials>;
  /** Throws NotAllowedError unless the permission framework allows it. */
  authorize(credentials: BackstageCredentials, permission: BasicPermission | ResourcePermission, resourceRef?: string): Promise<void>;
  /** A user or service holding the read permission: its credentials. */
  reader(req: express.Request): Promise<BackstageCredentials>;
  /** Runs a state change as an auditor event too (our own audit rows are written by the stores). */
  audited<T>(req: express.Request, eventId: string, meta: Record<string, string>, fn: () => Promise<T>): Promise<T>;
};

/** `model:<namespace>/<name>` of a route's path parameters. */
export const modelRefOf = (params: { namespace: string; name: string }) => stringifyEntityRef({ kind: 'model', ...params });

/** The shared router and the context every concern's routes are registered with. */
export async function createMlopsRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
}): Promise<RouteContext> {
  const { httpAuth, permissions, auditor } = options;
  const smallJson = express.json({ limit: BODY_LIMIT, verify: keepRawBody as any });
  const largeJson = express.json({ limit: TELEMETRY_BODY_LIMIT });
  // Requests are validated here rather than by the typed router, whose error handler drops the
  // field names. Express takes error handlers in a middleware list; the option's type does not.
  const router = await createOpenApiRouter({
    validatorOptions: { validateRequests: false },
    middleware: [
      ((req, res, next) => (LARGE_BODY_PATHS.test(req.path) ? largeJson : smallJson)(req, res, next)) as RequestHandler,
      payloadTooLarge as unknown as RequestHandler,
      refuseNulCharacters,
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

  const credentials: RouteContext['credentials'] = (req, allow = ['user', 'service']) => httpAuth.credentials(req, { allow });
  const authorize: RouteContext['authorize'] = (caller, permission, resourceRef) => authorizeOrThrow(permissions, caller, permission, resourceRef);
  return {
    router,
    credentials,
    authorize,
    reader: async req => {
      const caller = await credentials(req);
      await authorize(caller, mlopsReadPermission);
      return caller;
    },
    audited: async (req, eventId, meta, fn) => {
      const event = await auditor.createEvent({ eventId, severityLevel: 'medium', request: req, meta });
      try {
        const result = await fn();
        await event.success();
        return result;
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
  };
}
