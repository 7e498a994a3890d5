import { mockServices } from '@backstage/backend-test-utils';
import fc from 'fast-check';
import { FakeMlflowServer } from '../__testUtils__/FakeMlflowServer';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { DatabaseModelRailsStore } from '../database/DatabaseModelRailsStore';
import { migrateDatabase } from '../migrations';
import { DatabaseRegistryStore } from '../registry/DatabaseRegistryStore';
import { MlflowClient, MlflowModelVersion, MlflowRun } from './MlflowClient';
import { MlflowSync } from './MlflowSync';
import { DatabaseSyncStatusStore } from './SyncStatusStore';

/*
 * Whatever an MLflow-speaking server sends for a version or a run — unknown fields, missing ones,
 * strings where numbers are documented, objects where strings are — the sync never crashes, never
 * records a failed sync for it, copies every well-formed version beside the mangled ones, and
 * names each version it skipped.
 */

jest.setTimeout(300_000);
const databases = createTestDatabases();
const MODEL = 'model:default/hostile-ranker';
const NAME = 'hostile_ranker';

const goodRun = (id: string, metric: number): MlflowRun => ({
  info: { run_id: id, experiment_id: '3', user_id: 'alice', status: 'FINISHED', start_time: 1_790_000_000_000, end_time: 1_790_000_360_000 },
  data: { metrics: [{ key: 'auc', value: metric, timestamp: 1_790_000_360_000, step: 0 }], params: [{ key: 'depth', value: '6' }], tags: [] },
  inputs: { dataset_inputs: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'clicks', digest: 'abcd1234', source_type: 's3', source: '{"uri": "s3://d/clicks"}' } }] },
});

const VERSION_FIELDS = ['creation_timestamp', 'last_updated_timestamp', 'user_id', 'source', 'run_id', 'run_link', 'tags', 'aliases', 'model_id', 'description', 'extra_field'] as const;
const RUN_PATHS = ['info.start_time', 'info.end_time', 'info.user_id', 'info.experiment_id', 'data.metrics', 'data.params', 'data.tags', 'inputs', 'inputs.dataset_inputs', 'data', 'info.extra'] as const;

function setPath(target: any, path: string, value: unknown) {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key];
  }
  at[keys[keys.length - 1]] = value;
}

/** A version (and its run) with some fields replaced by arbitrary JSON, or left well-formed. */
const versionSpec = fc.record({
  mangleVersion: fc.option(fc.record({ field: fc.constantFrom(...VERSION_FIELDS), value: fc.jsonValue({ maxDepth: 2 }) }), { nil: undefined }),
  mangleRun: fc.option(fc.record({ path: fc.constantFrom(...RUN_PATHS), value: fc.jsonValue({ maxDepth: 2 }) }), { nil: undefined }),
  int64AsString: fc.boolean(),
  metric: fc.double({ min: 0, max: 1, noNaN: true }),
});

describe.each(databases.eachSupportedId())('MLflow sync against hostile answers, on %s', databaseId => {
  it('never crashes, copies every well-formed version, and names what it skipped', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const audit = new DatabaseModelRailsStore(knex);
    const registry = new DatabaseRegistryStore(knex, audit);
    const status = new DatabaseSyncStatusStore(knex);
    const fake = new FakeMlflowServer();
    const baseUrl = await fake.start();
    let round = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(versionSpec, { minLength: 1, maxLength: 6 }), fc.boolean(), async (specs, int64AsStrings) => {
          round++;
          // Each round is a model of its own: versions of earlier rounds do not interfere.
          const modelRef = `${MODEL}-${round}`;
          const name = `${NAME}_${round}`;
          fake.int64AsStrings = int64AsStrings;
          fake.registeredModels = [{ name }];
          fake.modelVersions = [];
          fake.runs.clear();
          const wellFormed: string[] = [];
          specs.forEach((spec, i) => {
            const version = String(i + 1);
            const runId = `run-${round}-${version}`;
            const mv: MlflowModelVersion = { name, version, status: 'READY', source: `s3://m/${version}`, run_id: runId, creation_timestamp: spec.int64AsString ? '1790000000000' : 1_790_000_000_000 };
            const run = goodRun(runId, spec.metric);
            if (spec.mangleVersion) (mv as any)[spec.mangleVersion.field] = spec.mangleVersion.value;
            if (spec.mangleRun) setPath(run, spec.mangleRun.path, spec.mangleRun.value);
            fake.modelVersions.push(mv);
            fake.runs.set(runId, run);
            if (!spec.mangleVersion && !spec.mangleRun) wellFormed.push(version);
          });
          const sync = new MlflowSync(new MlflowClient({ baseUrl, pageSize: 2 }), registry, status, mockServices.logger.mock(), async () => new Map([[name, modelRef]]));
          const result = await sync.run();
          // The sync as a whole went through: MLflow answered, whatever it answered for each version.
          expect(result).toBeDefined();
          expect((await status.get('mlflow'))!.ok).toBe(true);
          const synced = await registry.listVersions(modelRef);
          for (const version of wellFormed) {
            const copied = synced.find(v => v.version === version);
            expect(copied).toMatchObject({ metrics: { auc: specs[Number(version) - 1].metric }, training: { run: { id: `run-${round}-${version}` } } });
            expect(copied!.createdAt).toBe(new Date(1_790_000_000_000).toISOString());
          }
          // Every version is accounted for: copied, or named with the reason it was skipped.
          const skipped = new Set(result!.problems.map(p => p.version));
          for (const [i] of specs.entries()) {
            const version = String(i + 1);
            const accounted = synced.some(v => v.version === version) || skipped.has(version);
            expect({ version, accounted }).toEqual({ version, accounted: true });
          }
          // No stored time is an invalid date, whatever MLflow sent for it.
          const dates = synced.flatMap(v => [v.createdAt, v.training.run?.startedAt, v.training.run?.finishedAt]).filter((d): d is string => d !== undefined);
          expect(dates.filter(d => Number.isNaN(Date.parse(d)))).toEqual([]);
        }),
        { numRuns: databaseId === 'SQLITE_3' ? 60 : 25, seed: 4242 },
      );
    } finally {
      await fake.stop();
    }
  });
});
