import { ModelPolicyService } from '../policy/ModelPolicyService';
import { optionalString, seriesWindow } from '../router/queries';
import { RouteContext } from '../router/router';
import { KpiService } from './KpiService';

/** A model's KPIs over a window, and every model's KPIs for the overview. */
export function kpiRoutes({ router, reader }: RouteContext, deps: { kpis: KpiService; policies: ModelPolicyService }) {
  const { kpis, policies } = deps;
  router.get('/models/:namespace/:name/kpis', async (req, res) => {
    const caller = await reader(req);
    const model = await policies.getPolicy(req.params, caller);
    res.json(
      await kpis.report(model.entityRef, model.policy, {
        ...seriesWindow(req.query, '24h'),
        version: optionalString(req.query.version),
        segmentTags: req.query.segments ? String(req.query.segments).split(',') : undefined,
        modelType: model.type,
      }),
    );
  });

  router.get('/kpis', async (req, res) => {
    const caller = await reader(req);
    res.json(await kpis.overview(await policies.listModels(caller), seriesWindow(req.query, '7d')));
  });
}
