import { Browser, expect, Page } from '@playwright/test';

/** Signs in on the demo's sign-in page: the guest (Enter) or one of the demo people. */
export async function signIn(page: Page, who: 'guest' | string = 'guest') {
  await page.goto('/');
  await page.getByRole('button', { name: who === 'guest' ? 'Enter' : `Sign in as ${who}` }).click();
  // The catalog page's own heading, and the app header's title while it renders: either says we are in.
  await expect(page.getByRole('heading', { name: /Catalog/ }).first()).toBeVisible();
}

/** A new browser context (its own session) signed in as `who`. */
export async function signInAs(browser: Browser, who: 'guest' | string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, who);
  return page;
}
