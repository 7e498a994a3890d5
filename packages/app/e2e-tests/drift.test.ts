import { expect, Page, test } from '@playwright/test';
import { signIn } from './signIn';
import { openModelFromCatalog, openModelTab, openTab, openUntilShown } from './clicks';

/** The demo starts streaming once the catalog has ingested the models: reload until it has. */
async function openDriftTab(page: Page, title: string) {
  await openUntilShown(
    page,
    () => openModelTab(page, title, 'Drift'),
    () => expect(page.getByLabel('drift status')).toBeVisible({ timeout: 5_000 }),
  );
}

test('the Drift tab shows the user_country re-encoding as an open contract violation and Android-only drift', async ({ page }) => {
  await signIn(page);
  await openDriftTab(page, 'Home feed ranker');

  // The demo streams traffic in which user_country arrives as ISO numbers: one alarm, on all traffic.
  const violations = page.getByRole('table', { name: 'contract violations' });
  await expect(violations).toBeVisible();
  const country = violations.getByRole('row').filter({ hasText: 'user_country' });
  await expect(country).toHaveCount(1);
  await expect(country).toContainText('all traffic');
  await expect(country).toContainText('type change');
  await expect(country).toContainText('open');

  // The Android client's millisecond session lengths are flagged on Android only.
  const session = violations.getByRole('row').filter({ hasText: 'session_length_s' });
  await expect(session).toHaveCount(1);
  await expect(session).toContainText('platform=android');

  const drift = page.getByRole('table', { name: 'feature drift' });
  const androidRow = drift.locator('tr[data-feature="session_length_s"][data-segment="platform=android"]');
  await expect(androidRow).toContainText(/critical|warning/);
  const allTraffic = drift.locator('tr[data-feature="session_length_s"][data-segment="*"]');
  await expect(allTraffic).toContainText('see platform=android');
  await expect(drift.locator('tr[data-feature="session_length_s"][data-segment="platform=ios"]')).toContainText('no drift');
  await expect(page.getByLabel('open contract violations')).toContainText(/[1-9]\d* open contract violation/);
  await page.screenshot({ path: 'test-results/e2e/drift-tab.png', fullPage: true });
});

test('a model with clean traffic shows no violation and a steady click rate, and a drifting price on ad-ctr-predictor is flagged', async ({ page }) => {
  await signIn(page);
  await openDriftTab(page, 'Two-tower candidate retrieval');
  await expect(page.getByText('No contract violation in this window')).toBeVisible();
  await expect(page.getByLabel('drift status')).toContainText('no drift');
  // Target drift: the click rate of matured predictions against the training profile's.
  const target = page.getByRole('table', { name: 'feature drift' }).locator('tr[data-feature="__target"]');
  await expect(target).toContainText(/label: click rate \d+(\.\d+)?\s% \(reference \d+(\.\d+)?\s%\)/);
  await expect(target).toContainText('no drift');

  await openDriftTab(page, 'Ad CTR predictor');
  const price = page.getByRole('table', { name: 'feature drift' }).locator('tr[data-feature="item_price"][data-segment="*"]');
  await expect(price).toContainText(/warning|critical/);
  await expect(price).toContainText('PSI');

  // The drift monitor (every minute) turns it into a retraining trigger: an Argo Workflow, whose
  // phase the portal follows (the demo's stand-in for Argo's controller runs it).
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('table', { name: 'retraining triggers' }).getByRole('row').filter({ hasText: 'item_price' }).first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 150_000 });
  const trigger = page.getByRole('table', { name: 'retraining triggers' }).getByRole('row').filter({ hasText: 'item_price' }).first();
  await expect(trigger).toContainText('drift');
  await expect(trigger).toContainText('waits for a human before canary');
  await expect(trigger).toContainText(/workflow retrain-ad-ctr-[a-z0-9]{5}/);
  await expect(async () => {
    await page.reload();
    const run = page.getByRole('table', { name: 'retraining triggers' }).getByRole('row').filter({ hasText: 'item_price' }).first();
    await expect(run.getByLabel(/retraining run (Running|Succeeded)/)).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 150_000 });
  await page.screenshot({ path: 'test-results/e2e/drift-triggers.png', fullPage: true });
});

