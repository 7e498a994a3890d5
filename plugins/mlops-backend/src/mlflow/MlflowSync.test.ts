import { mockServices } from '@backstage/backend-test-utils';
import { FakeMlflowServer } from '../__testUtils__/FakeMlflowServer';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DatabaseRegistryStore } from '../registry/DatabaseRegistryStore';
import { MlflowClient } from './MlflowClient';
import { datasetUri, MlflowSync, userRefOf } from './MlflowSync';
import { DatabaseSyncStatusStore } from './SyncStatusStore';

jest.setTimeout(60_000);
const databases = createTestDatabases();
const RANKER = 'model:default/home-feed-ranker';
const OTHER = 'model:default/someone-elses-model';
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
    info: { run_id: id, experiment_id: '7', user_id: 'alice', start_time: Date.parse('2026-11-01T08:00:00Z'), end_time: Date.parse('2026-11-01T09:00:00Z'), status: 'FINISHED' },
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
      async () => new Map([['home_feed_ranker', RANKER], ['someone_elses_model', OTHER]]),
      'https://mlflow.example.com',
    );
    return { knex, audit, registry, status, sync, logger };
  }

  it('copies versions, runs, metrics, parameters, training datasets and aliases, page by page', async () => {
    const { registry, sync, status } = await setup();
    const result = await sync.run();
    expect(result).toEqual({
      registeredModels: 2,
      skippedModels: [],
      versionsCreated: 4,
      versionsUnchanged: 0,
      aliasMismatches: ['home_feed_ranker: MLflow challenger v2, ModelRails challenger none'],
      problems: [],
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
          { ref: 'resource:default/clickstream-events', version: 'e5f6a7b8', digest: 'mlflow:e5f6a7b8', uri: 's3://data/clickstream-events' },
          { ref: 'resource:default/orders', version: '0c0ffee0', digest: 'mlflow:0c0ffee0', uri: 's3://data/orders' },
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
    expect(again).toMatchObject({ versionsCreated: 0, versionsUnchanged: 4 });
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
    expect(await sync.run()).toMatchObject({ versionsCreated: 4 });
  });

  it('reads int64 fields sent as strings (protobuf JSON mapping) as the same times', async () => {
    fake.int64AsStrings = true;
    const { sync, registry } = await setup();
    expect(await sync.run()).toMatchObject({ versionsCreated: 4, problems: [] });
    const v1 = (await registry.getVersion(RANKER, '1'))!;
    expect(v1.createdAt).toBe('2026-11-01T10:00:00.000Z');
    expect(v1.training.run).toMatchObject({ startedAt: '2026-11-01T08:00:00.000Z', finishedAt: '2026-11-01T09:00:00.000Z' });
    expect(fake.requests.length).toBeGreaterThan(0);
  });

  it('skips a version it cannot read and reports it, syncing every other version and model', async () => {
    fake.modelVersions.push(
      // Neither a number nor an int64 string: the time is unknown, the version still syncs.
      { name: 'home_feed_ranker', version: '5', status: 'READY', source: 's3://x/5', creation_timestamp: 'yesterday' as any },
      // Its run answers 500: this version alone is skipped.
      { name: 'home_feed_ranker', version: '6', status: 'READY', source: 's3://x/6', run_id: 'run-broken' },
    );
    fake.brokenRuns.add('run-broken');
    const { sync, registry, status } = await setup();
    const result = (await sync.run())!;
    expect(result.versionsCreated).toBe(5);
    expect(result.problems).toEqual([
      { mlflowModel: 'home_feed_ranker', modelRef: RANKER, version: '6', message: expect.stringMatching(/^MLflow answered 500 to \/api\/2\.0\/mlflow\/runs\/get/) },
    ]);
    expect((await registry.getVersion(RANKER, '5'))!.createdAt).toEqual(expect.any(String));
    expect(await registry.getVersion(RANKER, '6')).toBeUndefined();
    expect(await registry.listVersions(OTHER)).toHaveLength(1);
    expect(await status.get('mlflow')).toMatchObject({ ok: true, message: expect.stringMatching(/1 registered model or version could not be copied/) });
  });

  it("reports a registered model MLflow fails on and still syncs the others", async () => {
    fake.brokenModels.add('home_feed_ranker');
    const { sync, registry } = await setup();
    const result = (await sync.run())!;
    expect(result.problems).toEqual([{ mlflowModel: 'home_feed_ranker', modelRef: RANKER, message: expect.stringMatching(/500.*INTERNAL_ERROR/) }]);
    expect(await registry.listVersions(RANKER)).toEqual([]);
    expect(await registry.listVersions(OTHER)).toHaveLength(1);
  });

  it("takes a version's metrics from its MLflow 3 logged model when the run has none", async () => {
    const modelId = `m-${'1'.repeat(32)}`;
    fake.modelVersions.push({ name: 'someone_elses_model', version: '2', status: 'READY', source: `models:/${modelId}`, run_id: '' });
    fake.runs.set('run-c', { info: { run_id: 'run-c', experiment_id: '7', user_id: 'carol', start_time: 1, end_time: 2 }, data: { params: [{ key: 'depth', value: '6' }] } });
    fake.loggedModels.set(modelId, {
      info: { model_id: modelId, source_run_id: 'run-c', artifact_uri: 's3://models/m-1/artifacts' },
      data: { params: [{ key: 'temperature', value: '0.07' }], metrics: [{ key: 'auc', value: 0.91, step: 0, model_id: modelId, run_id: 'run-c' }] },
    });
    const { sync, registry } = await setup();
    await sync.run();
    expect(await registry.getVersion(OTHER, '2')).toMatchObject({
      artifact: { uri: `models:/${modelId}` },
      metrics: { auc: 0.91 },
      hyperparameters: { depth: 6, temperature: 0.07 },
      creator: 'user:default/carol',
      training: { run: { id: 'run-c' } },
    });
  });
});

describe('datasetUri', () => {
  it("takes the location out of MLflow's source JSON, whatever the source type", () => {
    expect(datasetUri({ source: '{"uri": "s3://bucket/path"}' })).toBe('s3://bucket/path');
    expect(datasetUri({ source: '{"url": "https://example.com/data.csv"}' })).toBe('https://example.com/data.csv');
    expect(datasetUri({ source: '{"path": "/dbfs/delta/events", "delta_table_version": 3}' })).toBe('/dbfs/delta/events');
    expect(datasetUri({ source: '{"delta_table_name": "main.events"}' })).toBe('main.events');
    expect(datasetUri({ source: 'gs://plain/uri' })).toBe('gs://plain/uri');
    expect(datasetUri({ source: '{"unknown": 1}' })).toBeUndefined();
    expect(datasetUri({ source: '' })).toBeUndefined();
    expect(datasetUri({})).toBeUndefined();
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
