import { expect, test } from '@playwright/test';
import { signIn } from './signIn';
import { openModelFromCatalog, openTab } from './clicks';

// The Python client in the demo (scripts/demo-bentoml.mjs): product-search-reranker was trained and
// registered from an MLflow run through the client, is served by BentoML, and logs every prediction
// through the client; half of its traffic comes with longer queries and countries as ISO numbers.
// Reached by clicking from the landing page.

test.use({ actionTimeout: 30_000 });

// Named to sort after canary.test.ts, which must see the demo's rollback happen about a minute and a
// half after the backend starts: this test can take minutes while the sender ships.

test('the BentoML-served re-ranker: registered from its MLflow run, its drift and contract violation from the Python client', async ({ page }) => {
  test.setTimeout(300_000);
  await signIn(page);
  await openModelFromCatalog(page, 'Product search re-ranker');

  // Version 1, registered by train.py through the client from the MLflow run.
  await openTab(page, 'Versions');
  const versions = page.getByRole('table', { name: 'Model versions' });
  await expect(versions.locator('tr[data-version="1"]')).toBeVisible({ timeout: 120_000 });
  await expect(versions.locator('tr[data-version="1"]')).toContainText('auc');

  // The Drift tab fills as the service's sender ships: the re-encoded country is a contract
  // violation on all traffic, the longer queries drift.
  await openTab(page, 'Drift');
  await expect(async () => {
    await openTab(page, 'Versions');
    await openTab(page, 'Drift');
    const country = page.getByRole('table', { name: 'contract violations' }).getByRole('row').filter({ hasText: 'user_country' });
    await expect(country.first()).toContainText('type change', { timeout: 5_000 });
    const query = page.getByRole('table', { name: 'feature drift' }).locator('tr[data-feature="query_length"][data-segment="*"]');
    await expect(query).toContainText(/warning|critical/, { timeout: 5_000 });
  }).toPass({ timeout: 240_000, intervals: [10_000] });
  const price = page.getByRole('table', { name: 'feature drift' }).locator('tr[data-feature="item_price"][data-segment="*"]');
  await expect(price).toContainText('no drift');
  await page.screenshot({ path: 'test-results/e2e/bentoml-drift.png', fullPage: true });
});
