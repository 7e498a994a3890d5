import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import request from 'supertest';
import { startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';
import { toWire, TrafficScenario, TrafficSimulator } from '../demo/simulation';

jest.setTimeout(120_000);

const MODEL = 'model:default/home-feed-ranker';
const entities = [
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'home-feed-ranker', namespace: 'default' },
    spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team' },
  },
];
const SERVING = 'Bearer serving-token-for-tests';
const READER_TOKEN = 'reader-token-for-tests';
const READER = `Bearer ${READER_TOKEN}`;
const JUDGE = '/api/mlops/judge/models/default/home-feed-ranker';
const FLAGGER = '/api/mlops/judge/flagger/models/default/home-feed-ranker';

async function start() {
  return startBackendWithTokens({
    entities,
    tokens: [
      { token: 'serving-token-for-tests', subject: 'serving', permission: 'mlops.telemetry.ingest' },
      { token: READER_TOKEN, subject: 'argo-rollouts', permission: 'mlops.model.read' },
    ],
  });
}

/** Ten minutes of one version's traffic and its click labels through the ingestion API. */
async function serve(server: any, version: string, count: number, seed: number, scenario: TrafficScenario = {}) {
  const now = Date.now();
  const source = `pod-v${version}`;
  const events = new TrafficSimulator(MODEL, source, seed).events(version, count, now - 10 * 60_000, now - 1000, scenario);
  const sent = await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send({ batchId: `${source}-1`, source, events: toWire(events) });
  expect(sent.status).toBe(200);
  const outcomes = events.filter(e => e.clicked).map((e, i) => ({ requestId: e.requestId, sequence: i, outcome: 'click', time: e.time + 500 }));
  const labelled = await request(server).post('/api/mlops/telemetry/outcomes').set('Authorization', SERVING).send({ batchId: `${source}-labels`, source: `${source}-labels`, outcomes });
  expect(labelled.status).toBe(200);
}

const verdictOf = (body: any) => ({ verdict: body.verdict, failing: body.checks.filter((c: any) => c.verdict === 'fail').map((c: any) => c.check) });

