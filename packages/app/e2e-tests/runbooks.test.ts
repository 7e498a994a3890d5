import { APIRequestContext, expect, test } from '@playwright/test';
import { signInAs } from './signIn';
import { openFromSidebar, openModelTab } from './clicks';

// Runs after canary.test.ts, which watches the dynamic pricing regressor's canary promote v13 over
// v12 (v12 stays warm as the standby): here its owner rolls it back from the runbook page.

async function tokenOf(request: APIRequestContext, who: string) {
  const response = await request.get('/api/auth/demo-users/refresh', { headers: { 'x-modelrails-demo-user': who } });
  expect(response.status()).toBe(200);
  return (await response.json()).backstageIdentity.token as string;
}

test('the user_country contract violation links from its alert to the runbook, which shows the live context', async ({ browser }) => {
  const page = await signInAs(browser, 'guest');
  await openModelTab(page, 'Home feed ranker', 'Drift');
  const violations = page.getByRole('table', { name: 'contract violations' });
  await expect(violations).toContainText('user_country');
  await violations.getByRole('link', { name: 'runbook for user_country' }).first().click();

  await expect(page).toHaveURL(/\/catalog\/default\/model\/home-feed-ranker\/runbooks\?alert=contract-violation$/);
  // The model's own runbook names the alert, so it opens rather than the built-in one.
  const markdown = page.getByTestId('runbook-markdown');
  await expect(markdown.getByRole('heading', { name: 'Home feed ranker — drift and contract violations' })).toBeVisible();
  await expect(markdown).toContainText('If the contract violation hits production traffic, roll back to the warm-standby champion.');

  const context = page.getByTestId('live-context');
  const alert = context.locator('[data-alert="contract-violation"]').filter({ hasText: 'user_country' });
  await expect(alert).toContainText('user_country: type change, 100 % of values (limit 1 %)');
  await expect(alert).toContainText('page');
  await expect(context.getByRole('region', { name: 'last deploy' })).toContainText('v17 serves production since');
  await expect(context.getByRole('region', { name: 'top drifting features' }).locator('tr[data-feature="session_length_s"]').first()).toContainText('critical');
  await expect(context.getByRole('region', { name: 'actions' })).toContainText('No rollout to roll back or pause.');

  // Every built-in runbook is there too.
  await page.getByRole('button', { name: /Feature-store outage/ }).click();
  await expect(markdown.getByRole('heading', { name: 'Feature-store outage' })).toBeVisible();
  await expect(page).toHaveURL(/runbook=feature-store-outage/);
  await page.screenshot({ path: 'test-results/e2e/runbook-home-feed-ranker.png', fullPage: true });
});

