import { AuthenticationError, InputError } from '@backstage/errors';
import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * MLflow 3 webhooks, as MLflow's own delivery code sends them: a JSON body
 * `{"entity", "action", "timestamp", "data"}`, the headers X-MLflow-Delivery-Id and
 * X-MLflow-Timestamp (unix seconds), and, when the webhook has a secret,
 * X-MLflow-Signature = "v1," + base64(HMAC-SHA256(secret, "<delivery id>.<timestamp>.<body>")).
 */

/** Deliveries older (or further ahead) than this are refused: a captured one cannot be replayed later. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** The events after which a registered model is synced at once; others are acknowledged and ignored. */
export const SYNCING_EVENTS = new Set([
  'registered_model.created',
  'model_version.created',
  'model_version_tag.set',
  'model_version_tag.deleted',
  'model_version_alias.created',
  'model_version_alias.deleted',
]);

export type WebhookHeaders = { signature?: string; timestamp?: string; deliveryId?: string };

/** The signature MLflow sends for this delivery, for the tests and for adopters' own senders. */
export function signMlflowWebhook(secret: string, deliveryId: string, timestamp: string, body: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${deliveryId}.${timestamp}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** Throws AuthenticationError (401) unless the delivery is signed with the secret and recent. */
export function verifyMlflowWebhook(secret: string, headers: WebhookHeaders, body: Buffer | undefined, now = Date.now()) {
  const { signature, timestamp, deliveryId } = headers;
  if (!body) throw new InputError('request/body: a JSON body is required');
  if (!signature) throw new AuthenticationError('X-MLflow-Signature is missing: give the MLflow webhook the secret configured in mlops.mlflow.webhookSecret');
  if (!deliveryId) throw new AuthenticationError('X-MLflow-Delivery-Id is missing');
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw new AuthenticationError('X-MLflow-Timestamp is missing or not unix seconds');
  if (Math.abs(now / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS) {
    throw new AuthenticationError(`X-MLflow-Timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS} s away from now: refused as a replay`);
  }
  const expected = Buffer.from(signMlflowWebhook(secret, deliveryId, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AuthenticationError('X-MLflow-Signature does not match the body: wrong secret, or the body was changed');
  }
}
