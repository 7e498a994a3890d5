import { expect, test } from '@playwright/test';
import { signIn } from './signIn';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// A real Prometheus (Debian's, loopback only) loads the rule file the backend generates, scrapes
// the backend's /metrics while the demo traffic runs, and fires the user_country contract
// violation with a runbook_url that opens the runbook page.

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS_PORT = 9391;
const READ_TOKEN = 'modelrails-demo-read-token';
const BACKEND = 'http://localhost:7077';

let prometheus: ChildProcess | undefined;
let prometheusLog = '';

test.afterAll(() => {
  prometheus?.kill('SIGTERM');
});

test('Prometheus fires the contract violation from the generated rules, and its runbook_url opens the runbook with live context', async ({ page, request }) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'prometheus-'));

  const rules = await request.get('/api/mlops/alert-rules', { headers: { Authorization: `Bearer ${READ_TOKEN}` } });
  expect(rules.status()).toBe(200);
  expect(rules.headers()['content-type']).toContain('application/yaml');
  writeFileSync(path.join(dir, 'modelrails.rules.yaml'), await rules.text());
  const check = spawnSync(PROMTOOL, ['check', 'rules', 'modelrails.rules.yaml'], { cwd: dir, encoding: 'utf8' });
  expect(check.error).toBeUndefined();
  expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
  expect(check.status).toBe(0);

  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 2s',
      '  evaluation_interval: 2s',
      'rule_files: [modelrails.rules.yaml]',
      'scrape_configs:',
      '  - job_name: modelrails',
      '    metrics_path: /api/mlops/metrics',
      '    authorization:',
      '      type: Bearer',
      `      credentials: ${READ_TOKEN}`,
      '    static_configs:',
      `      - targets: ['${new URL(BACKEND).host}']`,
      '',
    ].join('\n'),
  );
  const check2 = spawnSync(PROMTOOL, ['check', 'config', 'prometheus.yml'], { cwd: dir, encoding: 'utf8' });
  expect(check2.status).toBe(0);

  prometheus = spawn(PROMETHEUS, ['--config.file=prometheus.yml', `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prometheus.stderr!.on('data', chunk => (prometheusLog = (prometheusLog + chunk).slice(-4000)));
  const api = `http://127.0.0.1:${PROMETHEUS_PORT}/api/v1`;

  // The scrape reaches the backend with the read token.
  await expect(async () => {
    const targets = await (await request.get(`${api}/targets`)).json();
    expect(targets.data.activeTargets.map((t: any) => [t.labels.job, t.health, t.lastError])).toEqual([['modelrails', 'up', '']]);
  }, `Prometheus log: ${prometheusLog}`).toPass({ timeout: 60_000 });

  // The drift monitor publishes the open violation each minute; the rule pages at once.
  let firing: any;
  await expect(async () => {
    const alerts = await (await request.get(`${api}/alerts`)).json();
    firing = alerts.data.alerts.find(
      (a: any) => a.labels.alertname === 'ModelContractViolation' && a.labels.model === 'model:default/home-feed-ranker' && a.labels.feature === 'user_country' && a.state === 'firing',
    );
    expect(firing).toBeDefined();
  }).toPass({ timeout: 180_000, intervals: [2_000] });
  expect(firing.labels).toMatchObject({ severity: 'page', alert_kind: 'contract-violation', segment: '*', check: 'type-change' });
  expect(firing.annotations.summary).toBe('Home feed ranker: user_country fails its contract (type-change, segment *)');
  const runbookUrl: string = firing.annotations.runbook_url;
  expect(runbookUrl).toBe(`${BACKEND}/catalog/default/model/home-feed-ranker/runbooks?runbook=model-runbooks-home-feed-ranker`);

  // The link works: the runbook page with the live context.
  await signIn(page);
  await page.goto(runbookUrl);
  await expect(page.getByTestId('runbook-markdown').getByRole('heading', { name: 'Home feed ranker — drift and contract violations' })).toBeVisible();
  await expect(page.getByTestId('live-context').locator('[data-alert="contract-violation"]').filter({ hasText: 'user_country' })).toContainText('type change');
});
