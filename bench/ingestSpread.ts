/*
 * Ingestion of batches that span many 5-minute buckets (issue: production topology; a late sender,
 * a fleet catching up after an outage): the 50-feature benchmark model (3 platform segments),
 * batches of 2,000 events, each either inside one bucket or spread over 100 buckets (8 h 20 min).
 * Target: the spread batches at ≥ 50 % of the one-bucket rate. Printed per database: both rates,
 * the ratio, and the summary rows each batch touches (what a spread batch costs more).
 * Reference in the same run: the one-bucket batches of the same events.
 */
import { Knex } from 'knex';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { performance } from 'node:perf_hooks';
import { migrateDatabase } from '../plugins/mlops-backend/src/migrations';
import { DatabaseTelemetryStore } from '../plugins/mlops-backend/src/telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService } from '../plugins/mlops-backend/src/telemetry/TelemetryService';
import { openSqlite, withPostgres } from './databases';
import { eventAt, MODEL, random, trainingProfile } from './fixtures/driftBenchTraffic';

const BATCH = 2_000;
const BATCHES = Number(process.env.BENCH_SPREAD_BATCHES ?? 20);
const BUCKETS = 100;
const BUCKET_MS = 300_000;
const TARGET = 0.5;

async function measure(knex: Knex, spread: boolean) {
  await migrateDatabase({ getClient: async () => knex } as any);
  const store = new DatabaseTelemetryStore(knex);
  const policy = modelPolicySchema.parse({ drift: { segments: ['platform'] } });
  const telemetry = new DefaultTelemetryService({ store, policies: async () => policy, rawSampleRate: 0.01 });
  await telemetry.putReferenceProfile(MODEL, '1', trainingProfile() as any);
  const r = random(11);
  const end = Math.floor(Date.now() / BUCKET_MS) * BUCKET_MS - BUCKET_MS;
  const start = end - BUCKETS * BUCKET_MS;
  let sequence = 0;
  // Batch b: one bucket of its own (b-th of the span), or every bucket of the span.
  const body = (b: number) => {
    const events = Array.from({ length: BATCH }, (_, i) => {
      sequence++;
      const time = spread ? start + Math.floor(((i + 0.5) / BATCH) * BUCKETS * BUCKET_MS) + b : start + (b % BUCKETS) * BUCKET_MS + Math.floor(((i + 0.5) / BATCH) * BUCKET_MS);
      return eventAt(r, `req-${sequence}`, sequence, time, 5);
    });
    return JSON.stringify({ batchId: `b-${b}`, source: 'pod-1', events });
  };
  const bodies = Array.from({ length: BATCHES + 1 }, (_, b) => body(b));
  // The first batch warms the JIT and creates the rows; the rest merge into stored rows.
  await telemetry.ingestPredictions(JSON.parse(bodies[0]));
  const summaryRows = async () => {
    let n = 0;
    for (const table of ['mlops_summaries', 'mlops_summary_deltas']) n += Number((await knex(table).count({ n: '*' }))[0].n);
    return n;
  };
  const rowsBefore = await summaryRows();
  const t0 = performance.now();
  for (const b of bodies.slice(1)) await telemetry.ingestPredictions(JSON.parse(b));
  const seconds = (performance.now() - t0) / 1000;
  const rowsAfter = await summaryRows();
  // Appended, not merged: each batch adds the rows it touches (compaction folds them later).
  return { rate: (BATCHES * BATCH) / seconds, rowsTouchedPerBatch: Math.round((rowsAfter - rowsBefore) / BATCHES) };
}

async function report(name: string, open: () => Promise<{ knex: Knex; dispose(): Promise<void> }>) {
  const run = async (spread: boolean) => {
    const { knex, dispose } = await open();
    try {
      return await measure(knex, spread);
    } finally {
      await dispose();
    }
  };
  const one = await run(false);
  const spread = await run(true);
  const ratio = spread.rate / one.rate;
  console.log(
    `  ${name.padEnd(11)} one bucket ${Math.round(one.rate).toLocaleString()} events/s; over ${BUCKETS} buckets ${Math.round(spread.rate).toLocaleString()} events/s ` +
      `(≈ ${spread.rowsTouchedPerBatch.toLocaleString()} summary rows per batch) → ${(100 * ratio).toFixed(0)} % of it, target ≥ ${100 * TARGET} % (${ratio >= TARGET ? 'meets' : 'MISSES'})`,
  );
}

async function main() {
  console.log(`\nIngestion spread over many buckets: ${BATCHES} batches of ${BATCH.toLocaleString()} events of the 50-feature model, NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''}`);
  await report('SQLite', openSqlite);
  if (!(await withPostgres(open => report('PostgreSQL', open)))) console.log('  PostgreSQL  skipped (no BENCH_POSTGRES_URL)');
}

main().catch(e => {
  console.error(String(e.message ?? e).slice(0, 500));
  process.exit(1);
});
