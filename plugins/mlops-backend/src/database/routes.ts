import { RouteContext } from '../router/router';
import { StoreHealth } from './ModelRailsStore';

/** `/health`: whether the plugin's database answers, and its migrations. Open to anyone. */
export function healthRoutes({ router }: RouteContext, health: () => Promise<StoreHealth>) {
  router.get('/health', async (_req, res) => {
    const database = await health();
    res.status(database.reachable ? 200 : 503).json({ status: database.reachable ? 'ok' : 'degraded', database });
  });
}
