import { expect, Page, test } from '@playwright/test';
import { signIn } from './signIn';
import { openModelTab, openUntilShown } from './clicks';

const lineageNode = (page: Page, kind: string, text: string | RegExp) =>
  page.locator(`g[data-testid="lineage-node"][data-kind="${kind}"]`, { hasText: text });

test('one click from a Model page to the dataset versions behind its production version', async ({ page }) => {
  await signIn(page);
  await openModelTab(page, 'Home feed ranker');
  await expect(page.getByText('v17 serves production')).toBeVisible();
  const datasets = page.getByRole('list', { name: 'Dataset versions behind production' });
  await expect(datasets.getByRole('listitem')).toHaveCount(3);

  await datasets.getByRole('link', { name: /^clickstream-events @/ }).click();
  await expect(page).toHaveURL(/\/mlops\/lineage\?root=dataset/);
  await expect(lineageNode(page, 'dataset-version', /^clickstream-events @/)).toBeVisible();
  await expect(lineageNode(page, 'model-version', 'home-feed-ranker v17')).toBeVisible();
  await expect(lineageNode(page, 'deployment', 'production · prod-eu-1 · 100 %')).toBeVisible();

  // The reverse question: which versions were trained on it, and which serve.
  const trained = page.getByRole('region', { name: 'Model versions trained on this dataset version' });
  await expect(trained).toContainText('Home feed ranker');
  await expect(trained.getByText('serving').first()).toBeVisible();

  // Nodes are clickable: the model version's details, with a way to re-center the graph on it.
  await lineageNode(page, 'model-version', 'home-feed-ranker v17').click();
  const details = page.getByRole('region', { name: 'Selected node' });
  await expect(details).toContainText('Model version');
  await expect(details).toContainText('champion');
  await details.getByRole('link', { name: 'Center the graph here' }).click();
  await expect(page).toHaveURL(/root=model/);
  await expect(lineageNode(page, 'model-version', 'home-feed-ranker v17')).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/lineage.png', fullPage: true });

  // A depth the person picks that still hides nodes says so; a deep enough one shows everything.
  const pickDepth = async (depth: string) => {
    await page.getByRole('button', { name: /^Depth/ }).click();
    await page.getByRole('option', { name: depth, exact: true }).click();
  };
  await pickDepth('1');
  await expect(page.getByText('The graph was cut off')).toBeVisible();
  const shallow = await page.locator('g[data-testid="lineage-node"]').count();
  await pickDepth('10');
  await expect(page.getByText('The graph was cut off')).toHaveCount(0);
  await expect.poll(() => page.locator('g[data-testid="lineage-node"]').count()).toBeGreaterThan(shallow);
});

test('the Versions tab compares with the champion, shows the gates and marks versions that cannot be reproduced', async ({ page }) => {
  test.setTimeout(150_000);
  await signIn(page);
  await openModelTab(page, 'Home feed ranker', 'Versions');
  const table = page.getByRole('table', { name: 'Model versions' });
  await expect(table.locator('tr[data-version="17"]')).toContainText('champion');
  await expect(table.locator('tr[data-version="19"]')).toContainText('ndcg@20: 0.171 (−3.39 %)');
  await expect(table.locator('tr[data-version="17"]')).toContainText('production · prod-eu-1 · 100 %');

  // The gates ran on every version: v19 is 3.4 % below the champion, more than its 2 % allowance.
  await openUntilShown(
    page,
    async () => undefined,
    () => expect(table.locator('tr[data-version="19"]').getByLabel('gates failed')).toBeVisible({ timeout: 3_000 }),
    100_000,
  );
  await expect(table.locator('tr[data-version="19"]')).toContainText('champion-relative');
  await expect(table.locator('tr[data-version="18"]').getByLabel('gates passed')).toBeVisible();

  await openModelTab(page, 'Ad CTR DeepFM (experiment)', 'Versions');
  await expect(page.getByRole('table', { name: 'Model versions' }).getByText('not reproducible')).toHaveCount(2);
  await page.screenshot({ path: 'test-results/e2e/versions.png', fullPage: true });
  // The deprecated demand forecaster was trained without recorded data too.
  await openModelTab(page, 'Demand forecaster (Prophet)', 'Versions');
  await expect(page.getByRole('table', { name: 'Model versions' }).getByText('not reproducible').first()).toBeVisible();
});

test('a version registered by CI with the scoped token appears with its lineage', async ({ page, request }) => {
  const res = await request.post('/api/mlops/models/default/push-notification-ranker/versions', {
    headers: { Authorization: 'Bearer modelrails-demo-ci-token' },
    data: {
      version: '3',
      artifact: { uri: 's3://models/push-notification-ranker/3/model.bin', digest: `sha256:${'c'.repeat(64)}` },
      metrics: { auc: 0.72 },
      training: {
        run: { id: 'github-actions-4711', url: 'https://ci.example.com/runs/4711' },
        datasets: [{ ref: 'clickstream-events', version: '2026-11-22', digest: `sha256:${'d'.repeat(64)}` }],
      },
      createdBy: 'user:default/bob',
    },
  });
  expect(res.status()).toBe(201);
  // The CI token registers, and nothing else.
  const read = await request.get('/api/mlops/models/default/push-notification-ranker/versions', {
    headers: { Authorization: 'Bearer modelrails-demo-ci-token' },
  });
  expect(read.status()).toBe(403);

  await signIn(page);
  await openModelTab(page, 'Push notification ranker', 'Versions');
  const row = page.getByRole('table', { name: 'Model versions' }).locator('tr[data-version="3"]');
  await expect(row).toContainText('1 dataset');
  await row.getByRole('link', { name: 'v3' }).click();
  await expect(lineageNode(page, 'dataset-version', 'clickstream-events @ 2026-11-22')).toBeVisible();
  await expect(lineageNode(page, 'training-run', 'run github-actions-4711')).toBeVisible();
});

test('versions synced from the demo MLflow appear, with their run and training data', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page);
  // The sync runs shortly after the backend starts, then every minute.
  const table = page.getByRole('table', { name: 'Model versions' });
  await openUntilShown(
    page,
    () => openModelTab(page, 'Item embedding encoder', 'Versions'),
    () => expect(table.locator('tr[data-version="8"]')).toBeVisible({ timeout: 3_000 }),
    150_000,
  );
  const v8 = table.locator('tr[data-version="8"]');
  await expect(v8).toContainText('MLflow');
  await expect(v8).not.toContainText('challenger');
  await expect(v8).toContainText('recall_at_100: 0.674');
  await expect(page.getByLabel('MLflow sync status')).toContainText('Synced from MLflow');
  // MLflow's challenger alias is reported, not followed: aliases change through ModelRails' own decisions.
  await expect(page.getByLabel('MLflow sync status')).toContainText('MLflow challenger v8');

  await v8.getByRole('link', { name: 'v8' }).click();
  // Digest and run id are MLflow's own (the real server computes them).
  await expect(lineageNode(page, 'dataset-version', /item-catalog-snapshot @ [0-9a-f]{8}/)).toBeVisible();
  await expect(lineageNode(page, 'training-run', /run [0-9a-f]{16}/)).toBeVisible();
});
