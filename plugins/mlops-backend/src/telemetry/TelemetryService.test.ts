import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { modelPolicySchema, ModelPolicyInput } from '@modelrails/plugin-mlops-common';
import fc from 'fast-check';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { migrateDatabase } from '../migrations';
import { DatabaseTelemetryStore } from './DatabaseTelemetryStore';
import { decodeSummary, encodeSummary, mergeEncoded } from '../stats/summaries';
import { DefaultDriftService } from '../drift/DriftService';
import { DefaultTelemetryService, EVENT_FIELDS, TelemetryService } from './TelemetryService';
import { BUCKET_MS } from './constants';
import { ksExactPValue } from '../stats/ksDistribution';
import { toWire, trainingProfile, TrafficScenario, TrafficSimulator } from '../demo/simulation';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe.each(databases.eachSupportedId())('telemetry ingestion and drift on %s', databaseId => {
  async function setup(policy: ModelPolicyInput = { drift: { segments: ['platform'] } }) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const store = new DatabaseTelemetryStore(knex);
    const parsed = modelPolicySchema.parse(policy);
    const telemetry = new DefaultTelemetryService({
      store,
      policies: async ref => (ref === MODEL ? parsed : undefined),
      rawSampleRate: 0.1,
      now: () => NOW,
    });
    const drift = new DefaultDriftService(store, telemetry, () => NOW);
    await telemetry.putReferenceProfile(MODEL, '17', trainingProfile(1));
    return { knex, store, telemetry, drift };
  }

  /** One hour of traffic in 12 buckets; `incident(bucket)` says which buckets carry a scenario. */
  async function streamHour(telemetry: TelemetryService, perBucket: number, incident: (bucket: number) => TrafficScenario = () => ({})) {
    const sim = new TrafficSimulator(MODEL, 'pod-a', 7);
    const start = NOW - 12 * BUCKET_MS;
    for (let b = 0; b < 12; b++) {
      const events = sim.events('17', perBucket, start + b * BUCKET_MS, start + (b + 1) * BUCKET_MS, incident(b));
      await telemetry.ingestPredictions({ batchId: `hour-${b}`, source: 'pod-a', events: toWire(events) });
    }
  }

  it('commits each (source, sequence) once, however often a batch is redelivered', async () => {
    const { telemetry, store, knex } = await setup();
    const sim = new TrafficSimulator(MODEL, 'pod-a', 3);
    const events = toWire(sim.events('17', 500, NOW - BUCKET_MS, NOW));
    const first = await telemetry.ingestPredictions({ batchId: 'b1', source: 'pod-a', events });
    expect(first).toMatchObject({ accepted: 500, duplicates: 0, redelivered: false });
    // The same batch id again: answered from the first commit, nothing written.
    expect(await telemetry.ingestPredictions({ batchId: 'b1', source: 'pod-a', events })).toMatchObject({ accepted: 500, redelivered: true });
    // A new batch id overlapping half of the records: only the new half counts.
    const more = toWire(sim.events('17', 250, NOW - BUCKET_MS, NOW));
    const overlap = await telemetry.ingestPredictions({ batchId: 'b2', source: 'pod-a', events: [...events.slice(250), ...more] });
    expect(overlap).toMatchObject({ accepted: 250, duplicates: 250 });
    const rows = await knex('mlops_prediction_events').count({ n: '*' });
    expect(Number(rows[0].n)).toBe(750);
    const summaries = await store.readSummaries({ modelRef: MODEL, from: 0, to: NOW + BUCKET_MS, features: ['__events', 'user_age'], segments: ['*'] });
    const events_ = summaries.filter(s => s.feature === '__events').reduce((n, s) => n + (s.summary as any).n, 0);
    const ages = summaries.filter(s => s.feature === 'user_age').reduce((n, s) => n + (s.summary as any).n, 0);
    expect(events_).toBe(750);
    expect(ages).toBe(750);
  });

  it('keeps raw features for the sampled share only', async () => {
    const { telemetry, knex } = await setup();
    const sim = new TrafficSimulator(MODEL, 'pod-a', 4);
    await telemetry.ingestPredictions({ batchId: 'b', source: 'pod-a', events: toWire(sim.events('17', 2000, NOW - BUCKET_MS, NOW)) });
    const kept = Number((await knex('mlops_prediction_events').whereNotNull('features').count({ n: '*' }))[0].n);
    expect(kept).toBeGreaterThan(120);
    expect(kept).toBeLessThan(280);
  });

  it('names the offending field and writes nothing for an invalid batch', async () => {
    const { telemetry, knex } = await setup();
    const sim = new TrafficSimulator(MODEL, 'pod-a', 5);
    const events = toWire(sim.events('17', 10, NOW - BUCKET_MS, NOW)) as any[];
    events[7].score = 'high';
    await expect(telemetry.ingestPredictions({ batchId: 'bad', source: 'pod-a', events })).rejects.toThrow(/events\[7\]\.score: must be a finite number/);
    events[7].score = 0.5;
    events[3].model = 'model:default/no-such-model';
    await expect(telemetry.ingestPredictions({ batchId: 'bad', source: 'pod-a', events })).rejects.toThrow(/events\[3\]\.model: no Model entity/);
    await expect(telemetry.ingestPredictions({ batchId: 'big', source: 'pod-a', events: new Array(10_001).fill(events[0]) })).rejects.toThrow(
      /events: holds 10001 items; at most 10000/,
    );
    expect(Number((await knex('mlops_prediction_events').count({ n: '*' }))[0].n)).toBe(0);
    expect(Number((await knex('mlops_telemetry_batches').count({ n: '*' }))[0].n)).toBe(0);
  });

  it("refuses an LLM event's tokens and time to first token that no server could measure, naming the field", async () => {
    const { telemetry, knex } = await setup();
    const [event] = toWire(new TrafficSimulator(MODEL, 'pod-a', 8).events('17', 1, NOW - BUCKET_MS, NOW));
    const refused = async (extra: Record<string, unknown>) =>
      telemetry.ingestPredictions({ batchId: `llm-${Math.random()}`, source: 'pod-a', events: [{ ...event, latencyMs: 900, ...extra }] }).then(
        () => 'accepted',
        (e: Error) => (e instanceof InputError ? e.message : `not an InputError: ${e.message}`),
      );
    expect(await refused({ inputTokens: -1 })).toBe('events[0].inputTokens: must be a non-negative integer');
    expect(await refused({ outputTokens: 2.5 })).toBe('events[0].outputTokens: must be a non-negative integer');
    expect(await refused({ outputTokens: '12' })).toBe('events[0].outputTokens: must be a non-negative integer');
    expect(await refused({ timeToFirstTokenMs: -3 })).toBe('events[0].timeToFirstTokenMs: must not be negative');
    expect(await refused({ timeToFirstTokenMs: 901 })).toBe('events[0].timeToFirstTokenMs: must not exceed latencyMs (the whole answer)');
    for (const table of ['mlops_summaries', 'mlops_summary_deltas', 'mlops_prediction_events']) expect(Number((await knex(table).count({ n: '*' }))[0].n)).toBe(0);
    expect(await refused({ inputTokens: 0, outputTokens: 1, timeToFirstTokenMs: 900 })).toBe('accepted');
  });

  it('answers generated garbage with an InputError and leaves the tables untouched', async () => {
    const { telemetry, knex } = await setup();
    const valid = toWire(new TrafficSimulator(MODEL, 'pod-a', 6).events('17', 3, NOW - BUCKET_MS, NOW));
    const field = fc.constantFrom(...EVENT_FIELDS);
    await fc.assert(
      fc.asyncProperty(fc.nat(2), field, fc.anything(), async (index, key, value) => {
        const events = valid.map(e => ({ ...e })) as any[];
        events[index][key] = value;
        const error = await telemetry.ingestPredictions({ batchId: `fc-${Math.random()}`, source: 'pod-a', events }).then(
          () => undefined,
          (e: Error) => e,
        );
        // Refused: an InputError naming the event. Accepted: the value was a valid one.
        const outcome = error ? { inputError: error instanceof InputError, namesEvent: error.message.includes(`events[${index}]`) } : 'accepted';
        expect([{ inputError: true, namesEvent: true }, 'accepted']).toContainEqual(outcome);
        if (error) return;
        // Accepted values were valid ones; clean up so the next run starts empty.
        for (const table of ['mlops_prediction_events', 'mlops_summaries', 'mlops_summary_deltas', 'mlops_label_counts', 'mlops_label_claims']) await knex(table).delete();
        await knex('mlops_sequence_ranges').delete();
        await knex('mlops_telemetry_batches').delete();
      }),
      { numRuns: 150 },
    );
    expect(Number((await knex('mlops_prediction_events').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('seed replay: user_country re-encoded as numbers is a contract violation within one bucket', async () => {
    const { telemetry, drift } = await setup();
    await streamHour(telemetry, 400, b => (b === 11 ? { countryAsNumber: true } : {}));
    const report = await drift.report(MODEL);
    const violation = report.violations.find(v => v.feature === 'user_country' && v.segment === '*');
    expect(violation).toMatchObject({ check: 'type-change', open: true, flagged: true, value: 1 });
    expect(violation!.firstBucket).toBe(new Date(NOW - BUCKET_MS).toISOString());
    // Every platform shares it: one alarm on all traffic, the segments point at it.
    expect(report.violations.filter(v => v.flagged && v.feature === 'user_country').map(v => v.segment)).toEqual(['*']);
    expect(report.violations.find(v => v.segment === 'platform=ios' && v.feature === 'user_country')).toMatchObject({ flagged: false, attributedTo: ['*'] });
    expect(report.status.openViolations).toBe(1);
    // Before the incident bucket the same report has no violation at all.
    const before = await drift.report(MODEL, { to: NOW - BUCKET_MS, from: NOW - 12 * BUCKET_MS });
    expect(before.violations).toEqual([]);
  });

  it('gives no drift verdict on a window without events, or with too few', async () => {
    const { telemetry, drift } = await setup();
    expect((await drift.report(MODEL)).status).toEqual({ drift: 'insufficient', openViolations: 0 });
    const sim = new TrafficSimulator(MODEL, 'pod-a', 11);
    await telemetry.ingestPredictions({ batchId: 'few', source: 'pod-a', events: toWire(sim.events('17', 20, NOW - BUCKET_MS, NOW)) });
    expect((await drift.report(MODEL)).status.drift).toBe('insufficient');
    await telemetry.ingestPredictions({ batchId: 'enough', source: 'pod-a', events: toWire(sim.events('17', 2000, NOW - BUCKET_MS, NOW)) });
    expect((await drift.report(MODEL)).status.drift).toBe('none');
  });

  it('reads a feature named like an inherited property (constructor, toString) as missing when events leave it out, not as a type change', async () => {
    const { telemetry, drift } = await setup();
    const profile = trainingProfile(1);
    const sample = (profile.features[0] as { sample: number[] }).sample;
    await telemetry.putReferenceProfile(MODEL, '18', {
      ...profile,
      features: [...profile.features, { name: 'constructor', type: 'numeric', sample }, { name: 'toString', type: 'categorical', counts: { a: 10, b: 5 } }, { name: 'hasOwnProperty', type: 'numeric', sample }],
    });
    const sim = new TrafficSimulator(MODEL, 'pod-a', 9);
    await telemetry.ingestPredictions({ batchId: 'inherited', source: 'pod-a', events: toWire(sim.events('18', 400, NOW - BUCKET_MS, NOW)) });
    const report = await drift.report(MODEL, { version: '18' });
    const inherited = report.violations.filter(v => ['constructor', 'toString', 'hasOwnProperty'].includes(v.feature));
    expect(inherited.filter(v => v.check === 'type-change')).toEqual([]);
    expect(inherited.filter(v => v.segment === '*').map(v => [v.feature, v.check]).sort()).toEqual([
      ['constructor', 'missing-feature'],
      ['hasOwnProperty', 'missing-feature'],
      ['toString', 'missing-feature'],
    ]);
  });

  it('seed replay: a format change on Android only is flagged for that segment only', async () => {
    const { telemetry, drift } = await setup();
    await streamHour(telemetry, 400, b => (b >= 6 ? { androidSessionInMs: true } : {}));
    const report = await drift.report(MODEL);
    const flagged = report.violations.filter(v => v.flagged && v.feature === 'session_length_s').map(v => v.segment);
    expect(flagged).toEqual(['platform=android']);
    const overall = report.violations.find(v => v.segment === '*' && v.feature === 'session_length_s');
    expect(overall).toMatchObject({ flagged: false, attributedTo: ['platform=android'] });
    const driftFlags = report.features.filter(f => f.feature === 'session_length_s' && f.flagged).map(f => f.segment);
    expect(driftFlags).toEqual(['platform=android']);
    expect(report.features.find(f => f.feature === 'session_length_s' && f.segment === 'platform=ios')).toMatchObject({ flagged: false });
  });

  it('flags statistical drift by PSI at large samples and stays quiet without it', async () => {
    const { telemetry, drift } = await setup({ drift: { segments: [] } });
    await streamHour(telemetry, 1000, () => ({ priceShift: 0.8 }));
    const report = await drift.report(MODEL);
    const price = report.features.find(f => f.feature === 'item_price' && f.segment === '*')!;
    expect(price).toMatchObject({ test: 'psi', flagged: true });
    expect(price.psi).toBeGreaterThan(0.25);
    const age = report.features.find(f => f.feature === 'user_age' && f.segment === '*')!;
    expect(age).toMatchObject({ test: 'psi', flagged: false, severity: 'none' });
    expect(report.violations.filter(v => v.feature === 'user_age')).toEqual([]);
  });

  it('uses KS with correction at small samples, and says "insufficient" below 25 values', async () => {
    const { telemetry, drift } = await setup({ drift: { segments: [] } });
    await streamHour(telemetry, 30, () => ({ priceShift: 1.5 }));
    const report = await drift.report(MODEL);
    const price = report.features.find(f => f.feature === 'item_price')!;
    expect(price).toMatchObject({ test: 'ks', pValueMethod: 'asymptotic', flagged: true });
    // One bucket of 30 events against the 20,000-value training profile: KS decides. Shifted this
    // far, the p-value is in the far tail (about 1e-11), where a window against a reference 667 times
    // larger is approximated (ksDistribution.ts): the same order of magnitude as the exact one.
    const bucket = await drift.report(MODEL, { from: NOW - BUCKET_MS, to: NOW });
    const bucketPrice = bucket.features.find(f => f.feature === 'item_price')!;
    expect(bucketPrice).toMatchObject({ n: 30, test: 'ks', pValueMethod: 'asymptotic', flagged: true });
    const exact = ksExactPValue(bucketPrice.ksStatistic!, 20_000, 30);
    expect(exact).toBeLessThan(1e-7);
    expect(Math.abs(Math.log10(bucketPrice.pValue! / exact))).toBeLessThan(1);
    // Categorical features keep chi-square's minimum of 100.
    expect(bucket.features.find(f => f.feature === 'user_country')).toMatchObject({ severity: 'insufficient', flagged: false });
    const sim = new TrafficSimulator(MODEL, 'pod-b', 5);
    const { telemetry: fresh, drift: freshDrift } = await setup({ drift: { segments: [] } });
    await fresh.ingestPredictions({ batchId: 'few', source: 'pod-b', events: toWire(sim.events('17', 24, NOW - BUCKET_MS, NOW, { priceShift: 1.5 })) });
    expect((await freshDrift.report(MODEL)).features.find(f => f.feature === 'item_price')).toMatchObject({ severity: 'insufficient', flagged: false, pValueMethod: null });
  });

  it('flags a heavier upper tail that PSI leaves alone, and only the feature that has it', async () => {
    const { telemetry, drift } = await setup({ drift: { segments: [] } });
    // 12,000 events in the hour; 1.5 % of them premium prices beyond the training p99.
    await streamHour(telemetry, 1000, () => ({ priceTail: 0.015 }));
    const report = await drift.report(MODEL);
    const price = report.features.find(f => f.feature === 'item_price')!;
    expect(price.psi).toBeLessThan(0.25);
    expect(price.tail).toMatchObject({ flagged: true, severity: 'warning' });
    expect(price.tail!.upper.share).toBeGreaterThan(2 * price.tail!.upper.referenceShare);
    expect(price.tail!.upper.pValue).toBeLessThan(1e-6);
    expect(price).toMatchObject({ flagged: true, severity: 'warning' });
    for (const other of report.features.filter(f => f.kind === 'numeric' && f.feature !== 'item_price')) {
      expect({ feature: other.feature, tailFlagged: other.tail?.flagged }).toEqual({ feature: other.feature, tailFlagged: false });
    }
    // Without the premium items the same traffic raises no tail alarm.
    const { telemetry: clean, drift: cleanDrift } = await setup({ drift: { segments: [] } });
    await streamHour(clean, 1000);
    const quiet = await cleanDrift.report(MODEL);
    expect(quiet.features.filter(f => f.tail?.flagged).map(f => f.feature)).toEqual([]);
    expect(quiet.features.find(f => f.feature === 'item_price')!.tail).not.toBeNull();
  });

  it('pre-aggregated profiles from a fleet land in the same summaries as raw events', async () => {
    const { telemetry, store } = await setup();
    const sim = new TrafficSimulator(MODEL, 'pod-a', 9);
    const events = toWire(sim.events('17', 300, NOW - BUCKET_MS, NOW));
    await telemetry.ingestPredictions({ batchId: 'raw', source: 'pod-a', events });
    const [age] = await store.readSummaries({ modelRef: MODEL, from: 0, to: NOW + BUCKET_MS, features: ['user_age'], segments: ['*'] });
    const profile = {
      model: MODEL, version: '17', sequence: 1, bucketStart: NOW - BUCKET_MS, segment: {}, events: 300, errors: 0,
      features: { user_age: age.summary },
    };
    expect(await telemetry.ingestProfiles({ batchId: 'fleet-1', source: 'fleet', profiles: [profile] })).toMatchObject({ accepted: 1 });
    expect(await telemetry.ingestProfiles({ batchId: 'fleet-2', source: 'fleet', profiles: [profile] })).toMatchObject({ accepted: 0, duplicates: 1 });
    const [doubled] = await store.readSummaries({ modelRef: MODEL, from: 0, to: NOW + BUCKET_MS, features: ['user_age'], segments: ['*'] });
    expect((doubled.summary as any).n).toBe(2 * (age.summary as any).n);
    await expect(
      telemetry.ingestProfiles({ batchId: 'fleet-3', source: 'fleet', profiles: [{ ...profile, sequence: 2, features: { user_age: { ...age.summary, bins: [[5000, 1]] } } }] }),
    ).rejects.toThrow(/profiles\[0\]\.features\.user_age\.bins\[0\]\[0\]: must be a bin of the layout/);

    // The dense form (counts from bin 0) counts the same; mixing forms or overrunning the layout is refused.
    const dense = decodeSummary(age.summary);
    const { bins: _bins, ...rest } = age.summary as any;
    const counts = Array.from((dense as any).counts as Float64Array);
    expect(await telemetry.ingestProfiles({ batchId: 'fleet-4', source: 'fleet', profiles: [{ ...profile, sequence: 3, features: { user_age: { ...rest, counts } } }] })).toMatchObject({ accepted: 1 });
    const [tripled] = await store.readSummaries({ modelRef: MODEL, from: 0, to: NOW + BUCKET_MS, features: ['user_age'], segments: ['*'] });
    expect(Array.from((decodeSummary(tripled.summary) as any).counts)).toEqual(counts.map(c => 3 * c));
    await expect(
      telemetry.ingestProfiles({ batchId: 'fleet-5', source: 'fleet', profiles: [{ ...profile, sequence: 4, features: { user_age: { ...age.summary, counts } } }] }),
    ).rejects.toThrow(/profiles\[0\]\.features\.user_age\.bins: give bins or counts, not both/);
    await expect(
      telemetry.ingestProfiles({ batchId: 'fleet-6', source: 'fleet', profiles: [{ ...profile, sequence: 5, features: { user_age: { ...rest, counts: [...counts, 1] } } }] }),
    ).rejects.toThrow(/profiles\[0\]\.features\.user_age\.counts: holds 1001 items/);
  });

  it('refuses a second profile for a version, and one after its telemetry began', async () => {
    const { telemetry } = await setup();
    await expect(telemetry.putReferenceProfile(MODEL, '17', trainingProfile(2))).rejects.toThrow(/already has a reference profile/);
    const sim = new TrafficSimulator(MODEL, 'pod-a', 10);
    await telemetry.ingestPredictions({ batchId: 'v18', source: 'pod-a', events: toWire(sim.events('18', 10, NOW - BUCKET_MS, NOW)) });
    await expect(telemetry.putReferenceProfile(MODEL, '18', trainingProfile(2))).rejects.toThrow(/already has telemetry/);
  });

  it('gives one of two uploads of the same profile at the same moment a conflict, never a database error', async () => {
    const { telemetry } = await setup();
    const uploads = await Promise.allSettled(Array.from({ length: 4 }, () => telemetry.putReferenceProfile(MODEL, '19', trainingProfile(3))));
    expect(uploads.filter(u => u.status === 'fulfilled')).toHaveLength(1);
    const refusals = uploads.flatMap(u => (u.status === 'rejected' ? [u.reason] : []));
    expect(refusals).toEqual(Array(3).fill(expect.objectContaining({ name: 'ConflictError', message: expect.stringMatching(/already has a reference profile/) })));
  });

  /** A minimal valid event of pod `source` with a given sequence and time. */
  const event = (sequence: number, time: number, source = 'pod-s', age = 30 + (sequence % 40)) => ({
    model: MODEL, version: '17', requestId: `${source}-${sequence}`, source, sequence, time, score: 0.4, latencyMs: 12,
    segment: { platform: sequence % 2 ? 'ios' : 'android' }, features: { user_age: age, session_length_s: 60, item_price: 20, user_country: 'DE' },
  });
  const seqs = (from: number, to: number, skip: number[] = []) => Array.from({ length: to - from + 1 }, (_, i) => from + i).filter(s => !skip.includes(s));
  const eventCount = async (store: DatabaseTelemetryStore, resolution: 'buckets' | 'coarsest' = 'buckets') =>
    (await store.readSummaries({ modelRef: MODEL, from: NOW - 3 * 86_400_000, to: NOW + BUCKET_MS, features: ['__events'], segments: ['*'], resolution }))
      .reduce((s, r) => s + (r.summary as any).n, 0);

  it('keeps committed sequences as ranges: gaps, out-of-order and overlapping redeliveries count each record once', async () => {
    const { telemetry, store, knex } = await setup();
    const send = (batchId: string, sequences: number[]) =>
      telemetry.ingestPredictions({ batchId, events: sequences.map(q => event(q, NOW - BUCKET_MS + q)) });
    expect(await send('a', seqs(1, 100, [50, 51]))).toMatchObject({ accepted: 98, duplicates: 0 });
    // Out of order, overlapping the first batch, filling its gap, with a repeat inside the batch.
    expect(await send('b', [150, ...seqs(40, 149).reverse(), 120])).toMatchObject({ accepted: 52, duplicates: 60 });
    expect(await send('c', [300, 1, 2])).toMatchObject({ accepted: 1, duplicates: 2 });
    const ranges = await knex('mlops_sequence_ranges').where({ stream: 'predictions', source: 'pod-s' }).orderBy('first_sequence');
    expect(ranges.map(r => [Number(r.first_sequence), Number(r.last_sequence)])).toEqual([[1, 150], [300, 300]]);
    const stored = await knex('mlops_prediction_events').where('source', 'pod-s').select('sequence');
    expect(stored.map(r => Number(r.sequence)).sort((x, y) => x - y)).toEqual([...seqs(1, 150), 300]);
    // Every resolution counts each stored event once.
    expect(await eventCount(store)).toBe(151);
    expect(await eventCount(store, 'coarsest')).toBe(151);
  });

  it('concurrent batches from one sender never both claim a sequence', async () => {
    const { telemetry, knex } = await setup();
    const batches = Array.from({ length: 6 }, (_, b) => seqs(b * 50 + 1, b * 50 + 120));
    const results = await Promise.all(batches.map((sequences, b) =>
      telemetry.ingestPredictions({ batchId: `c${b}`, events: sequences.map(q => event(q, NOW - BUCKET_MS + q)) }),
    ));
    expect(results.reduce((s, r) => s + r.accepted, 0)).toBe(370);
    const [{ n, distinct }] = await knex('mlops_prediction_events').where('source', 'pod-s').select(knex.raw('count(*) as n, count(distinct sequence) as "distinct"'));
    expect([Number(n), Number(distinct)]).toEqual([370, 370]);
  });

  it('reads long windows from hour and day rows with the same totals as the 5-minute rows', async () => {
    const { telemetry, store, knex } = await setup();
    // 50 hours of traffic, one event every 10 minutes, crossing two day boundaries.
    const start = NOW - 50 * 3_600_000;
    const events = Array.from({ length: 300 }, (_, i) => event(i + 1, start + i * 600_000 + 1));
    await telemetry.ingestPredictions({ batchId: 'days', events });
    const window = { modelRef: MODEL, from: start - 7 * 60_000, to: NOW - 2 * 60_000, features: ['__events', 'user_age'], segments: ['*', 'platform=ios'] };
    const fine = await store.readSummaries(window);
    const coarse = await store.readSummaries({ ...window, resolution: 'coarsest' });
    expect(new Set(coarse.map(r => r.bucketMs))).toEqual(new Set([BUCKET_MS, 3_600_000, 86_400_000]));
    expect(coarse.length).toBeLessThan(fine.length / 3);
    // Merged per feature and segment, in one canonical form (bins may be stored sparse or dense).
    const total = (rows: typeof fine, feature: string, segment: string): any => {
      const merged = rows.filter(r => r.feature === feature && r.segment === segment).map(r => r.summary).reduce((a, b) => mergeEncoded(a, b));
      return merged.kind === 'events' ? merged : encodeSummary(decodeSummary(merged));
    };
    for (const [feature, segment] of [['__events', '*'], ['user_age', '*'], ['user_age', 'platform=ios']]) {
      const [a, b] = [total(fine, feature, segment), total(coarse, feature, segment)];
      expect(b).toEqual(a);
    }
    expect(total(fine, '__events', '*').n).toBe(300);
    // Hour and day rows that began before the rollups did are not trusted: the 5-minute rows are read.
    await knex('mlops_telemetry_state').where('key', 'rollups_since').update({ value: String(NOW) });
    const since = await new DatabaseTelemetryStore(knex).readSummaries({ ...window, resolution: 'coarsest' });
    expect(since.every(r => r.bucketMs === BUCKET_MS)).toBe(true);
    expect(total(since, 'user_age', '*')).toEqual(total(fine, 'user_age', '*'));
  });

  it('carries rows of the per-event-key tables over to the range and rollup tables', async () => {
    const knex = await databases.init(databaseId);
    const { directory, tableName } = DatabaseTelemetryStore.migrations;
    const files: string[] = (await knex.migrate.list({ directory, tableName }))[1].map((m: any) => m.file as string).sort();
    for (const file of files.filter(f => f < '20261124000000')) await knex.migrate.up({ directory, tableName, name: file });
    await knex('mlops_predictions').insert({ source: 'old', sequence: 7, model_ref: MODEL, version: '17', request_id: 'r7', occurred_at: NOW - 60_000, error: false });
    await knex('mlops_profile_receipts').insert({ source: 'fleet', sequence: 3, received_at: NOW - 60_000 });
    await knex('mlops_feature_summaries').insert({ model_ref: MODEL, version: '17', segment: '*', feature: '__events', bucket_start: NOW - BUCKET_MS, layout_version: null, summary: JSON.stringify({ kind: 'events', n: 1, errors: 0 }) });
    await knex.migrate.latest({ directory, tableName });
    expect(await knex('mlops_prediction_events').select('source', 'request_id')).toEqual([{ source: 'old', request_id: 'r7' }]);
    const ranges = await knex('mlops_sequence_ranges').orderBy('stream').select('stream', 'source', 'first_sequence', 'last_sequence');
    expect(ranges.map(r => [r.stream, r.source, Number(r.first_sequence), Number(r.last_sequence)])).toEqual([['predictions', 'old', 7, 7], ['profiles', 'fleet', 3, 3]]);
    const [summary] = await knex('mlops_summaries').select('bucket_ms', 'layout_version');
    expect([Number(summary.bucket_ms), summary.layout_version]).toEqual([BUCKET_MS, '']);
    // Rollups start with the next day: earlier time has 5-minute rows only.
    const since = Number((await knex('mlops_telemetry_state').where('key', 'rollups_since').first()).value);
    expect(since % 86_400_000).toBe(0);
    expect(since).toBeGreaterThan(Date.now());
  });

  it('reports target drift: the click rate of matured predictions against the training rate', async () => {
    const { telemetry, drift } = await setup({ drift: { segments: [] } });
    const sim = new TrafficSimulator(MODEL, 'pod-t', 21);
    // An hour that has matured (the default label maturity is 1 h) before the report's window.
    const events = sim.events('17', 3000, NOW - 2 * 3_600_000, NOW - 3_600_000);
    await telemetry.ingestPredictions({ batchId: 't-1', source: 'pod-t', events: toWire(events) });
    const label = (source: string, clicked: typeof events) =>
      telemetry.ingestOutcomes({ batchId: source, source, outcomes: clicked.map((e, i) => ({ requestId: e.requestId, sequence: i, outcome: 'click', value: 1, time: e.time + 1000 })) });
    const target = async () => (await drift.report(MODEL, { version: '17', from: NOW - 3_600_000, to: NOW })).features.find(f => f.kind === 'target')!;

    // Users click with the score's probability, as in training: no drift.
    const honest = events.filter(e => e.clicked);
    await label('labels-1', honest);
    const quiet = await target();
    expect(quiet).toMatchObject({ feature: '__target', outcome: 'click', n: 3000, test: 'chi-square', flagged: false });
    expect(quiet.rates!.current).toBeCloseTo(honest.length / 3000, 10);
    expect(Math.abs(quiet.rates!.current! - quiet.rates!.reference!)).toBeLessThan(0.02);

    // Twice the clicks: flagged, with both rates in the report.
    await label('labels-2', events.filter(e => !e.clicked).slice(0, honest.length));
    const drifted = await target();
    expect(drifted).toMatchObject({ flagged: true, test: 'chi-square' });
    expect(drifted.rates!.current).toBeCloseTo((2 * honest.length) / 3000, 10);
    expect(drifted.pValue!).toBeLessThan(1e-6);
  });
});
