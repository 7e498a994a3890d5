import { modelRefOf, RouteContext } from '../router/router';
import { RetrainingTriggers } from './RetrainingTriggers';

/** Triggers listed by default, newest first. */
const DEFAULT_LIMIT = 20;

/** A model's retraining triggers and what became of them. */
export function retrainingRoutes({ router, reader }: RouteContext, triggers: RetrainingTriggers) {
  router.get('/models/:namespace/:name/retrain-triggers', async (req, res) => {
    await reader(req);
    res.json({ items: await triggers.list(modelRefOf(req.params), req.query.limit ? Number(req.query.limit) : DEFAULT_LIMIT) });
  });
}
