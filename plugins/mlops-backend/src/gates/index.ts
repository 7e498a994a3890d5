import { AuthService, LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotFoundError } from '@backstage/errors';
import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { readModelEntity } from '../service/ModelPolicyService';
import { RegistryStore } from '../registry/RegistryStore';
import { DefaultGateService, GateService } from './GateService';

export { DefaultGateService } from './GateService';
export type { GateService } from './GateService';

/** Reads a Model's resolved policy from the catalog, on the plugin's own authority. */
export function catalogPolicies(catalog: CatalogService, auth: AuthService) {
  return async (modelRef: string): Promise<ModelPolicy | undefined> => {
    try {
      return (await readModelEntity(catalog, modelRef, await auth.getOwnServiceCredentials())).spec.policy;
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  };
}

export function createGateService(registry: RegistryStore, catalog: CatalogService, auth: AuthService): GateService {
  return new DefaultGateService(registry, catalogPolicies(catalog, auth));
}

/**
 * Every minute, one replica evaluates versions whose gates never ran (versions that arrived
 * while the catalog did not know their Model yet, and the embedded demo's seeded versions).
 */
export async function schedulePendingGateEvaluation(options: {
  scheduler: SchedulerService;
  logger: LoggerService;
  catalog: CatalogService;
  auth: AuthService;
  gates: GateService;
}) {
  await options.scheduler.scheduleTask({
    id: 'mlops-gates-pending',
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 10 },
    fn: async () => {
      const { items } = await options.catalog.getEntities(
        { filter: { kind: 'model' }, fields: ['kind', 'metadata.name', 'metadata.namespace'] },
        { credentials: await options.auth.getOwnServiceCredentials() },
      );
      const evaluated = await options.gates.evaluatePending(items.map(e => stringifyEntityRef(e)), 'plugin:mlops:gates');
      if (evaluated) options.logger.info(`Evaluated the gates of ${evaluated} versions`);
    },
  });
}
