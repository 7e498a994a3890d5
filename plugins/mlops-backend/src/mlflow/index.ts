import { AuthService, LoggerService, RootConfigService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { isCatalogUser } from '../policy/catalogUsers';
import { RegistryStore } from '../registry/RegistryStore';
import { MlflowClient } from './MlflowClient';
import { MLFLOW_MODEL_ANNOTATION, MlflowSync } from './MlflowSync';
import { DatabaseSyncStatusStore, SyncStatusStore } from './SyncStatusStore';
import { mlflowRoutes } from './routes';
import { GateService } from '../gates';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext, ScheduledTask } from '../wiring';

export { DatabaseSyncStatusStore };
export type { SyncStatusStore } from './SyncStatusStore';

function clientFrom(config: RootConfigService) {
  const mlflow = config.getOptionalConfig('mlops.mlflow');
  if (!mlflow) return undefined;
  return new MlflowClient({
    baseUrl: mlflow.getString('baseUrl'),
    token: mlflow.getOptionalString('token'),
    username: mlflow.getOptionalString('username'),
    password: mlflow.getOptionalString('password'),
  });
}

/** MLflow registered model name of a Model entity: its annotation, or its own name. */
async function mlflowNameOf(catalog: CatalogService, auth: AuthService, modelRef: string) {
  const entity = await catalog.getEntityByRef(modelRef, { credentials: await auth.getOwnServiceCredentials() });
  if (!entity) return undefined;
  return entity.metadata.annotations?.[MLFLOW_MODEL_ANNOTATION] ?? entity.metadata.name;
}

/**
 * When MLflow is configured, a function that points an MLflow alias at a version (used when a
 * promotion to production is approved); undefined otherwise. Failures are logged, not thrown: the
 * approval is already committed, and the next sync shows the difference.
 */
export function createMlflowAliasMover(options: {
  config: RootConfigService;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
}) {
  const client = clientFrom(options.config);
  if (!client) return undefined;
  return async (modelRef: string, alias: string, version: string) => {
    try {
      const name = await mlflowNameOf(options.catalog, options.auth, modelRef);
      if (!name) return;
      await client.setAlias(name, alias, version);
      options.logger.info(`Moved MLflow alias ${alias} of ${name} to version ${version}`);
    } catch (e) {
      options.logger.warn(`Could not move the MLflow alias ${alias} of ${modelRef} to ${version}: ${(e as Error).message}`);
    }
  };
}

/**
 * The MLflow sync when `mlops.mlflow.baseUrl` is configured (undefined otherwise): the periodic task
 * and the one-model sync MLflow webhooks ask for share it. The task is global: with several backend
 * replicas, one of them runs it at a time.
 */
export function createMlflowSync(options: {
  config: RootConfigService;
  logger: LoggerService;
  catalog: CatalogService;
  auth: AuthService;
  registry: RegistryStore;
  status: SyncStatusStore;
  onVersionCreated?: (modelRef: string, version: string) => Promise<void>;
}): { sync: MlflowSync; task: ScheduledTask } | undefined {
  const mlflow = options.config.getOptionalConfig('mlops.mlflow');
  const client = clientFrom(options.config);
  if (!mlflow || !client) return undefined;
  const modelsByMlflowName = async () => {
    const { items } = await options.catalog.getEntities(
      { filter: { kind: 'model' }, fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations'] },
      { credentials: await options.auth.getOwnServiceCredentials() },
    );
    return new Map(
      items.map(e => [e.metadata.annotations?.[MLFLOW_MODEL_ANNOTATION] ?? e.metadata.name, stringifyEntityRef(e)]),
    );
  };
  const sync = new MlflowSync(
    client,
    options.registry,
    options.status,
    options.logger.child({ task: 'mlflow-sync' }),
    modelsByMlflowName,
    mlflow.getOptionalString('uiUrl') ?? mlflow.getString('baseUrl'),
    options.onVersionCreated,
    async userRef => isCatalogUser(options.catalog, userRef, await options.auth.getOwnServiceCredentials()),
  );
  const task: ScheduledTask = {
    id: 'mlops-mlflow-sync',
    scope: 'global',
    frequency: { minutes: mlflow.getOptionalNumber('intervalMinutes') ?? 5 },
    timeout: { minutes: 10 },
    initialDelay: { seconds: 15 },
    fn: async () => {
      await sync.run();
    },
  };
  return { sync, task };
}

/** MLflow: versions synced in (polled, and at once on a webhook), the champion alias moved out, the last sync's status. */
export function createMlflow(ctx: MlopsContext, registry: { store: RegistryStore; gates: GateService }) {
  const status = new DatabaseSyncStatusStore(ctx.db);
  const mlflow = createMlflowSync({
    ...ctx,
    registry: registry.store,
    status,
    onVersionCreated: async (modelRef, version) => {
      await registry.gates.evaluate(modelRef, version, 'sync', 'plugin:mlops:mlflow-sync');
    },
  });
  return {
    /** Moves an MLflow alias when MLflow is configured; undefined otherwise. */
    moveAlias: createMlflowAliasMover(ctx),
    routes: (http: RouteContext) =>
      mlflowRoutes(http, {
        lastSync: () => status.get('mlflow'),
        sync: mlflow?.sync,
        webhookSecret: ctx.config.getOptionalString('mlops.mlflow.webhookSecret'),
        logger: ctx.logger,
      }),
    tasks: [mlflow?.task],
  } satisfies Concern & Record<string, unknown>;
}
