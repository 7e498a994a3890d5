import * as fc from 'fast-check';
import { Knex } from 'knex';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { migrationFiles } from '../database/migrations';
import { STORE_MIGRATIONS } from '../migrations';
import { BUCKET_MS, LABEL_BUCKET_MS } from './constants';
import { DatabaseTelemetryStore } from './DatabaseTelemetryStore';
import { OutcomeRow, PredictionRow } from './TelemetryStore';

jest.setTimeout(300_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const T0 = 1_764_000_000_000 - (1_764_000_000_000 % BUCKET_MS);
const WINDOW = 12 * BUCKET_MS;
const OUTCOMES = ['click', 'purchase'];

/** A prediction of MODEL as ingestion stores it (no features kept). */
const prediction = (p: Pick<PredictionRow, 'source' | 'sequence' | 'version' | 'requestId' | 'occurredAt'>): PredictionRow => ({
  ...p,
  modelRef: MODEL,
  queryId: null,
  segment: {},
  score: 0.5,
  latencyMs: 10,
  error: false,
  features: null,
  keepFeatures: false,
});

type Scenario = {
  predictions: PredictionRow[];
  labels: OutcomeRow[];
};

/** Requests answered by version 1 (some mirrored to version 2), some labelled, some twice. */
const scenarioArb = fc
  .tuple(
    fc.array(
      fc.record({
        at: fc.integer({ min: 0, max: WINDOW - 1 }),
        mirrored: fc.boolean(),
        labels: fc.array(fc.record({ outcome: fc.constantFrom(...OUTCOMES), value: fc.constantFrom(0, 1, 2.5) }), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 120 },
    ),
    // Half the scenarios have one version serving alone (nothing mirrored).
    fc.boolean(),
  )
  .map(([generated, oneVersion]): Scenario => {
    const requests = oneVersion ? generated.map(r => ({ ...r, mirrored: false })) : generated;
    const predictions: PredictionRow[] = [];
    const labels: OutcomeRow[] = [];
    const sequences = new Map<string, number>();
    const next = (source: string) => {
      const n = (sequences.get(source) ?? 0) + 1;
      sequences.set(source, n);
      return n;
    };
    requests.forEach((r, i) => {
      const requestId = `req-${i}`;
      for (const version of r.mirrored ? ['1', '2'] : ['1']) {
        const source = `pod-v${version}`;
        predictions.push(prediction({ source, sequence: next(source), version, requestId, occurredAt: T0 + r.at }));
      }
      for (const l of r.labels) {
        labels.push({ source: 'labels', sequence: next('labels'), requestId, outcome: l.outcome, value: l.value, occurredAt: T0 + r.at + 1000 });
      }
    });
    // Each version's pods send their own batches: a mirrored request's two predictions arrive apart.
    return { predictions: [...predictions.filter(p => p.version === '1'), ...predictions.filter(p => p.version === '2')], labels };
  });

/** The counts worked out from the scenario alone: per version, minute and outcome. */
function expected(s: Scenario, version: string | undefined, outcome: string, from: number, to: number) {
  const positive = new Set(s.labels.filter(l => l.outcome === outcome && l.value > 0).map(l => l.requestId));
  // From `from` exactly, to the end of `to`'s minute (or `to` within `from`'s minute).
  const end = to <= Math.ceil(from / LABEL_BUCKET_MS) * LABEL_BUCKET_MS ? to : Math.ceil(to / LABEL_BUCKET_MS) * LABEL_BUCKET_MS;
  const inWindow = s.predictions.filter(p => (!version || p.version === version) && p.occurredAt >= from && p.occurredAt < end);
  return { n: inWindow.length, positives: inWindow.filter(p => positive.has(p.requestId)).length };
}

/** Batches of predictions and of labels, in the given order, some delivered twice. */
function batchesOf(s: Scenario, order: number[], redeliver: boolean[], size: number) {
  const batches: Array<{ id: string; kind: 'predictions' | 'labels'; rows: any[] }> = [];
  for (let i = 0; i < s.predictions.length; i += size) batches.push({ id: `p-${i}`, kind: 'predictions', rows: s.predictions.slice(i, i + size) });
  for (let i = 0; i < s.labels.length; i += size) batches.push({ id: `l-${i}`, kind: 'labels', rows: s.labels.slice(i, i + size) });
  const shuffled = batches.map((b, i) => ({ b, key: order[i % order.length] + i / 1000 })).sort((x, y) => x.key - y.key).map(x => x.b);
  return shuffled.flatMap((b, i) => (redeliver[i % redeliver.length] ? [b, b] : [b]));
}

const commit = (store: DatabaseTelemetryStore, batch: { id: string; kind: string; rows: any[] }) =>
  batch.kind === 'predictions' ? store.commitPredictions(batch.id, batch.rows, () => []) : store.commitOutcomes(batch.id, batch.rows);

async function checkAll(store: DatabaseTelemetryStore, s: Scenario) {
  const windows: Array<[number, number]> = [
    [T0, T0 + WINDOW],
    [T0 + 2 * BUCKET_MS + 17, T0 + 5 * BUCKET_MS],
    [T0 + 7 * BUCKET_MS, T0 + 7 * BUCKET_MS + 1],
    [T0 + 4 * BUCKET_MS + 90_000, T0 + 4 * BUCKET_MS + 200_000],
    // Most of the first minute after `from`: counted whole, the part before `from` taken off.
    [T0 + 3 * BUCKET_MS + 50_000, T0 + 6 * BUCKET_MS],
  ];
  for (const [from, to] of windows) {
    for (const outcome of OUTCOMES) {
      for (const version of ['1', '2', undefined]) {
        expect({ version, outcome, from, to, ...(await store.labelCounts(MODEL, version, outcome, from, to)) }).toEqual({
          version,
          outcome,
          from,
          to,
          ...expected(s, version, outcome, from, to),
        });
      }
    }
  }
}

async function emptyStore(knex: Knex) {
  await knex('mlops_label_counts').delete();
  await knex('mlops_label_claims').delete();
  await knex('mlops_prediction_events').delete();
  await knex('mlops_outcome_events').delete();
  await knex('mlops_sequence_ranges').delete();
  await knex('mlops_telemetry_batches').delete();
}

describe.each(databases.eachSupportedId())('label counts kept as telemetry arrives (%s)', databaseId => {
  let knex: Knex;
  beforeAll(async () => {
    knex = await databases.init(databaseId);
    const telemetry = STORE_MIGRATIONS.find(m => m.store === 'telemetry')!;
    await knex.migrate.latest({ directory: telemetry.directory, tableName: telemetry.tableName, loadExtensions: ['.js'] });
  });

  it('count each labelled prediction once, whatever order predictions, labels and redeliveries arrive in', async () => {
    expect.hasAssertions();
    const store = new DatabaseTelemetryStore(knex);
    await fc.assert(
      fc.asyncProperty(
        scenarioArb,
        fc.array(fc.nat(20), { minLength: 1, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 40 }),
        async (s, order, redeliver, size) => {
          await emptyStore(knex);
          for (const batch of batchesOf(s, order, redeliver, size)) await commit(store, batch);
          await checkAll(store, s);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('count each labelled prediction once when predictions and their labels commit at the same moment', async () => {
    expect.hasAssertions();
    const store = new DatabaseTelemetryStore(knex);
    await fc.assert(
      fc.asyncProperty(scenarioArb, fc.integer({ min: 1, max: 10 }), async (s, size) => {
        await emptyStore(knex);
        // Every batch at once: on PostgreSQL, each on its own connection.
        await Promise.all(batchesOf(s, [0], [false], size).map(b => commit(store, b)));
        await checkAll(store, s);
      }),
      { numRuns: 15 },
    );
  });

  it('count a label whose prediction commits just after the label looked for it', async () => {
    await emptyStore(knex);
    const store = new DatabaseTelemetryStore(knex);
    const [s] = fc.sample(scenarioArb.filter(x => x.labels.some(l => l.value > 0)), { numRuns: 1, seed: 3 });
    const label = s.labels.find(l => l.value > 0)!;
    const predictions = s.predictions.filter(p => p.requestId === label.requestId && p.version === '1');
    // The label's look finds nothing; the prediction, committed right after, must find the label.
    const countLabels = (store as any).countLabels.bind(store);
    let looks = 0;
    (store as any).countLabels = async (ids: string[]) => {
      await countLabels(ids);
      if (++looks === 1) await store.commitPredictions('late', predictions, () => []);
    };
    await store.commitOutcomes('label', [label]);
    expect(looks).toBe(2);
    expect(await store.labelCounts(MODEL, undefined, label.outcome, T0, T0 + WINDOW)).toEqual({ n: predictions.length, positives: predictions.length });
  });

  it("count a label for another model's prediction of the same request, and for a prediction sent again", async () => {
    await emptyStore(knex);
    const store = new DatabaseTelemetryStore(knex);
    const OTHER = 'model:default/ad-ctr-predictor';
    const scored = (modelRef: string, source: string, sequence: number) => ({ ...prediction({ source, sequence, version: '1', requestId: 'shared', occurredAt: T0 + 1000 }), modelRef });
    await store.commitPredictions('a', [scored(MODEL, 'ranker', 1)], () => []);
    await store.commitOutcomes('click', [{ source: 'labels', sequence: 1, requestId: 'shared', outcome: 'click', value: 1, occurredAt: T0 + 2000 }]);
    // Scored by a second model, and resent by the first with a new sequence, after the label.
    await store.commitPredictions('b', [scored(OTHER, 'ads', 1)], () => []);
    await store.commitPredictions('a-again', [scored(MODEL, 'ranker', 2)], () => []);
    expect(await store.labelCounts(MODEL, '1', 'click', T0, T0 + WINDOW)).toEqual({ n: 2, positives: 2 });
    expect(await store.labelCounts(OTHER, '1', 'click', T0, T0 + WINDOW)).toEqual({ n: 1, positives: 1 });
  });

  it('forget the claims of purged predictions, and keep their counts as long as the daily summaries', async () => {
    const store = new DatabaseTelemetryStore(knex);
    await emptyStore(knex);
    const [s] = fc.sample(scenarioArb.filter(x => x.labels.some(l => l.value > 0)), { numRuns: 1, seed: 7 });
    for (const batch of batchesOf(s, [0], [false], 50)) await commit(store, batch);
    const before = await store.labelCounts(MODEL, undefined, 'click', T0, T0 + WINDOW);
    await store.purge({ rawEvents: T0 + WINDOW + 60_000, summaries: {} });
    expect(Number((await knex('mlops_label_claims').count({ n: '*' }))[0].n)).toBe(0);
    expect(await store.labelCounts(MODEL, undefined, 'click', T0, T0 + WINDOW)).toEqual(before);
    await store.purge({ rawEvents: T0 + WINDOW, summaries: { 86_400_000: T0 + WINDOW } });
    expect(await store.labelCounts(MODEL, undefined, 'click', T0, T0 + WINDOW)).toEqual({ n: 0, positives: 0 });
  });
});

/** A database with the telemetry store's migrations before `first` run, one at a time. */
async function migratedUpTo(databaseId: Parameters<typeof databases.init>[0], first: string) {
  const knex = await databases.init(databaseId);
  const telemetry = STORE_MIGRATIONS.find(m => m.store === 'telemetry')!;
  const config = { directory: telemetry.directory, tableName: telemetry.tableName, loadExtensions: ['.js'] };
  for (const name of migrationFiles(telemetry).filter(file => file < first)) expect((await knex.migrate.up(config))[1]).toEqual([name]);
  return { knex, config };
}

describe.each(databases.eachSupportedId())('label counts of telemetry stored before they were kept (%s)', databaseId => {
  it('counts, when migrating, the predictions and labels already stored', async () => {
    expect.hasAssertions();
    const { knex, config } = await migratedUpTo(databaseId, '20261204000000');
    const [s] = fc.sample(scenarioArb.filter(x => x.labels.some(l => l.value > 0) && x.predictions.length > 20), { numRuns: 1, seed: 11 });
    const row = (p: PredictionRow) => ({
      source: p.source,
      sequence: p.sequence,
      model_ref: p.modelRef,
      version: p.version,
      request_id: p.requestId,
      occurred_at: p.occurredAt,
      error: false,
    });
    // A third of the predictions arrive only after the migration, after their labels.
    const later = s.predictions.filter((_, i) => i % 3 === 0);
    await knex.batchInsert('mlops_prediction_events', s.predictions.filter((_, i) => i % 3 !== 0).map(row), 100);
    await knex.batchInsert(
      'mlops_outcome_events',
      s.labels.map(l => ({ source: l.source, sequence: l.sequence, request_id: l.requestId, outcome: l.outcome, value: l.value, occurred_at: l.occurredAt })),
      100,
    );
    await knex.migrate.latest(config);

    const store = new DatabaseTelemetryStore(knex);
    await store.commitPredictions('later', later, () => []);
    await checkAll(store, s);
    // A label delivered again after the migration is not counted a second time.
    await store.commitOutcomes('again', s.labels.map((l, i) => ({ ...l, source: 'labels-again', sequence: i + 1 })));
    await checkAll(store, s);
  });
});

describe.each(databases.eachSupportedId())('label counts moved from 5-minute buckets to minutes (%s)', databaseId => {
  it('recounts per minute what raw events cover, keeps what was counted of purged predictions, and adds minutes up again when migrated down', async () => {
    const { knex, config } = await migratedUpTo(databaseId, '20261204020000');
    const store = new DatabaseTelemetryStore(knex);
    // Stored predictions at 1 min 10 s and 3 min 20 s into a bucket, one of them clicked; and, as a
    // purged prediction leaves it, 4 predictions and 1 click counted in that bucket with no raw row.
    const stored = (sequence: number, at: number) => prediction({ source: 'pod', sequence, version: '1', requestId: `r-${sequence}`, occurredAt: at });
    await store.commitPredictions('p', [stored(1, T0 + 70_000), stored(2, T0 + 200_000)], () => []);
    await store.commitOutcomes('o', [{ source: 'labels', sequence: 1, requestId: 'r-2', outcome: 'click', value: 1, occurredAt: T0 + 201_000 }]);
    // The counts as the 5-minute version kept them.
    await knex('mlops_label_counts').delete();
    await knex('mlops_label_counts').insert([
      { model_ref: MODEL, outcome: '__predictions', version: '1', bucket_start: T0, count: 2 + 4 },
      { model_ref: MODEL, outcome: 'click', version: '1', bucket_start: T0, count: 1 + 1 },
    ]);

    expect((await knex.migrate.up(config))[1]).toEqual(['20261204020000_label_counts_by_minute.js']);
    // The stored ones in their minutes: a window from the third minute sees only the second.
    expect(await store.labelCounts(MODEL, '1', 'click', T0 + 120_000, T0 + BUCKET_MS)).toEqual({ n: 1, positives: 1 });
    // The bucket as a whole still counts everything it did.
    expect(await store.labelCounts(MODEL, '1', 'click', T0, T0 + BUCKET_MS)).toEqual({ n: 6, positives: 2 });
    const minutes = await knex('mlops_label_counts').where({ outcome: '__predictions' }).orderBy('bucket_start').select('bucket_start', 'count');
    expect(minutes.map(r => [Number(r.bucket_start) - T0, Number(r.count)])).toEqual([
      [0, 4],
      [60_000, 1],
      [180_000, 1],
    ]);

    await knex.migrate.down(config);
    const rows = await knex('mlops_label_counts').orderBy('outcome').select('outcome', 'bucket_start', 'count');
    expect(rows.map(r => ({ outcome: r.outcome, bucket_start: Number(r.bucket_start), count: Number(r.count) }))).toEqual([
      { outcome: '__predictions', bucket_start: T0, count: 6 },
      { outcome: 'click', bucket_start: T0, count: 2 },
    ]);
  });
});
