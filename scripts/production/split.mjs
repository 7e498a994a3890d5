// The split deployment (issue: "its own deployment"): the portal backend (packages/backend with
// MODELRAILS_PORTAL_ONLY=1: catalog, auth, permissions, notifications and the built frontend) and
// ModelRails' own backend (packages/backend-mlops: only the ModelRails plugin and the demo) on one
// PostgreSQL, each finding the other through `discovery.endpoints`. The browser tests in
// packages/app/e2e-split then walk the demo through the portal, whose pages call the ModelRails
// backend on its own origin.
//
// Prints Playwright's own summary; scripts/mr.mjs counts it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../lib/postgres.mjs';
import { freePort, log, run } from '../lib/process.mjs';
import { ready, splitConfig, startBackend } from './backends.mjs';

let pg;
const backends = [];
let code = 1;
try {
  pg = await startPostgres({ own: true });
  const portal = `http://localhost:${await freePort(7181)}`;
  const mlops = `http://localhost:${await freePort(7182)}`;
  const dir = mkdtempSync(join(tmpdir(), 'modelrails-split-'));
  const config = splitConfig({ portal, mlops, database: pg.url });
  writeFileSync(join(dir, 'portal.yaml'), JSON.stringify(config.portal));
  writeFileSync(join(dir, 'mlops.yaml'), JSON.stringify(config.mlops));
  log(`split deployment: portal ${portal}, ModelRails ${mlops}, one PostgreSQL`);
  const portalBackend = startBackend('portal backend', 'backend', join(dir, 'portal.yaml'), { MODELRAILS_PORTAL_ONLY: '1' });
  backends.push(portalBackend);
  const mlopsBackend = startBackend('ModelRails backend', 'backend-mlops', join(dir, 'mlops.yaml'), {});
  backends.push(mlopsBackend);
  await Promise.all([ready(portalBackend, portal), ready(mlopsBackend, mlops)]);
  log('both backends ready');
  let output;
  ({ code, output } = await run('yarn', ['playwright', 'test', '--config', 'playwright.split.config.ts'], { env: { SPLIT_PORTAL_URL: portal, SPLIT_MLOPS_URL: mlops } }));
  if (code !== 0) {
    // The backends' warnings first, then Playwright's report again, so a log's tail shows why.
    for (const b of backends) process.stderr.write(`--- ${b.name} (last output)\n${b.log()}\n`);
    process.stdout.write(`--- Playwright's report again\n${output.slice(-8000)}\n`);
  }
} catch (error) {
  log(String(error?.stack ?? error));
  process.stdout.write('1 failed\n');
} finally {
  for (const b of backends) b.stop();
  await pg?.stop();
}
process.exit(code);