describe('judge endpoint (Argo Rollouts web metric, Flagger webhook)', () => {
  let server: any;
  beforeAll(async () => {
    server = await start();
    await serve(server, '17', 8000, 1);
    await serve(server, '18', 3000, 2);
    await serve(server, '19', 3000, 3, { clickRateFactor: 0.6 });
  });

  it('passes a healthy challenger and fails one whose CTR drops, with the numbers behind it', async () => {
    const pass = await request(server).get(`${JUDGE}?champion=17&challenger=18&minSamples=1000`).set('Authorization', READER);
    expect(pass.status).toBe(200);
    expect(verdictOf(pass.body)).toEqual({ verdict: 'pass', failing: [] });
    expect(pass.body).toMatchObject({ modelRef: MODEL, champion: '17', challenger: '18' });
    expect(pass.body.checks.map((c: any) => c.check)).toEqual(['error-rate', 'p99-latency', 'kpi', 'samples']);

    const fail = await request(server).get(`${JUDGE}?champion=17&challenger=19&window=30m`).set('Authorization', READER);
    expect(fail.status).toBe(200);
    expect(verdictOf(fail.body)).toEqual({ verdict: 'fail', failing: ['kpi'] });
    const kpi = fail.body.checks.find((c: any) => c.check === 'kpi');
    expect(kpi.value).toBeLessThan(-0.2);
    expect(kpi.pValue).toBeLessThan(0.05);
    expect(kpi).toMatchObject({ championN: 8000, challengerN: 3000, threshold: -0.02 });
  });

  it('is inconclusive, never a pass, on too few samples, asked for or within a short window', async () => {
    const few = await request(server).get(`${JUDGE}?champion=17&challenger=18&minSamples=5000`).set('Authorization', READER);
    expect(few.body.verdict).toBe('inconclusive');
    const since = new Date(Date.now() - 30_000).toISOString();
    const short = await request(server).get(`${JUDGE}?champion=17&challenger=18&since=${encodeURIComponent(since)}`).set('Authorization', READER);
    expect(short.body.verdict).toBe('inconclusive');
    expect(short.body.from).toBe(since);
  });

  it('answers Flagger with 2xx only on a pass, taking the token from the webhook metadata', async () => {
    const payload = (metadata: Record<string, string>) => ({ name: 'home-feed', namespace: 'ml', phase: 'Progressing', checksum: 'abc', metadata });
    const pass = await request(server).post(FLAGGER).send(payload({ champion: '17', challenger: '18', minSamples: '1000', token: READER_TOKEN }));
    expect(pass.status).toBe(200);
    expect(pass.body.verdict).toBe('pass');
    const fail = await request(server).post(FLAGGER).send(payload({ champion: '17', challenger: '19', window: '30m', token: READER_TOKEN }));
    expect(fail.status).toBe(412);
    expect(verdictOf(fail.body)).toEqual({ verdict: 'fail', failing: ['kpi'] });
    const inconclusive = await request(server).post(FLAGGER).set('Authorization', READER).send(payload({ champion: '17', challenger: '18', minSamples: '100000' }));
    expect(inconclusive.status).toBe(412);
    expect(inconclusive.body.verdict).toBe('inconclusive');

    expect((await request(server).post(FLAGGER).send(payload({ champion: '17', challenger: '18' }))).status).toBe(401);
    expect((await request(server).post(FLAGGER).send(payload({ champion: '17', challenger: '18', token: 'not-a-token' }))).status).toBe(401);
    // A token scoped to ingestion may not read.
    expect((await request(server).post(FLAGGER).send(payload({ champion: '17', challenger: '18', token: 'serving-token-for-tests' }))).status).toBe(403);
    const typo = await request(server).post(FLAGGER).send(payload({ champoin: '17', token: READER_TOKEN }));
    expect(typo.status).toBe(400);
    expect(typo.body.error.message).toMatch(/champoin/);
  });

  it('names the field it refuses and says what is missing', async () => {
    const get = (query: string, auth = READER) => request(server).get(`${JUDGE}?${query}`).set('Authorization', auth);
    const message = async (query: string) => {
      const res = await get(query);
      expect(res.status).toBe(400);
      return res.body.error.message as string;
    };
    expect(await message('champion=17&challenger=18&window=soon')).toMatch(/window/);
    expect(await message('champion=17&challenger=18&minSamples=0')).toMatch(/minSamples/);
    expect(await message('champion=17&challenger=18&window=1h&since=2026-11-20T00:00:00Z')).toMatch(/since/);
    expect(await message('champion=17&challenger=18&window=30d')).toMatch(/window: at most 7 days/);
    expect(await message('champion=17&challenger=17')).toMatch(/challenger/);
    expect(await message('champion=17')).toMatch(/challenger: .* no version with the challenger alias/);
    expect(await message('champion=17&challenger=18&colour=red')).toMatch(/colour/);
    expect((await get('champion=17&challenger=18', SERVING)).status).toBe(403);
    expect((await request(server).get(`${JUDGE}?champion=17&challenger=18`)).status).toBe(401);
    expect((await request(server).get('/api/mlops/judge/models/default/nobody?champion=1&challenger=2').set('Authorization', READER)).status).toBe(404);
  });

  it('works as the documented Argo Rollouts AnalysisTemplate and Flagger Canary use it', async () => {
    const docs = resolve(__dirname, '../../../../docs/rollouts');
    const template = parse(readFileSync(`${docs}/argo-analysis-template.yaml`, 'utf8'));
    const metric = template.spec.metrics[0];
    const web = metric.provider.web;
    const measure = async (challenger: string) => {
      const args: Record<string, string> = { model: 'default/home-feed-ranker', champion: '17', challenger, 'modelrails-token': READER_TOKEN };
      for (const a of template.spec.args) if (a.value) args[a.name] = a.value;
      const fill = (text: string) => text.replace(/\{\{args\.([\w-]+)\}\}/g, (_, name) => args[name]);
      const url = new URL(fill(web.url));
      let call = request(server).get(url.pathname + url.search);
      for (const h of web.headers) call = call.set(h.key, fill(h.value));
      const res = await call;
      expect(res.status).toBe(200);
      expect(web.jsonPath).toBe('{$.verdict}');
      // Argo's conditions compare the extracted result with a literal: evaluate them the same way.
      const holds = (condition: string) => condition === `result == "${res.body.verdict}"`;
      return { success: holds(metric.successCondition), failure: holds(metric.failureCondition) };
    };
    expect(await measure('18')).toEqual({ success: true, failure: false });
    expect(await measure('19')).toEqual({ success: false, failure: true });

    const canary = parse(readFileSync(`${docs}/flagger-canary.yaml`, 'utf8'));
    const hook = canary.spec.analysis.webhooks[0];
    expect(hook.type).toBe('rollout');
    const call = (metadata: Record<string, string>) =>
      request(server)
        .post(new URL(hook.url).pathname)
        .send({ name: canary.metadata.name, namespace: canary.metadata.namespace, phase: 'Progressing', metadata: { ...hook.metadata, ...metadata, token: READER_TOKEN } });
    expect((await call({})).status).toBe(200);
    expect((await call({ challenger: '19' })).status).toBe(412);
  });

  it('answers any query with a verdict or a 400, never a server error', async () => {
    const value = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('17', '18', '19', '15m', '0', '1000', '2026-11-20T00:00:00Z', '-1', '1e3'));
    const key = fc.constantFrom('champion', 'challenger', 'window', 'since', 'minSamples', 'other');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 4 }), async query => {
        const res = await request(server).get(JUDGE).query(query).set('Authorization', READER);
        expect([200, 400]).toContain(res.status);
        expect(res.status === 200 ? ['pass', 'fail', 'inconclusive'].includes(res.body.verdict) : /\w+/.test(res.body.error.message)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
