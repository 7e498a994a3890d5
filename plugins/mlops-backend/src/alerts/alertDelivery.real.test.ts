import { SchedulerService, ServiceFactory } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { startAlertmanager, startPrometheus, startReceivers } from '../__testUtils__/realAlerting';
import { READER, READER_TOKEN, SERVING, SERVING_TOKEN, startBackendWithTokens } from '../__testUtils__/startBackendWithTokens';
import { toWire, trainingProfile, TrafficSimulator } from '../demo/simulation';
import { BUCKET_MS, bucketOf } from '../telemetry/constants';

// An alert reaching a person: the backend's shipped rules in Debian's Prometheus, the README's
// Alertmanager routing (docs/alerting/alertmanager.yml) in Debian's Alertmanager, and a pager and a
// chat channel on loopback. A synthetic drift and a contract violation go in through the ingestion
// API; the page and the warning must arrive with their runbook links, and the resolved
// notifications must follow once the traffic is healthy again.

jest.setTimeout(300_000);

const MODEL = 'model:default/home-feed-ranker';
const PORTAL = 'http://portal.example:3000';
const CI_TOKEN = { token: 'ci-token-for-alerting', subject: 'ci', permission: 'mlops.version.register' };
const entities = [
  {
    apiVersion: 'modelrails.io/v1alpha1',
    kind: 'Model',
    metadata: { name: 'home-feed-ranker', namespace: 'default', title: 'Home feed ranker' },
    spec: { type: 'ranker', lifecycle: 'production', owner: 'ranking-team', policy: { drift: { segments: ['platform'] } } },
  },
];

