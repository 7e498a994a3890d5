import fc from 'fast-check';
import request from 'supertest';
import { READER, READER_TOKEN, SERVING, SERVING_TOKEN, startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';

jest.setTimeout(60_000);

const MODEL = 'model:default/home-feed-ranker';
const entities = [
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'home-feed-ranker', namespace: 'default', title: 'Home feed ranker' },
    spec: {
      type: 'ranker',
      lifecycle: 'production',
      owner: 'ranking-team',
      policy: {
        kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' }, slo: { min: 0.9 }, segments: ['platform'] }],
        cost: { environment: 'production', replicas: [{ kind: 'fixed', count: 2 }] },
      },
    },
  },
];

function start() {
  return startBackendWithTokens({
    entities,
    tokens: [SERVING_TOKEN, READER_TOKEN],
    mlops: { cost: { environments: { production: { replicaHourCost: 0.5 } } } },
  });
}

describe('KPI routes (real auth and permission services)', () => {
  it('reports a model and the overview to a reader; refuses others', async () => {
    const server = await start();
    const now = Date.now();
    const events = Array.from({ length: 20 }, (_, i) => ({ model: MODEL, version: '3', requestId: `r${i}`, sequence: i, time: now - 60_000 + i, segment: { platform: i % 2 ? 'ios' : 'web' } }));
    expect((await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send({ batchId: 'b', source: 'pod', events })).status).toBe(200);

    const report = await request(server).get('/api/mlops/models/default/home-feed-ranker/kpis?window=6h&segments=platform').set('Authorization', READER);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ modelRef: MODEL, stepMs: 15 * 60_000, segmentTags: ['platform'], currency: 'USD' });
    const ctr = report.body.metrics.find((m: any) => m.name === 'ctr');
    expect(ctr.series.map((s: any) => [s.segment, s.current.denominator])).toEqual([['*', 20], ['platform=ios', 10], ['platform=web', 10]]);
    expect(report.body.metrics.map((m: any) => m.name)).toEqual(['ctr', 'throughput', 'error_rate', 'latency_p50', 'latency_p95', 'latency_p99', 'cost_per_1k']);

    const overview = await request(server).get('/api/mlops/kpis?window=1d').set('Authorization', READER);
    expect(overview.status).toBe(200);
    expect(overview.body.items).toEqual([
      expect.objectContaining({ modelRef: MODEL, title: 'Home feed ranker', owner: 'ranking-team', sloStatus: 'breach', breaches: ['ctr'], predictions: 20 }),
    ]);

    expect((await request(server).get('/api/mlops/models/default/home-feed-ranker/kpis')).status).toBe(401);
    expect((await request(server).get('/api/mlops/models/default/home-feed-ranker/kpis').set('Authorization', SERVING)).status).toBe(403);
    expect((await request(server).get('/api/mlops/kpis').set('Authorization', SERVING)).status).toBe(403);
    expect((await request(server).get('/api/mlops/models/default/nobody/kpis').set('Authorization', READER)).status).toBe(404);
  });

  it.each([
    ['window=0d', /window/],
    ['window=91d', /window: at most 90d/],
    ['window=1h&from=2026-11-01T00%3A00%3A00Z', /window/],
    ['from=2026-11-24T00%3A00%3A00Z&to=2026-11-23T00%3A00%3A00Z', /from must be before/],
    ['from=yesterday', /from/],
    ['step=7m', /step/],
    ['window=30d&step=5m', /2000 points/],
    ['segments=country', /segments: "country"/],
    ['segments=plat form', /segments/],
    ['version=../x', /version/],
    ['colour=red', /colour/],
  ])('answers 400 naming the field for %s', async (query, message) => {
    const server = await start();
    const res = await request(server).get(`/api/mlops/models/default/home-feed-ranker/kpis?${query}`).set('Authorization', READER);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('any query gets a report or a 400, never a 5xx', async () => {
    const server = await start();
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('1h', '7d', '90d', '5m', '1d', 'platform', '2026-11-20T00:00:00Z', '3'));
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('window', 'from', 'to', 'step', 'version', 'segments'), value, { maxKeys: 4 }), async query => {
        const res = await request(server).get('/api/mlops/models/default/home-feed-ranker/kpis').query(query).set('Authorization', READER);
        expect([200, 400]).toContain(res.status);
      }),
      { numRuns: 60 },
    );
  });
});
