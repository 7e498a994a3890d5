import { ServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';

const entities = [
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'home-feed-ranker', namespace: 'default' },
    spec: {
      type: 'ranker',
      lifecycle: 'production',
      owner: 'ranking-team',
      policy: { gates: [{ kind: 'metric-floor', metric: 'ndcg@20', min: 0.17 }] },
    },
  },
];
const base = '/api/mlops/models/default/home-feed-ranker';
const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);

async function start(permissions: ServiceFactory<any, any, any> = mockServices.permissions.factory({ result: AuthorizeResult.ALLOW })) {
  const { server } = await startTestBackend({
    features: [
      mlopsPlugin,
      catalogServiceMock.factory({ entities }),
      permissions,
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
    ],
  });
  return server;
}

async function registered(server: any, version: string, ndcg: number) {
  const res = await request(server)
    .post(`${base}/versions`)
    .set('Authorization', mockCredentials.service.header())
    .send({
      version,
      artifact: { uri: `s3://m/${version}`, digest: `sha256:${version.padStart(64, '0')}` },
      metrics: { 'ndcg@20': ndcg },
      createdBy: 'user:default/carol',
    });
  expect(res.status).toBe(201);
}

describe('promotion routes', () => {
  it('walks request → approval by someone else → production alias, and answers who approved what was live when', async () => {
    const server = await start();
    await registered(server, '1', 0.18);
    const req1 = await request(server).post(`${base}/versions/1/promotions`).set('Authorization', as('alice')).send({ environment: 'production', reason: 'first' });
    expect(req1.status).toBe(201);
    expect(req1.body).toMatchObject({ status: 'pending', canDecide: { allowed: false, reason: expect.stringMatching(/You requested/) } });

    // The requester, by every route, cannot decide.
    for (const path of ['approve', 'reject']) {
      const self = await request(server).post(`/api/mlops/promotions/${req1.body.id}/${path}`).set('Authorization', as('alice')).send({ reason: 'me' });
      expect(self.status).toBe(403);
    }
    const overrideSelf = await request(server)
      .post(`/api/mlops/promotions/${req1.body.id}/approve`)
      .set('Authorization', as('Alice'))
      .send({ reason: 'me', override: true });
    expect(overrideSelf.status).toBe(403);
    // Nor the creator, nor a service or external token.
    expect((await request(server).post(`/api/mlops/promotions/${req1.body.id}/approve`).set('Authorization', as('carol')).send({ reason: 'x' })).status).toBe(403);
    expect(
      (await request(server).post(`/api/mlops/promotions/${req1.body.id}/approve`).set('Authorization', mockCredentials.service.header()).send({ reason: 'x' })).status,
    ).toBe(403);

    const seen = await request(server).get(`/api/mlops/promotions/${req1.body.id}`).set('Authorization', as('bob'));
    expect(seen.body.canDecide).toEqual({ allowed: true });
    const approved = await request(server).post(`/api/mlops/promotions/${req1.body.id}/approve`).set('Authorization', as('bob')).send({ reason: 'ok' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decidedBy: 'user:default/bob', canDecide: { allowed: false } });
    const afterFirst = new Date().toISOString();

    await new Promise(r => setTimeout(r, 20));
    await registered(server, '2', 0.178);
    const req2 = await request(server).post(`${base}/versions/2/promotions`).set('Authorization', as('alice')).send({ environment: 'production' });
    await request(server).post(`/api/mlops/promotions/${req2.body.id}/approve`).set('Authorization', as('dan')).send({ reason: 'still within 2 %' });

    const versions = await request(server).get(`${base}/versions`).set('Authorization', as('bob'));
    expect(versions.body.items.map((v: any) => [v.version, v.aliases])).toEqual([
      ['2', ['champion']],
      ['1', ['standby']],
    ]);
    const then = await request(server).get(`${base}/production`).query({ at: afterFirst }).set('Authorization', as('bob'));
    expect(then.body).toMatchObject({ version: '1', approvedBy: 'user:default/bob', override: false });
    const now = await request(server).get(`${base}/production`).set('Authorization', as('bob'));
    expect(now.body).toMatchObject({ version: '2', approvedBy: 'user:default/dan' });
    const before = await request(server).get(`${base}/production`).query({ at: '2000-01-01T00:00:00Z' }).set('Authorization', as('bob'));
    expect(before.body.version).toBeUndefined();

    const queue = await request(server).get('/api/mlops/promotions').query({ status: 'approved' }).set('Authorization', as('bob'));
    expect(queue.body.items).toHaveLength(2);
  });

  it('answers 400 for a bad request body and 404 for an unknown request', async () => {
    const server = await start();
    await registered(server, '1', 0.18);
    const bad = await request(server).post(`${base}/versions/1/promotions`).set('Authorization', as('alice')).send({ environment: 'Prod Env!' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/environment/);
    const noReason = await request(server).post('/api/mlops/promotions/00000000-0000-0000-0000-000000000000/approve').set('Authorization', as('bob')).send({});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.message).toMatch(/reason/);
    const missing = await request(server).post('/api/mlops/promotions/00000000-0000-0000-0000-000000000000/approve').set('Authorization', as('bob')).send({ reason: 'x' });
    expect(missing.status).toBe(404);
  });

  it('answers 503 and changes nothing when the permission service fails', async () => {
    // Registration is allowed; the promotion check finds the permission service down.
    const broken = mockServices.permissions.mock({
      authorize: async requests => {
        if (requests.some(r => r.permission.name === 'mlops.promotion.request')) {
          throw new Error('permission backend unreachable');
        }
        return requests.map(() => ({ result: AuthorizeResult.ALLOW })) as any;
      },
    });
    const server = await start(broken.factory);
    await registered(server, '1', 0.18);
    const res = await request(server).post(`${base}/versions/1/promotions`).set('Authorization', as('alice')).send({ environment: 'production' });
    expect(res.status).toBe(503);
    const queue = await request(server).get('/api/mlops/promotions').set('Authorization', as('bob'));
    expect(queue.body.items).toEqual([]);
  });
});
