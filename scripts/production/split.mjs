// The split deployment (issue: "its own deployment"): the portal backend (packages/backend with
// MODELRAILS_PORTAL_ONLY=1: catalog, auth, permissions, notifications and the built frontend) and
// ModelRails' own backend (packages/backend-mlops: only the ModelRails plugin and the demo) on one
// PostgreSQL, each finding the other through `discovery.endpoints`. The browser tests in
// packages/app/e2e-split then walk the demo through the portal, whose pages call the ModelRails
// backend on its own origin.
//
// Prints Playwright's own summary; scripts/mr.mjs counts it.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../lib/postgres.mjs';
import { backendNodeOptions, freePort, log, ROOT, run } from '../lib/process.mjs';

/** The two overlays on app-config.yaml: each backend's address, database and where the other is. */
export function splitConfig({ portal, mlops, database }) {
  const pluginsOfPortal = ['catalog', 'auth', 'permission', 'notifications', 'signals', 'search', 'user-settings', 'app'];
  return {
    portal: {
      app: { baseUrl: portal },
      backend: { baseUrl: portal, listen: { port: Number(new URL(portal).port) }, cors: { origin: portal, credentials: true }, database: { client: 'pg', connection: database } },
      // The portal's backend and its frontend find ModelRails on its own deployment.
      discovery: { endpoints: [{ target: { internal: `${mlops}/api/{{pluginId}}`, external: `${mlops}/api/{{pluginId}}` }, plugins: ['mlops'] }] },
    },
    mlops: {
      app: { baseUrl: portal },
      backend: { baseUrl: mlops, listen: { port: Number(new URL(mlops).port) }, cors: { origin: portal, credentials: true }, database: { client: 'pg', connection: database } },
      // ModelRails reads the catalog, asks the permission backend, verifies user tokens and notifies through the portal.
      discovery: { endpoints: [{ target: `${portal}/api/{{pluginId}}`, plugins: pluginsOfPortal }] },
      mlops: { runbooks: { portalBaseUrl: portal } },
    },
  };
}

function startBackend(name, workspace, configFile, env) {
  const child = spawn('yarn', ['workspace', workspace, 'start', '--config', '../../app-config.yaml', '--config', configFile], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: backendNodeOptions(), ...env },
  });
  let err = '';
  child.stderr.on('data', c => (err = (err + c).slice(-6000)));
  return {
    name,
    child,
    log: () => err,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // gone
      }
    },
  };
}

async function ready(backend, url) {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (backend.child.exitCode !== null) throw new Error(`${backend.name} exited: ${backend.log()}`);
    const ok = await fetch(`${url}/.backstage/health/v1/readiness`).then(r => r.ok, () => false);
    if (ok) return;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${backend.name} not ready in 240 s: ${backend.log()}`);
}

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
  ({ code } = await run('yarn', ['playwright', 'test', '--config', 'playwright.split.config.ts'], { env: { SPLIT_PORTAL_URL: portal, SPLIT_MLOPS_URL: mlops } }));
  if (code !== 0) for (const b of backends) process.stderr.write(`--- ${b.name} (last output)\n${b.log()}\n`);
} catch (error) {
  log(String(error?.stack ?? error));
  process.stdout.write('1 failed\n');
} finally {
  for (const b of backends) b.stop();
  await pg?.stop();
}
process.exit(code);
