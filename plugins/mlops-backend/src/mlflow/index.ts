import { AuthService, LoggerService, RootConfigService, SchedulerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { RegistryStore } from '../registry/RegistryStore';
import { MlflowClient } from './MlflowClient';
import { MLFLOW_MODEL_ANNOTATION, MlflowSync } from './MlflowSync';
import { SyncStatusStore } from './SyncStatusStore';

export { DatabaseSyncStatusStore } from './SyncStatusStore';
export type { SyncStatusStore } from './SyncStatusStore';

/**
 * Schedules the MLflow sync when `mlops.mlflow.baseUrl` is configured. The task is global: with
 * several backend replicas, one of them runs it at a time.
 */
export async function scheduleMlflowSync(options: {
  config: RootConfigService;
  scheduler: SchedulerService;
  logger: LoggerService;
  catalog: CatalogService;
  auth: AuthService;
  registry: RegistryStore;
  status: SyncStatusStore;
  onVersionCreated?: (modelRef: string, version: string) => Promise<void>;
}) {
  const mlflow = options.config.getOptionalConfig('mlops.mlflow');
  if (!mlflow) return;
  const client = new MlflowClient({
    baseUrl: mlflow.getString('baseUrl'),
    token: mlflow.getOptionalString('token'),
    username: mlflow.getOptionalString('username'),
    password: mlflow.getOptionalString('password'),
  });
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
  );
  await options.scheduler.scheduleTask({
    id: 'mlops-mlflow-sync',
    scope: 'global',
    frequency: { minutes: mlflow.getOptionalNumber('intervalMinutes') ?? 5 },
    timeout: { minutes: 10 },
    initialDelay: { seconds: 15 },
    fn: async () => {
      await sync.run();
    },
  });
}
