import { Concern, MlopsContext } from '../wiring';
import { DatabaseLineageStore } from './DatabaseLineageStore';
import { DefaultLineageService, LineageService } from './LineageService';
import { lineageRoutes } from './routes';

export type { LineageService } from './LineageService';
export type { LineageStore } from './LineageStore';
export { walkLineage } from './walk';

/** Lineage: dataset versions → training runs → model versions → deployments. */
export function createLineage(ctx: MlopsContext): Concern & { service: LineageService } {
  const service = new DefaultLineageService(new DatabaseLineageStore(ctx.db), ctx.catalog, ctx.auth);
  return { service, routes: http => lineageRoutes(http, service) };
}
