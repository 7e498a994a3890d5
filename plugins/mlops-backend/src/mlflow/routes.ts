import { RouteContext } from '../router/router';
import { SyncStatus } from './SyncStatusStore';

/** Whether MLflow is configured, and how its last sync went. */
export function mlflowRoutes({ router, reader }: RouteContext, lastSync: () => Promise<SyncStatus | undefined>) {
  router.get('/sync/mlflow', async (req, res) => {
    await reader(req);
    const status = await lastSync();
    res.json(status ? { configured: true, ...status } : { configured: false });
  });
}
