import { mockServices } from '@backstage/backend-test-utils';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DatabaseRegistryStore } from './DatabaseRegistryStore';
import { NewModelVersion } from './RegistryStore';
import { DatabaseLineageStore } from '../lineage/DatabaseLineageStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const digest = (c: string) => `sha256:${c.repeat(64).slice(0, 64)}`;

function version(v: string, overrides: Partial<NewModelVersion> = {}): NewModelVersion {
  return {
    modelRef: MODEL,
    version: v,
    artifact: { uri: `s3://models/home-feed-ranker/${v}/model.txt`, digest: digest('a') },
    codeCommit: '3f2c1a9',
    hyperparameters: { learning_rate: 0.05, num_leaves: 63, objective: 'lambdarank' },
    metrics: { 'ndcg@20': 0.186 },
    run: { source: 'ci', id: `train-${v}`, url: `https://ci.example.com/runs/${v}` },
    datasets: [
      { ref: 'resource:default/clickstream-events', version: '2026-11-01', digest: digest('1') },
      { ref: 'resource:default/orders', version: '2026-11-01', digest: digest('2') },
    ],
    featureSets: [{ ref: 'resource:default/user-features', version: 'v7', schema: { user_country: 'string' } }],
    creator: 'user:default/alice',
    source: 'ci',
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())('DatabaseRegistryStore on %s', databaseId => {
  async function create() {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const audit = new DatabaseModelRailsStore(knex);
    return { knex, audit, store: new DatabaseRegistryStore(knex, audit), lineage: new DatabaseLineageStore(knex) };
  }

  it('registers a version with its whole lineage record and an audit row', async () => {
    const { store, audit } = await create();
    const created = await store.registerVersion(version('12'), 'service:ci');
    expect(created).toMatchObject({
      modelRef: MODEL,
      version: '12',
      artifact: { uri: 's3://models/home-feed-ranker/12/model.txt', digest: digest('a') },
      codeCommit: '3f2c1a9',
      hyperparameters: { learning_rate: 0.05, num_leaves: 63, objective: 'lambdarank' },
      metrics: { 'ndcg@20': 0.186 },
      training: {
        run: { source: 'ci', id: 'train-12', url: 'https://ci.example.com/runs/12' },
        datasets: [
          { ref: 'resource:default/clickstream-events', version: '2026-11-01', digest: digest('1') },
          { ref: 'resource:default/orders', version: '2026-11-01', digest: digest('2') },
        ],
      },
      featureSets: [{ ref: 'resource:default/user-features', version: 'v7', schema: { user_country: 'string' } }],
      creator: 'user:default/alice',
      reproducible: true,
      aliases: [],
      deployments: [],
    });
    expect(await store.getVersion(MODEL, '12')).toEqual(created);
    const [row] = await audit.listAudit({ entityRef: MODEL });
    expect(row).toMatchObject({ action: 'version.register', actorRef: 'service:ci', details: { version: '12' } });
  });

  it('marks a version without dataset versions as not reproducible', async () => {
    const { store } = await create();
    const v = await store.registerVersion(version('3', { run: undefined, datasets: [] }), 'service:ci');
    expect(v.reproducible).toBe(false);
    expect(v.training).toEqual({ datasets: [] });
  });

  it('refuses a duplicate version with a conflict and changes nothing', async () => {
    const { store, knex } = await create();
    await store.registerVersion(version('12'), 'service:ci');
    const counts = async () =>
      Object.fromEntries(
        await Promise.all(
          ['mlops_model_versions', 'mlops_dataset_versions', 'mlops_training_runs', 'mlops_run_inputs', 'mlops_audit_log'].map(
            async t => [t, Number((await knex(t).count({ n: '*' }))[0].n)],
          ),
        ),
      );
    const before = await counts();
    await expect(store.registerVersion(version('12', { metrics: { 'ndcg@20': 0.2 } }), 'service:ci')).rejects.toMatchObject({
      name: 'ConflictError',
    });
    expect(await counts()).toEqual(before);
  });

  it('refuses a dataset version whose digest changed, leaving nothing half-written', async () => {
    const { store, knex } = await create();
    await store.registerVersion(version('12'), 'service:ci');
    const tampered = version('13', {
      datasets: [
        { ref: 'resource:default/impressions-log', version: '2026-11-02', digest: digest('9') },
        { ref: 'resource:default/orders', version: '2026-11-01', digest: digest('3') },
      ],
    });
    await expect(store.registerVersion(tampered, 'service:ci')).rejects.toThrow(/registered with digest/);
    expect(await store.getVersion(MODEL, '13')).toBeUndefined();
    expect(await knex('mlops_dataset_versions').where({ dataset_ref: 'resource:default/impressions-log' })).toEqual([]);
    expect(await knex('mlops_training_runs').where({ run_id: 'train-13' })).toEqual([]);
  });

  it('upserts idempotently', async () => {
    const { store, knex } = await create();
    const first = await store.upsertVersion(version('12', { source: 'mlflow', run: { source: 'mlflow', id: 'abc' } }), 'plugin:mlops');
    const again = await store.upsertVersion(version('12', { source: 'mlflow', run: { source: 'mlflow', id: 'abc' } }), 'plugin:mlops');
    expect(first.created).toBe(true);
    expect(again).toEqual({ version: first.version, created: false });
    expect(Number((await knex('mlops_model_versions').count({ n: '*' }))[0].n)).toBe(1);
  });

  it('lets exactly one of many concurrent registrations of a version win', async () => {
    const { store } = await create();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.registerVersion(version('20', { metrics: { 'ndcg@20': i } }), 'service:ci')),
    );
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason.name).toBe('ConflictError');
    }
    expect(await store.listVersions(MODEL)).toHaveLength(1);
  });

  it('keeps aliases unique per model and deployments per target', async () => {
    const { store } = await create();
    await store.registerVersion(version('11', { createdAt: new Date('2026-11-01T00:00:00Z') }), 'service:ci');
    await store.registerVersion(version('12', { createdAt: new Date('2026-11-08T00:00:00Z') }), 'service:ci');
    await store.setAlias(MODEL, 'champion', '11', 'user:default/bob');
    await store.setAlias(MODEL, 'champion', '12', 'user:default/bob');
    await store.setAlias(MODEL, 'standby', '11', 'user:default/bob');
    const target = { environment: 'production', cluster: 'eu-1', namespace: 'ranking' };
    await store.setDeployment(MODEL, '12', { ...target, trafficWeight: 95 }, 'plugin:mlops');
    await store.setDeployment(MODEL, '12', { ...target, trafficWeight: 100 }, 'plugin:mlops');
    await store.setDeployment(MODEL, '12', { environment: 'staging', cluster: 'eu-1', namespace: 'ranking', trafficWeight: 100 }, 'plugin:mlops');

    const [v12, v11] = await store.listVersions(MODEL);
    expect([v12.version, v11.version]).toEqual(['12', '11']);
    expect(v12.aliases).toEqual(['champion']);
    expect(v11.aliases).toEqual(['standby']);
    expect(v12.deployments.map(d => [d.environment, d.trafficWeight])).toEqual([
      ['production', 100],
      ['staging', 100],
    ]);
  });

  it('walks lineage both ways within the depth bound and says when it cut the graph off', async () => {
    const { store, lineage } = await create();
    await store.registerVersion(version('12'), 'service:ci');
    await store.setDeployment(MODEL, '12', { environment: 'production', cluster: 'eu-1', namespace: 'ranking', trafficWeight: 100 }, 'x');

    const full = await lineage.lineage('dataset:resource:default/clickstream-events@2026-11-01', 3);
    expect(full!.truncated).toBe(false);
    expect(full!.nodes.map(n => n.id).sort()).toEqual(
      [
        'dataset:resource:default/clickstream-events@2026-11-01',
        'dataset:resource:default/orders@2026-11-01',
        'run:ci:train-12',
        `model:${MODEL}@12`,
        `deployment:${MODEL}@12/production/eu-1/ranking`,
      ].sort(),
    );
    expect(full!.edges).toHaveLength(4);
    expect(full!.edges).toContainEqual({ from: 'run:ci:train-12', to: `model:${MODEL}@12` });
    expect(full!.edges).toContainEqual({ from: `model:${MODEL}@12`, to: `deployment:${MODEL}@12/production/eu-1/ranking` });
    const deployment = full!.nodes.find(n => n.kind === 'deployment')!;
    expect(deployment.attributes.trafficWeight).toBe(100);

    const cut = await lineage.lineage('dataset:resource:default/clickstream-events@2026-11-01', 1);
    expect(cut!.truncated).toBe(true);
    expect(cut!.nodes.map(n => n.kind).sort()).toEqual(['dataset-version', 'training-run']);

    const fromModel = await lineage.lineage(`model:${MODEL}@12`, 2);
    expect(fromModel!.root).toBe(`model:${MODEL}@12`);
    expect(fromModel!.nodes).toHaveLength(5);
    expect(await lineage.lineage('dataset:resource:default/nothing@1', 3)).toBeUndefined();
    expect(await lineage.lineage('bogus', 3)).toBeUndefined();
  });

  it('answers which model versions a dataset version trained, and which of them serve traffic', async () => {
    const { store, lineage } = await create();
    await store.registerVersion(version('11', { createdAt: new Date('2026-11-01T00:00:00Z') }), 'service:ci');
    await store.registerVersion(version('12', { createdAt: new Date('2026-11-08T00:00:00Z') }), 'service:ci');
    await store.registerVersion(
      version('1', { modelRef: 'model:default/related-items-ranker', run: { source: 'ci', id: 'related-1' }, datasets: [version('x').datasets[0]] }),
      'service:ci',
    );
    await store.setDeployment(MODEL, '12', { environment: 'production', cluster: 'eu-1', namespace: 'ranking', trafficWeight: 100 }, 'x');
    await store.setDeployment(MODEL, '11', { environment: 'production', cluster: 'eu-1', namespace: 'ranking', trafficWeight: 0 }, 'x');

    const consumers = await lineage.datasetConsumers('resource:default/clickstream-events', '2026-11-01');
    expect(consumers!.dataset.digest).toBe(digest('1'));
    expect(consumers!.models.map(m => [m.modelRef, m.version, m.serving])).toEqual([
      [MODEL, '12', true],
      [MODEL, '11', false],
      ['model:default/related-items-ranker', '1', false],
    ]);
    expect(await lineage.datasetConsumers('resource:default/clickstream-events', 'nope')).toBeUndefined();
  });
});
