import { DriftReport } from '@modelrails/plugin-mlops-common';
import { RolloutStore } from '../rollout/RolloutStore';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext } from '../wiring';
import { DefaultLiveContextService, LiveContextSources } from './LiveContextService';
import { runbookRoutes } from './routes';
import { DefaultRunbookService, RunbookService } from './RunbookService';

export type { RunbookService } from './RunbookService';
export type { LiveContextService } from './LiveContextService';
export { mlopsFileUrlReaderServiceFactory } from './LocalFileUrlReader';

/** Runbooks: a Model's own Markdown and the built-in ones, with the live context and guarded actions beside them. */
export function createRunbooks(
  ctx: MlopsContext,
  deps: {
    driftReport(modelRef: string): Promise<DriftReport>;
    rollouts: Pick<RolloutStore, 'list' | 'decisions'>;
    production: LiveContextSources['production'];
    story: LiveContextSources['story'];
  },
) {
  const service: RunbookService = new DefaultRunbookService(ctx.catalog, ctx.auth, ctx.urlReader);
  const liveContext = new DefaultLiveContextService({ ...deps, runbooks: (model, credentials) => service.list(model, credentials), permissions: ctx.permissions });
  return { service, liveContext, routes: (http: RouteContext) => runbookRoutes(http, { runbooks: service, liveContext }) } satisfies Concern & Record<string, unknown>;
}
