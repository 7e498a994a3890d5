import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DefaultModelPolicyService } from './ModelPolicyService';

const model = {
  apiVersion: 'modelrails.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'home-feed-ranker', namespace: 'default', title: 'Home feed ranker' },
  spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team', policy: { drift: { segments: ['platform'] } } },
};
const REF = { namespace: 'default', name: 'home-feed-ranker' };
const credentialsOf = (options: unknown) => (options as { credentials: unknown }).credentials;

function service() {
  const catalog = catalogServiceMock({ entities: [model] });
  const reads = jest.spyOn(catalog, 'getEntityByRef');
  const clock = { now: 0 };
  return { policies: new DefaultModelPolicyService(catalog, mockServices.auth(), () => clock.now), reads, clock };
}

describe('DefaultModelPolicyService', () => {
  it("reuses one catalog read for machines for 10 s, made with the plugin's own credentials", async () => {
    const { policies, reads, clock } = service();
    const grafana = mockCredentials.service('external:grafana');
    const views = await Promise.all([policies.getPolicy(REF, grafana), policies.getPolicy(REF, mockCredentials.service('external:prometheus'))]);
    expect(views.map(v => v.entityRef)).toEqual(['model:default/home-feed-ranker', 'model:default/home-feed-ranker']);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(credentialsOf(reads.mock.calls[0][1])).toEqual(mockCredentials.service('plugin:test'));
    clock.now = 10_000;
    await policies.getPolicy(REF, grafana);
    expect(reads).toHaveBeenCalledTimes(1);
    clock.now = 10_001;
    await policies.getPolicy(REF, grafana);
    expect(reads).toHaveBeenCalledTimes(2);
  });

  it('reads for users as themselves every time, and keeps no failed read', async () => {
    const { policies, reads } = service();
    const user = mockCredentials.user('user:default/alice');
    await policies.getPolicy(REF, user);
    await policies.getPolicy(REF, user);
    expect(reads.mock.calls.map(([, options]) => credentialsOf(options))).toEqual([user, user]);

    reads.mockClear();
    const missing = { namespace: 'default', name: 'nobody' };
    await expect(policies.getPolicy(missing, mockCredentials.service())).rejects.toThrow(NotFoundError);
    await expect(policies.getPolicy(missing, mockCredentials.service())).rejects.toThrow(NotFoundError);
    expect(reads).toHaveBeenCalledTimes(2);
  });
});
