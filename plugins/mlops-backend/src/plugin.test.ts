import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import fc from 'fast-check';
import request from 'supertest';
import { mlopsPlugin } from './plugin';

// Every migration file the package ships, in order.
// Every migration file the package ships, over every store's folder, in the order of their names.
const MIGRATIONS = readdirSync(join(__dirname, '../migrations'), { recursive: true, encoding: 'utf8' })
  .filter(f => f.endsWith('.js'))
  .map(f => basename(f))
  .sort();

const model = {
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'home-feed-ranker', namespace: 'default', title: 'Home feed ranker' },
  spec: {
    type: 'ranker',
    lifecycle: 'production',
    owner: 'ranking-team',
    policy: { gates: [{ kind: 'metric-floor', metric: 'ndcg@20', min: 0.17 }] },
  },
};
const component = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'home-feed-ranker', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'x' },
};

async function start(result?: AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
  return startTestBackend({
    features: [
      mlopsPlugin,
      catalogServiceMock.factory({ entities: [model, component] }),
      mockServices.permissions.factory(result ? { result } : undefined),
      // Requests without a token stay unauthenticated, as in production.
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
    ],
  });
}

describe('mlops backend plugin', () => {
  it('answers /health without a token', async () => {
    const { server } = await start();
    const res = await request(server).get('/api/mlops/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { reachable: true, migrations: MIGRATIONS } });
  });

  it('refuses the policy route without a token', async () => {
    const { server } = await start();
    const res = await request(server).get('/api/mlops/models/default/home-feed-ranker/policy');
    expect(res.status).toBe(401);
  });

  it('returns the resolved policy and its description to a user', async () => {
    const { server } = await start(AuthorizeResult.ALLOW);
    const res = await request(server)
      .get('/api/mlops/models/default/home-feed-ranker/policy')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'model:default/home-feed-ranker',
      title: 'Home feed ranker',
      type: 'ranker',
      lifecycle: 'production',
    });
    expect(res.body.policy.rollout.steps.map((s: { weight: number }) => s.weight)).toEqual([5, 25, 50, 100]);
    expect(res.body.sections[0]).toEqual({
      title: 'Validation gates',
      lines: [{ label: 'metric-floor', value: 'ndcg@20 ≥ 0.17' }],
    });
  });

  it('serves services too', async () => {
    const { server } = await start(AuthorizeResult.ALLOW);
    const res = await request(server)
      .get('/api/mlops/models/default/home-feed-ranker/policy')
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
  });

  it('answers 403 when the permission policy denies reading', async () => {
    const { server } = await start(AuthorizeResult.DENY);
    const res = await request(server)
      .get('/api/mlops/models/default/home-feed-ranker/policy')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
  });

  it('answers 404 for an unknown model', async () => {
    const { server } = await start(AuthorizeResult.ALLOW);
    const res = await request(server)
      .get('/api/mlops/models/default/no-such-model/policy')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('model:default/no-such-model');
  });

  it.each(['production', undefined])('keeps server stack traces out of error bodies when NODE_ENV is %s', async nodeEnv => {
    const previous = process.env.NODE_ENV;
    if (nodeEnv) process.env.NODE_ENV = nodeEnv;
    else delete process.env.NODE_ENV;
    try {
      const { server } = await start(AuthorizeResult.ALLOW);
      for (const path of ['/api/mlops/models/default/no-such-model/policy', '/api/mlops/models/default/bad%00name/versions', '/api/mlops/promotions/nope']) {
        const res = await request(server).get(path).set('Authorization', mockCredentials.user.header());
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.body.error.stack).toBeUndefined();
        expect(JSON.stringify(res.body)).not.toMatch(/\s+at \S+ \(|node_modules|\.ts:\d+/);
      }
    } finally {
      process.env.NODE_ENV = previous;
    }
  });

  it('answers 400 naming the parameter for a malformed name', async () => {
    const { server } = await start(AuthorizeResult.ALLOW);
    const res = await request(server)
      .get(`/api/mlops/models/default/${encodeURIComponent('bad name!')}/policy`)
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/name/);
  });

  it('answers any generated model name with a clear 4xx or the policy, never a 5xx', async () => {
    const { server } = await start(AuthorizeResult.ALLOW);
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 80 }), fc.string({ minLength: 1, maxLength: 80 }), async (namespace, name) => {
        const res = await request(server)
          .get(`/api/mlops/models/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/policy`)
          .set('Authorization', mockCredentials.user.header());
        expect([200, 400, 404]).toContain(res.status);
        expect(res.status === 200 || typeof res.body?.error?.message === 'string').toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('publishes its permissions and the rules policy authors can use', async () => {
    const { server } = await start(AuthorizeResult.ALLOW);
    const res = await request(server)
      .get('/api/mlops/.well-known/backstage/permissions/metadata')
      .set('Authorization', mockCredentials.service.header());
    expect(res.status).toBe(200);
    expect(res.body.permissions.map((p: { name: string }) => p.name).sort()).toEqual([
      'mlops.model.read',
      'mlops.promotion.approve',
      'mlops.promotion.override',
      'mlops.promotion.request',
      'mlops.rollout.abort',
      'mlops.rollout.pause',
      'mlops.rollout.promote',
      'mlops.rollout.resume',
      'mlops.rollout.rollback',
      'mlops.telemetry.ingest',
      'mlops.version.register',
    ]);
    expect(res.body.rules.map((r: { name: string; resourceType: string }) => `${r.resourceType}:${r.name}`).sort()).toEqual([
      'mlops-model:HAS_MODEL_LIFECYCLE',
      'mlops-model:IS_MODEL_OWNER',
    ]);
  });
});
