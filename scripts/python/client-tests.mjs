// The Python client's tests (clients/python, examples/bentoml-ranker), run by `npm test`:
//   1. `pip install ./clients/python` into .tools/python, as an adopter would (no editable install:
//      the tests run against the installed package);
//   2. ruff over the client and the example, mypy --strict over the package;
//   3. pytest: the unit tests, the shared binning vectors, and the tests against a real ModelRails
//      backend (packages/backend on a throwaway SQLite, demo off, the example's catalog-info.yaml in
//      its catalog) and a real MLflow server, including the BentoML end to end test and the SIGKILL
//      test.
// Prints pytest's own summary line; scripts/mr.mjs counts it.
//
//   node scripts/python/client-tests.mjs [pytest arguments]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, log, ROOT, run } from '../lib/process.mjs';
import { ensurePythonTools, PYTHON, startMlflow, VENV } from '../lib/python.mjs';
import { ready, startBackend } from '../production/backends.mjs';

const TOKENS = { serving: 'client-tests-serving-token', ci: 'client-tests-ci-token', reader: 'client-tests-read-token' };

function backendConfig({ port, sqlite, mlflow }) {
  const url = `http://localhost:${port}`;
  const token = (value, subject, permission) => ({ type: 'static', options: { token: value, subject }, accessRestrictions: [{ plugin: 'mlops', permission }] });
  return {
    app: { baseUrl: url },
    backend: {
      baseUrl: url,
      listen: { port },
      database: { client: 'better-sqlite3', connection: { directory: sqlite } },
      auth: {
        externalAccess: [
          token(TOKENS.serving, 'serving', 'mlops.telemetry.ingest'),
          token(TOKENS.ci, 'ci', 'mlops.version.register'),
          token(TOKENS.reader, 'reader', 'mlops.model.read'),
        ],
      },
    },
    catalog: {
      locations: [
        ...['org', 'systems', 'resources', 'components'].map(name => ({ type: 'file', target: `../../catalog/${name}.yaml` })),
        // The example's own entities, registered as a team would.
        { type: 'file', target: '../../examples/bentoml-ranker/catalog-info.yaml' },
        { type: 'file', target: '../../clients/python/tests/catalog-info.yaml' },
      ],
    },
    mlops: { demo: { enabled: false }, mlflow: { baseUrl: mlflow, intervalMinutes: 60 } },
  };
}

let code = 1;
let mlflow;
let backend;
const dir = mkdtempSync(join(tmpdir(), 'modelrails-python-'));
try {
  await ensurePythonTools();
  const install = await run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--force-reinstall', './clients/python']);
  if (install.code !== 0) throw new Error('pip install ./clients/python failed');
  const lint = await run(join(VENV, 'bin', 'ruff'), ['check', '--config', 'clients/python/pyproject.toml', 'clients/python', 'examples/bentoml-ranker', 'bench/python-client.py']);
  if (lint.code !== 0) throw new Error('ruff found problems');
  // The package is typed (py.typed): its annotations must hold.
  const types = await run(join(VENV, 'bin', 'mypy'), ['--strict', '--ignore-missing-imports', '--cache-dir', '/dev/null', 'clients/python/src/modelrails']);
  if (types.code !== 0) throw new Error('mypy found problems');

  mlflow = await startMlflow();
  const port = await freePort(7097);
  const sqlite = join(dir, 'sqlite');
  const config = join(dir, 'app-config.python.yaml');
  writeFileSync(config, JSON.stringify(backendConfig({ port, sqlite, mlflow: mlflow.url })));
  backend = startBackend('ModelRails backend', 'backend', config, {});
  await ready(backend, `http://localhost:${port}`);
  // Ready is not the same as the catalog holding the test Models: wait until the backend knows them.
  for (const model of ['python-client-test', 'product-search-reranker']) {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const answer = await fetch(`http://localhost:${port}/api/mlops/models/default/${model}/policy`, { headers: { Authorization: `Bearer ${TOKENS.reader}` } }).catch(() => undefined);
      if (answer?.ok) break;
      if (Date.now() > deadline) throw new Error(`the catalog did not load model:default/${model} within 180 s`);
      await new Promise(r => setTimeout(r, 1000));
    }
  }
  log(`backend on :${port}, MLflow on ${mlflow.url}`);
  ({ code } = await run(PYTHON, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--rootdir', 'clients/python', 'clients/python/tests', 'examples/bentoml-ranker', ...process.argv.slice(2)], {
    env: {
      MODELRAILS_TEST_URL: `http://localhost:${port}/api/mlops`,
      MODELRAILS_TEST_SERVING_TOKEN: TOKENS.serving,
      MODELRAILS_TEST_CI_TOKEN: TOKENS.ci,
      MODELRAILS_TEST_READ_TOKEN: TOKENS.reader,
      MODELRAILS_TEST_MLFLOW_URL: mlflow.url,
      MODELRAILS_TEST_SQLITE_DIR: sqlite,
      MODELRAILS_TEST_PYTHON: PYTHON,
      BENTOML_HOME: join(dir, 'bentoml'),
      BENTOML_DO_NOT_TRACK: 'true',
      PYTHONDONTWRITEBYTECODE: '1',
    },
  }));
  if (code !== 0) process.stderr.write(`--- backend (last output)\n${backend.log()}\n`);
} catch (error) {
  log(String(error?.stack ?? error));
  process.stdout.write('= 1 failed =\n');
} finally {
  backend?.stop();
  await mlflow?.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(code);
