import { expect, Page } from '@playwright/test';

// Ways a person moves through the portal: by clicking, from the sidebar down. No URL is typed.

const sidebar = (page: Page) => page.getByTestId('sidebar-root');

export async function openFromSidebar(page: Page, title: string) {
  await sidebar(page).getByRole('link', { name: title, exact: true }).click();
}

export async function chooseKind(page: Page, kind: string) {
  await page.locator('[aria-label="Kind"] [role="button"]').click();
  await page.getByRole('option', { name: kind, exact: true }).click();
}

export const MODEL_TABS = ['Overview', 'Versions', 'Drift', 'Rollouts', 'Runbooks'];
const TAB_PATH: Record<string, RegExp> = {
  Overview: /\/model\/[^/]+$/,
  Versions: /\/versions$/,
  Drift: /\/drift$/,
  Rollouts: /\/rollouts$/,
  Runbooks: /\/runbooks$/,
};

export async function openTab(page: Page, tab: string) {
  await page.getByRole('navigation', { name: 'Content navigation' }).getByRole('link', { name: tab, exact: true }).click();
  await expect(page).toHaveURL(TAB_PATH[tab]);
}

/** Catalog in the sidebar, Kind = Model, the Model's link (its title, as the catalog shows it). */
export async function openModelFromCatalog(page: Page, title: string) {
  await openFromSidebar(page, 'Catalog');
  await chooseKind(page, 'Model');
  await page.getByRole('link', { name: title, exact: true }).click();
  await expect(page.getByRole('heading', { name: title }).first()).toBeVisible();
}

/** Catalog → Kind = Model → the Model → one of its tabs (Overview: the Model page itself). */
export async function openModelTab(page: Page, title: string, tab = 'Overview') {
  await openModelFromCatalog(page, title);
  if (tab !== 'Overview') await openTab(page, tab);
}

/**
 * What the demo fills in the background (its traffic, seeded rollouts, MLflow's sync) appears a
 * while after the backend starts: open the page by clicking, then reload it (as a person presses
 * F5) until `shown` passes. `shown` should wait briefly, a few seconds at most.
 */
export async function openUntilShown(page: Page, open: () => Promise<void>, shown: () => Promise<void>, timeout = 120_000) {
  let opened = false;
  await expect(async () => {
    if (opened) await page.reload();
    else {
      await open();
      opened = true;
    }
    await shown();
  }).toPass({ timeout });
}
