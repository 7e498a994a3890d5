import { RouteContext } from '../router/router';
import { ModelPolicyService } from './ModelPolicyService';

/** Models and their resolved policies. */
export function policyRoutes({ router, reader }: RouteContext, policies: ModelPolicyService) {
  router.get('/models', async (req, res) => {
    const credentials = await reader(req);
    const models = await policies.listModels(credentials);
    res.json({
      items: models.map(({ entityRef, title, owner, lifecycle }) => ({ entityRef, title, owner, lifecycle })).sort((a, b) => a.entityRef.localeCompare(b.entityRef)),
    });
  });

  router.get('/models/:namespace/:name/policy', async (req, res) => {
    const credentials = await reader(req);
    res.json(await policies.getPolicy(req.params, credentials));
  });
}
