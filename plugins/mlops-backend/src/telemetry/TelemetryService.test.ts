import { mockServices } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { modelPolicySchema, ModelPolicyInput } from '@modelrails/plugin-mlops-common';
import fc from 'fast-check';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { migrateDatabase } from '../database/DatabaseModelRailsStore';
import { DatabaseTelemetryStore } from './DatabaseTelemetryStore';
import { DriftService } from './DriftService';
import { BUCKET_MS, TelemetryService } from './TelemetryService';
import { toWire, trainingProfile, TrafficScenario, TrafficSimulator } from './simulation';

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
    const telemetry = new TelemetryService({
      store,
      policies: async ref => (ref === MODEL ? parsed : undefined),
      rawSampleRate: 0.1,
      now: () => NOW,
    });
    const drift = new DriftService(store, telemetry, () => NOW);
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
    const rows = await knex('mlops_predictions').count({ n: '*' });
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
    const kept = Number((await knex('mlops_predictions').whereNotNull('features').count({ n: '*' }))[0].n);
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
    expect(Number((await knex('mlops_predictions').count({ n: '*' }))[0].n)).toBe(0);
    expect(Number((await knex('mlops_telemetry_batches').count({ n: '*' }))[0].n)).toBe(0);
  });

  it('answers generated garbage with an InputError and leaves the tables untouched', async () => {
    const { telemetry, knex } = await setup();
    const valid = toWire(new TrafficSimulator(MODEL, 'pod-a', 6).events('17', 3, NOW - BUCKET_MS, NOW));
    const field = fc.constantFrom('model', 'version', 'requestId', 'sequence', 'time', 'features', 'score', 'latencyMs', 'error', 'segment', 'source');
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
        await knex('mlops_predictions').delete();
        await knex('mlops_feature_summaries').delete();
        await knex('mlops_telemetry_batches').delete();
      }),
      { numRuns: 150 },
    );
    expect(Number((await knex('mlops_predictions').count({ n: '*' }))[0].n)).toBe(0);
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

  it('uses KS with correction at small samples and says "insufficient" below 100 events', async () => {
    const { telemetry, drift } = await setup({ drift: { segments: [] } });
    await streamHour(telemetry, 30, () => ({ priceShift: 1.5 }));
    const report = await drift.report(MODEL);
    const price = report.features.find(f => f.feature === 'item_price')!;
    expect(price.test).toBe('ks');
    expect(price.flagged).toBe(true);
    const few = await drift.report(MODEL, { from: NOW - BUCKET_MS, to: NOW });
    expect(few.features.find(f => f.feature === 'item_price')).toMatchObject({ severity: 'insufficient', flagged: false });
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
  });

  it('refuses a second profile for a version, and one after its telemetry began', async () => {
    const { telemetry } = await setup();
    await expect(telemetry.putReferenceProfile(MODEL, '17', trainingProfile(2))).rejects.toThrow(/already has a reference profile/);
    const sim = new TrafficSimulator(MODEL, 'pod-a', 10);
    await telemetry.ingestPredictions({ batchId: 'v18', source: 'pod-a', events: toWire(sim.events('18', 10, NOW - BUCKET_MS, NOW)) });
    await expect(telemetry.putReferenceProfile(MODEL, '18', trainingProfile(2))).rejects.toThrow(/already has telemetry/);
  });
});
