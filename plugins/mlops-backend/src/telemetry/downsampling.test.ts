import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { toWire, trainingProfile, TrafficSimulator } from '../demo/simulation';
import { DefaultDriftService } from '../drift/DriftService';
import { migrateDatabase } from '../migrations';
import { RESOLUTIONS } from './constants';
import { DatabaseTelemetryStore } from './DatabaseTelemetryStore';
import { DefaultTelemetryService } from './TelemetryService';

jest.setTimeout(180_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Math.floor(Date.now() / HOUR) * HOUR + 17 * 60_000;
const KEPT = { [RESOLUTIONS[0]]: 2 * DAY, [RESOLUTIONS[1]]: 30 * DAY, [RESOLUTIONS[2]]: 90 * DAY };

describe.each(databases.eachSupportedId())('summaries downsampled by age (%s)', databaseId => {
  it('drops 5-minute rows past their retention, and answers drift over old ranges from the coarser rows with the same verdicts', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const store = new DatabaseTelemetryStore(knex, { keptMs: KEPT, now: () => NOW });
    const policy = modelPolicySchema.parse({ drift: { segments: ['platform'], window: '1d' } });
    const telemetry = new DefaultTelemetryService({ store, policies: async ref => (ref === MODEL ? policy : undefined), now: () => NOW, retentionMs: 90 * DAY });
    const drift = new DefaultDriftService(store, telemetry, () => NOW);
    await telemetry.putReferenceProfile(MODEL, '17', trainingProfile(1));
    // Four days ago the price drifted and user_country arrived as numbers; since then, healthy.
    const send = async (name: string, count: number, from: number, to: number, scenario: object) => {
      const events = toWire(new TrafficSimulator(MODEL, name, 5).events('17', count, from, to, scenario));
      for (let i = 0; i < events.length; i += 5000) await telemetry.ingestPredictions({ batchId: `${name}-${i}`, source: name, events: events.slice(i, i + 5000) });
    };
    await send('old', 6000, NOW - 4 * DAY, NOW - 3 * DAY, { priceShift: 1.6, countryAsNumber: true });
    await store.compactSummaries();
    await send('new', 9000, NOW - 3 * DAY, NOW - HOUR, {});
    // The old days folded into the stored rows, the new ones still appended: both are downsampled.

    const old = { from: NOW - 4 * DAY, to: NOW - 3 * DAY };
    const verdicts = (r: any) => r.features.map((f: any) => [f.feature, f.segment, f.flagged, f.severity, f.psi === null ? null : Number(f.psi.toFixed(6))]);
    const violations = (r: any) => r.violations.filter((v: any) => v.flagged).map((v: any) => [v.feature, v.segment, v.check]).sort();
    const beforeReport = await drift.report(MODEL, old);
    const beforeSeries = await drift.series(MODEL, { ...old, stepMs: HOUR });
    expect(violations(beforeReport)).toContainEqual(['user_country', '*', 'type-change']);
    expect(beforeReport.features.find(f => f.feature === 'item_price' && f.segment === '*')?.flagged).toBe(true);

    const fiveMinuteRows = async (before: number) => Number((await knex('mlops_summaries').where('bucket_ms', RESOLUTIONS[0]).where('bucket_start', '<', before).count({ n: '*' }))[0].n);
    expect(await fiveMinuteRows(NOW - 2 * DAY)).toBeGreaterThan(0);
    const removed = await store.purge({ rawEvents: 0, summaries: Object.fromEntries(Object.entries(KEPT).map(([ms, kept]) => [ms, NOW - kept])) });
    expect(removed).toBeGreaterThan(0);
    expect(await fiveMinuteRows(NOW - 2 * DAY - RESOLUTIONS[0])).toBe(0);
    expect(Number((await knex('mlops_summaries').where('bucket_ms', RESOLUTIONS[1]).count({ n: '*' }))[0].n)).toBeGreaterThanOrEqual(24);
    expect(Number((await knex('mlops_summary_deltas').where('bucket_ms', RESOLUTIONS[1]).count({ n: '*' }))[0].n)).toBeGreaterThan(24 * 2);
    expect(Number((await knex('mlops_summary_deltas').where('bucket_ms', RESOLUTIONS[0]).where('bucket_start', '<', NOW - 2 * DAY - RESOLUTIONS[0]).count({ n: '*' }))[0].n)).toBe(0);

    const afterReport = await drift.report(MODEL, old);
    expect(verdicts(afterReport)).toEqual(verdicts(beforeReport));
    expect(violations(afterReport)).toEqual(violations(beforeReport));
    const afterSeries = await drift.series(MODEL, { ...old, stepMs: HOUR });
    expect(afterSeries.features).toEqual(beforeSeries.features);
    expect(afterSeries.steps).toEqual(beforeSeries.steps);
    // A 5-minute step over the old range widens to the hourly rows that are left.
    const asked5m = await drift.series(MODEL, { ...old, stepMs: 5 * 60_000 });
    expect(asked5m.stepMs).toBe(HOUR);
    // The same events as the hourly series before (both widened to whole hours at the window's edges).
    const events = (series: { steps: Array<{ events: number }> }) => series.steps.reduce((n, step) => n + step.events, 0);
    expect(events(asked5m)).toBe(events(beforeSeries));
    expect(events(beforeSeries)).toBeGreaterThanOrEqual(6000);
    // Recent ranges keep their 5-minute rows.
    const recent = await drift.series(MODEL, { from: NOW - 6 * HOUR, to: NOW, stepMs: 5 * 60_000 });
    expect(recent.stepMs).toBe(5 * 60_000);
  });

  it('reads each hour once when 5-minute and hourly rows are kept almost as long', async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    // Everything kept one day: hourly rows are read from a whole day, 5-minute rows only after it.
    const kept = { [RESOLUTIONS[0]]: DAY, [RESOLUTIONS[1]]: DAY, [RESOLUTIONS[2]]: DAY };
    const store = new DatabaseTelemetryStore(knex, { keptMs: kept, now: () => NOW });
    const policy = modelPolicySchema.parse({});
    const telemetry = new DefaultTelemetryService({ store, policies: async ref => (ref === MODEL ? policy : undefined), now: () => NOW, retentionMs: 90 * DAY });
    await telemetry.putReferenceProfile(MODEL, '17', trainingProfile(1));
    const events = toWire(new TrafficSimulator(MODEL, 'pod', 9).events('17', 2000, NOW - 23 * HOUR - 30 * 60_000, NOW - 60_000));
    await telemetry.ingestPredictions({ batchId: 'b', source: 'pod', events });
    for (const resolution of ['coarsest', 'buckets'] as const) {
      const rows = await store.readSummaries({ modelRef: MODEL, features: ['__events'], segments: ['*'], from: NOW - DAY, to: NOW, resolution });
      expect([resolution, rows.reduce((n, r) => n + (r.summary as any).n, 0)]).toEqual([resolution, 2000]);
    }
  });
});