async function until<T>(what: string, check: () => T | undefined, log: () => string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} did not happen in ${timeoutMs / 1000} s\n${log()}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('alerts reach a person', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const stop of cleanup.reverse()) await stop().catch(() => undefined);
  });

  it('pages on a contract violation and warns on drift through Alertmanager, with runbook links, and resolves both when the traffic is healthy', async () => {
    // The instance behind mockServices.scheduler() is also its own service factory (untyped).
    const scheduler = mockServices.scheduler() as SchedulerService & { factory(options: { skipTaskRunOnStartup: boolean }): ServiceFactory };
    const server = await startBackendWithTokens({
      entities,
      tokens: [SERVING_TOKEN, READER_TOKEN, CI_TOKEN],
      mlops: { alerts: { dataDriftFor: '5s' }, runbooks: { portalBaseUrl: PORTAL } },
      features: [scheduler.factory({ skipTaskRunOnStartup: true })],
    });
    const backend = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const ci = `Bearer ${CI_TOKEN.token}`;
    const register = await request(server)
      .post('/api/mlops/models/default/home-feed-ranker/versions')
      .set('Authorization', ci)
      .send({ version: '17', artifact: { uri: 's3://models/home-feed-ranker/17/model.txt', digest: `sha256:${'a'.repeat(64)}` }, codeCommit: '3f2c1a9e' });
    expect(register.status).toBe(201);
    expect((await request(server).put('/api/mlops/models/default/home-feed-ranker/versions/17/profile').set('Authorization', ci).send(trainingProfile(1, 5000))).status).toBe(201);

    // The monitor (one replica, each minute) and the gauges (each replica, every 15 s) run when
    // the test says, so it need not wait for their schedule.
    const monitor = async () => {
      await scheduler.triggerTask('mlops-drift-monitor');
      await scheduler.triggerTask('mlops-serving-metrics');
    };
    let sequence = 0;
    const ingest = async (batchId: string, count: number, from: number, to: number, scenario: object) => {
      const events = toWire(new TrafficSimulator(MODEL, 'pod-1', sequence + 1).events('17', count, from, to, scenario)).map(e => ({ ...e, sequence: ++sequence }));
      for (let i = 0; i < events.length; i += 5000) {
        const batch = events.slice(i, i + 5000);
        const res = await request(server).post('/api/mlops/telemetry/predictions').set('Authorization', SERVING).send({ batchId: `${batchId}-${i}`, source: 'pod-1', events: batch });
        expect([res.status, res.body.accepted]).toEqual([200, batch.length]);
      }
    };

    // The last closed 5-minute bucket: user_country arrives as numeric codes, the price drifts.
    const current = bucketOf(Date.now());
    await ingest('bad', 600, current - BUCKET_MS, current - 1000, { countryAsNumber: true, priceShift: 1.6 });
    await monitor();
    const drift = (await request(server).get('/api/mlops/models/default/home-feed-ranker/drift').set('Authorization', READER)).body;
    expect(drift.violations.filter((v: any) => v.open && v.flagged).map((v: any) => [v.feature, v.check])).toContainEqual(['user_country', 'type-change']);
    expect(drift.features.filter((f: any) => f.flagged).map((f: any) => f.feature)).toContain('item_price');

    const receivers = await startReceivers();
    cleanup.push(receivers.stop);
    const routing = parse(readFileSync(path.resolve(__dirname, '../../../../docs/alerting/alertmanager.yml'), 'utf8'));
    Object.assign(routing.route, { group_wait: '1s', group_interval: '1s' });
    routing.route.routes[0].group_interval = '1s';
    routing.receivers.find((r: any) => r.name === 'ml-oncall-pagerduty').pagerduty_configs[0].url = receivers.pagerDutyUrl;
    routing.receivers.find((r: any) => r.name === 'ml-alerts-slack').slack_configs[0].api_url = receivers.slackUrl;
    const alertmanager = await startAlertmanager(routing);
    cleanup.push(alertmanager.stop);
    const rules = await request(server).get('/api/mlops/alert-rules').set('Authorization', READER);
    expect(rules.status).toBe(200);
    const prometheus = await startPrometheus({
      rules: rules.text,
      target: { url: backend, metricsPath: '/api/mlops/metrics', bearer: READER_TOKEN.token },
      alertmanager: alertmanager.url,
    });
    cleanup.push(prometheus.stop);
    const logs = () => `pages: ${JSON.stringify(receivers.pages)}\nmessages: ${JSON.stringify(receivers.messages)}\nrefused: ${receivers.refused}\nprometheus: ${prometheus.log().slice(-3000)}\nalertmanager: ${alertmanager.log().slice(-3000)}`;

    const runbook = (id: string) => `${PORTAL}/catalog/default/model/home-feed-ranker/runbooks?runbook=${id}`;
    const page = await until(
      'the contract violation page',
      () => receivers.pages.find(p => p.event_action === 'trigger' && p.payload.summary.includes('user_country')),
      logs,
    );
    expect(page.payload).toMatchObject({
      severity: 'critical',
      summary: 'Home feed ranker: user_country fails its contract (type-change, segment *)',
      custom_details: { model: MODEL, runbook_url: runbook('contract-violation') },
    });
    expect(page.links).toEqual([{ href: runbook('contract-violation'), text: 'Runbook' }]);
    const warning = await until('the drift warning in the channel', () => receivers.messages.find(m => m.attachments?.[0]?.title === `ModelDataDrift on ${MODEL}`), logs);
    expect(warning.channel).toBe('#ml-alerts');
    expect(warning.attachments![0].title_link).toBe(runbook('data-drift'));
    expect(warning.attachments![0].text).toContain(`Home feed ranker: item_price drifts`);
    expect(warning.attachments![0].text).toContain(`(runbook: ${runbook('data-drift')})`);
    // Only pages reach the pager, only warnings the channel; the receivers refused nothing.
    expect(receivers.pages.every(p => p.payload?.custom_details?.alert_kind !== 'data-drift')).toBe(true);
    expect(receivers.refused).toEqual([]);

    // Healthy traffic in the current bucket closes the violation, and outweighs the drifted hour:
    // for PSI, and for the tail check too, which still sees the drifted prices above the reference's
    // p99 (a quarter of the 600) until they are under 1.5× the reference's 1 % of the window.
    await ingest('good', 60_000, current, Math.max(current + 1000, Date.now() - 1000), {});
    await monitor();
    const healthy = (await request(server).get('/api/mlops/models/default/home-feed-ranker/drift').set('Authorization', READER)).body;
    expect(healthy.violations.filter((v: any) => v.open && v.flagged)).toEqual([]);
    expect(healthy.features.filter((f: any) => f.flagged)).toEqual([]);

    const resolved = await until('the page resolved', () => receivers.pages.find(p => p.event_action === 'resolve' && p.dedup_key === page.dedup_key), logs);
    expect(resolved.routing_key).toBe(page.routing_key);
    await until('the drift warning resolved in the channel', () => receivers.messages.find(m => m.attachments?.[0]?.title === `Resolved: ModelDataDrift on ${MODEL}`), logs);
    expect(receivers.refused).toEqual([]);
  });
});
