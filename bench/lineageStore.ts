/*
 * Lineage query over a generated 2,000-node graph, on the real store (DatabaseLineageStore) on
 * SQLite and, when BENCH_POSTGRES_URL is set, on PostgreSQL. Prints the median beside the target
 * (100 ms) and beside a reference measured in the same run on the same database: one indexed
 * single-row lookup, the cheapest round trip the store makes.
 */
import knexFactory, { Knex } from 'knex';
import { performance } from 'node:perf_hooks';
import { DatabaseModelRailsStore } from '../plugins/mlops-backend/src/database/DatabaseModelRailsStore';
import { migrateDatabase } from '../plugins/mlops-backend/src/migrations';
import { DatabaseRegistryStore } from '../plugins/mlops-backend/src/registry/DatabaseRegistryStore';
import { DatabaseLineageStore } from '../plugins/mlops-backend/src/lineage/DatabaseLineageStore';
import { benchVersions, datasetOf, DATASETS } from './lineageGraph';

const RUNS = 31;
const TARGET_MS = 100;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time(fn: () => Promise<unknown>) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function bench(name: string, knex: Knex) {
  await migrateDatabase({ getClient: async () => knex } as any);
  const store = new DatabaseRegistryStore(knex, new DatabaseModelRailsStore(knex));
  const lineage = new DatabaseLineageStore(knex);
  const t0 = performance.now();
  for (const v of benchVersions()) await store.upsertVersion(v, 'bench');
  const loadS = (performance.now() - t0) / 1000;

  const rootOf = (i: number) => {
    const d = datasetOf((i * 97) % DATASETS);
    return `dataset:${d.ref}@${d.version}`;
  };
  const first = await lineage.lineage(rootOf(0), 10);
  const nodes = first!.nodes.length;

  const lookups: number[] = [];
  const queries: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    lookups.push(await time(() => knex('mlops_model_versions').where({ model_ref: 'model:default/home-feed-ranker', version: `bench-${i * 6}` }).first('id')));
    queries.push(await time(() => lineage.lineage(rootOf(i), 10)));
  }
  const q = median(queries);
  const ref = median(lookups);
  console.log(
    `lineage ${name.padEnd(10)} nodes=${nodes} edges=${first!.edges.length} truncated=${first!.truncated} ` +
      `median=${q.toFixed(1)} ms  target=${TARGET_MS} ms  median/target=${(q / TARGET_MS).toFixed(2)}  ` +
      `reference(indexed lookup)=${ref.toFixed(3)} ms  median/reference=${(q / ref).toFixed(0)}  (load ${loadS.toFixed(1)} s)`,
  );
  await knex.destroy();
}

async function main() {
  await bench('sqlite', knexFactory({ client: 'better-sqlite3', connection: ':memory:', useNullAsDefault: true }));
  const pg = process.env.BENCH_POSTGRES_URL;
  if (pg) {
    const admin = knexFactory({ client: 'pg', connection: pg });
    await admin.raw('drop database if exists mlops_bench');
    await admin.raw('create database mlops_bench');
    await admin.destroy();
    await bench('postgresql', knexFactory({ client: 'pg', connection: `${pg}/mlops_bench` }));
  } else {
    console.log('lineage postgresql skipped: BENCH_POSTGRES_URL not set (bench/run.mjs starts a server)');
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
