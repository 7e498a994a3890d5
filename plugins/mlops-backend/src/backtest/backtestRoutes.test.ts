import request from 'supertest';
import { READER, READER_TOKEN, SERVING, SERVING_TOKEN, startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';

jest.setTimeout(60_000);

const PATH = '/api/mlops/models/default/shop-ranker/drift/backtest';

function start() {
  return startBackendWithTokens({
    entities: [
      {
        apiVersion: 'modelrails.io/v1alpha1',
        kind: 'Model',
        metadata: { name: 'shop-ranker', namespace: 'default' },
        spec: {
          type: 'ranker',
          lifecycle: 'production',
          owner: 'ranking-team',
          policy: {
            kpis: [{ name: 'ctr', title: 'CTR', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' } }],
            drift: { backtest: { horizon: '2d', lowerSeverity: true } },
          },
        },
      },
    ],
    tokens: [SERVING_TOKEN, READER_TOKEN],
  });
}

// The backtest itself, from stored telemetry on each database: BacktestService.test.ts.
describe('GET …/drift/backtest', () => {
  it('answers a reader with the policy\'s window and rule; refuses others; 400 names the field', async () => {
    const server = await start();
    const res = await request(server).get(PATH).set('Authorization', READER);
    expect(res.status).toBe(200);
    const DAY = 86_400_000;
    expect(res.body).toMatchObject({ modelRef: 'model:default/shop-ranker', stepMs: DAY, horizonMs: 2 * DAY, changes: [], unexplained: 0, signals: [], rule: { lowerSeverity: true, minAlarms: 3, maxPrecision: 0.2 } });
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(30 * DAY);
    const week = await request(server).get(`${PATH}?window=7d`).set('Authorization', READER);
    expect(Date.parse(week.body.to) - Date.parse(week.body.from)).toBe(7 * DAY);

    expect((await request(server).get(PATH)).status).toBe(401);
    expect((await request(server).get(PATH).set('Authorization', SERVING)).status).toBe(403);
    expect((await request(server).get('/api/mlops/models/default/nobody/drift/backtest').set('Authorization', READER)).status).toBe(404);
    for (const window of ['91d', '0d', 'soon']) {
      const refused = await request(server).get(`${PATH}?window=${window}`).set('Authorization', READER);
      expect({ status: refused.status, message: refused.body.error?.message }).toEqual({ status: 400, message: expect.stringMatching(/window/) });
    }
  });
});
