import { expect, Page, test } from '@playwright/test';

// The Grafana app's panels rendered with the real @grafana/ui and @grafana/data, queried through
// the data source's real code and its plugin.json proxy route (the read-only token) against the
// demo backend. Screenshots are kept in test-results/grafana.
const HARNESS = 'http://127.0.0.1:7090/';
const SHOTS = 'test-results/grafana';

function panelUrl(dashboard: string, panel: string, vars: Record<string, string> = {}, extra = '') {
  const search = new URLSearchParams({ dashboard, panel, hours: '3', ...Object.fromEntries(Object.entries(vars).map(([k, v]) => [`var-${k}`, v])) });
  return `${HARNESS}?${search}${extra}`;
}

/** The demo streams its traffic once the catalog has the models: reload until the panel has what we need. */
async function openUntil(page: Page, url: string, ready: (page: Page) => Promise<void>) {
  await expect(async () => {
    await page.goto(url);
    await expect(page.locator('section[data-state="Done"]')).toBeVisible({ timeout: 20_000 });
    await ready(page);
  }).toPass({ timeout: 240_000, intervals: [5_000] });
}

test.setTimeout(300_000);

test('drift panel: backend verdicts per feature and step, the user_country contract marked, hover and feature selection', async ({ page }) => {
  const table = page.getByRole('table', { name: 'Drift by feature and time' });
  const country = table.locator('tr[data-feature="user_country"]');
  await openUntil(page, panelUrl('model-drilldown.json', 'modelrails-drift-panel', { model: 'default/home-feed-ranker' }), async p => {
    await expect(p.getByRole('table', { name: 'Drift by feature and time' }).locator('tr[data-feature="user_country"] td[data-contract*="type-change"]').first()).toBeVisible({ timeout: 5_000 });
  });
  await expect(table.locator('tr[data-feature]')).toHaveCount(5);
  await expect(table.locator('td[data-severity="none"]').first()).toBeVisible();

  const marked = country.locator('td[data-contract*="type-change"]').last();
  await marked.hover();
  await expect(page.getByTestId('drift-hover')).toContainText(/^user_country · \d{4}-\d\d-\d\d \d\d:\d\d · PSI/);
  await expect(page.getByTestId('drift-hover')).toContainText('contract: type-change');
  await page.screenshot({ path: `${SHOTS}/drift-hover-dark.png` });

  // Selecting a feature sets the dashboard variable; the data source then adds its distributions.
  await country.getByRole('button', { name: 'user_country' }).click();
  await expect(page).toHaveURL(/var-feature=user_country/);
  const bins = page.getByRole('table', { name: 'user_country bins' });
  await expect(bins).toBeVisible();
  await expect(bins.getByRole('row').first()).toContainText(/\d+\.\d % → \d+\.\d %/);
  await expect(country).toHaveAttribute('aria-selected', 'true');
  await page.screenshot({ path: `${SHOTS}/drift-distribution-dark.png` });

  await page.goto(`${page.url()}&theme=light`);
  await expect(page.getByRole('table', { name: 'user_country bins' })).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/drift-distribution-light.png` });
});

test('canary panel: stage timeline, champion vs challenger and the decision log', async ({ page }) => {
  test.setTimeout(300_000);
  // The demo's rollout starts in shadow; wait for its first canary analysis.
  await openUntil(page, panelUrl('model-drilldown.json', 'modelrails-canary-panel', { model: 'default/related-items-ranker' }), async p => {
    await expect(p.getByRole('table', { name: 'Champion vs challenger' }).locator('tr[data-check="error-rate"]')).toBeVisible({ timeout: 5_000 });
  });
  await expect(page.getByRole('img', { name: /^Stages: shadow 0 %/ })).toBeVisible();
  const analysis = page.getByRole('table', { name: 'Champion vs challenger' });
  await expect(analysis.locator('tr[data-check="error-rate"]')).toContainText('≤ 0.50%');
  await expect(analysis.locator('tr[data-check="kpi"]')).toContainText('≥ -2.00%');
  const log = page.getByRole('table', { name: 'Decision log' });
  await expect(log.locator('tr[data-action="start"]')).toContainText('shadow');
  await expect(log.locator('[data-verdict]').first()).toContainText(/(error-rate|agreement|samples|duration) /);
  await page.screenshot({ path: `${SHOTS}/canary-dark.png` });
  await page.goto(`${page.url()}&theme=light`);
  await expect(page.getByRole('table', { name: 'Decision log' })).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/canary-light.png` });
});

test('KPI panel: every model with its KPIs, p95 latency, error rate and cost per 1K, SLO bands and breaches', async ({ page }) => {
  await openUntil(page, panelUrl('on-call-overview.json', 'modelrails-kpi-panel'), async p => {
    await expect(p.getByRole('listitem', { name: 'Home feed ranker' }).locator('[data-metric="cost_per_1k"]')).toBeVisible({ timeout: 5_000 });
  });
  const home = page.getByRole('listitem', { name: 'Home feed ranker' });
  // The policy's KPIs, then the operational metrics in the panel options' order.
  const metrics = await home.locator('[data-metric]').evaluateAll(tiles => tiles.map(t => t.getAttribute('data-metric')));
  expect(metrics.slice(-3)).toEqual(['latency_p95', 'error_rate', 'cost_per_1k']);
  expect(metrics.length).toBeGreaterThan(3);
  await expect(home.locator('[data-metric="latency_p95"]')).toContainText(/\d ms/);
  await expect(home.locator('[data-metric="error_rate"]')).toContainText('SLO ≤ 0.50%');
  await expect(home.locator('[data-metric="error_rate"] [data-testid="slo-band"]')).toHaveCount(1);
  await expect(home.locator('[data-metric="cost_per_1k"]')).toContainText('$');
  // Breaching models come first.
  const first = page.getByRole('listitem').first();
  if ((await page.locator('[role="listitem"][data-slo="breach"]').count()) > 0) {
    await expect(first).toHaveAttribute('data-slo', 'breach');
  }
  await page.screenshot({ path: `${SHOTS}/kpi-dark.png` });
  await page.goto(`${page.url()}&theme=light`);
  await expect(page.getByRole('listitem', { name: 'Home feed ranker' })).toBeVisible({ timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/kpi-light.png` });
});

test("KPI panel of the model drill-down: the fraud detector's ROC AUC estimated before labels, chargebacks not matured", async ({ page }) => {
  await openUntil(page, panelUrl('model-drilldown.json', 'modelrails-kpi-panel', { model: 'default/checkout-fraud-detector' }), async p => {
    await expect(p.locator('[data-metric="estimated_auc"]')).toContainText(/0\.\d/, { timeout: 5_000 });
  });
  const auc = page.locator('[data-metric="estimated_auc"]');
  await expect(auc).toContainText('ROC AUC, estimated');
  await expect(auc).toContainText('labels not matured (count once 30d old)');
  await expect(auc).toContainText(/95 % 0\.\d+–0\.\d+/);
  await expect(page.locator('[data-metric="estimated_recall"]')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/kpi-performance-dark.png` });
});

test('a panel whose model the backend does not know shows the error, not an empty grid', async ({ page }) => {
  await page.goto(panelUrl('model-drilldown.json', 'modelrails-drift-panel', { model: 'default/no-such-model' }));
  await expect(page.locator('section[data-state="Error"]')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/ModelRails answered 404/)).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/drift-error-dark.png` });
});
