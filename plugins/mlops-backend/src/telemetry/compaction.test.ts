import * as fc from 'fast-check';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { STORE_MIGRATIONS } from '../migrations';
import { BUCKET_MS, RESOLUTIONS } from './constants';
import { encodeStored } from '../stats/summaryCodec';
import { DatabaseTelemetryStore } from './DatabaseTelemetryStore';

jest.setTimeout(300_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const DAY = 86_400_000;
const T0 = 20_000 * DAY;
const FEATURES = ['__events', 'user_age'];
const SEGMENTS = ['*', 'platform=ios'];

type Receipt = { sequence: number; bucket: number; feature: string; segment: string; n: number; errors: number };

/** Profiles (events counts) for buckets over two days, some keys many times. */
const receiptsArb = fc.array(
  fc.record({
    bucket: fc.integer({ min: 0, max: (2 * DAY) / BUCKET_MS - 1 }),
    feature: fc.constantFrom(...FEATURES),
    segment: fc.constantFrom(...SEGMENTS),
    n: fc.integer({ min: 1, max: 1000 }),
    errors: fc.integer({ min: 0, max: 5 }),
  }),
  { minLength: 1, maxLength: 150 },
);

/** What each resolution's rows must hold: the sums worked out from the receipts alone. */
function expected(receipts: Receipt[], bucketMs: number) {
  const sums = new Map<string, { n: number; errors: number }>();
  for (const r of receipts) {
    const start = Math.floor((T0 + r.bucket * BUCKET_MS) / bucketMs) * bucketMs;
    const key = `${start}|${r.feature}|${r.segment}`;
    const sum = sums.get(key) ?? { n: 0, errors: 0 };
    sum.n += r.n;
    sum.errors += r.errors;
    sums.set(key, sum);
  }
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b));
}

async function stored(store: DatabaseTelemetryStore, bucketMs: number) {
  const rows = await store.readSummaries({ modelRef: MODEL, from: T0, to: T0 + 2 * DAY, resolution: 'coarsest', maxBucketMs: bucketMs });
  return rows
    .filter(r => r.bucketMs === bucketMs)
    .map(r => [`${r.bucketStart}|${r.feature}|${r.segment}`, { n: (r.summary as any).n, errors: (r.summary as any).errors }] as const)
    .sort(([a], [b]) => a.localeCompare(b));
}

const commit = (store: DatabaseTelemetryStore, batch: Receipt[], id: string) =>
  store.commitProfiles(
    id,
    batch.map(r => ({
      source: 'fleet',
      sequence: r.sequence,
      bucketStart: T0 + r.bucket * BUCKET_MS,
      deltas: [
        {
          modelRef: MODEL,
          version: '17',
          segment: r.segment,
          feature: r.feature,
          bucketStart: T0 + r.bucket * BUCKET_MS,
          layoutVersion: null,
          summary: { kind: 'events' as const, n: r.n, errors: r.errors },
        },
      ],
    })),
  );

