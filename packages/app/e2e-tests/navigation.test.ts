import { expect, Page, test } from '@playwright/test';
import { expectCleanLayout, settled } from './layout';
import { signIn } from './signIn';
import { chooseKind, MODEL_TABS, openFromSidebar, openTab } from './clicks';

// Everything here is reached by clicking from the landing page, as a person finds it: no URL is typed.

// A click that cannot happen fails within half a minute, naming the step, rather than at the test's end.
test.use({ actionTimeout: 30_000 });

test('every ModelRails page is in the sidebar, and every Model tab one click from the catalog', async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);

  for (const [title, heading] of [
    ['Models', 'Models overview'],
    ['Promotions', 'Promotions'],
    ['Model lineage', 'Lineage'],
  ]) {
    await openFromSidebar(page, title);
    await expect(page.getByRole('heading', { name: heading, exact: true }).first()).toBeVisible();
  }

  // Opened from the sidebar the lineage page has no root yet: it offers a picker, not an error.
  await expect(page.getByText('Pick a model version')).toBeVisible();
  const picker = page.getByRole('region', { name: 'Lineage root' });
  await picker.getByRole('button', { name: /^Model/ }).click();
  await page.getByRole('option', { name: 'Home feed ranker' }).click();
  await picker.getByRole('button', { name: /^Version/ }).click();
  await page.getByRole('option', { name: 'v17' }).click();
  await expect(page.locator('g[data-testid="lineage-node"][data-kind="model-version"]', { hasText: 'home-feed-ranker v17' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Legend' })).toContainText('Dataset version');
  // Labels are drawn at their natural size: 13 px text is at least 12 px on screen at 100 %.
  const label = page.locator('g[data-testid="lineage-node"] text').first();
  expect((await label.boundingBox())!.height).toBeGreaterThanOrEqual(12);
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await expect(page.getByLabel('Zoom level')).toHaveText(/125/);
  await page.screenshot({ path: 'test-results/e2e/navigation-lineage.png', fullPage: true });

  // Back to the catalog: the Model kind opens on every model, though the guest owns only one.
  await openFromSidebar(page, 'Catalog');
  await chooseKind(page, 'Model');
  const title = page.locator('h2', { hasText: /All Models \(\d+\)/ });
  await expect(title).toBeVisible();
  expect(Number(/\((\d+)\)/.exec((await title.textContent()) ?? '')?.[1])).toBeGreaterThanOrEqual(12);

  await page.getByRole('link', { name: 'Home feed ranker' }).click();
  await expect(page.getByRole('heading', { name: 'Home feed ranker' }).first()).toBeVisible();
  for (const tab of MODEL_TABS) {
    await openTab(page, tab);
    await settled(page);
    await page.screenshot({ path: `test-results/e2e/navigation-model-${tab.toLowerCase()}.png`, fullPage: true });
    if (tab === 'Versions') {
      // The slow decay as a picture: NDCG@20 over six versions, the champion ringed, the gate's bound dashed.
      const ndcg = page.getByRole('figure', { name: 'ndcg@20 across versions' });
      await expect(ndcg).toHaveAttribute('data-points', '6');
      await expect(ndcg.getByTestId('champion-point')).toHaveCount(1);
    }
    if (tab === 'Drift') {
      const psi = page.getByRole('figure', { name: 'PSI over time' });
      await expect(psi).toHaveAttribute('data-lines', /^[1-9]/);
      // A feature picked shows its reference and current distributions.
      await page.getByRole('region', { name: 'drift features' }).getByRole('button', { name: 'user_country' }).click();
      await expect(page.getByRole('figure', { name: 'user_country distribution' })).toBeVisible();
    }
  }

  // A canary's page: its weight over time with the KPI difference at each analysis, decisions marked.
  await openFromSidebar(page, 'Catalog');
  await chooseKind(page, 'Model');
  await page.getByRole('link', { name: 'Dynamic pricing regressor', exact: true }).click();
  await openTab(page, 'Rollouts');
  const timeline = page.getByRole('figure', { name: 'rollout timeline' });
  await expect(timeline).toHaveAttribute('data-decisions', /^[1-9]/, { timeout: 120_000 });
  await page.screenshot({ path: 'test-results/e2e/navigation-rollout-timeline.png', fullPage: true });
});

/** The pages of the README tour, each reached by clicking; returns after the page settled. */
// The catalog's own table (Backstage's CatalogTable, columns it chooses) is not ModelRails' to lay out.
const TOUR: Array<{ name: string; open: (page: Page) => Promise<void> }> = [
  { name: 'models overview', open: page => openFromSidebar(page, 'Models') },
  { name: 'promotions', open: page => openFromSidebar(page, 'Promotions') },
  {
    name: 'sign-off',
    open: async page => {
      await openFromSidebar(page, 'Promotions');
      await page.getByRole('table').first().getByRole('link', { name: /^v\d+$/ }).first().click();
      await expect(page.getByText(/Validation gates|Gates/).first()).toBeVisible();
    },
  },
  ...[
    ...['Home feed ranker', 'Ad CTR predictor', 'Checkout fraud detector'].flatMap(model => MODEL_TABS.map(tab => [model, tab])),
    // The demo's two canaries: a rollout page with its timeline and decision log.
    ['Related items ranker', 'Rollouts'],
    ['Dynamic pricing regressor', 'Rollouts'],
  ].map(([model, tab]) => ({
      name: `${model} · ${tab}`,
      open: async (page: Page) => {
        await openFromSidebar(page, 'Catalog');
        await chooseKind(page, 'Model');
        await page.getByRole('link', { name: model, exact: true }).click();
        await openTab(page, tab);
      },
    })),
];

for (const viewport of [
  { width: 1440, height: 900 },
  { width: 1280, height: 800 },
]) {
  test(`no number or word breaks, overflows or shows spurious digits at ${viewport.width}×${viewport.height}`, async ({ page }) => {
    test.setTimeout(600_000);
    await page.setViewportSize(viewport);
    await signIn(page);
    for (const stop of TOUR) {
      await stop.open(page);
      await settled(page);
      await expectCleanLayout(page, `${stop.name} at ${viewport.width}×${viewport.height}`);
      if (viewport.width === 1440) {
        await page.screenshot({ path: `test-results/e2e/layout-${stop.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`, fullPage: true });
      }
    }
  });
}
