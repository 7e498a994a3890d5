import { ServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';
import { approvedToProduction } from '../__testUtils__/approvedToProduction';

const entities = [
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'home-feed-ranker', namespace: 'default' },
    spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team', policy: { rollout: { traffic: { kind: 'simulated' } } } },
  },
];
const MODEL = { name: 'home-feed-ranker' };
const base = '/api/mlops/models/default/home-feed-ranker';
const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);

/** Every permission allowed except the ones named. */
function permissionsDenying(denied: string[]): ServiceFactory<any, any, any> {
  return mockServices.permissions.mock({
    authorize: async requests => requests.map(r => ({ result: denied.includes(r.permission.name) ? AuthorizeResult.DENY : AuthorizeResult.ALLOW })) as any,
  }).factory;
}

async function start(denied: string[] = []) {
  const { server } = await startTestBackend({
    features: [
      mlopsPlugin,
      catalogServiceMock.factory({ entities }),
      permissionsDenying(denied),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
    ],
  });
  return server;
}

describe('rollout routes', () => {
  it('shows the rollout an approval started, and carries out a permitted action with its decision', async () => {
    const server = await start();
    await approvedToProduction(server, MODEL, '1'); // the first version: no champion, all traffic at once
    await approvedToProduction(server, MODEL, '2');
    const list = await request(server).get(`${base}/rollouts`).set('Authorization', as('dave'));
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: any) => [r.version, r.stage, r.status, r.weight])).toEqual([
      ['2', 'shadow', 'running', 0],
      ['1', 'full', 'succeeded', 100],
    ]);
    const id = list.body.items[0].id;
    const paused = await request(server).post(`/api/mlops/rollouts/${id}/pause`).set('Authorization', as('erin')).send({ reason: 'investigating' });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'paused', mirrored: true, target: 'simulated traffic' });
    expect(paused.body.decisions[0]).toMatchObject({ action: 'pause', actor: 'user:default/erin', reason: 'paused by erin: investigating' });
    const again = await request(server).post(`/api/mlops/rollouts/${id}/pause`).set('Authorization', as('erin')).send({});
    expect(again.status).toBe(409);
    const aborted = await request(server).post(`/api/mlops/rollouts/${id}/abort`).set('Authorization', as('erin')).send({ reason: 'not today' });
    expect(aborted.body).toMatchObject({ stage: 'aborted', status: 'aborted', weight: 0, mirrored: false, headline: 'aborted by erin: not today' });
  });

  it('needs each action its own permission, refuses unknown actions and rollouts by name', async () => {
    const server = await start(['mlops.rollout.abort']);
    await approvedToProduction(server, MODEL, '1');
    await approvedToProduction(server, MODEL, '2');
    const [rollout] = (await request(server).get(`${base}/rollouts`).set('Authorization', as('dave'))).body.items;
    const abort = await request(server).post(`/api/mlops/rollouts/${rollout.id}/abort`).set('Authorization', as('erin')).send({});
    expect(abort.status).toBe(403);
    const pause = await request(server).post(`/api/mlops/rollouts/${rollout.id}/pause`).set('Authorization', as('erin')).send({});
    expect(pause.status).toBe(200);
    const unknown = await request(server).post(`/api/mlops/rollouts/${rollout.id}/explode`).set('Authorization', as('erin')).send({});
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/action/);
    const missing = await request(server).get('/api/mlops/rollouts/00000000-0000-0000-0000-000000000000').set('Authorization', as('dave'));
    expect(missing.status).toBe(404);
    const badBody = await request(server).post(`/api/mlops/rollouts/${rollout.id}/resume`).set('Authorization', as('erin')).send({ reason: 'x', colour: 'red' });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.message).toMatch(/colour/);
  });
});
