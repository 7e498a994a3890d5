import { authServiceFactory } from '@backstage/backend-defaults/auth';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { coreServices, createServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import permissionBackend from '@backstage/plugin-permission-backend';
import allowAllPolicy from '@backstage/plugin-permission-backend-module-allow-all-policy';
import { mlopsPlugin } from '../plugin';

/**
 * The catalog with the given entities, asking for a catalog token on behalf of the caller first,
 * as the real CatalogService does: an external token restricted to the mlops plugin is refused.
 */
function catalogOnBehalfOfCaller(entities: Entity[]) {
  return createServiceFactory({
    service: catalogServiceRef,
    deps: { auth: coreServices.auth },
    factory({ auth }) {
      const catalog = catalogServiceMock({ entities });
      return new Proxy(catalog, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver);
          if (typeof value !== 'function') return value;
          return async (...args: any[]) => {
            const { credentials } = args[args.length - 1] ?? {};
            if (credentials) await auth.getPluginRequestToken({ onBehalfOf: credentials, targetPluginId: 'catalog' });
            return value.apply(target, args);
          };
        },
      });
    },
  });
}

/**
 * The plugin behind the real auth, httpAuth and permission services, with static external tokens
 * each restricted to one permission, as in app-config.yaml. `Bearer <token>` authenticates.
 */
export async function startBackendWithTokens(options: {
  entities: Entity[];
  tokens: Array<{ token: string; subject: string; permission: string }>;
  mlops?: Record<string, any>;
  /** More features, e.g. service factories the test needs beside the defaults. */
  features?: Parameters<typeof startTestBackend>[0]['features'];
}) {
  const { server } = await startTestBackend({
    features: [
      ...(options.features ?? []),
      mlopsPlugin,
      catalogOnBehalfOfCaller(options.entities),
      authServiceFactory,
      httpAuthServiceFactory,
      permissionsServiceFactory,
      permissionBackend,
      allowAllPolicy,
      mockServices.rootConfig.factory({
        data: {
          backend: {
            baseUrl: 'http://localhost:7007',
            auth: {
              externalAccess: options.tokens.map(t => ({
                type: 'static',
                options: { token: t.token, subject: t.subject },
                accessRestrictions: [{ plugin: 'mlops', permission: t.permission }],
              })),
            },
          },
          permission: { enabled: true },
          ...(options.mlops ? { mlops: options.mlops } : {}),
        },
      }),
    ],
  });
  return server;
}

/** The machine tokens route tests use: a serving fleet (ingest only) and Grafana (read only). */
export const SERVING_TOKEN = { token: 'serving-token-for-tests', subject: 'serving', permission: 'mlops.telemetry.ingest' };
export const READER_TOKEN = { token: 'reader-token-for-tests', subject: 'grafana', permission: 'mlops.model.read' };
/** Authorization headers for them. */
export const SERVING = `Bearer ${SERVING_TOKEN.token}`;
export const READER = `Bearer ${READER_TOKEN.token}`;
