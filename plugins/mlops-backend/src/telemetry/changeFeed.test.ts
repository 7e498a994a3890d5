import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { toWire, trainingProfile, TrafficSimulator } from '../demo/simulation';
import { migrateDatabase } from '../migrations';
import { BUCKET_MS, bucketOf } from './constants';
import { DatabaseTelemetryStore } from './DatabaseTelemetryStore';
import { ChangeFeed, CHANGE_FEED_KEEP_MS, TelemetryChanges } from './TelemetryChanges';
import { DefaultTelemetryService } from './TelemetryService';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';

describe.each(databases.eachSupportedId())('the telemetry change feed between replicas (%s)', databaseId => {
  it("tells every replica of another's commits, with the oldest bucket they touched, and not of its own", async () => {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const policy = modelPolicySchema.parse({});
    const replica = (name: string) => {
      const store = new DatabaseTelemetryStore(knex);
      const telemetry = new DefaultTelemetryService({ store, policies: async ref => (ref === MODEL ? policy : undefined), replica: name });
      const heard: number[] = [];
      telemetry.changes.onCommit((_, bucket) => heard.push(bucket));
      return { telemetry, heard, feed: new ChangeFeed({ store, changes: telemetry.changes, replica: name }) };
    };
    const a = replica('replica-a');
    const b = replica('replica-b');
    await a.telemetry.putReferenceProfile(MODEL, '17', trainingProfile(1, 500));
    const now = Date.now();
    // A late batch: its oldest event is 40 minutes old.
    const events = toWire(new TrafficSimulator(MODEL, 'pod-1', 3).events('17', 300, now - 40 * 60_000, now));
    await a.telemetry.ingestPredictions({ batchId: 'late', source: 'pod-1', events });
    // Announced before and again after its kept drift verdicts are forgotten.
    const afterCommit = a.telemetry.changes.generation(MODEL);
    expect(afterCommit).toBeGreaterThan(0);
    expect(b.telemetry.changes.generation(MODEL)).toBe(0);
    // A redelivered batch wrote nothing: it announces nothing.
    expect(await a.telemetry.ingestPredictions({ batchId: 'late', source: 'pod-1', events })).toMatchObject({ redelivered: true });
    expect(a.telemetry.changes.generation(MODEL)).toBe(afterCommit);

    await b.feed.poll();
    expect(b.telemetry.changes.generation(MODEL)).toBe(1);
    expect(b.heard).toEqual([bucketOf(now - 40 * 60_000)]);
    expect(b.heard[0]).toBeLessThanOrEqual(now - 35 * 60_000 - BUCKET_MS);
    // Read again: nothing new. And a replica never hears its own commits twice.
    await b.feed.poll();
    await a.feed.poll();
    expect(b.telemetry.changes.generation(MODEL)).toBe(1);
    expect(a.telemetry.changes.generation(MODEL)).toBe(afterCommit);

    // Old announcements are pruned.
    const store = new DatabaseTelemetryStore(knex);
    expect(await store.summaryChanges(0)).toHaveLength(1);
    await store.pruneSummaryChanges(Date.now() + CHANGE_FEED_KEEP_MS);
    expect(await store.summaryChanges(0)).toHaveLength(0);
  });
});

describe('TelemetryChanges', () => {
  it('tells the oldest bucket written since a generation, and that everything may have changed once too many commits came', () => {
    const changes = new TelemetryChanges();
    const start = changes.generation('m');
    expect(changes.oldestSince('m', start)).toBe(Infinity);
    changes.committed('m', 600);
    changes.committed('other', 0);
    changes.committed('m', 300);
    changes.committed('m', 900);
    expect(changes.oldestSince('m', start)).toBe(300);
    expect(changes.oldestSince('m', start + 2)).toBe(900);
    expect(changes.oldestSince('m', start + 3)).toBe(Infinity);
    const busy = changes.generation('m');
    for (let i = 0; i < 1000; i++) changes.committed('m', 1200);
    expect(changes.oldestSince('m', busy)).toBe(1200);
    changes.committed('m', 1200);
    expect(changes.oldestSince('m', busy)).toBe(-Infinity);
    expect(changes.oldestSince('m', busy + 1)).toBe(1200);
  });
});
