import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Browser tests run against the built portal served by the backend (`npm test` builds it first),
// in Debian's Chromium: no browser is ever downloaded.
const port = 7077;
// Template-created repositories and built TechDocs of this run (app-config.e2e.yaml); workers inherit it.
process.env.MODELRAILS_E2E_DATA ??= mkdtempSync(join(tmpdir(), 'modelrails-e2e-'));

export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  // packages/app/e2e-split runs against the split deployment (playwright.split.config.ts).
  timeout: 120_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  outputDir: 'test-results/e2e',
  webServer: [
    {
      // The demo's MLflow tracking server (the real one from .tools/python), which the backend syncs from.
      command: `node scripts/demo-mlflow.mjs --backend http://localhost:${port}`,
      url: 'http://127.0.0.1:5055/api/2.0/mlflow/registered-models/search',
      timeout: 180_000,
      reuseExistingServer: false,
    },
    {
      // The demo's Kubernetes API, holding the HTTPRoute one demo model's canary moves.
      command: 'node -r @backstage/cli/config/nodeTransform.cjs scripts/demo-kubernetes.ts',
      url: 'http://127.0.0.1:5056/apis/gateway.networking.k8s.io',
      timeout: 60_000,
      reuseExistingServer: false,
    },
    {
      command:
        'yarn workspace backend start --config ../../app-config.yaml --config ../../app-config.e2e.yaml',
      // TechDocs builds model cards with the pinned mkdocs in .tools/python.
      env: { PATH: `${resolve('.tools/python/bin')}:${process.env.PATH}`, MODELRAILS_E2E_DATA: process.env.MODELRAILS_E2E_DATA },
      url: `http://localhost:${port}/.backstage/health/v1/readiness`,
      timeout: 180_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // The Python client's BentoML example, trained, registered and serving with search traffic.
      command: `node scripts/demo-bentoml.mjs --backend http://localhost:${port}`,
      url: 'http://127.0.0.1:5057/readyz',
      timeout: 420_000,
      reuseExistingServer: false,
      // BentoML's workers live in sessions of their own: `bentoml serve` must get SIGTERM to stop them.
      gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    },
    {
      // The Grafana app's panels with the real @grafana/ui, fed through the data source's proxy route.
      command: 'yarn --cwd plugins/grafana-mlops-app harness --port 7090',
      url: 'http://127.0.0.1:7090/',
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
  use: {
    baseURL: `http://localhost:${port}`,
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
