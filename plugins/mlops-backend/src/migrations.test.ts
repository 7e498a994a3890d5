import { mockServices } from '@backstage/backend-test-utils';
import { knex as makeKnex } from 'knex';
import { createTestDatabases } from './__testUtils__/testDatabases';
import { completedMigrations, migrationFiles } from './database/migrations';
import { DatabaseModelRailsStore } from './database/DatabaseModelRailsStore';
import { DatabaseRegistryStore } from './registry/DatabaseRegistryStore';
import { DatabasePromotionStore } from './promotion/DatabasePromotionStore';
import { DatabaseTelemetryStore } from './telemetry/DatabaseTelemetryStore';
import { migrateDatabase, STORE_MIGRATIONS } from './migrations';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';

describe.each(databases.eachSupportedId())('store migrations on %s', databaseId => {
  const service = (knex: any) => mockServices.database({ knex, migrations: { skip: false } });

  it('gives every store its own folder and history table, and runs each file once', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(service(knex));
    for (const migrations of STORE_MIGRATIONS) {
      const history = await knex(migrations.tableName).orderBy('id').pluck('name');
      expect(history).toEqual(migrationFiles(migrations));
    }
    // Nothing is recorded in knex's shared table, and a second start runs nothing.
    expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
    const before = await completedMigrations(knex, STORE_MIGRATIONS);
    await migrateDatabase(service(knex));
    expect(await completedMigrations(knex, STORE_MIGRATIONS)).toEqual(before);
    expect(before).toEqual(STORE_MIGRATIONS.flatMap(migrationFiles).sort());
  });

  it('lets a store be created alone, after the stores its tables point at', async () => {
    const knex = await databases.init(databaseId);
    const audit = await DatabaseModelRailsStore.create({ database: service(knex) });
    const registry = await DatabaseRegistryStore.create({ database: service(knex), audit });
    const promotions = await DatabasePromotionStore.create({ database: service(knex), audit });
    await registry.registerVersion(
      { modelRef: MODEL, version: '17', artifact: { uri: 's3://models/17', digest: `sha256:${'a'.repeat(64)}` }, hyperparameters: {}, metrics: {}, datasets: [], featureSets: [], creator: 'service:ci', source: 'ci' },
      'service:ci',
    );
    // The promotion points at the registry's version row: the registry's tables came first.
    await promotions.request({ modelRef: MODEL, version: '17', environment: 'production', requestedBy: 'user:default/alice' });
    expect((await promotions.list({ modelRef: MODEL })).map(p => p.version)).toEqual(['17']);
    expect(await knex.schema.hasTable('mlops_prediction_events')).toBe(false);
    await DatabaseTelemetryStore.create({ database: service(knex) });
    expect(await knex.schema.hasTable('mlops_prediction_events')).toBe(true);
  });

  it('adopts the history of a database migrated when every migration was recorded in one shared table, keeping its rows', async () => {
    const knex = await databases.init(databaseId);
    // The layout before stores owned their migrations: every file, in name order, in knex_migrations.
    await knex.migrate.latest({ directory: STORE_MIGRATIONS.map(m => m.directory) });
    const shared = await knex('knex_migrations').orderBy('id').pluck('name');
    expect(shared).toEqual(STORE_MIGRATIONS.flatMap(migrationFiles).sort());
    await knex('mlops_audit_log').insert({ occurred_at: new Date(), actor_ref: 'user:default/alice', action: 'version.register', entity_ref: MODEL, details: '{}' });

    // Every migration would fail if it ran again (its tables exist): adopting the history is what lets this pass.
    await migrateDatabase(service(knex));
    for (const migrations of STORE_MIGRATIONS) {
      expect(await knex(migrations.tableName).pluck('name')).toEqual(migrationFiles(migrations));
    }
    expect(Number((await knex('mlops_audit_log').count({ n: '*' }))[0].n)).toBe(1);
    await expect(new DatabaseModelRailsStore(knex, STORE_MIGRATIONS).health()).resolves.toMatchObject({ reachable: true, migrations: shared.slice().sort() });
  });
});

describe.each(databases.eachSupportedId())('summaries stored as bytes on %s', databaseId => {
  it('reads the JSON rows stored before, and merges into them as bytes', async () => {
    const knex = await databases.init(databaseId);
    const telemetry = STORE_MIGRATIONS.find(m => m.tableName === 'mlops_telemetry_migrations')!;
    const config = { directory: telemetry.directory, tableName: telemetry.tableName, loadExtensions: ['.js'] };
    // The telemetry store's migrations up to the byte form, then a row as it was stored: JSON text.
    for (const name of migrationFiles(telemetry).filter(file => file < '20261202050000')) expect((await knex.migrate.up(config))[1]).toEqual([name]);
    const row = { model_ref: MODEL, version: '17', layout_version: '', segment: '*', feature: '__events', bucket_ms: 300_000, bucket_start: 600_000 };
    await knex('mlops_summaries').insert({ ...row, summary: JSON.stringify({ kind: 'events', n: 40, errors: 2 }) });
    await knex.migrate.latest(config);

    const store = new DatabaseTelemetryStore(knex);
    const read = async () => (await store.readSummaries({ modelRef: MODEL, from: 600_000, to: 900_000 }))[0].summary;
    expect(await read()).toEqual({ kind: 'events', n: 40, errors: 2 });
    await store.commitProfiles('b1', [{ source: 's', sequence: 1, bucketStart: 600_000, deltas: [{ modelRef: MODEL, version: '17', segment: '*', feature: '__events', bucketStart: 600_000, layoutVersion: null, summary: { kind: 'events', n: 5, errors: 1 } }] }]);
    expect(await read()).toEqual({ kind: 'events', n: 45, errors: 3 });
    expect(await store.compactSummaries()).toBe(3); // 5-minute, hour and day rows
    expect(await read()).toEqual({ kind: 'events', n: 45, errors: 3 });
    const [stored] = await knex('mlops_summaries').where({ ...row }).pluck('summary');
    expect(Buffer.isBuffer(stored)).toBe(true);
    expect(stored[0]).not.toBe(0x7b); // bytes now, not JSON
  });
});

describe('replicas starting at the same moment', () => {
  // Three backends started together on an empty PostgreSQL database, each with its own pool, as three
  // replicas are: every store is migrated once, and every replica starts.
  const postgres = databases.eachSupportedId().map(([id]) => id).filter(id => id.startsWith('POSTGRES'));
  for (const databaseId of postgres) it(`migrate an empty database once, all of them starting, on ${databaseId}`, async () => {
    const first = await databases.init(databaseId);
    const replicas = [first, ...[1, 2].map(() => makeKnex({ client: first.client.config.client, connection: first.client.config.connection, pool: { min: 0, max: 4 } }))];
    try {
      await Promise.all(replicas.map(knex => migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }))));
      for (const migrations of STORE_MIGRATIONS) {
        expect(await first(migrations.tableName).orderBy('id').pluck('name')).toEqual(migrationFiles(migrations));
      }
    } finally {
      await Promise.all(replicas.slice(1).map(knex => knex.destroy()));
    }
  });
});
