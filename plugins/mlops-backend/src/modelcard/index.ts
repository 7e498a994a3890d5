import { ModelVersionList } from '@modelrails/plugin-mlops-common';
import { KpiService } from '../kpi/KpiService';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext } from '../wiring';
import { DefaultModelCardService, ModelCardService } from './ModelCardService';
import { modelCardRoutes } from './routes';

export type { ModelCardService } from './ModelCardService';
export { renderModelCard } from './renderModelCard';
export { mlopsModelCardUrlReaderServiceFactory, ModelCardUrlReader } from './ModelCardUrlReader';
export type { ModelCardInput } from './renderModelCard';

/** Model cards: generated from the registry, gates, KPIs and policy, with the team's own sections. */
export function createModelCards(ctx: MlopsContext, deps: { versions: (model: { namespace: string; name: string }) => Promise<ModelVersionList>; kpis: KpiService }) {
  const service: ModelCardService = new DefaultModelCardService({
    catalog: ctx.catalog,
    auth: ctx.auth,
    urlReader: ctx.urlReader,
    policies: ctx.policies,
    versions: deps.versions,
    kpis: deps.kpis,
  });
  return { service, routes: (http: RouteContext) => modelCardRoutes(http, { modelCards: service }) } satisfies Concern & Record<string, unknown>;
}