describe.each(databases.eachSupportedId())('summaries appended, then compacted (%s)', databaseId => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await databases.init(databaseId);
    const telemetry = STORE_MIGRATIONS.find(m => m.store === 'telemetry')!;
    await knex.migrate.latest({ directory: telemetry.directory, tableName: telemetry.tableName, loadExtensions: ['.js'] });
  });
  const empty = async () => {
    for (const table of ['mlops_summaries', 'mlops_summary_deltas', 'mlops_sequence_ranges', 'mlops_telemetry_batches']) await knex(table).delete();
  };

  it('reads every resolution the same before, during and after compaction, one row per key', async () => {
    expect.hasAssertions();
    const store = new DatabaseTelemetryStore(knex);
    await fc.assert(
      fc.asyncProperty(receiptsArb, fc.integer({ min: 1, max: 30 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), fc.boolean(), async (generated, size, compactAfter, concurrently) => {
        await empty();
        const receipts = generated.map((r, i) => ({ ...r, sequence: i + 1 }));
        const batches: Receipt[][] = [];
        for (let i = 0; i < receipts.length; i += size) batches.push(receipts.slice(i, i + size));
        if (concurrently) {
          // Ingestion and compaction at the same moment: on PostgreSQL, each on its own connection.
          await Promise.all([...batches.map((b, i) => commit(store, b, `b-${i}`)), store.compactSummaries(), store.compactSummaries()]);
        } else {
          for (let i = 0; i < batches.length; i++) {
            await commit(store, batches[i], `b-${i}`);
            if (compactAfter[i % compactAfter.length]) await store.compactSummaries();
          }
        }
        for (const bucketMs of RESOLUTIONS) expect(await stored(store, bucketMs)).toEqual(expected(receipts, bucketMs));
        await store.compactSummaries();
        expect(Number((await knex('mlops_summary_deltas').count({ n: '*' }))[0].n)).toBe(0);
        for (const bucketMs of RESOLUTIONS) expect(await stored(store, bucketMs)).toEqual(expected(receipts, bucketMs));
      }),
      { numRuns: 20 },
    );
  });

  it('deflates hourly and daily rows once older than the 5-minute rows, and reads back the exact sums, late data included', async () => {
    await empty();
    const store = new DatabaseTelemetryStore(knex);
    // A feature's 300 bins with counts of a few, in 5-minute buckets of one hour.
    const bucket = (b: number, sequence: number, scale = 1) => {
      const counts = Array.from({ length: 300 }, (__, i) => scale * (((i * 7 + b * 3) % 5) + 1));
      return {
        source: 'fleet',
        sequence,
        bucketStart: T0 + b * BUCKET_MS,
        deltas: [
          {
            modelRef: MODEL, version: '17', segment: '*', feature: 'user_age', bucketStart: T0 + b * BUCKET_MS, layoutVersion: '17',
            summary: { kind: 'numeric' as const, nulls: 0, missing: 0, typeMismatches: 0, n: counts.reduce((x, y) => x + y, 0), sum: b, sumSquares: b * b, min: 0, max: b, belowRange: 0, aboveRange: 0, counts },
          },
        ],
        counts,
      };
    };
    const parts = Array.from({ length: 12 }, (_, b) => bucket(b, b + 1));
    await store.commitProfiles('numeric', parts);
    await store.compactSummaries();
    const firstBytes = async (bucketMs: number) =>
      (await knex('mlops_summaries').where({ model_ref: MODEL, feature: 'user_age', bucket_ms: bucketMs }).select('summary')).map(r => Buffer.from(r.summary)[0]);
    const expectSums = async (all: Array<{ counts: number[] }>, moments: number[]) => {
      const sums = all[0].counts.map((_, i) => all.reduce((total, p) => total + p.counts[i], 0));
      for (const bucketMs of [3_600_000, 86_400_000]) {
        const [read] = (await store.readSummaries({ modelRef: MODEL, from: T0, to: T0 + DAY, resolution: 'coarsest', maxBucketMs: bucketMs })).filter(r => r.bucketMs === bucketMs && r.feature === 'user_age');
        const summary = read.summary as any;
        expect(Array.from(summary.counts ?? [])).toEqual(sums);
        expect(summary.n).toBe(sums.reduce((x, y) => x + y, 0));
        expect([summary.sum, summary.sumSquares, summary.max]).toEqual(moments);
      }
    };
    // 600 small rows of the same hour first in key order (events counts: too small to shrink), more
    // than one page of the compression's paging: they stay plain and do not hold up the others.
    const small = Array.from({ length: 600 }, (_, i) => ({
      model_ref: MODEL, version: '17', layout_version: '', segment: `shard=${i}`, feature: '__events', bucket_ms: 3_600_000, bucket_start: T0,
      summary: encodeStored({ kind: 'events', n: 1, errors: 0 }),
    }));
    for (let i = 0; i < small.length; i += 100) await knex('mlops_summaries').insert(small.slice(i, i + 100));
    // Compaction writes plain rows; the day is not over, so nothing is old enough yet.
    expect(await firstBytes(3_600_000)).not.toContain(9);
    await store.compressSummaries(T0 + 3_600_000 - 1);
    expect(await firstBytes(3_600_000)).not.toContain(9);
    // Once past the 5-minute rows' retention: hourly and daily rows deflated, 5-minute rows plain.
    expect(await store.compressSummaries(T0 + 2 * DAY)).toBe(2);
    expect(await firstBytes(3_600_000)).toEqual([9]);
    expect(await firstBytes(86_400_000)).toEqual([9]);
    expect(await firstBytes(BUCKET_MS)).not.toContain(9);
    expect(Number((await knex('mlops_summaries').where('feature', '__events').whereLike('segment', 'shard=%').count({ n: '*' }))[0].n)).toBe(600);
    await expectSums(parts, [66, 506, 11]);
    // Nothing left to do the next time.
    expect(await store.compressSummaries(T0 + 2 * DAY)).toBe(0);
    // Late data for that hour merges into the deflated rows (plain again), and is compressed again.
    const late = bucket(5, 13, 2);
    await store.commitProfiles('late', [late]);
    await store.compactSummaries();
    expect(await firstBytes(3_600_000)).not.toContain(9);
    await expectSums([...parts, late], [71, 531, 11]);
    await store.compressSummaries(T0 + 2 * DAY);
    expect(await firstBytes(3_600_000)).toEqual([9]);
    await expectSums([...parts, late], [71, 531, 11]);
  });

  it("compacts the other models when one model's rows cannot be merged, and names that model", async () => {
    await empty();
    const store = new DatabaseTelemetryStore(knex);
    const OTHER = 'model:default/ad-ctr-predictor';
    const row = (modelRef: string, summary: object) => ({
      model_ref: modelRef, version: '1', layout_version: '', segment: '*', feature: '__events', bucket_ms: BUCKET_MS, bucket_start: T0,
      summary: Buffer.from(JSON.stringify(summary)),
    });
    // Two rows of one key that are not the same kind of summary: they cannot be merged.
    await knex('mlops_summary_deltas').insert([
      row(MODEL, { kind: 'events', n: 1, errors: 0 }),
      row(MODEL, { kind: 'log', n: 1, zeros: 0, sum: 1, min: 1, max: 1, bins: [[0, 1]] }),
      row(OTHER, { kind: 'events', n: 4, errors: 1 }),
    ]);
    await expect(store.compactSummaries()).rejects.toThrow(`summary compaction failed for ${MODEL} (1 rows folded for the others)`);
    expect(Number((await knex('mlops_summary_deltas').where('model_ref', OTHER).count({ n: '*' }))[0].n)).toBe(0);
    expect(Number((await knex('mlops_summaries').where('model_ref', OTHER).count({ n: '*' }))[0].n)).toBe(1);
    expect(Number((await knex('mlops_summary_deltas').where('model_ref', MODEL).count({ n: '*' }))[0].n)).toBe(2);
  });

  it('keeps what is appended while a compaction runs for the next one', async () => {
    await empty();
    const store = new DatabaseTelemetryStore(knex);
    const receipts = [
      { sequence: 1, bucket: 3, feature: '__events', segment: '*', n: 10, errors: 1 },
      { sequence: 2, bucket: 3, feature: '__events', segment: '*', n: 5, errors: 0 },
    ];
    await commit(store, [receipts[0]], 'first');
    // The second batch commits after compaction has read the appended rows, before it deletes them.
    const foldIntoSummaries = (store as any).foldIntoSummaries.bind(store);
    (store as any).foldIntoSummaries = async (...args: unknown[]) => {
      await foldIntoSummaries(...args);
      if (databaseId.startsWith('POSTGRES')) await commit(store, [receipts[1]], 'second');
    };
    expect(await store.compactSummaries()).toBe(3);
    if (!databaseId.startsWith('POSTGRES')) await commit(store, [receipts[1]], 'second');
    expect(Number((await knex('mlops_summary_deltas').count({ n: '*' }))[0].n)).toBe(3);
    for (const bucketMs of RESOLUTIONS) expect(await stored(store, bucketMs)).toEqual(expected(receipts, bucketMs));
  });
});
