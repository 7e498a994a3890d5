import { expect, Page, test } from '@playwright/test';
import { signIn } from './signIn';
import { openFromSidebar, openUntilShown } from './clicks';

const costOf = async (page: Page, model: string) => {
  const text = await page.locator(`tr[data-model="${model}"] [data-testid="cost-per-1k"]`).innerText();
  return Number(text.replace(/[^0-9.]/g, ''));
};

test('the models overview ranks by cost and SLO, and a Model page shows its KPIs against their bands', async ({ page }) => {
  await signIn(page);
  // The demo's labels and replica prices are counted once its backfill is in: reload until they are.
  await openUntilShown(
    page,
    () => openFromSidebar(page, 'Models'),
    async () => {
      await expect(page.locator('tr[data-model="checkout-fraud-detector"]')).toHaveAttribute('data-slo', 'breach', { timeout: 5_000 });
      await expect(page.locator('tr[data-model="home-feed-ranker"] [data-testid="cost-per-1k"]')).toContainText('$', { timeout: 1_000 });
      // The demo's week of history sent (in the background after start): a 7-day sparkline of ~168 hours.
      await expect(page.getByRole('img', { name: 'Home feed ranker Click-through rate trend' })).toHaveAttribute('data-points', /^(1[5-9]\d|[2-9]\d\d)$/, { timeout: 1_000 });
    },
    150_000,
  );
  const table = page.getByRole('table', { name: 'models overview' });
  await expect(table.locator('tr[data-model="checkout-fraud-detector"]')).toContainText('out of SLO');
  await expect(table.locator('tr[data-model="checkout-fraud-detector"] [data-testid="slo-breaches"]')).toHaveText('Chargeback rate');

  // A cheap baseline beside an expensive specialist: the GPU ranker costs many times the ad model per 1K.
  const specialist = await costOf(page, 'home-feed-ranker');
  const baseline = await costOf(page, 'ad-ctr-predictor');
  expect(specialist).toBeGreaterThan(5 * baseline);
  await table.getByText(/^Cost per 1K/).click();
  const rows = table.locator('tbody tr');
  const costs: number[] = [];
  for (const cell of await rows.locator('[data-testid="cost-per-1k"]').allInnerTexts()) if (/\d/.test(cell)) costs.push(Number(cell.replace(/[^0-9.]/g, '')));
  expect(costs.length).toBeGreaterThan(5);
  expect(costs).toEqual([...costs].sort((a, b) => a - b));
  await table.getByText(/^Cost per 1K/).click();
  await expect(rows.first()).toHaveAttribute('data-model', 'home-feed-ranker');
  await page.screenshot({ path: 'test-results/e2e/models-overview.png', fullPage: true });

  // The Model page's KPI card: CTR with its interval and band, session conversion, latency, cost.
  await table.getByRole('link', { name: 'Home feed ranker' }).click();
  const kpis = page.getByRole('table', { name: 'model KPIs' });
  await expect(kpis).toBeVisible({ timeout: 30_000 });
  const ctr = kpis.locator('tr[data-metric="ctr"]');
  await expect(ctr).toHaveAttribute('data-slo', 'ok');
  await expect(ctr.getByTestId('kpi-value')).toHaveText(/^1\d\.\d\s%$/);
  await expect(ctr).toContainText(/\d+(\.\d+)?\s% – \d+(\.\d+)?\s%/);
  await expect(ctr.getByRole('img', { name: 'Click-through rate trend' })).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(kpis.locator('tr[data-metric="conversion"]')).toContainText('purchase outcomes / session outcomes');
  await expect(kpis.locator('tr[data-metric="latency_p99"] [data-testid="kpi-value"]')).toHaveText(/ms$/);
  await expect(kpis.locator('tr[data-metric="cost_per_1k"] [data-testid="kpi-value"]')).toHaveText(/^\$\d/);
  await page.getByRole('group', { name: 'KPI window' }).getByRole('button', { name: '7d' }).click();
  await expect(page.getByRole('group', { name: 'KPI window' }).getByRole('button', { name: '7d' })).toHaveAttribute('aria-pressed', 'true');
  await expect(kpis.locator('tr[data-metric="ctr"] [data-testid="kpi-value"]')).toHaveText(/%$/);
  await page.screenshot({ path: 'test-results/e2e/model-kpis.png', fullPage: true });
});
