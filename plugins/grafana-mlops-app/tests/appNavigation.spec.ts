// @grafana/plugin-e2e spec: needs a running Grafana server (not available on our CI machines).
import { test, expect } from './fixtures';
import { ROUTES } from '../src/constants';

test.describe('navigating app', () => {
  test('the overview page renders', async ({ gotoPage, page }) => {
    await gotoPage(`/${ROUTES.Overview}`);
    await expect(page.getByText(/production rails of machine-learning models/)).toBeVisible();
  });
});
