import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The split deployment's browser tests (scripts/production/split.mjs starts both backends first).
export default defineConfig({
  ...base,
  testDir: 'packages/app/e2e-split',
  outputDir: 'test-results/e2e-split',
  webServer: undefined,
  use: { ...base.use, baseURL: process.env.SPLIT_PORTAL_URL ?? 'http://localhost:7181' },
});