test('from the Model page to its runbook: a user of another team is refused the rollback, the owner rolls back to the warm standby', async ({ browser, request }) => {
  test.setTimeout(360_000);
  const model = 'dynamic-pricing-regressor';
  const title = 'Dynamic pricing regressor';

  // Hana (retrieval team) may read but not control the pricing team's model.
  const hana = await signInAs(browser, 'hana');
  await openModelTab(hana, title);
  await hana.getByRole('link', { name: 'Runbooks', exact: true }).click();
  await expect(hana).toHaveURL(new RegExp(`/catalog/default/model/${model}/runbooks$`));
  const hanaContext = hana.getByTestId('live-context');
  // Its canary (canary.test.ts watched it) has promoted v13; v12 is the warm standby.
  await expect(async () => {
    await hana.reload();
    await expect(hana.getByTestId('live-context').getByRole('region', { name: 'rollout' })).toContainText('v13 against v12: succeeded', { timeout: 5_000 });
  }).toPass({ timeout: 240_000 });
  await expect(hanaContext.getByRole('region', { name: 'rollout' })).toContainText('Last decision');
  await expect(hanaContext.getByRole('region', { name: 'last deploy' })).toContainText('v13 serves production since');
  await expect(hanaContext.getByRole('region', { name: 'last deploy' })).toContainText('approved by Alice Moreau');
  const refused = hanaContext.locator('[data-action="rollback"]');
  await expect(refused.getByRole('button', { name: 'Roll back to v12 (the warm standby)' })).toBeDisabled();
  await expect(refused.getByTestId('action-refusal')).toHaveText(`Not allowed: mlops.rollout.rollback on model:default/${model}`);
  // The server refuses her too, whatever the page shows.
  const hanaToken = await tokenOf(request, 'hana');
  const live = await (await request.get(`/api/mlops/models/default/${model}/live-context`, { headers: { Authorization: `Bearer ${hanaToken}` } })).json();
  const rolloutId = live.actions.find((a: any) => a.action === 'rollback').rolloutId;
  const forbidden = await request.post(`/api/mlops/rollouts/${rolloutId}/rollback`, { headers: { Authorization: `Bearer ${hanaToken}` }, data: { reason: 'not mine' } });
  expect(forbidden.status()).toBe(403);
  expect((await forbidden.json()).error.message).toContain('mlops.rollout.rollback');
  await hana.screenshot({ path: 'test-results/e2e/runbook-refused.png', fullPage: true });

  // Frank (pricing team, the owner) may.
  const frank = await signInAs(browser, 'frank');
  await openModelTab(frank, title, 'Runbooks');
  const context = frank.getByTestId('live-context');
  const rollback = context.locator('[data-action="rollback"]');
  await expect(rollback.getByRole('button', { name: 'Roll back to v12 (the warm standby)' })).toBeEnabled();
  await context.getByRole('textbox', { name: 'Reason' }).fill('Margin dropped in the finance report');
  await rollback.getByRole('button', { name: 'Roll back to v12 (the warm standby)' }).click();
  await expect(context.getByRole('status')).toHaveText('rolled back to v12 by frank: Margin dropped in the finance report');
  await expect(context.getByRole('region', { name: 'rollout' })).toContainText('v13 against v12: rolled-back');
  await expect(context.getByRole('region', { name: 'actions' })).toContainText('No rollout to roll back or pause.');
  // The rollback is an open canary-rollback alert now, linked to its runbook.
  await expect(context.locator('[data-alert="canary-rollback"]')).toContainText('v13 rolled back: rolled back to v12 by frank');

  await openModelTab(frank, title, 'Versions');
  await expect(frank.getByRole('table', { name: 'Model versions' }).locator('tr[data-version="12"]')).toContainText('champion');
  // The decision is audited with who and why.
  await openModelTab(frank, title, 'Rollouts');
  await expect(frank.getByRole('table', { name: 'decision log' }).getByRole('row').filter({ hasText: 'Margin dropped in the finance report' })).toContainText(/frank/i);
});

test('owners are notified in the portal: the contract violation, the rollback and the promotion awaiting their approval', async ({ browser }) => {
  // Alice (ranking team) owns the home feed ranker; Bob asked for v19 of it.
  const alice = await signInAs(browser, 'alice');
  await openFromSidebar(alice, 'Notifications');
  // The list shows five a page, and Alice's team owns other models that page too: filter, as she would.
  await alice.getByRole('textbox', { name: 'Search' }).fill('Home feed ranker');
  await expect(alice.getByText('Home feed ranker: contract violation on user_country')).toBeVisible({ timeout: 90_000 });
  await expect(alice.getByText('Home feed ranker v19 awaits your approval for production')).toBeVisible();
  // Her own request (v18) is not hers to approve: no notification of it.
  await expect(alice.getByText('Home feed ranker v18 awaits your approval for production')).toHaveCount(0);
  await alice.getByText('Home feed ranker: contract violation on user_country').click();
  await expect(alice).toHaveURL(/\/catalog\/default\/model\/home-feed-ranker\/runbooks\?alert=contract-violation/);

  // Frank (pricing team) hears of the rollback of his model's canary.
  const frank = await signInAs(browser, 'frank');
  await openFromSidebar(frank, 'Notifications');
  await frank.getByRole('textbox', { name: 'Search' }).fill('Dynamic pricing regressor');
  await expect(frank.getByText('Dynamic pricing regressor: v13 rolled back to v12')).toBeVisible({ timeout: 60_000 });
  // Hana owns neither model.
  const hana = await signInAs(browser, 'hana');
  await openFromSidebar(hana, 'Notifications');
  await expect(hana.getByText(/Home feed ranker|Dynamic pricing regressor/)).toHaveCount(0);
});
