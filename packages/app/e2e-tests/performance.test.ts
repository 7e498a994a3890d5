import { expect, test } from '@playwright/test';
import { openModelFromCatalog } from './clicks';
import { signIn } from './signIn';

test('performance before labels: the fraud detector, whose chargebacks take 30 days, shows estimated AUC with its interval; the CTR model shows realised beside estimated', async ({ page }) => {
  await signIn(page);
  await openModelFromCatalog(page, 'Checkout fraud detector');
  const table = page.getByRole('table', { name: 'model performance' });
  await expect(table).toBeVisible({ timeout: 60_000 });
  const aucRow = table.locator('tr[data-metric="auc"]');
  // Estimated from the scores (calibrated on the training profile's labels), in (0.5, 1).
  await expect(aucRow.getByTestId('estimated-value')).toHaveText(/^0\.[5-9]\d*$/);
  await expect(aucRow).toContainText('labels not matured');
  await expect(aucRow.getByTestId('realised-value')).toHaveText('—');
  await expect(page.getByLabel('performance notes')).toContainText('labels count once 30d old');
  await expect(page.getByTestId('estimate-band')).toBeVisible();
  await table.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/performance-fraud.png', fullPage: true });

  // The 7-day view asks for daily windows.
  await page.getByRole('group', { name: 'Performance window' }).getByRole('button', { name: '7d' }).click();
  await expect(page.getByText(/ROC AUC per day/)).toBeVisible();

  // Clicks mature after an hour: the CTR model has realised values beside the estimates.
  await openModelFromCatalog(page, 'Ad CTR predictor');
  const ctr = page.getByRole('table', { name: 'model performance' });
  await expect(ctr.locator('tr[data-metric="auc"]').getByTestId('estimated-value')).toHaveText(/^0\.[5-9]\d*$/, { timeout: 60_000 });
  await expect(ctr.locator('tr[data-metric="auc"]').getByTestId('realised-value')).toHaveText(/^0\.[4-9]\d*$/);
  await expect(page.getByTestId('realised-line')).toBeVisible();
  await ctr.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/e2e/performance-ctr.png', fullPage: true });
});
