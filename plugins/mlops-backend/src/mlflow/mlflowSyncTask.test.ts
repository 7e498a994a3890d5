import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { populateMlflow, RealMlflow, startRealMlflow, uniqueName } from '../__testUtils__/realMlflow';
import { createMlflowAliasMover, createMlflowSync } from '.';
import { MlflowClient } from './MlflowClient';

jest.setTimeout(180_000);

/* The MLflow concern's wiring, against a real MLflow server: the sync task, and the alias mover. */
let mlflow: RealMlflow;
const followed = uniqueName('hfr');

beforeAll(async () => {
  mlflow = await startRealMlflow();
  await populateMlflow(mlflow.url, {
    models: [{ name: followed, versions: [{ run: null, source: 's3://m/1' }, { run: null, source: 's3://m/2' }], aliases: { champion: 1 } }],
  });
});
afterAll(() => mlflow?.stop());

describe('createMlflowSync', () => {
  const base = () => ({
    logger: mockServices.logger.mock(),
    catalog: catalogServiceMock({
      entities: [
        {
          apiVersion: 'modelrails.io/v1alpha1',
          kind: 'Model',
          metadata: { name: 'home-feed-ranker', namespace: 'default', annotations: { 'modelrails.io/mlflow-registered-model': followed } },
          spec: {},
        },
      ],
    }),
    auth: mockServices.auth(),
    registry: { upsertVersion: jest.fn(async () => ({ created: true })), listVersions: jest.fn(async () => []), setAlias: jest.fn() } as any,
    status: { record: jest.fn(), get: jest.fn() },
  });

  it('has no task without MLflow configuration', async () => {
    expect(createMlflowSync({ ...base(), config: mockServices.rootConfig({ data: {} }) })).toBeUndefined();
  });

  it('is one global task that syncs the registered models Model entities follow', async () => {
    const deps = base();
    const { task } = createMlflowSync({
      ...deps,
      config: mockServices.rootConfig({ data: { mlops: { mlflow: { baseUrl: mlflow.url, intervalMinutes: 2 } } } }),
    })!;
    expect(task).toEqual(expect.objectContaining({ id: 'mlops-mlflow-sync', scope: 'global', frequency: { minutes: 2 } }));
    await task.fn(new AbortController().signal);
    // The annotation maps the MLflow name to the Model entity.
    expect(deps.registry.upsertVersion).toHaveBeenCalledWith(
      expect.objectContaining({ modelRef: 'model:default/home-feed-ranker', version: '1', source: 'mlflow', artifact: expect.objectContaining({ uri: 's3://m/1' }) }),
      'plugin:mlops:mlflow-sync',
    );
    expect(deps.status.record).toHaveBeenCalledWith('mlflow', expect.objectContaining({ ok: true }));
  });

  it('moves an MLflow alias for an approved promotion, and only logs when MLflow refuses', async () => {
    const deps = base();
    const client = new MlflowClient({ baseUrl: mlflow.url });
    expect(createMlflowAliasMover({ ...deps, config: mockServices.rootConfig({ data: {} }) })).toBeUndefined();
    const move = createMlflowAliasMover({ ...deps, config: mockServices.rootConfig({ data: { mlops: { mlflow: { baseUrl: mlflow.url } } } }) })!;
    await move('model:default/home-feed-ranker', 'champion', '2');
    expect((await client.registeredModel(followed))!.aliases).toEqual([{ alias: 'champion', version: '2' }]);
    await move('model:default/home-feed-ranker', 'champion', '99');
    expect(deps.logger.warn).toHaveBeenCalledWith(expect.stringMatching(/RESOURCE_DOES_NOT_EXIST/));
    expect((await client.registeredModel(followed))!.aliases).toEqual([{ alias: 'champion', version: '2' }]);
  });
});
