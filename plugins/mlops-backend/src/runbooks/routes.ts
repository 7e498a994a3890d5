import { RouteContext } from '../router/router';
import { LiveContextService } from './LiveContextService';
import { RunbookService } from './RunbookService';

/** A model's runbooks (its own and the built-in ones) and the live context beside them. */
export function runbookRoutes({ router, reader }: RouteContext, deps: { runbooks: RunbookService; liveContext: LiveContextService }) {
  const { runbooks, liveContext } = deps;
  router.get('/models/:namespace/:name/runbooks', async (req, res) => {
    const caller = await reader(req);
    res.json(await runbooks.list(req.params, caller));
  });

  router.get('/models/:namespace/:name/runbooks/:id', async (req, res) => {
    const caller = await reader(req);
    res.json(await runbooks.get(req.params, req.params.id, caller));
  });

  router.get('/models/:namespace/:name/live-context', async (req, res) => {
    const caller = await reader(req);
    res.json(await liveContext.read(req.params, caller));
  });
}
