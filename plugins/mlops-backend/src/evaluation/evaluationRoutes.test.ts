import request from 'supertest';
import { READER, SERVING, SERVING_TOKEN, READER_TOKEN, startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';
import { toWire, trainingProfile, TrafficSimulator } from '../demo/simulation';
import { auc } from '../stats/evaluation';

jest.setTimeout(60_000);

const PATH = '/api/mlops/models/default/ad-ctr';
const CI = 'Bearer ci-token-for-tests';
const HOUR = 3_600_000;

function start() {
  return startBackendWithTokens({
    entities: [
      {
        apiVersion: 'modelrails.io/v1alpha1',
        kind: 'Model',
        metadata: { name: 'ad-ctr', namespace: 'default' },
        spec: {
          type: 'classifier',
          lifecycle: 'production',
          owner: 'ads-ml',
          // Clicks counted as labels only after 30 days: every window here is estimated, none realised.
          policy: { retraining: { labelMaturity: '30d' }, kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' } }] },
        },
      },
    ],
    tokens: [SERVING_TOKEN, { token: 'ci-token-for-tests', subject: 'ci', permission: 'mlops.version.register' }, READER_TOKEN],
  });
}

const version = (v: string) => ({ version: v, artifact: { uri: `s3://models/ad-ctr/${v}/model.txt`, digest: `sha256:${'a'.repeat(64)}` }, codeCommit: '3f2c1a9e', metrics: { auc: 0.7 } });

describe('performance before labels (CBPE) through the API', () => {
  it('refuses labels that do not pair with the scores, naming the field, and stores nothing', async () => {
    const server = await start();
    expect((await request(server).post(`${PATH}/versions`).set('Authorization', CI).send(version('1'))).status).toBe(201);
    const profile = trainingProfile(1, 500);
    const put = (body: object) => request(server).put(`${PATH}/versions/1/profile`).set('Authorization', CI).send(body);
    const short = await put({ ...profile, score: { ...profile.score, labels: profile.score.labels.slice(1) } });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toBe('score.labels: must have one label per score (500), not 499');
    const notBinary = await put({ ...profile, score: { ...profile.score, labels: [2, ...profile.score.labels.slice(1)] } });
    expect(notBinary.status).toBe(400);
    expect(notBinary.body.error.message).toBe('request/body/score/labels/0: must be equal to one of the allowed values: 0, 1');
    const noOutcome = await put({ features: profile.features, score: profile.score });
    expect(noOutcome.status).toBe(400);
    expect(noOutcome.body.error.message).toBe('target: is required with score.labels: it names the outcome the labels are of');
    // Nothing of the refused uploads was kept: the profile can still be uploaded once.
    expect((await put(profile)).status).toBe(201);
    expect((await put(profile)).status).toBe(409);
  });

  it('estimates ROC AUC, precision and recall per hour for calibrated versions, and says which were not', async () => {
    const server = await start();
    for (const v of ['1', '2']) expect((await request(server).post(`${PATH}/versions`).set('Authorization', CI).send(version(v))).status).toBe(201);
    expect((await request(server).put(`${PATH}/versions/1/profile`).set('Authorization', CI).send(trainingProfile(1, 20_000))).status).toBe(201);
    const { labels: _dropped, ...unlabelled } = trainingProfile(2, 5000).score;
    expect((await request(server).put(`${PATH}/versions/2/profile`).set('Authorization', CI).send({ ...trainingProfile(2, 5000), score: unlabelled })).status).toBe(201);

    // The previous full hour: one window holds every event, whatever the clock says.
    const hour = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const champion = new TrafficSimulator('model:default/ad-ctr', 'pod-1', 7).events('1', 3000, hour, hour + HOUR);
    const challenger = new TrafficSimulator('model:default/ad-ctr', 'pod-2', 8).events('2', 400, hour, hour + HOUR);
    for (const [source, events] of [['pod-1', champion], ['pod-2', challenger]] as const) {
      const sent = await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send({ batchId: `${source}-1`, source, events: toWire(events) });
      expect(sent.body.accepted).toBe(events.length);
    }

    const report = await request(server).get(`${PATH}/evaluation`).query({ step: '1h', days: '3' }).set('Authorization', READER);
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ outcome: 'click', maturity: '30d', step: '1h', threshold: 0.5 });
    const window = report.body.days.find((d: any) => d.start === new Date(hour).toISOString());
    expect(window).toMatchObject({ matured: false, n: 0, auc: null, precision: null });
    expect(window.estimated).toMatchObject({ n: 3000, of: 3400, versions: ['1'], uncalibrated: ['2'] });
    // The simulated users click with the score's probability, as in training: the estimate must
    // agree with the AUC their clicks realise (about 0.018 is one standard error here).
    const realised = auc(champion.map(e => e.score), champion.map(e => (e.clicked ? 1 : 0)));
    const estimate = window.estimated.auc;
    expect(estimate.lower).toBeLessThanOrEqual(estimate.value);
    expect(estimate.value).toBeLessThanOrEqual(estimate.upper);
    expect(Math.abs(estimate.value - realised)).toBeLessThan(0.04);
    expect(estimate.upper - estimate.lower).toBeLessThan(0.15);
    // Few scores reach 0.5 in this traffic: precision has an estimate, recall is small.
    expect(window.estimated.recall.value).toBeLessThan(0.2);

    // Asked again (the estimate now comes from the cache), the same answer.
    const again = await request(server).get(`${PATH}/evaluation`).query({ step: '1h', days: '3' }).set('Authorization', READER);
    expect(again.body.days.find((d: any) => d.start === window.start).estimated).toEqual(window.estimated);

    const withoutEstimate = await request(server).get(`${PATH}/evaluation`).query({ step: '1h', days: '3', estimate: 'false' }).set('Authorization', READER);
    expect(withoutEstimate.body.days).toEqual([]);
    expect((await request(server).get(`${PATH}/evaluation`).query({ step: '2h' }).set('Authorization', READER)).status).toBe(400);
  });
});
