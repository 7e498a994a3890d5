import { stringifyEntityRef } from '@backstage/catalog-model';
import { Concern, MlopsContext, ScheduledTask } from '../wiring';
import { DefaultGateService, GateRecords, GateService } from './GateService';

export { DefaultGateService, gatesDigest, staleness } from './GateService';
export type { GateRecords, GateService } from './GateService';

/**
 * Every minute, one replica evaluates versions whose gates never ran (versions that arrived
 * while the catalog did not know their Model yet, and the embedded demo's seeded versions), and
 * runs them again on candidates whose results were judged against another champion or policy.
 */
export function pendingGatesTask(ctx: Pick<MlopsContext, 'catalog' | 'auth' | 'logger'>, gates: GateService): ScheduledTask {
  return {
    id: 'mlops-gates-pending',
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 5 },
    initialDelay: { seconds: 10 },
    fn: async () => {
      const { items } = await ctx.catalog.getEntities(
        { filter: { kind: 'model' }, fields: ['kind', 'metadata.name', 'metadata.namespace'] },
        { credentials: await ctx.auth.getOwnServiceCredentials() },
      );
      const modelRefs = items.map(e => stringifyEntityRef(e));
      const evaluated = await gates.evaluatePending(modelRefs, 'plugin:mlops:gates');
      const refreshed = await gates.refreshStale(modelRefs, 'plugin:mlops:gates');
      if (evaluated || refreshed) ctx.logger.info(`Evaluated the gates of ${evaluated} new versions, and again of ${refreshed} whose champion or policy changed`);
    },
  };
}

/** Validation gates: run when a version arrives, on demand, and for versions never evaluated. */
export function createGates(ctx: MlopsContext, records: GateRecords): Concern & { service: GateService } {
  const service = new DefaultGateService(records, ctx.policyOf);
  return { service, tasks: [pendingGatesTask(ctx, service)] };
}
