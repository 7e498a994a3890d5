import { createGates } from '../gates';
import { Concern, MlopsContext } from '../wiring';
import { DatabaseRegistryStore } from './DatabaseRegistryStore';
import { DefaultRegistryService, RegistryService } from './RegistryService';
import { RegistryStore } from './RegistryStore';
import { registryRoutes } from './routes';

export type { RegistryService } from './RegistryService';
export type { RegistryStore, NewModelVersion } from './RegistryStore';
export { DatabaseRegistryStore } from './DatabaseRegistryStore';
export { principalRef } from './RegistryService';

/** Model versions and their gates: registration runs the gates as soon as a version arrives. */
export function createRegistry(ctx: MlopsContext) {
  const store: RegistryStore = new DatabaseRegistryStore(ctx.db, ctx.store);
  const gates = createGates(ctx, store);
  const service: RegistryService = new DefaultRegistryService(store, ctx.catalog, ctx.auth, gates.service);
  return {
    service,
    store,
    gates: gates.service,
    routes: http => registryRoutes(http, service),
    tasks: gates.tasks,
  } satisfies Concern & Record<string, unknown>;
}
