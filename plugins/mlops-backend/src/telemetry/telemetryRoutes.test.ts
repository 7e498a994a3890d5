import { mockCredentials } from '@backstage/backend-test-utils';
import { READER, READER_TOKEN, SERVING, SERVING_TOKEN, startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';
import request from 'supertest';
import { toWire, trainingProfile, TrafficSimulator } from '../demo/simulation';

jest.setTimeout(60_000);

const MODEL = 'model:default/home-feed-ranker';
const entities = [
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'home-feed-ranker', namespace: 'default' },
    spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team', policy: { drift: { segments: ['platform'] } } },
  },
];
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const version = (v: string) => ({
  version: v,
  artifact: { uri: `s3://models/home-feed-ranker/${v}/model.txt`, digest: digest('a') },
  codeCommit: '3f2c1a9e',
  metrics: { 'ndcg@20': 0.186 },
});

const CI = 'Bearer ci-token-for-tests';

function start() {
  return startBackendWithTokens({
    entities,
    tokens: [
      SERVING_TOKEN,
      { token: 'ci-token-for-tests', subject: 'ci', permission: 'mlops.version.register' },
      READER_TOKEN,
    ],
    mlops: { telemetry: { rawSampleRate: 0.5 } },
  });
}

describe('telemetry routes with scoped tokens (real auth and permission services)', () => {
  it('serving sends telemetry and nothing else; CI uploads the profile; a reader reads drift and metrics', async () => {
    const server = await start();
    expect((await request(server).post('/api/mlops/models/default/home-feed-ranker/versions').set('Authorization', CI).send(version('17'))).status).toBe(201);
    const profile = await request(server).put('/api/mlops/models/default/home-feed-ranker/versions/17/profile').set('Authorization', CI).send(trainingProfile(1, 5000));
    expect(profile.status).toBe(201);
    expect(profile.body.features.map((f: any) => f.feature)).toEqual(['user_age', 'session_length_s', 'item_price', 'user_country', '__score', '__target:click']);
    expect((await request(server).put('/api/mlops/models/default/home-feed-ranker/versions/17/profile').set('Authorization', CI).send(trainingProfile(1, 5000))).status).toBe(409);
    expect((await request(server).put('/api/mlops/models/default/home-feed-ranker/versions/99/profile').set('Authorization', CI).send(trainingProfile(1, 100))).status).toBe(404);

    const now = Date.now();
    const events = toWire(new TrafficSimulator(MODEL, 'pod-1', 3).events('17', 600, now - 10 * 60_000, now, { countryAsNumber: true }));
    const body = { batchId: 'pod-1-0001', source: 'pod-1', events };
    const ingested = await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send(body);
    expect(ingested.status).toBe(200);
    expect(ingested.body).toEqual({ batchId: 'pod-1-0001', accepted: 600, duplicates: 0, dropped: 0, redelivered: false });
    const again = await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send(body);
    expect(again.body).toMatchObject({ accepted: 600, redelivered: true });

    // The serving token cannot read or register; CI and readers cannot ingest.
    expect((await request(server).get('/api/mlops/models/default/home-feed-ranker/drift').set('Authorization', SERVING)).status).toBe(403);
    expect((await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', CI).send({ ...body, batchId: 'x' })).status).toBe(403);
    expect((await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', READER).send({ ...body, batchId: 'y' })).status).toBe(403);
    expect((await request(server).post('/api/mlops/telemetry/predictions').send({ ...body, batchId: 'z' })).status).toBe(401);

    const drift = await request(server).get('/api/mlops/models/default/home-feed-ranker/drift').set('Authorization', READER);
    expect(drift.status).toBe(200);
    expect(drift.body).toMatchObject({ modelRef: MODEL, version: '17', events: 600, status: { openViolations: 1 } });
    expect(drift.body.violations.filter((v: any) => v.flagged)).toEqual([expect.objectContaining({ feature: 'user_country', segment: '*', check: 'type-change', open: true })]);

    const layout = await request(server).get('/api/mlops/models/default/home-feed-ranker/versions/17/profile').set('Authorization', READER);
    expect(layout.body.features.find((f: any) => f.feature === 'user_age').layout.edges).toHaveLength(999);

    const metrics = await request(server).get('/api/mlops/metrics').set('Authorization', READER);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('mlops_ingest_records_total{kind="predictions",result="accepted"} 600');
    expect(metrics.text).toContain('mlops_ingest_batches_total{kind="predictions",result="redelivered"} 1');
    expect((await request(server).get('/api/mlops/metrics').set('Authorization', SERVING)).status).toBe(403);
  });

  it('gives the serving token the telemetry layout it bins profiles with', async () => {
    const server = await start();
    const path = '/api/mlops/models/default/home-feed-ranker/versions/17/telemetry-layout';
    // No training profile yet: events, scores and latencies only.
    const bare = await request(server).get(path).set('Authorization', SERVING);
    expect(bare.status).toBe(200);
    expect(bare.body).toMatchObject({ modelRef: MODEL, version: '17', layoutVersion: null, bucketMinutes: 5, segments: ['platform'], features: [] });
    expect(bare.body.limits).toEqual({ eventsPerBatch: 10_000, profilesPerBatch: 1_000, featuresPerEvent: 200, maxCategories: 500, logAccuracy: 0.01 });

    expect((await request(server).post('/api/mlops/models/default/home-feed-ranker/versions').set('Authorization', CI).send(version('17'))).status).toBe(201);
    expect((await request(server).put('/api/mlops/models/default/home-feed-ranker/versions/17/profile').set('Authorization', CI).send(trainingProfile(1, 5000))).status).toBe(201);
    const layout = await request(server).get(path).set('Authorization', SERVING);
    expect(layout.body.layoutVersion).toBe('17');
    expect(layout.body.features.map((f: any) => [f.name, f.kind, f.layout?.edges.length])).toEqual([
      ['item_price', 'numeric', 999],
      ['session_length_s', 'numeric', 999],
      ['user_age', 'numeric', 999],
      ['user_country', 'categorical', undefined],
    ]);
    // A version without a profile of its own bins with the model's newest.
    expect((await request(server).get(path.replace('/17/', '/18/')).set('Authorization', SERVING)).body.layoutVersion).toBe('17');

    // A profile built from it is accepted: the top bin for a value above every edge.
    const bucketStart = Math.floor(Date.now() / 300_000) * 300_000;
    const profile = {
      model: MODEL, version: '17', sequence: 1, bucketStart, events: 2, segment: { platform: 'ios' },
      features: {
        user_age: { kind: 'numeric', n: 2, sum: 1e6 + 1, sumSquares: 1e12 + 1, min: 1, max: 1e6, belowRange: 0, aboveRange: 1, bins: [[0, 1], [999, 1]] },
        user_country: { kind: 'categorical', n: 2, categories: { US: 1, DE: 1 } },
      },
    };
    const sent = await request(server).post('/api/mlops/telemetry/profiles').set('Authorization', SERVING).send({ batchId: 'p-1', source: 'pod-9', profiles: [profile] });
    expect(sent.status).toBe(200);
    const outside = await request(server).post('/api/mlops/telemetry/profiles').set('Authorization', SERVING).send({ batchId: 'p-2', source: 'pod-9', profiles: [{ ...profile, sequence: 2, features: { user_age: { ...profile.features.user_age, bins: [[1000, 2]] } } }] });
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toBe('profiles[0].features.user_age.bins[0][0]: must be a bin of the layout (0 to 999)');
    // Ties and tail sketches are checked against the bins they describe.
    const age = profile.features.user_age;
    const withExtras = (extras: object, sequence: number) => ({ batchId: `p-${sequence}`, source: 'pod-9', profiles: [{ ...profile, sequence, features: { user_age: { ...age, ...extras } } }] });
    const refusals: Array<[object, string]> = [
      [{ ties: [[0, 2]] }, "ties[0][1]: must not exceed bin 0's count (1)"],
      [{ ties: [[999, 1]] }, "ties[0][0]: must be an edge's bin (0 to 998)"],
      [{ ties: [[0, 1], [0, 1]] }, 'ties[1][0]: 0 appears twice'],
      [{ highTail: [[1380, 2]] }, 'highTail: must hold every untied value of bin 999: 1, not 2'],
      [{ ties: [[0, 1]], lowTail: [[3, 1]] }, 'lowTail: must hold every untied value of bin 0: 0, not 1'],
      [{ highTail: [[1.5, 1]] }, 'highTail[0][0]: must be an integer'],
    ];
    for (const [i, [extras, message]] of refusals.entries()) {
      const refused = await request(server).post('/api/mlops/telemetry/profiles').set('Authorization', SERVING).send(withExtras(extras, 10 + i));
      expect({ status: refused.status, message: refused.body.error?.message }).toEqual({ status: 400, message: `profiles[0].features.user_age.${message}` });
    }
    const sketched = await request(server).post('/api/mlops/telemetry/profiles').set('Authorization', SERVING).send(withExtras({ lowTail: [[-40, 1]], highTail: [[1380, 1]] }, 20));
    expect(sketched.status).toBe(200);

    // Only the ingest permission reads it; an unknown Model is a 404.
    expect((await request(server).get(path).set('Authorization', CI)).status).toBe(403);
    expect((await request(server).get(path)).status).toBe(401);
    expect((await request(server).get('/api/mlops/models/default/no-such-model/versions/1/telemetry-layout').set('Authorization', SERVING)).status).toBe(404);
  });

  it('answers 400 naming the field, 413 above 8 MB, and counts the rejection', async () => {
    const server = await start();
    const now = Date.now();
    const events = toWire(new TrafficSimulator(MODEL, 'pod-2', 4).events('17', 5, now - 60_000, now)) as any[];
    events[2].latencyMs = -3;
    const bad = await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send({ batchId: 'b', source: 'pod-2', events });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('events[2].latencyMs: must not be negative');
    const unknownField = await request(server).post('/api/mlops/telemetry/outcomes').set('Authorization', SERVING).send({ batchId: 'o', outcomes: [{ requestId: 'r', sequence: 1, outcome: 'Click!', time: now }], source: 's' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toMatch(/^outcomes\[0\]\.outcome: must be lower_snake_case/);
    const huge = { batchId: 'h', source: 'pod-2', events: [{ model: MODEL, version: '17', requestId: 'r', sequence: 1, time: now, features: { blob: 'x'.repeat(9 * 1024 * 1024) } }] };
    const tooBig = await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send(huge);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toMatch(/8mb/);
    const metrics = await request(server).get('/api/mlops/metrics').set('Authorization', mockCredentials.user.header());
    expect(metrics.status).toBe(401); // mock user tokens are not valid for the real auth service
    const asReader = await request(server).get('/api/mlops/metrics').set('Authorization', READER);
    expect(asReader.text).toContain('mlops_ingest_records_total{kind="predictions",result="rejected"} 5');
  });
});
