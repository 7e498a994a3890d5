/*
 * Ingestion throughput (issue #5 targets: ≥ 100k events/s into PostgreSQL, ≥ 180k into SQLite,
 * idempotency on), through TelemetryService.ingestPredictions: validation, the idempotent insert
 * of every event, per-bucket summaries of 4 features × (all traffic + 3 platform segments).
 * Reference measured in the same run on the same database: a bare multi-row insert of the same
 * rows into a table without keys or summaries (what the database does at best).
 */
import { Knex } from 'knex';
import { openSqlite, withPostgres } from './databases';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { performance } from 'node:perf_hooks';
import { migrateDatabase } from '../plugins/mlops-backend/src/migrations';
import { DatabaseTelemetryStore } from '../plugins/mlops-backend/src/telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService, TelemetryService } from '../plugins/mlops-backend/src/telemetry/TelemetryService';
import { toWire, trainingProfile, TrafficSimulator } from '../plugins/mlops-backend/src/demo/simulation';

const MODEL = 'model:default/home-feed-ranker';
const BATCH = 10_000;
const BATCHES = Number(process.env.BENCH_INGEST_BATCHES ?? 30);
/** Passes per database, each on an empty database: this VM's runs vary by ±10 %, so the median counts. */
const PASSES = Number(process.env.BENCH_INGEST_PASSES ?? 3);

type Pass = { ours: number; raw?: number; redelivery: number; readded: number };

async function bench(knex: Knex): Promise<Pass> {
  await migrateDatabase({ getClient: async () => knex } as any);
  const store = new DatabaseTelemetryStore(knex);
  const policy = modelPolicySchema.parse({ drift: { segments: ['platform'] } });
  const telemetry = new DefaultTelemetryService({ store, policies: async () => policy, rawSampleRate: 0.01 });
  await telemetry.putReferenceProfile(MODEL, '17', trainingProfile(1));
  const now = Date.now();
  const sim = new TrafficSimulator(MODEL, 'bench', 1);
  // Request bodies as they arrive: parsing them is part of ingestion, serialising them is the
  // sender's. Only the strings are kept, as a server would not hold earlier batches' objects.
  const bodies = Array.from({ length: BATCHES }, (_, b) =>
    JSON.stringify({
      batchId: `bench-${b}`,
      source: 'bench',
      events: toWire(sim.events('17', BATCH, now - 3600_000 + b * 60_000, now - 3600_000 + (b + 1) * 60_000)),
    }),
  );
  // Warm up the JIT and the caches on a separate source.
  const warm = new TrafficSimulator(MODEL, 'warm', 2);
  await telemetry.ingestPredictions({ batchId: 'warm', source: 'warm', events: toWire(warm.events('17', BATCH, now - 7200_000, now - 7100_000)) });

  const t0 = performance.now();
  for (const body of bodies) await telemetry.ingestPredictions(JSON.parse(body));
  const ours = (BATCHES * BATCH) / ((performance.now() - t0) / 1000);
  // Redelivering everything must add nothing (and shows what a duplicate costs).
  const t1 = performance.now();
  let added = 0;
  for (const body of bodies) {
    const b = JSON.parse(body);
    added += (await telemetry.ingestPredictions({ ...b, batchId: `${b.batchId}-again` })).accepted;
  }
  const dupRate = (BATCHES * BATCH) / ((performance.now() - t1) / 1000);

  if (process.env.BENCH_INGEST_ONLY) return { ours, redelivery: dupRate, readded: added };
  await knex.schema.dropTableIfExists('bench_raw');
  await knex.schema.createTable('bench_raw', t => {
    for (const c of ['source', 'model_ref', 'version', 'request_id', 'segment']) t.text(c);
    t.bigInteger('sequence');
    t.bigInteger('occurred_at');
    t.double('score');
    t.double('latency_ms');
    t.boolean('error');
  });
  const rows = bodies.flatMap(body =>
    (JSON.parse(body).events as ReturnType<typeof toWire>).map(e => ({
      source: 'bench', model_ref: MODEL, version: '17', request_id: e.requestId, segment: JSON.stringify(e.segment),
      sequence: e.sequence, occurred_at: e.time, score: e.score, latency_ms: e.latencyMs, error: e.error,
    })),
  );
  const t2 = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) {
    await knex.transaction(async tx => {
      // 450 rows per statement: SQLite caps compound SELECTs (knex's multi-row insert) at 500 terms.
      for (let j = i; j < i + BATCH; j += 450) await tx('bench_raw').insert(rows.slice(j, Math.min(j + 450, i + BATCH)));
    });
  }
  const raw = rows.length / ((performance.now() - t2) / 1000);
  return { ours, raw, redelivery: dupRate, readded: added };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rate = (x: number) => Math.round(x).toLocaleString();

/** Runs the passes, each on a database from `fresh`, and prints the median beside the target. */
async function report(name: string, target: number, fresh: () => Promise<{ knex: Knex; dispose(): Promise<void> }>) {
  const passes: Pass[] = [];
  for (let i = 0; i < PASSES; i++) {
    const { knex, dispose } = await fresh();
    try {
      passes.push(await bench(knex));
    } finally {
      await dispose();
    }
  }
  const ours = median(passes.map(p => p.ours));
  const range = `${rate(Math.min(...passes.map(p => p.ours)))}–${rate(Math.max(...passes.map(p => p.ours)))}`;
  const raws = passes.flatMap(p => (p.raw ? [p.raw] : []));
  const reference = raws.length ? `   bare insert ${rate(median(raws))} rows/s → ${(ours / median(raws)).toFixed(2)}× of it` : '';
  console.log(
    `  ${name.padEnd(11)} ${rate(ours).padStart(9)} events/s (median of ${PASSES}; ${range})   target ≥ ${target.toLocaleString()} (${ours >= target ? 'meets' : 'MISSES'})` +
      `${reference}   redelivery ${rate(median(passes.map(p => p.redelivery)))} events/s, ${passes.reduce((n, p) => n + p.readded, 0)} re-added`,
  );
}

async function main() {
  console.log(`\nIngestion, ${BATCHES} batches of ${BATCH.toLocaleString()} events (idempotent, summarised), NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''}`);
  await report('SQLite', 180_000, openSqlite);
  if (!(await withPostgres(open => report('PostgreSQL', 100_000, open)))) console.log('  PostgreSQL  skipped (no BENCH_POSTGRES_URL)');
}

main().catch(e => {
  console.error(String(e.message ?? e).slice(0, 500));
  process.exit(1);
});
