import { expect, Page, test } from '@playwright/test';
import { signIn } from '../e2e-tests/signIn';

// The portal and ModelRails as two deployments (scripts/production/split.mjs): the pages are the
// portal's, every ModelRails answer comes from the ModelRails backend on its own origin, which in
// turn reads the portal's catalog, asks its permission backend and verifies its users' tokens.

const MLOPS = process.env.SPLIT_MLOPS_URL ?? 'http://localhost:7182';
const SERVING = 'Bearer modelrails-demo-serving-token';

async function chooseKind(page: Page, kind: string) {
  await page.locator('[aria-label="Kind"] [role="button"]').click();
  await page.getByRole('option', { name: kind, exact: true }).click();
}

test('the portal walks the demo with ModelRails served by its own backend', async ({ page, request }) => {
  test.setTimeout(240_000);
  // ModelRails is not in the portal's backend; it answers on its own.
  expect((await request.get('/api/mlops/health')).status()).toBe(404);
  expect((await request.get(`${MLOPS}/api/mlops/health`)).status()).toBe(200);

  const mlopsCalls: string[] = [];
  page.on('response', response => {
    if (response.url().startsWith(`${MLOPS}/api/mlops/`)) mlopsCalls.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  await signIn(page);
  await chooseKind(page, 'Model');
  await page.getByRole('menu', { name: 'ModelRails demo' }).getByRole('menuitem', { name: /^All/ }).click();
  await page.getByRole('link', { name: 'Home feed ranker' }).first().click();
  await expect(page.getByRole('heading', { name: 'Home feed ranker' }).first()).toBeVisible();

  // The Versions tab: the demo's seeded history, from the ModelRails backend (which seeded it
  // after reading the Models from the portal's catalog).
  const tab = (name: string) => page.getByRole('link', { name, exact: true });
  await tab('Versions').click();
  const versions = page.getByRole('table', { name: 'Model versions' });
  await expect(async () => {
    await expect(versions.locator('tr[data-version="17"]')).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000, intervals: [5_000] });
  await expect(versions.locator('tr[data-version="18"]')).toBeVisible();
  // Until the ModelRails backend has read the Models from the portal's catalog and seeded them, it
  // may answer 404 for a Model it does not know yet, never a 5xx; from here on, only successes.
  expect(mlopsCalls.filter(c => c.startsWith('5'))).toEqual([]);
  mlopsCalls.length = 0;
  await page.screenshot({ path: 'test-results/e2e-split/versions.png', fullPage: true });

  // Drift and rollouts too; the serving fleet's token ingests on the ModelRails backend.
  await tab('Drift').click();
  await expect(page).toHaveURL(/\/catalog\/default\/model\/home-feed-ranker\/drift/);
  // The demo's traffic starts once the ModelRails backend has read the Models from the portal's
  // catalog: until its first batches are in, the tab says "no traffic". Reload until it has them.
  await expect(async () => {
    if (!(await page.getByLabel('drift status').isVisible())) await page.reload();
    await expect(page.getByLabel('drift status')).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000, intervals: [5_000] });
  await expect(page.getByRole('table').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e-split/drift.png', fullPage: true });
  await tab('Rollouts').click();
  await expect(page).toHaveURL(/\/catalog\/default\/model\/home-feed-ranker\/rollouts/);
  // The ranker's policy names no traffic target: the backend's answer is that it has no rollout.
  await expect(page.getByText(/^No rollout yet/)).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e-split/rollouts.png', fullPage: true });
  const now = Date.now();
  const ingest = await request.post(`${MLOPS}/api/mlops/telemetry/predictions`, {
    headers: { Authorization: SERVING },
    data: { batchId: `split-${now}`, source: 'split-test', events: [{ model: 'model:default/home-feed-ranker', version: '17', requestId: `split-${now}`, sequence: 1, time: now, score: 0.4, latencyMs: 12 }] },
  });
  expect(ingest.status()).toBe(200);

  expect(mlopsCalls.length).toBeGreaterThan(2);
  expect(mlopsCalls.filter(c => !c.startsWith('2') && !c.startsWith('3'))).toEqual([]);
});
