import { expect, test } from '@playwright/test';
import { signIn } from './signIn';
import { chooseKind, openModelTab } from './clicks';

test('the catalog lists the demo Models, filterable by kind, each with its page', async ({ page }) => {
  await signIn(page);
  await chooseKind(page, 'Model');
  // The guest's team owns a model, so the catalog opens on "Owned": look at all of them.
  await page.getByRole('menu', { name: 'ModelRails demo' }).getByRole('menuitem', { name: /^All/ }).click();

  // The table title counts what the kind filter selected.
  const title = page.locator('h2', { hasText: /All Models \(\d+\)/ });
  await expect(title).toBeVisible();
  await expect
    .poll(async () => Number(/\((\d+)\)/.exec((await title.textContent()) ?? '')?.[1]))
    .toBeGreaterThanOrEqual(12);
  await expect(page).toHaveURL(/filters%5Bkind%5D=model|filters\[kind\]=model/);

  // The lifecycle filter narrows the Models further.
  await page.getByRole('textbox', { name: 'Lifecycle' }).click();
  await page.getByRole('option', { name: 'retired' }).click();
  await page.keyboard.press('Escape');
  await expect(page.locator('h2', { hasText: 'All Models (1)' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Search ranker (legacy)' })).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/catalog-models.png', fullPage: true });
});

test('a Model page shows its policy in readable form', async ({ page }) => {
  await signIn(page);
  await openModelTab(page, 'Home feed ranker');

  // The catalog graph draws the relations the Model kind emits, both ways.
  for (const node of ['Clickstream events', 'User features', 'Feed Ranking', 'home-feed-service']) {
    await expect(page.locator('g[data-testid="node"]', { hasText: node })).toBeVisible();
  }

  const gates = page.getByRole('region', { name: 'Validation gates' });
  await expect(gates).toContainText('ndcg@20 ≥ 0.17');
  await expect(gates).toContainText('ndcg@20 at most 10 % worse than the best of the last 8 promoted versions');
  await expect(gates).toContainText('p99 latency ≤ 60 ms');

  const rollout = page.getByRole('region', { name: 'Rollout' });
  await expect(rollout).toContainText('5 % (≥ 10m, ≥ 5000 samples) → 25 %');
  await expect(rollout).toContainText('error rate > 0.5 %, p99 latency > 60 ms, or ctr drops > 2 % vs the champion at p < 0.05');
  await expect(page.getByRole('region', { name: 'KPIs' })).toContainText('Click-through rate');
  await expect(page.getByText('lifecycle: production')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/model-page.png', fullPage: true });
});

test('a Model without a policy shows the platform defaults', async ({ page }) => {
  await signIn(page);
  await openModelTab(page, 'Ad CTR DeepFM (experiment)');
  const gates = page.getByRole('region', { name: 'Validation gates' });
  await expect(gates).toContainText('none configured: promotion is not gated');
  await expect(page.getByRole('region', { name: 'Rollout' })).toContainText(
    '5 % (≥ 10m, ≥ 1000 samples) → 25 % (≥ 10m, ≥ 1000 samples) → 50 % (≥ 10m, ≥ 1000 samples) → 100 %',
  );
});

test('search finds Models by name', async ({ page }) => {
  await signIn(page);
  // The sidebar's search, as a person types into it. The index is built shortly after the backend
  // starts: search again until it has the Models, each time with a new term (the search bar asks
  // again only when its term changes, so a failed answer would otherwise stay on screen).
  const dialog = page.getByRole('dialog');
  let attempt = 0;
  await expect(async () => {
    if (!(await dialog.isVisible())) await page.getByTestId('sidebar-root').getByText('Search', { exact: true }).click();
    await dialog.getByRole('textbox').fill(attempt++ % 2 ? 'Ranker' : 'ranker');
    await expect(dialog.getByRole('link', { name: /Home feed ranker/ })).toBeVisible({ timeout: 3_000 });
  }).toPass({ timeout: 90_000 });
  await expect(dialog.getByRole('link', { name: /Related items ranker/ })).toBeVisible();
});
