import { mockServices } from '@backstage/backend-test-utils';
import { populateMlflow, Populated, RealMlflow, startRealMlflow, uniqueName } from '../__testUtils__/realMlflow';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DatabaseRegistryStore } from '../registry/DatabaseRegistryStore';
import { MlflowClient } from './MlflowClient';
import { MlflowSync } from './MlflowSync';
import { DatabaseSyncStatusStore } from './SyncStatusStore';

/*
 * The MLflow sync against a real `mlflow server` (MLflow 3, SQLite backend store), filled through
 * MLflow's own Python client as a training pipeline fills it: runs with parameters, metrics and
 * dataset inputs (`mlflow.log_input`), MLflow 3 logged models, registered model versions, aliases.
 */

jest.setTimeout(180_000);
const databases = createTestDatabases();
const RANKER = 'model:default/home-feed-ranker';
const ENCODER = 'model:default/item-embedding-encoder';

let mlflow: RealMlflow;
let populated: Populated;
const ranker = uniqueName('home_feed_ranker');
const encoder = uniqueName('item_embedding_encoder');

beforeAll(async () => {
  mlflow = await startRealMlflow();
  populated = await populateMlflow(mlflow.url, {
    experiment: uniqueName('ranking'),
    models: [
      {
        name: ranker,
        tags: { team: 'ranking' },
        versions: [
          {
            run: {
              user: 'Alice.Moreau@example.com',
              params: { learning_rate: '0.05', objective: 'lambdarank', early_stopping: 'True' },
              metrics: { ndcg_at_20: 0.18 },
              gitCommit: 'abc1234def',
              datasets: [
                { name: 'clickstream-events', source: 's3://data/clickstream-events', context: 'training' },
                { name: 'holdout', source: 's3://data/holdout', context: 'evaluation' },
              ],
            },
            tags: { 'modelrails.artifact_digest': `sha256:${'a'.repeat(64)}` },
          },
          {
            run: {
              user: 'bob',
              params: { learning_rate: '0.1' },
              metrics: { ndcg_at_20: 0.186 },
              datasets: [
                { name: 'clickstream-events', source: 's3://data/clickstream-events-v2', context: 'training' },
                { name: 'orders', source: 'https://data.example.com/orders.parquet', context: 'training' },
              ],
            },
          },
          // Registered straight from a path, without a run: no lineage.
          { run: null, source: 's3://models/home-feed-ranker/3' },
        ],
        aliases: { challenger: 2 },
      },
      {
        // MLflow 3: the model is a logged model; its evaluation metrics are logged against it, not the run.
        name: encoder,
        versions: [{ run: { user: 'dan', params: { embedding_dim: 128 } }, loggedModel: { name: 'encoder', params: { temperature: 0.07 }, metrics: { 'recall_at_100': 0.674 } } }],
      },
    ],
  });
});

afterAll(() => mlflow?.stop());

