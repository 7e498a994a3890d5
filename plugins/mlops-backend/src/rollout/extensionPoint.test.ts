import { createBackendModule, ServiceFactory } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mlopsTrafficRoutersExtensionPoint, TrafficRouter, TrafficSplit } from '@modelrails/plugin-mlops-node';
import request from 'supertest';
import { mlopsPlugin } from '../plugin';
import { approvedToProduction } from '../__testUtils__/approvedToProduction';

/**
 * An adopter's router, as a backend module of its own would add it: it keeps each service's split
 * in memory and records every change it was asked for, with the config the policy gave it.
 */
class AcmeMesh {
  readonly splits = new Map<string, TrafficSplit & { challenger: string }>();
  readonly applied: Array<{ service: string; weight: number; mirrored: boolean }> = [];

  router(config: Record<string, unknown>): TrafficRouter {
    const service = String(config.service);
    return {
      describe: () => `acme mesh service ${service}`,
      read: async versions => {
        const split = this.splits.get(service);
        return split && split.challenger === versions.challenger ? { weight: split.weight, mirrored: split.mirrored } : { weight: 0, mirrored: false };
      },
      apply: async (versions, split) => {
        this.applied.push({ service, ...split });
        this.splits.set(service, { ...split, challenger: versions.challenger });
        return split;
      },
      scaleDown: async () => false,
    };
  }
}

const mesh = new AcmeMesh();
const acmeMeshModule = createBackendModule({
  pluginId: 'mlops',
  moduleId: 'acme-mesh',
  register(env) {
    env.registerInit({
      deps: { routers: mlopsTrafficRoutersExtensionPoint },
      async init({ routers }) {
        routers.addTrafficRouter('acme-mesh', ({ config }) => mesh.router(config));
      },
    });
  },
});

const model = (name: string, routerName: string) => ({
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name, namespace: 'default' },
  spec: {
    type: 'ranker',
    lifecycle: 'production',
    owner: 'ranking-team',
    policy: {
      rollout: {
        traffic: { kind: 'plugin', name: routerName, config: { service: `${name}-svc` } },
        shadow: { enabled: false },
        steps: [{ weight: 20 }, { weight: 100 }],
      },
    },
  },
});
const as = (name: string) => mockCredentials.user.header(`user:default/${name}`);

async function start(features: Array<ServiceFactory<any, any, any> | typeof acmeMeshModule> = []) {
  const { server } = await startTestBackend({
    features: [
      mlopsPlugin,
      ...features,
      catalogServiceMock.factory({ entities: [model('home-feed-ranker', 'acme-mesh'), model('orphan-ranker', 'nobody-added-this')] }),
      mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() }),
    ],
  });
  return server;
}

/** Approves `version` to production and answers the model's newest rollout. */
async function approve(server: any, name: string, version: string) {
  await approvedToProduction(server, { name }, version);
  const rollouts = await request(server).get(`/api/mlops/models/default/${name}/rollouts`).set('Authorization', as('dave'));
  return rollouts.body.items[0];
}

describe('traffic routers added through mlopsTrafficRoutersExtensionPoint', () => {
  it('drives a rollout through a router a separate backend module added', async () => {
    const server = await start([acmeMeshModule]);
    await approve(server, 'home-feed-ranker', '1'); // the first version takes all traffic at once
    const rollout = await approve(server, 'home-feed-ranker', '2');
    expect(rollout).toMatchObject({ version: '2', champion: '1', router: 'plugin', target: 'traffic router "acme-mesh"', stage: 'canary', weight: 20 });

    const promoted = await request(server).post(`/api/mlops/rollouts/${rollout.id}/promote`).set('Authorization', as('erin')).send({ reason: 'looks good' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ stage: 'full', status: 'succeeded', weight: 100 });
    // Every move went through the adopter's router, with the config the policy gave it.
    expect(mesh.applied).toEqual([
      { service: 'home-feed-ranker-svc', weight: 100, mirrored: false },
      { service: 'home-feed-ranker-svc', weight: 20, mirrored: false },
      { service: 'home-feed-ranker-svc', weight: 100, mirrored: false },
    ]);
    const versions = await request(server).get('/api/mlops/models/default/home-feed-ranker/versions').set('Authorization', as('dave'));
    expect(versions.body.champion).toBe('2');
  });

  it('holds a rollout pending, saying why, when no module added the router its policy names', async () => {
    const server = await start([acmeMeshModule]);
    const rollout = await approve(server, 'orphan-ranker', '1');
    expect(rollout).toMatchObject({ router: 'plugin', status: 'pending', weight: 0 });
    expect(rollout.pending.lastError).toMatch(/traffic router "nobody-added-this": no backend module added a router of that name/);
  });
});
