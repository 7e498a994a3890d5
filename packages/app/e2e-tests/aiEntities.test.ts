import { expect, Page, test } from '@playwright/test';
import { chooseKind, openFromSidebar } from './clicks';
import { settled } from './layout';
import { signIn } from './signIn';

// catalog/ai-assets.yaml: an LLM Model beside the entities Red Hat Developer Hub's model catalog
// bridge and Backstage's AI modules put in a catalog. Reached by clicking from the landing page.

test.use({ actionTimeout: 30_000 });

/** A node of the entity page's relations graph (Backstage's catalog graph card), by its exact title. */
const graphNode = (page: Page, title: string) => page.locator('g[data-testid="node"]').filter({ has: page.locator('text', { hasText: new RegExp(`^${title.replace(/[()]/g, '\\$&')}$`) }) });

test("an LLM Model beside the catalog's AI entities: related both ways to its model server and deployed model, its token KPIs against their bands", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  await openFromSidebar(page, 'Catalog');
  await chooseKind(page, 'Model');
  await page.getByRole('link', { name: 'Support assistant', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Support assistant' }).first()).toBeVisible();
  // The Model names the model-server Component and the ai-model Resource; the graph draws both.
  await expect(graphNode(page, 'Support model server')).toBeVisible({ timeout: 30_000 });
  await expect(graphNode(page, 'Support assistant (Granite 8B)')).toBeVisible();
  // An LLM's KPIs: tokens per request, time to first token, decode rate and cost per 1M tokens,
  // each against the policy's band (the demo streams its answers from the start).
  const kpis = page.getByRole('table', { name: 'model KPIs' });
  await expect(kpis.locator('tr[data-metric="output_tokens_per_second"] [data-testid="kpi-value"]')).toHaveText(/^\d+(\.\d)?\stokens\/s$/, { timeout: 60_000 });
  await expect(kpis.locator('tr[data-metric="input_tokens"] [data-testid="kpi-value"]')).toHaveText(/^\d{1,3}(,\d{3})*\stokens$/);
  await expect(kpis.locator('tr[data-metric="time_to_first_token_p95"] [data-testid="kpi-value"]')).toHaveText(/^\d+\sms$/);
  await expect(kpis.locator('tr[data-metric="time_to_first_token_p95"]')).toHaveAttribute('data-slo', 'ok');
  await expect(kpis.locator('tr[data-metric="time_to_first_token_p95"]')).toContainText('within SLO · ≤ 400 ms');
  await expect(kpis.locator('tr[data-metric="output_tokens_per_second"]')).toContainText('≥ 35 tokens/s');
  await expect(kpis.locator('tr[data-metric="cost_per_1m_tokens"] [data-testid="kpi-value"]')).toHaveText(/^\$\d+\.\d\d$/, { timeout: 90_000 });
  await expect(kpis.locator('tr[data-metric="cost_per_1k"] [data-testid="kpi-value"]')).toHaveText(/^\$\d+\.\d\d\d?$/);
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/ai-entities-llm-model.png', fullPage: true });

  // The deployed model's own page (opened from its node) draws the Model: the relation goes both ways.
  await graphNode(page, 'Support assistant (Granite 8B)').click();
  await expect(page).toHaveURL(/\/catalog\/default\/resource\/support-assistant-granite/);
  await expect(graphNode(page, 'Support assistant')).toBeVisible({ timeout: 30_000 });
  await settled(page);
  await page.screenshot({ path: 'test-results/e2e/ai-entities-ai-model-resource.png', fullPage: true });
  // Its modelrails.io/model annotation names the Model: ModelRails' Drift and Rollouts tabs are on this page, for that Model.
  for (const tab of ['Drift', 'Rollouts']) {
    await page.getByRole('navigation', { name: 'Content navigation' }).getByRole('link', { name: tab, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/resource/support-assistant-granite/${tab.toLowerCase()}$`));
    await expect(page.getByLabel('ModelRails model')).toContainText('From the ModelRails model Support assistant');
    await settled(page);
    await page.screenshot({ path: `test-results/e2e/ai-entities-ai-model-${tab.toLowerCase()}.png`, fullPage: true });
  }

  // The AiModelServerAPI kind (its own backend module) is in the catalog beside them.
  await openFromSidebar(page, 'Catalog');
  await chooseKind(page, 'AiModelServerAPI');
  await expect(page.getByRole('link', { name: 'Support model server' })).toBeVisible();
});
