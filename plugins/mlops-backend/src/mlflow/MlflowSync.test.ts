import { mockServices } from '@backstage/backend-test-utils';
import { FakeMlflowServer } from '../__testUtils__/FakeMlflowServer';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DatabaseRegistryStore } from '../registry/DatabaseRegistryStore';
import { MlflowClient } from './MlflowClient';
import { MlflowSync, userRefOf } from './MlflowSync';
import { DatabaseSyncStatusStore } from './SyncStatusStore';

jest.setTimeout(60_000);
const databases = createTestDatabases();
const RANKER = 'model:default/home-feed-ranker';
const hex = (c: string) => c.repeat(64);

/** An MLflow with one followed model (3 versions, one without a run) and one nobody follows. */
function populate(fake: FakeMlflowServer) {
  fake.registeredModels = [
    { name: 'home_feed_ranker', aliases: [{ alias: 'challenger', version: '2' }, { alias: 'production', version: '2' }] },
    { name: 'someone_elses_model', aliases: [] },
  ];
  fake.modelVersions = [
    {
      name: 'home_feed_ranker',
      version: '1',
      status: 'READY',
      user_id: 'Alice.Moreau@example.com',
      source: 'mlflow-artifacts:/1/run-a/artifacts/model',
      run_id: 'run-a',
      creation_timestamp: Date.parse('2026-11-01T10:00:00Z'),
      tags: [{ key: 'modelrails.artifact_digest', value: `sha256:${hex('a')}` }],
    },
    {
      name: 'home_feed_ranker',
      version: '2',
      status: 'READY',
      user_id: 'bob',
      source: 'mlflow-artifacts:/1/run-b/artifacts/model',
      run_id: 'run-b',
      creation_timestamp: Date.parse('2026-11-08T10:00:00Z'),
    },
    // Its run was deleted: a version with no lineage.
    { name: 'home_feed_ranker', version: '3', status: 'READY', user_id: 'bob', source: 's3://x/3', run_id: 'run-deleted' },
    // Still uploading: not synced.
    { name: 'home_feed_ranker', version: '4', status: 'PENDING_REGISTRATION', source: 's3://x/4' },
    { name: 'someone_elses_model', version: '1', status: 'READY', source: 's3://y/1' },
  ];
  const run = (id: string, ndcg: number, datasets: Array<[string, string, string]>) => ({
    info: { run_id: id, experiment_id: '7', user_id: 'alice', start_time: 1, end_time: 2, status: 'FINISHED' },
    data: {
      metrics: [{ key: 'ndcg_at_20', value: ndcg, timestamp: 2, step: 0 }],
      params: [
        { key: 'learning_rate', value: '0.05' },
        { key: 'objective', value: 'lambdarank' },
        { key: 'early_stopping', value: 'True' },
      ],
      tags: [{ key: 'mlflow.source.git.commit', value: 'abc1234def' }],
    },
    inputs: {
      dataset_inputs: datasets.map(([name, digest, context]) => ({
        tags: [{ key: 'mlflow.data.context', value: context }],
        dataset: { name, digest, source_type: 's3', source: `{"uri": "s3://data/${name}"}` },
      })),
    },
  });
  fake.runs.set('run-a', run('run-a', 0.18, [['clickstream-events', 'd41d8cd9', 'training'], ['holdout', 'aaaa1111', 'evaluation']]));
  fake.runs.set('run-b', run('run-b', 0.186, [['clickstream-events', 'e5f6a7b8', 'training'], ['orders', '0c0ffee0', 'training']]));
}

