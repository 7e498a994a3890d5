import { expect, Page, test } from '@playwright/test';
import { signIn } from './signIn';
import { openModelTab, openUntilShown } from './clicks';

// Named to run first: the demo's rollback happens about a minute and a half after the backend
// starts, and this test watches it happen rather than finding it done.

/** The demo seeds its rollouts once the catalog has ingested the models: reload until there is one. */
async function openRolloutsTab(page: Page, title: string) {
  await openUntilShown(
    page,
    () => openModelTab(page, title, 'Rollouts'),
    () => expect(page.getByLabel('rollout status')).toBeVisible({ timeout: 5_000 }),
  );
}

test('a canary whose CTR drops is rolled back while we watch; another promotes itself through every step', async ({ page }) => {
  test.setTimeout(420_000);
  await signIn(page);
  await openRolloutsTab(page, 'Related items ranker');
  const status = page.getByLabel('rollout status');

  // Live first: in shadow or at the first canary step, with the engine's analyses arriving.
  await expect(status).toHaveAttribute('data-status', /^(running|pending)$/);
  await expect(page.getByLabel('stage timeline')).toContainText('Shadow');
  await expect(page.getByRole('table', { name: 'decision log' }).locator('tr[data-action="start"]')).toContainText('shadow: v4 receives a mirror of v3');

  // The controls a person has over a live rollout, each behind its own permission (runbooks.test.ts
  // checks a refusal); resume only once paused.
  for (const action of ['Pause', 'Promote now', 'Abort', 'Roll back']) await expect(page.getByRole('button', { name: action, exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Resume', exact: true })).toBeDisabled();

  // Then rolled back by the engine, without a reload, and it says why.
  await expect(status).toHaveAttribute('data-status', 'rolled-back', { timeout: 240_000 });
  await expect(page.getByLabel('why it rolled back')).toContainText(/^rolled back at 10 %: ctr \d+\.\d+\s% vs \d+\.\d+\s% \(−\d+\.\d+\s%, p [=<]\s/);
  const kpi = page.getByRole('table', { name: 'latest analysis' }).locator('tr[data-check="kpi"]');
  await expect(kpi).toHaveAttribute('data-verdict', 'fail');
  await expect(kpi).toContainText('≥ −2.00 %');
  await expect(page.getByTestId('weights-text')).toContainText('v3 100 % · v4 0 %');
  await expect(page.getByRole('table', { name: 'decision log' }).locator('tr[data-action="scale-down"]')).toContainText('v4 scaled down');
  await expect(page.getByRole('button', { name: 'Roll back' })).toBeDisabled();
  await page.screenshot({ path: 'test-results/e2e/rollout-rolled-back.png', fullPage: true });

  // The other demo canary converts better and walks shadow, 10, 25, 50 and 100 % to the champion alias.
  await openRolloutsTab(page, 'Dynamic pricing regressor');
  await expect(status).toHaveAttribute('data-status', 'succeeded', { timeout: 240_000 });
  await expect(page.getByLabel('rollout headline')).toHaveText('v13 promoted: every step passed');
  // This canary moved the weights of a Gateway API HTTPRoute (the demo's Kubernetes API), not a simulation.
  await expect(page.getByText('As last verified in HTTPRoute pricing/dynamic-pricing')).toBeVisible();
  await expect(page.getByTestId('weights-text')).toContainText('v12 0 % · v13 100 %');
  const log = page.getByRole('table', { name: 'decision log' });
  for (const step of ['shadow: on to 10 %', '10 %: on to 25 %', '25 %: on to 50 %', '50 %: on to 100 %', 'v13 takes all traffic']) {
    await expect(log.getByRole('row').filter({ hasText: step })).toHaveCount(1);
  }
  await page.screenshot({ path: 'test-results/e2e/rollout-promoted.png', fullPage: true });

  // Its owner rolls it back to the warm standby from the runbook page (runbooks.test.ts).
});
