// The demo's BentoML service (examples/bentoml-ranker) on 127.0.0.1:5057, started by `npm start` and
// the browser tests: the Python client's whole loop in the demo. The re-ranker is trained and
// registered through the client (an MLflow run in the demo MLflow, then version 1 of
// product-search-reranker with its training profile), served by BentoML with the client logging every
// prediction, and fed search traffic in which half of the upstream's pods send longer queries and
// countries as ISO numbers: the Model's Drift tab shows the drift and the contract violation.
// Without the Python tools (no PyPI) it says so and stays out of the way.
//
//   node scripts/demo-bentoml.mjs [--backend http://localhost:7007] [--mlflow http://127.0.0.1:5055]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { log, ROOT, run } from './lib/process.mjs';
import { ensurePythonTools, PYTHON, VENV } from './lib/python.mjs';

const PORT = Number(process.env.DEMO_BENTOML_PORT ?? 5057);
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const backend = option('--backend', 'http://localhost:7007');
const mlflow = option('--mlflow', 'http://127.0.0.1:5055');
const EXAMPLE = join(ROOT, 'examples', 'bentoml-ranker');
const STATE = join(ROOT, '.data', 'bentoml');
/** The demo's tokens (app-config.yaml): CI registers, serving ingests. */
const CI_TOKEN = 'modelrails-demo-ci-token';
const SERVING_TOKEN = 'modelrails-demo-serving-token';

// The children stay in this process's group, so stopping the group (Playwright's web server
// teardown, `npm start` stopping) stops them too, and none keeps the launcher's pipes open. BentoML
// runs its workers in sessions of their own: they stop only when `bentoml serve` gets SIGTERM and
// has time to stop them, so SIGTERM is passed on and waited for (SIGKILL would orphan them).
const children = [];
const stop = async () => {
  const exited = children.filter(c => c.exitCode === null && c.signalCode === null).map(c => new Promise(r => c.once('exit', r)));
  for (const child of children) child.kill('SIGTERM');
  await Promise.race([Promise.all(exited), new Promise(r => setTimeout(r, 15_000))]);
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

async function until(what, check, seconds) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${what} did not answer within ${seconds} s`);
}

function start(name, command, commandArgs, env) {
  const child = spawn(command, commandArgs, {
    cwd: EXAMPLE,
    stdio: ['ignore', 'ignore', 'ignore'],
    env: { ...process.env, ...env, BENTOML_HOME: join(STATE, 'home'), BENTOML_DO_NOT_TRACK: 'true', PYTHONDONTWRITEBYTECODE: '1' },
  });
  child.on('exit', code => log(`demo BentoML: ${name} exited (${code})`));
  children.push(child);
  return child;
}

try {
  await ensurePythonTools();
  const install = await run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--force-reinstall', './clients/python'], { quiet: true });
  if (install.code !== 0) throw new Error('pip install ./clients/python failed');
} catch (error) {
  log(`demo BentoML: not started, the Python tools are missing (${error.message ?? error})`);
  setInterval(() => {}, 1 << 30);
  await new Promise(() => {});
}

mkdirSync(STATE, { recursive: true });
await until('the demo backend', () => fetch(`${backend}/api/mlops/health`).then(r => r.ok), 300);
await until('the demo MLflow', () => fetch(`${mlflow}/health`).then(r => r.ok), 300);
const env = { MODELRAILS_URL: `${backend}/api/mlops`, MODELRAILS_CI_TOKEN: CI_TOKEN, MLFLOW_TRACKING_URI: mlflow };
// The catalog may not hold the Model yet right after the backend starts: a 404 is tried again.
for (let attempt = 1; ; attempt++) {
  const trained = await run(PYTHON, ['train.py', '--version', '1', '--out', join(STATE, '1')], { cwd: EXAMPLE, env, quiet: true });
  if (trained.code === 0) {
    log(`demo BentoML: ${trained.output.trim().split('\n').pop()}`);
    break;
  }
  if (attempt >= 20) throw new Error(`demo BentoML: training failed:\n${trained.output.slice(-2000)}`);
  await new Promise(r => setTimeout(r, 6000));
}
start('bentoml serve', join(VENV, 'bin', 'bentoml'), ['serve', 'service:Ranker', '--host', '127.0.0.1', '--port', String(PORT)], {
  RANKER_MODEL: join(STATE, '1', 'model.joblib'),
  RANKER_VERSION: '1',
  MODELRAILS_URL: `${backend}/api/mlops`,
  MODELRAILS_SERVING_TOKEN: SERVING_TOKEN,
  MODELRAILS_SPOOL: join(STATE, 'spool'),
});
await until('BentoML', () => fetch(`http://127.0.0.1:${PORT}/readyz`).then(r => r.ok), 180);
log(`demo BentoML: product-search-reranker v1 serving on http://127.0.0.1:${PORT}, with search traffic`);
start('traffic', PYTHON, ['traffic.py', '--url', `http://127.0.0.1:${PORT}`, '--rate', '3'], {});
