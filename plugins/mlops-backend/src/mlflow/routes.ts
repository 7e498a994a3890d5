import { LoggerService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { rawBodyOf, RouteContext } from '../router/router';
import { MlflowSync } from './MlflowSync';
import { SyncStatus } from './SyncStatusStore';
import { SYNCING_EVENTS, verifyMlflowWebhook, WEBHOOK_TOLERANCE_SECONDS } from './webhooks';

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Whether MLflow is configured and how its last sync went; MLflow's webhooks, which sync a model at once. */
export function mlflowRoutes(
  { router, reader }: RouteContext,
  options: { lastSync: () => Promise<SyncStatus | undefined>; sync?: MlflowSync; webhookSecret?: string; logger: LoggerService },
) {
  const { lastSync, sync, webhookSecret, logger } = options;
  // Deliveries seen in the replay window (per replica): a repeat is acknowledged, not synced again.
  const seenDeliveries = new Map<string, number>();
  const firstDelivery = (id: string) => {
    const now = Date.now();
    for (const [seen, until] of seenDeliveries) if (until < now) seenDeliveries.delete(seen);
    if (seenDeliveries.has(id)) return false;
    if (seenDeliveries.size < 10_000) seenDeliveries.set(id, now + WEBHOOK_TOLERANCE_SECONDS * 1000);
    return true;
  };

  router.get('/sync/mlflow', async (req, res) => {
    await reader(req);
    const status = await lastSync();
    res.json(status ? { configured: true, ...status } : { configured: false });
  });

  // No Backstage token: MLflow signs the delivery with the shared secret, and that is checked here.
  router.post('/mlflow/webhooks', async (req, res) => {
    if (!sync || !webhookSecret) {
      throw new NotFoundError('MLflow webhooks are not configured: set mlops.mlflow.baseUrl and mlops.mlflow.webhookSecret');
    }
    verifyMlflowWebhook(
      webhookSecret,
      {
        signature: header(req.headers['x-mlflow-signature']),
        timestamp: header(req.headers['x-mlflow-timestamp']),
        deliveryId: header(req.headers['x-mlflow-delivery-id']),
      },
      rawBodyOf(req),
    );
    const event = `${req.body.entity}.${req.body.action}`;
    const name = req.body.data.name;
    if (!firstDelivery(header(req.headers['x-mlflow-delivery-id'])!)) {
      res.json({ event, synced: false });
      return;
    }
    if (!SYNCING_EVENTS.has(event) || typeof name !== 'string' || !name) {
      // Acknowledged: MLflow retries anything but a 2xx, and there is nothing to do for this event.
      res.json({ event, synced: false });
      return;
    }
    const result = await sync.syncModel(name);
    logger.info(`MLflow webhook ${event} for ${name}: ${result ? `${result.versionsCreated} new versions` : 'no Model entity follows it'}`);
    res.json({
      event,
      registeredModel: name,
      synced: result !== undefined,
      ...(result ? { versionsCreated: result.versionsCreated, problems: result.problems } : {}),
    });
  });
}
