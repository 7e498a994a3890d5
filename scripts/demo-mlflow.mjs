// The demo's MLflow on 127.0.0.1:5055: a real `mlflow server` from .tools/python, filled through
// MLflow's own Python client with scripts/demo-mlflow.json and a webhook to the portal's backend;
// when MLflow cannot be installed (no PyPI), the in-repo stand-in with the same data.
//
//   node scripts/demo-mlflow.mjs [--backend http://localhost:7007] [--standin]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { log, ROOT } from './lib/process.mjs';
import { ensurePythonTools, PYTHON, startMlflow } from './lib/python.mjs';

const PORT = Number(process.env.DEMO_MLFLOW_PORT ?? 5055);
const args = process.argv.slice(2);
const backend = args.includes('--backend') ? args[args.indexOf('--backend') + 1] : 'http://localhost:7007';
/** The demo backend's mlops.mlflow.webhookSecret (app-config.yaml). */
const WEBHOOK_SECRET = 'modelrails-demo-webhook-secret';

function standIn() {
  log('demo MLflow: the in-repo stand-in, with the same data');
  const child = spawn(process.execPath, ['-r', '@backstage/cli/config/nodeTransform.cjs', 'scripts/demo-mlflow-standin.ts'], { cwd: ROOT, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', code => process.exit(code ?? 0));
}

async function real() {
  await ensurePythonTools();
  const server = await startMlflow({ port: PORT, detached: false });
  if (!server.url.endsWith(`:${PORT}`)) {
    await server.stop();
    throw new Error(`port ${PORT} is taken`);
  }
  const stop = () => server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const scenario = JSON.parse(readFileSync(join(ROOT, 'scripts', 'demo-mlflow.json'), 'utf8'));
  scenario.webhooks = [{
    name: 'modelrails',
    url: `${backend}/api/mlops/mlflow/webhooks`,
    events: ['model_version.created', 'model_version_alias.created', 'model_version_alias.deleted'],
    secret: WEBHOOK_SECRET,
  }];
  const populate = spawn(PYTHON, [join(ROOT, 'plugins/mlops-backend/src/mlflow/__fixtures__/populate_mlflow.py')], {
    cwd: ROOT,
    env: { ...process.env, MLFLOW_TRACKING_URI: server.url, PYTHONWARNINGS: 'ignore', GIT_PYTHON_REFRESH: 'quiet' },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  populate.stdin.end(JSON.stringify(scenario));
  const code = await new Promise(resolve => populate.on('close', resolve));
  if (code !== 0) log(`demo MLflow: filling the server failed (${code}); it runs empty`);
  log(`demo MLflow: real MLflow server on ${server.url}, filled from scripts/demo-mlflow.json`);
}

if (args.includes('--standin')) {
  standIn();
} else {
  real().catch(error => {
    log(`demo MLflow: ${error.message}`);
    standIn();
  });
}
