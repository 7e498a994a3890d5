import { RouteContext } from '../router/router';
import { LineageService } from './LineageService';

/** The lineage graph around a model or dataset version, and what a dataset version trained. */
export function lineageRoutes({ router, reader }: RouteContext, lineage: LineageService) {
  const depthOf = (value: unknown) => (value ? Number(value) : undefined);

  router.get('/models/:namespace/:name/versions/:version/lineage', async (req, res) => {
    await reader(req);
    res.json(await lineage.modelLineage(req.params, req.params.version, depthOf(req.query.depth)));
  });

  router.get('/datasets/:namespace/:name/versions/:version/lineage', async (req, res) => {
    await reader(req);
    res.json(await lineage.datasetLineage(req.params, req.params.version, depthOf(req.query.depth)));
  });

  router.get('/datasets/:namespace/:name/versions/:version/models', async (req, res) => {
    await reader(req);
    res.json(await lineage.datasetConsumers(req.params, req.params.version));
  });
}
