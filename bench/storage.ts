/*
 * Storage per model-day (issue: production topology, target ≤ 1 MB per model-day for a 50-feature
 * model at the demo's traffic): one day of the benchmark model's telemetry (50 features, 3 platform
 * segments) at 3 predictions/s, 259,200 events, ingested through the telemetry service into a SQLite
 * file and a PostgreSQL database, then the bytes each table and its indexes hold. Printed: raw
 * events, summaries (and the summaries' stored payload per resolution), and what a model keeps at
 * the default retention (raw 7 days; 5-minute rows 2 days, hourly 30, daily 90; hourly and daily
 * rows deflated once older than the 5-minute rows, as the retention task keeps them), beside the target.
 * Reference in the same run: the same events as JSON lines (what a log of them would take).
 */
import { performance } from 'node:perf_hooks';
import { Knex } from 'knex';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { migrateDatabase } from '../plugins/mlops-backend/src/migrations';
import { DatabaseTelemetryStore } from '../plugins/mlops-backend/src/telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService } from '../plugins/mlops-backend/src/telemetry/TelemetryService';
import { decodeStored, encodeStored } from '../plugins/mlops-backend/src/stats/summaryCodec';
import { openSqlite, withPostgres } from './databases';
import { eventAt, MODEL, random, trainingProfile } from './fixtures/driftBenchTraffic';

const PER_SECOND = Number(process.env.BENCH_STORAGE_RATE ?? 3);
const DAY = 86_400_000;
const RAW_DAYS = 7;
/** Days each resolution's rows are kept by default (mlops.telemetry.*Retention). */
const KEPT_DAYS: Record<number, number> = { 300000: 2, 3600000: 30, 86400000: 90 };
const SUMMARY_DAYS = 90;
const TARGET_BYTES = 1_000_000;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

async function fill(knex: Knex) {
  await migrateDatabase({ getClient: async () => knex } as any);
  const store = new DatabaseTelemetryStore(knex);
  const policy = modelPolicySchema.parse({ drift: { segments: ['platform'] } });
  const telemetry = new DefaultTelemetryService({ store, policies: async () => policy, rawSampleRate: 0.01 });
  await telemetry.putReferenceProfile(MODEL, '1', trainingProfile() as any);
  const r = random(7);
  const end = Date.now();
  const start = end - DAY;
  const total = Math.round((DAY / 1000) * PER_SECOND);
  let jsonBytes = 0;
  // As serving sends it: a batch a minute (180 events at 3/s), in time order.
  const perBatch = PER_SECOND * 60;
  for (let b = 0; b * perBatch < total; b++) {
    const events = Array.from({ length: Math.min(perBatch, total - b * perBatch) }, (_, i) => {
      const sequence = b * perBatch + i + 1;
      return eventAt(r, `req-${sequence}`, sequence, start + Math.floor((sequence / total) * DAY), 5);
    });
    for (const e of events) jsonBytes += Buffer.byteLength(JSON.stringify(e)) + 1;
    await telemetry.ingestPredictions({ batchId: `b-${b}`, source: 'pod-1', events });
    // As the compaction task does every 10 seconds in the backend (about three batches here).
    if (b % 3 === 2) await store.compactSummaries();
  }
  await store.compactSummaries();
  // What the retention task does to hourly and daily rows once the 5-minute rows of their time are
  // gone (48 h on): they are kept deflated for the rest of their retention.
  await store.compressSummaries(end + 2 * DAY, Infinity);
  return { events: total, jsonBytes };
}

/** What the size measurement found worth saying, printed with the database's figures. */
const notes: string[] = [];

/** Bytes of each table with its indexes. */
async function tableBytes(knex: Knex, tables: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  if (String(knex.client.config.client).includes('pg')) {
    // Each merge writes a new row version: what a day of updates leaves is counted, then what the
    // live rows take (VACUUM FULL); autovacuum makes the difference reusable, not smaller.
    await knex.raw('vacuum analyze');
    const sizes = async () => Object.fromEntries(await Promise.all(tables.map(async t => [t, Number((await knex.raw('select pg_total_relation_size(?) as n', [t])).rows[0].n)])));
    const before = await sizes();
    await knex.raw('vacuum full');
    const live = await sizes();
    notes.push(`summaries ${mb(before.mlops_summaries)} with the row versions a day of merges leaves, ${mb(live.mlops_summaries)} live after VACUUM FULL (counted here: live)`);
    Object.assign(out, live);
  } else {
    await knex.raw('pragma wal_checkpoint(truncate)');
    // dbstat: every page of each table and of the indexes on it.
    const rows = await knex.raw("select name, tbl_name from sqlite_master where type in ('table', 'index')");
    const owner = new Map<string, string>(rows.map((row: any) => [row.name, row.tbl_name]));
    for (const { name, bytes } of await knex.raw('select name, sum(pgsize) as bytes from dbstat group by name')) {
      const t = owner.get(name) ?? name;
      if (tables.includes(t)) out[t] = (out[t] ?? 0) + Number(bytes);
    }
  }
  return out;
}