describe.each(databases.eachSupportedId())('MLflow sync on %s', databaseId => {
  let fake: FakeMlflowServer;
  let baseUrl: string;

  beforeEach(async () => {
    fake = new FakeMlflowServer();
    baseUrl = await fake.start();
    populate(fake);
  });
  afterEach(() => fake.stop());

  async function setup(clientOptions: Partial<ConstructorParameters<typeof MlflowClient>[0]> = {}) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const audit = new DatabaseModelRailsStore(knex);
    const registry = new DatabaseRegistryStore(knex, audit);
    const status = new DatabaseSyncStatusStore(knex);
    const logger = mockServices.logger.mock();
    const sync = new MlflowSync(
      new MlflowClient({ baseUrl, pageSize: 1, ...clientOptions }),
      registry,
      status,
      logger,
      async () => new Map([['home_feed_ranker', RANKER]]),
      'https://mlflow.example.com',
    );
    return { knex, audit, registry, status, sync, logger };
  }

  it('copies versions, runs, metrics, parameters, training datasets and aliases, page by page', async () => {
    const { registry, sync, status } = await setup();
    const result = await sync.run();
    expect(result).toEqual({
      registeredModels: 2,
      skippedModels: ['someone_elses_model'],
      versionsCreated: 3,
      versionsUnchanged: 0,
      aliasMismatches: ['home_feed_ranker: MLflow challenger v2, ModelRails challenger none'],
    });
    const [v3, v2, v1] = await registry.listVersions(RANKER);
    expect(v2).toMatchObject({
      version: '2',
      source: 'mlflow',
      creator: 'user:default/bob',
      codeCommit: 'abc1234def',
      metrics: { ndcg_at_20: 0.186 },
      hyperparameters: { learning_rate: 0.05, objective: 'lambdarank', early_stopping: true },
      training: {
        run: { source: 'mlflow', id: 'run-b', experiment: '7', url: 'https://mlflow.example.com/#/experiments/7/runs/run-b' },
        datasets: [
          { ref: 'resource:default/clickstream-events', version: 'e5f6a7b8', digest: 'mlflow:e5f6a7b8' },
          { ref: 'resource:default/orders', version: '0c0ffee0', digest: 'mlflow:0c0ffee0' },
        ],
      },
      aliases: [],
      reproducible: true,
    });
    expect(v2.artifact.digest).toMatch(/^unverified:[0-9a-f]{64}$/);
    // The training job's digest tag is used when present; evaluation datasets are not training data.
    expect(v1.artifact.digest).toBe(`sha256:${hex('a')}`);
    expect(v1.creator).toBe('user:default/alice.moreau');
    expect(v1.training.datasets.map(d => d.ref)).toEqual(['resource:default/clickstream-events']);
    expect(v3).toMatchObject({ version: '3', reproducible: false, training: { datasets: [] } });
    expect(await status.get('mlflow')).toMatchObject({ ok: true, message: 'ok' });

    // Pagination: one item per page means several page_token round trips.
    expect(fake.requests.filter(r => r.includes('page_token=')).length).toBeGreaterThanOrEqual(3);
  });

  it('is idempotent: a second sync writes nothing', async () => {
    const { sync, knex } = await setup();
    await sync.run();
    const audit = Number((await knex('mlops_audit_log').count({ n: '*' }))[0].n);
    const again = await sync.run();
    expect(again).toMatchObject({ versionsCreated: 0, versionsUnchanged: 3 });
    expect(Number((await knex('mlops_audit_log').count({ n: '*' }))[0].n)).toBe(audit);
  });

  it('never follows an alias set in MLflow (champion, standby, challenger): it reports them; aliases change through sign-off and rollouts', async () => {
    const { sync, registry, logger } = await setup();
    await sync.run();
    fake.registeredModels[0].aliases = [{ alias: 'challenger', version: '1' }, { alias: 'champion', version: '3' }, { alias: 'standby', version: '2' }];
    expect(await sync.run()).toMatchObject({
      aliasMismatches: [
        'home_feed_ranker: MLflow challenger v1, ModelRails challenger none',
        'home_feed_ranker: MLflow champion v3, ModelRails champion none',
        'home_feed_ranker: MLflow standby v2, ModelRails standby none',
      ],
    });
    for (const version of ['1', '2', '3']) expect((await registry.getVersion(RANKER, version))!.aliases).toEqual([]);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(/did not follow an alias/));
  });

  it.each([
    ['a wrong token', (f: FakeMlflowServer) => (f.token = 'right'), { token: 'wrong' }, /401.*UNAUTHENTICATED/],
    ['a malformed answer', (f: FakeMlflowServer) => (f.fault = 'malformed'), {}, /not JSON/],
    ['a server error', (f: FakeMlflowServer) => (f.fault = 'server-error'), {}, /500.*INTERNAL_ERROR/],
    ['an unreachable server', (f: FakeMlflowServer) => f.stop(), {}, /unreachable/],
  ])('survives %s: logs it, records it, writes no version', async (_what, breakIt, clientOptions, message) => {
    const { sync, registry, status, logger } = await setup(clientOptions);
    await breakIt(fake);
    await expect(sync.run()).resolves.toBeUndefined();
    expect(await registry.listVersions(RANKER)).toEqual([]);
    const recorded = await status.get('mlflow');
    expect(recorded).toMatchObject({ ok: false });
    expect(recorded!.message).toMatch(message);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringMatching(message));
  });

  it('authenticates with the token it is given', async () => {
    fake.token = 'secret-token';
    const { sync } = await setup({ token: 'secret-token' });
    expect(await sync.run()).toMatchObject({ versionsCreated: 3 });
  });
});

describe('userRefOf', () => {
  it('names catalog users after the local part of an MLflow user id', () => {
    expect(userRefOf('Alice.Moreau@example.com')).toBe('user:default/alice.moreau');
    expect(userRefOf('bob')).toBe('user:default/bob');
    expect(userRefOf(undefined)).toBe('user:default/mlflow');
    expect(userRefOf('@@@')).toBe('user:default/mlflow');
  });
});
