import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FakeMlflowServer } from '../__testUtils__/FakeMlflowServer';
import { createMlflowAliasMover, mlflowSyncTask } from '.';

describe('mlflowSyncTask', () => {
  const base = () => ({
    logger: mockServices.logger.mock(),
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'modelrails.io/v1alpha1',
          kind: 'Model',
          metadata: { name: 'home-feed-ranker', namespace: 'default', annotations: { 'modelrails.io/mlflow-registered-model': 'hfr' } },
          spec: {},
        },
      ],
    }),
    auth: mockServices.auth(),
    registry: { upsertVersion: jest.fn(async () => ({ created: true })), listVersions: jest.fn(async () => []), setAlias: jest.fn() } as any,
    status: { record: jest.fn(), get: jest.fn() },
  });

  it('has no task without MLflow configuration', async () => {
    expect(mlflowSyncTask({ ...base(), config: mockServices.rootConfig({ data: {} }) })).toBeUndefined();
  });

  it('is one global task that syncs the registered models Model entities follow', async () => {
    const fake = new FakeMlflowServer();
    const url = await fake.start();
    fake.registeredModels = [{ name: 'hfr' }];
    fake.modelVersions = [{ name: 'hfr', version: '1', status: 'READY', source: 's3://m/1' }];
    try {
      const deps = base();
      const task = mlflowSyncTask({
        ...deps,
        config: mockServices.rootConfig({ data: { mlops: { mlflow: { baseUrl: url, intervalMinutes: 2 } } } }),
      })!;
      expect(task).toEqual(expect.objectContaining({ id: 'mlops-mlflow-sync', scope: 'global', frequency: { minutes: 2 } }));
      await task.fn(new AbortController().signal);
      // The annotation maps MLflow's "hfr" to the Model entity.
      expect(deps.registry.upsertVersion).toHaveBeenCalledWith(
        expect.objectContaining({ modelRef: 'model:default/home-feed-ranker', version: '1', source: 'mlflow' }),
        'plugin:mlops:mlflow-sync',
      );
      expect(deps.status.record).toHaveBeenCalledWith('mlflow', expect.objectContaining({ ok: true }));
    } finally {
      await fake.stop();
    }
  });

  it('moves an MLflow alias for an approved promotion, and only logs when MLflow refuses', async () => {
    const fake = new FakeMlflowServer();
    const url = await fake.start();
    fake.registeredModels = [{ name: 'hfr', aliases: [{ alias: 'champion', version: '1' }] }];
    fake.modelVersions = [
      { name: 'hfr', version: '1', status: 'READY' },
      { name: 'hfr', version: '2', status: 'READY' },
    ];
    try {
      const deps = base();
      expect(createMlflowAliasMover({ ...deps, config: mockServices.rootConfig({ data: {} }) })).toBeUndefined();
      const move = createMlflowAliasMover({ ...deps, config: mockServices.rootConfig({ data: { mlops: { mlflow: { baseUrl: url } } } }) })!;
      await move('model:default/home-feed-ranker', 'champion', '2');
      expect(fake.registeredModels[0].aliases).toEqual([{ alias: 'champion', version: '2' }]);
      await move('model:default/home-feed-ranker', 'champion', '99');
      expect(deps.logger.warn).toHaveBeenCalledWith(expect.stringMatching(/RESOURCE_DOES_NOT_EXIST/));
      expect(fake.registeredModels[0].aliases).toEqual([{ alias: 'champion', version: '2' }]);
    } finally {
      await fake.stop();
    }
  });
});