test('more high-value baskets on the fraud detector: the tail check flags item_price beyond the reference p99, which PSI leaves alone', async ({ page }) => {
  await signIn(page);
  await openModelFromCatalog(page, 'Checkout fraud detector');
  await openTab(page, 'Drift');
  const price = page.getByRole('table', { name: 'feature drift' }).locator('tr[data-feature="item_price"][data-segment="*"]');
  // The window's share above the training data's 99th percentile, against the reference's 1 %.
  await expect(price).toContainText(/> p99: [2-4](\.\d+)?\s% vs 1(\.\d+)?\s%/, { timeout: 60_000 });
  await expect(price.locator('[data-tail-flagged="true"]')).toBeVisible();
  await expect(price).toContainText(/warning|critical/);
  await expect(price).toContainText('PSI, tail check');
  // PSI on deciles stays below its warning threshold of 0.25: only the tail check sees it.
  const psi = Number((await price.locator('td').nth(4).textContent())?.replace(/[^\d.]/g, ''));
  expect(psi).toBeLessThan(0.25);
  await price.locator('[data-tail-flagged="true"]').hover();
  await expect(page.getByRole('tooltip')).toContainText(/Beyond its 99th \([\d.,]+\):\s[2-4](\.\d+)?\s%\svs\s1(\.\d+)?\s%\.\sp\s<\s0\.001/);
  await page.screenshot({ path: 'test-results/e2e/drift-tail.png', fullPage: true });
});

test('the drift backtest on ad-ctr-predictor: of the days item_price drifted, one came before a fall in clicks', async ({ page }) => {
  await signIn(page);
  await openModelFromCatalog(page, 'Ad CTR predictor');
  await openTab(page, 'Drift');
  // The demo's six days of history: item_price shifted on two days, only the second with fewer clicks,
  // and its upper tail grew on a third that nothing followed.
  const card = page.getByRole('table', { name: 'drift backtest' });
  await expect(card).toBeVisible({ timeout: 60_000 });
  const price = card.locator('tr[data-feature="item_price"]').filter({ hasText: /KS test|PSI/ }).first();
  await expect(price).toContainText(/drift in item_price preceded a change in Ad click-through rate 1 of 2 times/);
  await expect(price).toContainText('50.0');
  const tail = card.locator('tr[data-feature="item_price"][data-check="tail"]');
  await expect(tail).toContainText(/tail drift in item_price (was followed by no KPI change|preceded a change in Ad click-through rate \d of \d times)/);
  await expect(page.getByLabel('KPI changes')).toContainText(/Ad click-through rate fell on/);
  // The same as a picture: the days item_price alarmed, the one a fall in clicks followed filled.
  const timeline = page.getByRole('figure', { name: 'backtest timeline' });
  await expect(timeline.locator('tr[data-feature="item_price"] td[data-alarm="followed"]').first()).toBeVisible();
  await expect(timeline.locator('tr[data-feature="item_price"] td[data-alarm="not-followed"]').first()).toBeVisible();
  await expect(timeline.locator('tr[data-row="changes"] td[data-change]').first()).toBeVisible();
  // The same week as drift over time: PSI in 6-hour steps across seven days.
  await page.getByRole('group', { name: 'drift window' }).getByRole('button', { name: '7d' }).click();
  await expect(page.getByRole('figure', { name: 'PSI over time' })).toHaveAttribute('data-measured-steps', /^(2[4-9]|[3-9]\d)$/);
  await page.getByRole('table', { name: 'drift backtest' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/drift-backtest.png', fullPage: true });
});
