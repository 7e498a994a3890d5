import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// The adopter test's browser walk (scripts/adopter/adopter.mjs creates the app and starts it first).
export default defineConfig({
  ...base,
  testDir: 'packages/app/e2e-adopter',
  outputDir: 'test-results/e2e-adopter',
  webServer: undefined,
  use: { ...base.use, baseURL: process.env.ADOPTER_PORTAL_URL ?? 'http://localhost:7290' },
});
