import { RouteContext } from '../router/router';
import { ModelCardService } from './ModelCardService';

/** A Model's model card, as Markdown for TechDocs. */
export function modelCardRoutes({ router, reader }: RouteContext, deps: { modelCards: ModelCardService }) {
  router.get('/models/:namespace/:name/model-card', async (req, res) => {
    const caller = await reader(req);
    res.json(await deps.modelCards.read(req.params, caller));
  });
}
