import { expect, test } from '@playwright/test';
import { signIn } from './signIn';
import { openFromSidebar, openModelTab } from './clicks';

test('a second person signs off a promotion; the requester cannot', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page); // user:default/guest
  await openFromSidebar(page, 'Promotions');
  const pending = page.getByRole('table', { name: 'Pending promotions' });
  const row = (title: string, version: string) => pending.locator('tr', { hasText: title }).filter({ hasText: version });

  // The guest's own request: the evidence is there, the decision is not theirs to make.
  await row('Ad CTR predictor', 'v33').getByRole('link', { name: 'v33' }).click();
  await expect(page.getByLabel('Why you cannot decide')).toContainText('You requested this promotion');
  await expect(page.getByRole('button', { name: 'Approve' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Reject' })).toBeDisabled();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('table', { name: 'Gate results' }).locator('tr[data-gate="data-quality"]')).toHaveAttribute(
      'data-status',
      'fail',
      { timeout: 3_000 },
    );
  }).toPass({ timeout: 100_000 });

  // Bob's v19 fails a gate against the champion v17 (3.4 % below it): approving needs the break-glass override.
  await openFromSidebar(page, 'Promotions');
  await row('Home feed ranker', 'v19').getByRole('link', { name: 'v19' }).click();
  await expect(page.getByText(/A blocking gate fails · evaluated .* against champion v17/)).toBeVisible();
  await page.getByRole('textbox', { name: 'Reason' }).fill('Looks fine to me');
  await expect(page.getByRole('button', { name: 'Approve' })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Reject' })).toBeEnabled();

  // Alice's request, gates passing: the guest signs it off with a reason.
  await openFromSidebar(page, 'Promotions');
  await row('Home feed ranker', 'v18').getByRole('link', { name: 'v18' }).click();
  await expect(page.getByText(/All blocking gates pass · evaluated .* against champion v17/)).toBeVisible();
  const approve = page.getByRole('button', { name: 'Approve' });
  await expect(approve).toBeDisabled(); // no reason yet
  await page.getByRole('textbox', { name: 'Reason' }).fill('Within 2 % of the champion; lineage complete');
  await approve.click();
  await expect(page.getByText(/approved by/).first()).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/signoff.png', fullPage: true });

  // The approval hands the production alias over; production traffic still reaches v17 until it is deployed.
  await openModelTab(page, 'Home feed ranker', 'Versions');
  const table = page.getByRole('table', { name: 'Model versions' });
  await expect(table.locator('tr[data-version="18"]')).toContainText('champion');
  await expect(table.locator('tr[data-version="18"]')).toContainText('awaiting deployment');
  await expect(table.locator('tr[data-version="17"]')).toContainText('standby');

  // v19's evidence was judged against v17: it is judged again against v18 (1.7 % below it, inside the 2 % allowance).
  await openFromSidebar(page, 'Promotions');
  await row('Home feed ranker', 'v19').getByRole('link', { name: 'v19' }).click();
  await expect(page.getByText(/All blocking gates pass · evaluated .* against champion v18/)).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/signoff-refreshed.png', fullPage: true });
});

test('Promote… on the Versions tab requests a promotion, which then waits for someone else on the Promotions page', async ({ page }) => {
  await signIn(page);
  await openModelTab(page, 'Account takeover detector', 'Versions');
  await page.getByRole('button', { name: 'Request promotion of v3' }).click();
  const dialog = page.getByRole('dialog', { name: 'Request promotion of v3' });
  await dialog.getByRole('textbox', { name: 'Why' }).fill('AUC up on the last three weeks of login events');
  await dialog.getByRole('button', { name: 'Request' }).click();
  // The request opens its sign-off page: the evidence is there, the decision is someone else's.
  await expect(page.getByLabel('Why you cannot decide')).toContainText('You requested this promotion');
  await openFromSidebar(page, 'Promotions');
  await expect(page.getByRole('table', { name: 'Pending promotions' }).locator('tr', { hasText: 'Account takeover detector' })).toContainText('v3');
});