describe.each(databases.eachSupportedId())('MLflow sync against a real MLflow server, on %s', databaseId => {
  async function setup(pageSize = 100) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const audit = new DatabaseModelRailsStore(knex);
    const registry = new DatabaseRegistryStore(knex, audit);
    const status = new DatabaseSyncStatusStore(knex);
    const client = new MlflowClient({ baseUrl: mlflow.url, pageSize });
    const sync = new MlflowSync(
      client,
      registry,
      status,
      mockServices.logger.mock(),
      async () => new Map([[ranker, RANKER], [encoder, ENCODER]]),
      mlflow.url,
    );
    return { knex, registry, status, sync, client };
  }

  it('copies versions with their runs, parameters, metrics and training datasets, page by page', async () => {
    const { registry, sync, status } = await setup(1);
    const result = await sync.run();
    expect(result).toMatchObject({ versionsUnchanged: 0, problems: [] });
    expect(result!.versionsCreated).toBe(4);
    expect(result!.aliasMismatches).toContain(`${ranker}: MLflow challenger v2, ModelRails challenger none`);

    const [v3, v2, v1] = await registry.listVersions(RANKER);
    const runOf = (i: number) => populated.models[ranker][i].runId!;
    expect(v1).toMatchObject({
      version: '1',
      source: 'mlflow',
      creator: 'user:default/alice.moreau',
      codeCommit: 'abc1234def',
      metrics: { ndcg_at_20: 0.18 },
      hyperparameters: { learning_rate: 0.05, objective: 'lambdarank', early_stopping: true },
      artifact: { uri: `runs:/${runOf(0)}/model`, digest: `sha256:${'a'.repeat(64)}` },
      training: {
        run: { source: 'mlflow', id: runOf(0), experiment: populated.experimentId, url: `${mlflow.url}/#/experiments/${populated.experimentId}/runs/${runOf(0)}` },
        // The evaluation dataset is not training data; the URI comes out of MLflow's source JSON.
        datasets: [{ ref: 'resource:default/clickstream-events', uri: 's3://data/clickstream-events' }],
      },
      reproducible: true,
    });
    // MLflow's run times are int64 milliseconds: they arrive as real dates.
    expect(Date.parse(v1.training.run!.startedAt!)).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(v1.training.datasets[0].digest).toMatch(/^mlflow:[0-9a-f]{8}$/);
    expect(v2.training.datasets).toEqual([
      expect.objectContaining({ ref: 'resource:default/clickstream-events', uri: 's3://data/clickstream-events-v2' }),
      // An HTTP dataset's source is {"url": …}.
      expect.objectContaining({ ref: 'resource:default/orders', uri: 'https://data.example.com/orders.parquet' }),
    ]);
    expect(v2.artifact.digest).toMatch(/^unverified:[0-9a-f]{64}$/);
    expect(v3).toMatchObject({ version: '3', artifact: { uri: 's3://models/home-feed-ranker/3' }, reproducible: false, training: { datasets: [] } });
    expect(await status.get('mlflow')).toMatchObject({ ok: true, message: 'ok' });
  });

  it("reads MLflow 3 logged models: the version's model (from its models:/ source), its parameters and metrics", async () => {
    const { registry, sync } = await setup();
    await sync.run();
    const [encoderVersion] = await registry.listVersions(ENCODER);
    const { modelId, runId } = populated.models[encoder][0];
    expect(modelId).toMatch(/^m-[0-9a-f]{32}$/);
    expect(encoderVersion).toMatchObject({
      version: '1',
      artifact: { uri: `models:/${modelId}` },
      metrics: { recall_at_100: 0.674 },
      hyperparameters: { embedding_dim: 128, temperature: 0.07 },
      training: { run: { id: runId } },
    });
  });

  it('is idempotent: a second sync writes nothing', async () => {
    const { sync, knex } = await setup();
    await sync.run();
    const audit = Number((await knex('mlops_audit_log').count({ n: '*' }))[0].n);
    expect(await sync.run()).toMatchObject({ versionsCreated: 0, versionsUnchanged: 4 });
    expect(Number((await knex('mlops_audit_log').count({ n: '*' }))[0].n)).toBe(audit);
  });

  it('syncs one registered model at once (what a webhook asks for), and nothing for a model no entity follows', async () => {
    const { sync, registry } = await setup();
    expect(await sync.syncModel(encoder)).toMatchObject({ registeredModels: 1, versionsCreated: 1, problems: [] });
    expect(await registry.listVersions(RANKER)).toEqual([]);
    expect(await sync.syncModel('nobody_follows_this')).toBeUndefined();
  });

  it("moves an alias in the real server, and MLflow refuses one for a version it does not have", async () => {
    const { client } = await setup();
    await client.setAlias(ranker, 'champion', '1');
    expect((await client.registeredModel(ranker))!.aliases).toEqual(expect.arrayContaining([{ alias: 'champion', version: '1' }]));
    await expect(client.setAlias(ranker, 'champion', '99')).rejects.toMatchObject({ status: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST' });
    expect(await client.registeredModel(uniqueName('missing'))).toBeUndefined();
  });
});
