import { expect, Page, test } from '@playwright/test';
import { signIn } from './signIn';
import { chooseKind, openFromSidebar, openModelTab } from './clicks';

// catalog/e2e/models.yaml (loaded by app-config.e2e.yaml only) holds a Model whose title,
// description and runbook title carry XSS payloads, and a runbook made of a payload corpus
// (catalog/e2e/runbooks/xss-corpus.md). Every payload calls window.__xss(name) if it ever runs.

const TITLE = `<img src=x onerror="window.__xss('entity-title')"><script>window.__xss('entity-title-script')</script>`;

async function signInWatchingPayloads(page: Page) {
  const dialogs: string[] = [];
  page.on('dialog', async dialog => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.addInitScript(() => {
    (window as any).__xssRan = [];
    (window as any).__xss = (name: string) => (window as any).__xssRan.push(name);
  });
  await signIn(page);
  return {
    /** Payloads that ran, and dialogs that opened, so far. */
    ran: async () => [...(await page.evaluate(() => (window as any).__xssRan as string[])), ...dialogs],
  };
}

test('a runbook of XSS payloads renders as text, with no script run and only http, https and mailto links', async ({ page }) => {
  const watch = await signInWatchingPayloads(page);
  await openModelTab(page, TITLE, 'Runbooks');
  const markdown = page.getByTestId('runbook-markdown');
  await expect(markdown.getByRole('heading', { name: 'XSS corpus' })).toBeVisible();
  await expect(markdown.getByRole('heading', { name: 'Links that stay' })).toBeVisible();

  // Raw HTML shows as the text it is.
  await expect(markdown).toContainText(`<script>window.__xss('script')</script>`);
  await expect(markdown).toContainText(`<img src=x onerror="window.__xss('img-onerror')">`);
  // No element raw HTML could have made exists.
  expect(await markdown.locator('script, iframe, object, embed, style, svg, details, body, form, input').count()).toBe(0);
  const withHandlers = await markdown.evaluate(root =>
    [...root.querySelectorAll('*')].filter(el => [...el.attributes].some(a => a.name.toLowerCase().startsWith('on'))).map(el => el.outerHTML),
  );
  expect(withHandlers).toEqual([]);
  // Every link and image target left is http, https or mailto; the unsafe ones lost theirs.
  const targets = await markdown.evaluate(root => [...root.querySelectorAll('[href], [src]')].map(el => el.getAttribute('href') ?? el.getAttribute('src')));
  expect(targets).toEqual(['https://example.com/runbook', 'http://example.com/runbook', 'mailto:oncall@example.com']);
  await expect(markdown.getByRole('link', { name: 'safe https' })).toHaveAttribute('rel', 'noopener noreferrer nofollow');

  // Clicking what used to be a javascript: link does nothing either.
  await markdown.getByText('javascript link', { exact: true }).click();
  await markdown.getByText('reference link', { exact: true }).click();
  await page.waitForTimeout(500);
  expect(await watch.ran()).toEqual([]);
});

test('XSS payloads in entity texts render as text on every page that shows them', async ({ page }) => {
  const watch = await signInWatchingPayloads(page);
  const title = TITLE;
  const noPayloadElements = async () => {
    await page.waitForTimeout(1_000);
    expect(await page.locator('img[src="x"], svg[onload]').count()).toBe(0);
  };

  // The catalog lists it by its title (as text), and the Model page heads with it.
  await openFromSidebar(page, 'Catalog');
  await chooseKind(page, 'Model');
  await expect(page.getByText(title).first()).toBeVisible();
  await noPayloadElements();
  await page.getByRole('link', { name: title, exact: true }).click();
  await expect(page.getByRole('heading', { name: title, exact: true })).toBeVisible();
  await noPayloadElements();
  // Backstage's About card drops raw HTML from the description and keeps the link's text only.
  const about = page.getByRole('article').filter({ has: page.getByRole('heading', { name: 'About' }) });
  await expect(about).toContainText('"> link');
  expect(await about.locator('svg[onload], a[href^="javascript"], script').count()).toBe(0);

  await page.getByRole('navigation', { name: 'Content navigation' }).getByRole('link', { name: 'Runbooks', exact: true }).click();
  await expect(page.getByRole('list', { name: 'runbooks' })).toContainText(`<svg onload="window.__xss('runbook-title')"></svg>Payload corpus`);
  await noPayloadElements();

  await openFromSidebar(page, 'Models');
  await expect(page.getByText(title).first()).toBeVisible();
  await noPayloadElements();
  expect(await watch.ran()).toEqual([]);
});
