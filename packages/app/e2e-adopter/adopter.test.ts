import { expect, test } from '@playwright/test';

// A Backstage app made by @backstage/create-app with ModelRails installed from packed tarballs as
// the plugins' READMEs say (scripts/adopter/adopter.mjs): the landing page is the app's own catalog,
// the Model one the adopter registered (the catalog module README's example, its version 1
// registered with the backend README's CI token), the pages ModelRails' own.

const MODEL = process.env.ADOPTER_MODEL ?? 'home-feed-ranker';

test("ModelRails' pages work in a freshly created Backstage app", async ({ page }) => {
  const failed: string[] = [];
  page.on('response', response => {
    if (response.url().includes('/api/mlops/') && response.status() >= 500) failed.push(`${response.status()} ${response.url()}`);
  });
  page.on('pageerror', error => failed.push(`page error: ${error.message}`));

  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  await expect(nav.getByRole('link', { name: 'Catalog', exact: true })).toBeVisible();

  // The app's own catalog, on every kind the catalog has: Model among them, with the adopter's Model.
  await page.locator('[aria-label="Kind"] [role="button"]').click();
  await page.getByRole('option', { name: 'Model', exact: true }).click();
  await page.getByRole('menuitem', { name: /^All/ }).click();
  await page.getByRole('link', { name: MODEL }).first().click();
  await expect(page.getByRole('heading', { name: MODEL }).first()).toBeVisible();

  // ModelRails' cards on the entity page, read from the ModelRails backend the adopter installed:
  // the policy (defaults, since the README's Model says `policy: {}`) and the versions (none yet).
  await expect(page.getByText('Model policy').first()).toBeVisible();
  await expect(page.getByText('Validation gates').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e-adopter/model.png', fullPage: true });

  // Its tabs; the Versions tab lists the version CI registered, with its gates (none configured).
  for (const tab of ['Drift', 'Rollouts', 'Runbooks']) await expect(page.getByRole('link', { name: tab, exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Versions', exact: true }).click();
  const versions = page.getByRole('table', { name: 'Model versions' });
  await expect(versions.locator('tr[data-version="1"]')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e-adopter/versions.png', fullPage: true });

  // The sign-off page from the app's sidebar, which lists plugin pages by their titles.
  await nav.getByRole('link', { name: 'Promotions', exact: true }).click();
  // Nothing to sign off in a new portal: both cards say so.
  await expect(page.getByText('Waiting for sign-off (0)')).toBeVisible();
  await expect(page.getByText('Nothing waits for a decision.')).toBeVisible();
  await expect(page.getByText('No promotion has been decided yet.')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e-adopter/promotions.png', fullPage: true });

  expect(failed).toEqual([]);
});
