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
    spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team', policy: { drift: { segments: ['platform'] } } },
  },
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'ad-ctr', namespace: 'default' },
    spec: { type: 'classifier', lifecycle: 'experimental', owner: 'ads-team' },
  },
];
const SERIES = '/api/mlops/models/default/home-feed-ranker/drift/series';
const DISTRIBUTION = '/api/mlops/models/default/home-feed-ranker/drift/distribution';

function start() {
  return startBackendWithTokens({
    entities,
    tokens: [SERVING_TOKEN, READER_TOKEN],
  });
}

describe('drift series, distribution, model list and events routes (real auth and permission services)', () => {
  it('answer a reader and refuse others', async () => {
    const server = await start();
    const now = Date.now();
    const events = Array.from({ length: 20 }, (_, i) => ({ model: MODEL, version: '3', requestId: `r${i}`, sequence: i, time: now - 60_000 + i, segment: { platform: i % 2 ? 'ios' : 'web' } }));
    expect((await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send({ batchId: 'b', source: 'pod', events })).status).toBe(200);

    const series = await request(server).get(`${SERIES}?window=6h&step=1h&segment=platform%3Dios`).set('Authorization', READER);
    expect(series.status).toBe(200);
    expect(series.body).toMatchObject({ modelRef: MODEL, version: '3', segment: 'platform=ios', stepMs: 3_600_000 });
    expect(series.body.steps.reduce((n: number, s: any) => n + s.events, 0)).toBe(10);

    const models = await request(server).get('/api/mlops/models').set('Authorization', READER);
    expect(models.status).toBe(200);
    expect(models.body.items).toEqual([
      { entityRef: 'model:default/ad-ctr', title: 'ad-ctr', owner: 'ads-team', lifecycle: 'experimental' },
      { entityRef: MODEL, title: 'Home feed ranker', owner: 'ranking-team', lifecycle: 'production' },
    ]);
    const modelEvents = await request(server).get('/api/mlops/models/default/home-feed-ranker/events?window=30d').set('Authorization', READER);
    expect(modelEvents.status).toBe(200);
    expect(modelEvents.body).toEqual({ items: [] });

    // No reference profile: nothing to compare, so no distribution of any feature.
    const distribution = await request(server).get(`${DISTRIBUTION}?feature=item_price`).set('Authorization', READER);
    expect(distribution.status).toBe(404);
    expect(distribution.body.error.message).toMatch(/item_price/);

    for (const path of [SERIES, `${DISTRIBUTION}?feature=x`, '/api/mlops/models', '/api/mlops/models/default/home-feed-ranker/events']) {
      expect((await request(server).get(path)).status).toBe(401);
      expect((await request(server).get(path).set('Authorization', SERVING)).status).toBe(403);
    }
    expect((await request(server).get('/api/mlops/models/default/nobody/drift/series').set('Authorization', READER)).status).toBe(404);
    expect((await request(server).get('/api/mlops/models/default/nobody/events').set('Authorization', READER)).status).toBe(404);
  });

  it('shares one answer among viewers of a window until telemetry for the model arrives', async () => {
    const server = await start();
    const now = Date.now();
    const send = (batchId: string, first: number, count: number) =>
      request(server)
        .post('/api/mlops/telemetry/predictions')
        .set('Authorization', SERVING)
        .send({ batchId, source: 'pod', events: Array.from({ length: count }, (_, i) => ({ model: MODEL, version: '3', requestId: `r${first + i}`, sequence: first + i, time: now - 60_000 })) });
    expect((await send('b1', 0, 10)).status).toBe(200);
    const hour = 3_600_000;
    const window = new URLSearchParams({ from: new Date(Math.floor(now / hour) * hour - 5 * hour).toISOString(), to: new Date(Math.floor(now / hour) * hour + hour).toISOString(), step: '1h' });
    const total = (res: request.Response) => res.body.steps.reduce((n: number, s: any) => n + s.events, 0);

    const first = await request(server).get(`${SERIES}?${window}`).set('Authorization', READER).set('Accept-Encoding', 'gzip');
    expect([first.status, first.headers['content-encoding'], first.headers['content-type']]).toEqual([200, 'gzip', 'application/json; charset=utf-8']);
    expect(total(first)).toBe(10);
    const same = await request(server).get(`${SERIES}?${window}`).set('Authorization', READER).set('If-None-Match', first.headers.etag);
    expect(same.status).toBe(304);
    // Access is checked before the shared answer is sent.
    expect((await request(server).get(`${SERIES}?${window}`).set('Authorization', SERVING)).status).toBe(403);

    expect((await send('b2', 10, 5)).status).toBe(200);
    const after = await request(server).get(`${SERIES}?${window}`).set('Authorization', READER).set('If-None-Match', first.headers.etag);
    expect([after.status, total(after)]).toEqual([200, 15]);
  });

  it.each([
    [SERIES, 'window=0d', /window/],
    [SERIES, 'window=91d', /window: at most 90d/],
    [SERIES, 'step=7m', /step/],
    [SERIES, 'window=90d&step=5m', /500 points/],
    [SERIES, 'segment=country%3DUS', /segment: "country=US"/],
    [SERIES, 'segment=platform%3D', /segment/],
    [SERIES, 'version=../x', /version/],
    [DISTRIBUTION, '', /feature/],
    [DISTRIBUTION, 'feature=', /feature/],
    [DISTRIBUTION, 'feature=x&from=2026-11-24T00%3A00%3A00Z&to=2026-11-23T00%3A00%3A00Z', /from must be before/],
    [DISTRIBUTION, 'feature=x&segment=os%3Dios', /segment/],
    ['/api/mlops/models/default/home-feed-ranker/events', 'from=soon', /from/],
    ['/api/mlops/models/default/home-feed-ranker/events', 'from=2026-13-01T00%3A00%3A00Z', /query.from: "2026-13-01T00:00:00Z" is not a date-time/],
    ['/api/mlops/models/default/home-feed-ranker/production', 'at=2026-02-30T00%3A00%3A00Z', /query.at/],
  ])('%s answers 400 naming the field for %s', async (path, query, message) => {
    const server = await start();
    const res = await request(server).get(`${path}?${query}`).set('Authorization', READER);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('any series or distribution query gets an answer, a 400 or a 404, never a 5xx', async () => {
    const server = await start();
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('1h', '7d', '90d', '5m', '1d', 'all', 'platform=ios', '2026-11-20T00:00:00Z', '3', 'item_price'));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(SERIES, DISTRIBUTION),
        fc.dictionary(fc.constantFrom('window', 'from', 'to', 'step', 'version', 'segment', 'feature'), value, { maxKeys: 4 }),
        async (path, query) => {
          const res = await request(server).get(path).query(query).set('Authorization', READER);
          expect([200, 400, 404]).toContain(res.status);
        },
      ),
      { numRuns: 60 },
    );
  });
});
