// Renders the lineage page for the generated 2,000-node graph in Debian's Chromium and prints how
// long the page takes, beside the target (1 s). The graph is registered through the HTTP API with
// the demo CI token, exactly as CI would, into a backend serving the built portal.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { log, ROOT, run } from '../scripts/lib/process.mjs';

const PORT = 7077;
const BASE = `http://localhost:${PORT}`;
const TARGET_MS = 1000;
const CI_TOKEN = 'modelrails-demo-ci-token';

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function waitFor(url, seconds) {
  for (let i = 0; i < seconds * 2; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer in ${seconds} s`);
}

export async function benchLineagePage({ versions, rootId, expectedNodes }) {
  if (!existsSync(join(ROOT, 'packages/app/dist/index.html'))) {
    log('building the portal');
    const { code } = await run('yarn', ['workspace', 'app', 'build'], { quiet: true });
    if (code !== 0) throw new Error('portal build failed');
  }
  const backend = spawn(
    'yarn',
    ['workspace', 'backend', 'start', '--config', '../../app-config.yaml', '--config', '../../app-config.e2e.yaml'],
    { cwd: ROOT, stdio: 'ignore', detached: true },
  );
  try {
    await waitFor(`${BASE}/.backstage/health/v1/readiness`, 180);
    const t0 = Date.now();
    const queue = [...versions];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let v = queue.shift(); v; v = queue.shift()) {
          const [, ns, name] = /^model:([^/]+)\/(.+)$/.exec(v.modelRef);
          let res;
          // The catalog reads the demo models a few seconds after the backend is ready.
          for (let attempt = 0; attempt < 120; attempt++) {
            res = await fetch(`${BASE}/api/mlops/models/${ns}/${name}/versions`, {
              method: 'POST',
              headers: { Authorization: `Bearer ${CI_TOKEN}`, 'Content-Type': 'application/json' },
              body: JSON.stringify(v.body),
            });
            if (res.status !== 404) break;
            await new Promise(r => setTimeout(r, 500));
          }
          if (res.status !== 201) throw new Error(`registration answered ${res.status}: ${await res.text()}`);
        }
      }),
    );
    log(`registered ${versions.length} versions through the API in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(BASE);
    await page.getByRole('button', { name: 'Enter' }).click();
    await page.getByRole('heading', { name: /Catalog/ }).waitFor();

    const url = `${BASE}/mlops/lineage?root=${encodeURIComponent(rootId)}&depth=10`;
    const loads = [];
    const renders = [];
    for (let i = 0; i < 5; i++) {
      // Whole page: navigation, app start, API call, layout, drawing.
      await page.goto('about:blank');
      const t = Date.now();
      await page.goto(url);
      await page.waitForFunction(n => document.querySelectorAll('g[data-testid="lineage-node"]').length >= n, expectedNodes, { timeout: 120_000 });
      loads.push(Date.now() - t);
      // The graph alone, app already running: change the depth and back.
      await page.evaluate(() => history.replaceState(null, '', location.href));
      const t2 = Date.now();
      await page.goto(url.replace('depth=10', 'depth=9'));
      await page.waitForFunction(() => document.querySelectorAll('g[data-testid="lineage-node"]').length > 0, null, { timeout: 120_000 });
      renders.push(Date.now() - t2);
    }
    const nodes = await page.locator('g[data-testid="lineage-node"]').count();
    await page.goto(url);
    await page.waitForFunction(n => document.querySelectorAll('g[data-testid="lineage-node"]').length >= n, expectedNodes, { timeout: 120_000 });
    await page.screenshot({ path: join(ROOT, 'test-results', 'bench-lineage.png') });
    await browser.close();
    const m = median(loads);
    console.log(
      `lineage page nodes=${expectedNodes} median page load to drawn graph=${m} ms  target=${TARGET_MS} ms  median/target=${(m / TARGET_MS).toFixed(2)}  ` +
        `(depth 9 reload: ${median(renders)} ms, ${nodes} nodes)`,
    );
  } finally {
    try {
      process.kill(-backend.pid, 'SIGTERM');
    } catch {}
  }
}
