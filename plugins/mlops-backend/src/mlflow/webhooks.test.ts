import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { populateMlflow, RealMlflow, startRealMlflow, uniqueName } from '../__testUtils__/realMlflow';
import { READER, READER_TOKEN, startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';
import { MlflowSync } from './MlflowSync';
import { signMlflowWebhook, verifyMlflowWebhook } from './webhooks';

jest.setTimeout(180_000);

const SECRET = 'mlflow-webhook-secret-for-tests';
const followed = uniqueName('webhook_ranker');
const model = (name: string, mlflowName: string) => ({
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default', annotations: { 'modelrails.io/mlflow-registered-model': mlflowName } },
  spec: { type: 'ranker', owner: 'ranking-team', lifecycle: 'production' },
});

let mlflow: RealMlflow;
beforeAll(async () => {
  mlflow = await startRealMlflow();
});
afterAll(() => mlflow?.stop());

/** A delivery signed as MLflow signs it (webhooks/delivery.py), with the given secret and time. */
function delivery(body: object, options: { secret?: string; at?: number; deliveryId?: string } = {}) {
  const raw = JSON.stringify(body);
  const deliveryId = options.deliveryId ?? randomUUID();
  const timestamp = String(Math.floor((options.at ?? Date.now()) / 1000));
  return {
    raw,
    headers: {
      'Content-Type': 'application/json',
      'X-MLflow-Delivery-Id': deliveryId,
      'X-MLflow-Timestamp': timestamp,
      'X-MLflow-Signature': signMlflowWebhook(options.secret ?? SECRET, deliveryId, timestamp, raw),
    },
  };
}

describe('MLflow webhooks', () => {
  it('a real MLflow server delivers model_version.created, and the version is in ModelRails at once', async () => {
    const syncModel = jest.spyOn(MlflowSync.prototype, 'syncModel');
    const server = await startBackendWithTokens({
      entities: [model('webhook-ranker', followed)],
      tokens: [READER_TOKEN],
      // The poll is hours away: only the webhook can bring the version in.
      mlops: { mlflow: { baseUrl: mlflow.url, webhookSecret: SECRET, intervalMinutes: 600 } },
    });
    const port = (server.address() as AddressInfo).port;
    const populated = await populateMlflow(mlflow.url, {
      webhooks: [
        {
          name: uniqueName('modelrails'),
          url: `http://127.0.0.1:${port}/api/mlops/mlflow/webhooks`,
          events: ['model_version.created', 'model_version_alias.created'],
          secret: SECRET,
        },
      ],
      models: [{ name: followed, versions: [{ run: { user: 'alice', metrics: { ndcg_at_20: 0.19 } } }], aliases: { challenger: 1 } }],
    });
    try {
      // MLflow delivers from a thread pool after the create returns.
      let versions: any[] = [];
      for (let i = 0; i < 100 && !versions.length; i++) {
        const res = await request(server).get('/api/mlops/models/default/webhook-ranker/versions').set('Authorization', READER);
        versions = res.body.items ?? [];
        if (!versions.length) await new Promise(resolve => setTimeout(resolve, 200));
      }
      expect(versions).toEqual([expect.objectContaining({ version: '1', source: 'mlflow', metrics: { ndcg_at_20: 0.19 } })]);
      expect(syncModel).toHaveBeenCalledWith(followed);
      // model_version.created and model_version_alias.created each sync the model; one of them creates the version.
      // (The webhook hears every model on the shared server: other tests' models are not followed here.)
      const ours = syncModel.mock.calls.flatMap(([name], i) => (name === followed ? [syncModel.mock.results[i].value] : []));
      const results = await Promise.all(ours);
      expect(results.reduce((sum, r) => sum + r.versionsCreated, 0)).toBe(1);
      expect(results.flatMap(r => r.problems)).toEqual([]);
    } finally {
      for (const id of populated.webhooks) await fetch(`${mlflow.url}/api/2.0/mlflow/webhooks/${id}`, { method: 'DELETE' });
      syncModel.mockRestore();
    }
  });

  describe('refuses deliveries it cannot trust, and never needs a Backstage token', () => {
    let server: Awaited<ReturnType<typeof startBackendWithTokens>>;
    const event = { entity: 'model_version', action: 'created', timestamp: new Date().toISOString(), data: { name: uniqueName('unfollowed'), version: '1' } };
    const post = (d: { raw: string; headers: Record<string, string> }) => request(server).post('/api/mlops/mlflow/webhooks').set(d.headers).send(d.raw);

    beforeAll(async () => {
      server = await startBackendWithTokens({ entities: [], tokens: [READER_TOKEN], mlops: { mlflow: { baseUrl: mlflow.url, webhookSecret: SECRET, intervalMinutes: 600 } } });
    });

    it('accepts a signed delivery, and says when no Model entity follows the registered model', async () => {
      const res = await post(delivery(event));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ event: 'model_version.created', registeredModel: event.data.name, synced: false });
    });

    it('syncs a delivery once: the same delivery posted again (a replay inside the window) is acknowledged, not synced', async () => {
      const syncModel = jest.spyOn(MlflowSync.prototype, 'syncModel');
      try {
        const once = delivery(event);
        expect((await post(once)).status).toBe(200);
        expect((await post(once)).body).toEqual({ event: 'model_version.created', synced: false });
        expect(syncModel.mock.calls.filter(([name]) => name === event.data.name)).toHaveLength(1);
      } finally {
        syncModel.mockRestore();
      }
    });

    it('acknowledges events it does not act on (MLflow retries anything but a 2xx)', async () => {
      const res = await post(delivery({ ...event, entity: 'prompt', action: 'created' }));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ event: 'prompt.created', synced: false });
    });

    it.each([
      ['signed with another secret', () => delivery(event, { secret: 'not-the-secret' }), /does not match/],
      ['older than five minutes (a replay)', () => delivery(event, { at: Date.now() - 6 * 60_000 }), /replay/],
      ['from the future', () => delivery(event, { at: Date.now() + 6 * 60_000 }), /replay/],
      ['without a signature', () => { const d = delivery(event); delete (d.headers as any)['X-MLflow-Signature']; return d; }, /X-MLflow-Signature is missing/],
      ['with a changed body', () => { const d = delivery(event); return { ...d, raw: d.raw.replace('"1"', '"2"') }; }, /does not match/],
    ])('401 for a delivery %s', async (_what, make, message) => {
      const res = await post(make());
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(message);
    });

    it('400 naming the field for a body that is not an MLflow delivery, 413 for an oversized one', async () => {
      const res = await post(delivery({ entity: 'model_version', action: 'created' }));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/request\/body.*data/);
      const huge = await post(delivery({ ...event, data: { name: 'x', description: 'x'.repeat(300_000) } }));
      expect(huge.status).toBe(413);
    });
  });

  it('answers 404 while no webhook secret is configured', async () => {
    const server = await startBackendWithTokens({ entities: [], tokens: [READER_TOKEN], mlops: { mlflow: { baseUrl: mlflow.url } } });
    const res = await request(server).post('/api/mlops/mlflow/webhooks').set(delivery({}).headers).send(JSON.stringify({ entity: 'model_version', action: 'created', data: {} }));
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/mlops\.mlflow\.webhookSecret/);
  });
});

describe('verifyMlflowWebhook', () => {
  it("matches MLflow's own signature: v1, base64 HMAC-SHA256 of delivery id.timestamp.body", () => {
    // Computed by MLflow itself: mlflow.webhooks.delivery._generate_hmac_signature("s", "d", "1700000000", "{}")
    expect(signMlflowWebhook('s', 'd', '1700000000', '{}')).toBe('v1,CAEJzdEuv5cFbxwxacoNhovQg6FLJP63VK8MkM+6LDs=');
    expect(() =>
      verifyMlflowWebhook('s', { signature: 'v1,CAEJzdEuv5cFbxwxacoNhovQg6FLJP63VK8MkM+6LDs=', timestamp: '1700000000', deliveryId: 'd' }, Buffer.from('{}'), 1_700_000_000_000),
    ).not.toThrow();
  });
});
