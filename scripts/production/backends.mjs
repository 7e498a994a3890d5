// Starting the portal backend and ModelRails' own backend (one or several replicas) as separate
// processes, for the production-topology tests and benchmarks.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { backendNodeOptions, ROOT } from '../lib/process.mjs';

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

export function startBackend(name, workspace, configFile, env, { cwd = ROOT } = {}) {
  const child = spawn('yarn', ['workspace', workspace, 'start', '--config', '../../app-config.yaml', '--config', configFile], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: backendNodeOptions(), ...env },
  });
  // Backstage logs to stdout: both streams are kept (the end of them, without the access log's
  // lines, which would bury the warnings), for a failure's report.
  let err = '';
  // BACKEND_LOG_DIR keeps each backend's whole output too, for a failure the last lines do not explain.
  const file = process.env.BACKEND_LOG_DIR ? createWriteStream(`${process.env.BACKEND_LOG_DIR}/${name.replace(/\W+/g, '-')}.log`) : undefined;
  const keep = c => {
    file?.write(c);
    const lines = String(c).split('\n').filter(l => !l.includes('type="incomingRequest"'));
    err = (err + lines.join('\n')).slice(-6000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return {
    name,
    child,
    log: () => err,
    stop: (signal = 'SIGTERM') => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // gone
      }
    },
  };
}

export async function ready(backend, url) {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (backend.child.exitCode !== null) throw new Error(`${backend.name} exited: ${backend.log()}`);
    const ok = await fetch(`${url}/.backstage/health/v1/readiness`).then(r => r.ok, () => false);
    if (ok) return;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${backend.name} not ready in 240 s: ${backend.log()}`);
}

