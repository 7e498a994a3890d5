import { expect, Page, test } from '@playwright/test';
import { openFromSidebar } from './clicks';
import { settled } from './layout';
import { signIn } from './signIn';

// The "New ML model" Software Template (catalog/templates/new-ml-model), from the sidebar's Create
// page to the Model it registers, by clicking and typing into the form as a person would.

test.use({ actionTimeout: 30_000 });

/** An autocomplete picker (owner, system, entity): type part of a name, choose the option. */
async function pick(page: Page, label: RegExp, typed: string, option: RegExp) {
  const input = page.getByRole('textbox', { name: label });
  await input.click();
  await input.fill(typed);
  await page.getByRole('option', { name: option }).first().click();
}

test('a team starts a new model from the New ML model template: the form, the run, and the Model it registers', async ({ page }) => {
  test.setTimeout(180_000);
  // Each run its own repository (the browser tests' repositories folder outlives a run).
  const name = `churn-predictor-${Date.now().toString(36)}`;
  await signIn(page);
  await openFromSidebar(page, 'Create');
  const card = page.locator('article, [class*="MuiCard-root"]').filter({ hasText: 'New ML model' }).first();
  await expect(card).toBeVisible({ timeout: 30_000 });
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/template-list.png', fullPage: true });
  await card.getByRole('button', { name: 'Choose' }).click();

  // 1. The model.
  await expect(page.getByRole('heading', { name: 'New ML model' }).first()).toBeVisible();
  await page.getByRole('textbox', { name: /^Name/ }).fill(name);
  await page.getByRole('textbox', { name: /^Description/ }).fill('Predicts which subscribers cancel within 30 days.');
  await pick(page, /^Owner/, 'Platform', /ML Platform/);
  await pick(page, /^System/, 'Recomm', /Recommendations/);
  await page.getByRole('button', { name: /^Model type/ }).click();
  await page.getByRole('option', { name: 'Classifier', exact: true }).click();
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/template-step-model.png', fullPage: true });
  await page.getByRole('button', { name: 'Next' }).click();

  // 2. Data and serving.
  await pick(page, /^Training datasets/, 'Clickstream', /Clickstream events/);
  await pick(page, /^Serving component/, 'home-feed', /home-feed-service/);
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/template-step-data.png', fullPage: true });
  await page.getByRole('button', { name: 'Next' }).click();

  // 3. KPIs (one prefilled: CTR over clicks) and the rollout preset.
  await expect(page.getByRole('textbox', { name: /^KPI name/ }).first()).toHaveValue('ctr');
  await page.getByRole('textbox', { name: /^Title/ }).first().fill('Retained after offer');
  await page.getByRole('textbox', { name: /^KPI name/ }).first().fill('retention');
  await page.getByRole('textbox', { name: /^Outcome label/ }).first().fill('retained');
  await page.getByRole('button', { name: /^Rollout preset/ }).click();
  await page.getByRole('option', { name: /^Careful/ }).click();
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/template-step-kpis.png', fullPage: true });
  await page.getByRole('button', { name: 'Review' }).click();

  // Review, create, and the run's three steps.
  await expect(page.getByText(name).first()).toBeVisible();
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/template-review.png', fullPage: true });
  await page.getByRole('button', { name: 'Create' }).click();
  const open = page.getByRole('link', { name: 'Open the Model in the catalog' });
  await expect(open).toBeVisible({ timeout: 60_000 });
  for (const step of ['Write the repository', 'Publish the repository', 'Register the Model']) await expect(page.getByText(step).first()).toBeVisible();
  // The task page keeps its (finished) progress bar: wait for the log's last step instead.
  await expect(page.getByText('Finished step Register the Model')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/template-run.png', fullPage: true });

  // The Model it registered, with the policy the form chose.
  // The catalog processes the new location within seconds; until then the page says "Entity not
  // found" and a person reloads.
  await open.click();
  const rollout = page.getByRole('region', { name: 'Rollout' });
  await expect(async () => {
    if (await page.getByText('Entity not found').isVisible()) await page.reload();
    await expect(rollout).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await expect(rollout).toContainText('1 % (≥ 30m, ≥ 2000 samples) → 5 %');
  const kpis = page.getByRole('region', { name: 'KPIs' });
  await expect(kpis).toContainText('Retained after offer');
  await expect(kpis).toContainText('retained outcomes / predictions');
  // Its runbooks are the repository's files, and its datasets and serving component its relations.
  await expect(page.getByText('Clickstream events').first()).toBeVisible();
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/template-created-model.png', fullPage: true });

  // The runbook stub it wrote opens from the Runbooks tab, read from the new repository.
  await page.getByRole('navigation', { name: 'Content navigation' }).getByRole('link', { name: 'Runbooks', exact: true }).click();
  await page.getByRole('button', { name: /^Drift and contract violations/ }).click();
  const markdown = page.getByTestId('runbook-markdown');
  await expect(markdown.getByRole('heading', { name: `${name}: drift and contract violations` })).toBeVisible({ timeout: 30_000 });
  await expect(markdown).toContainText('the owner, group:default/ml-platform');
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/template-created-runbook.png', fullPage: true });
});