async function report(name: string, open: () => Promise<{ knex: Knex; dispose(): Promise<void> }>) {
  const { knex, dispose } = await open();
  try {
    const { events, jsonBytes } = await fill(knex);
    const bytes = await tableBytes(knex, ['mlops_prediction_events', 'mlops_summaries', 'mlops_summary_deltas', 'mlops_sequence_ranges', 'mlops_label_counts', 'mlops_label_claims']);
    const payload = await knex('mlops_summaries').groupBy('bucket_ms').select('bucket_ms').count({ rows: '*' }).sum({ bytes: knex.raw('length(summary)') });
    // Reference in the same run: the same rows without compression (the codec's plain bytes).
    const plain = new Map<number, number>();
    const rows = await knex('mlops_summaries').select('bucket_ms', 'summary');
    const plainRows = rows.map((row: any) => encodeStored(decodeStored(row.summary)));
    rows.forEach((row: any, i: number) => plain.set(Number(row.bucket_ms), (plain.get(Number(row.bucket_ms)) ?? 0) + plainRows[i].length));
    // What compression costs a reader: decoding every row of the day as stored and as plain bytes.
    const decodeAll = (all: any[]) => {
      const t0 = performance.now();
      for (const stored of all) decodeStored(stored);
      return performance.now() - t0;
    };
    const stored = rows.map((row: any) => row.summary);
    decodeAll(stored);
    decodeAll(plainRows);
    const [storedMs, plainMs] = [decodeAll(stored), decodeAll(plainRows)];
    notes.push(`decoding the day's ${rows.length.toLocaleString()} rows: ${storedMs.toFixed(0)} ms as stored, ${plainMs.toFixed(0)} ms uncompressed (${(storedMs / rows.length * 1000).toFixed(1)} vs ${(plainMs / rows.length * 1000).toFixed(1)} µs a row)`);
    const raw = bytes.mlops_prediction_events ?? 0;
    const summaries = bytes.mlops_summaries ?? 0;
    const perDay = raw + summaries;
    // Each resolution's share of the table, kept for its own number of days: its stored bytes, and
    // of what the table takes beyond them (row headers, the key columns, the unique index) a share
    // by its number of rows, since that part is per row, not per byte.
    const payloadTotal = payload.reduce((n: number, p: any) => n + Number(p.bytes), 0);
    const rowsTotal = payload.reduce((n: number, p: any) => n + Number(p.rows), 0);
    const perRow = (summaries - payloadTotal) / rowsTotal;
    const resolutionBytes = (p: any) => Number(p.bytes) + perRow * Number(p.rows);
    const summariesKept = payload.reduce((n: number, p: any) => n + resolutionBytes(p) * KEPT_DAYS[Number(p.bucket_ms)], 0);
    const steady = raw * RAW_DAYS + summariesKept;
    console.log(`  ${name}`);
    for (const note of notes.splice(0)) console.log(`    ${note}`);
    console.log(`    raw events    ${mb(raw).padStart(10)} per model-day (${events.toLocaleString()} events; the same as JSON lines: ${mb(jsonBytes)})`);
    console.log(`    summaries     ${mb(summaries).padStart(10)} per model-day (table and indexes)`);
    const labels = (bytes.mlops_label_counts ?? 0) + (bytes.mlops_label_claims ?? 0);
    console.log(`    label counts  ${mb(labels).padStart(10)} per model-day (this traffic sends no labels: a claim per positive label adds to it)`);
    for (const p of payload.sort((a: any, b: any) => Number(a.bucket_ms) - Number(b.bucket_ms))) {
      const label = { 300000: '5-minute', 3600000: 'hourly', 86400000: 'daily' }[Number(p.bucket_ms)] ?? `${p.bucket_ms} ms`;
      console.log(`      ${label.padEnd(9)} ${Number(p.rows).toLocaleString().padStart(7)} rows, ${mb(Number(p.bytes))} stored (${mb(plain.get(Number(p.bucket_ms)) ?? 0)} uncompressed), ${mb(resolutionBytes(p))} with their share of rows and index, kept ${KEPT_DAYS[Number(p.bucket_ms)]} d`);
    }
    console.log(`      ${Math.round(perRow)} bytes a row beyond the summary itself (key columns, row header, unique index)`);
    console.log(`    written per model-day ${mb(perDay)}; summaries alone ${mb(summaries)}`);
    console.log(
      `    kept per model at the default retention (raw ${RAW_DAYS} d; 5-minute rows 2 d, hourly 30 d, daily ${SUMMARY_DAYS} d): ${mb(steady)}, ` +
        `${mb(summariesKept / SUMMARY_DAYS)} of summaries per model-day of the ${SUMMARY_DAYS}-day retention   target ≤ ${mb(TARGET_BYTES)} (${summariesKept / SUMMARY_DAYS <= TARGET_BYTES ? 'meets' : 'MISSES'})`,
    );
  } finally {
    await dispose();
  }
}

async function main() {
  console.log(`\nStorage: one day of a 50-feature model with 3 platform segments at ${PER_SECOND} predictions/s`);
  await report('SQLite', openSqlite);
  if (!(await withPostgres(open => report('PostgreSQL', open)))) console.log('  PostgreSQL  skipped (no BENCH_POSTGRES_URL)');
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
