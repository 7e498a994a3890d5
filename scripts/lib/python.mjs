// The Python side of the tools: a virtual environment under .tools/python with the pinned packages of
// scripts/python-requirements.txt (MLflow), and a real MLflow tracking server started from it.
//
//   node scripts/lib/python.mjs install        create or update the environment
//   node scripts/lib/python.mjs mlflow [port]  start a throwaway MLflow server; prints its URL, runs until killed
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, log, ROOT, run } from './process.mjs';

export const VENV = join(ROOT, '.tools', 'python');
export const PYTHON = join(VENV, 'bin', 'python');
const REQUIREMENTS = join(ROOT, 'scripts', 'python-requirements.txt');
const CONSTRAINTS = join(ROOT, 'scripts', 'python-constraints.txt');

/** The requirements' digest: an environment is rebuilt only when its pinned files change. */
function requirementsDigest(requirements, constraints) {
  return createHash('sha256').update(readFileSync(requirements)).update(readFileSync(constraints)).digest('hex');
}

/** Creates a virtual environment and installs pinned packages into it, unless it already holds exactly them. */
async function ensureVenv({ venv, requirements, constraints, what }) {
  const python = join(venv, 'bin', 'python');
  const stamp = join(venv, '.modelrails-requirements');
  const digest = requirementsDigest(requirements, constraints);
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === digest) return python;
  const started = Date.now();
  if (!existsSync(python)) {
    log(`creating the Python environment ${venv.slice(ROOT.length + 1)}`);
    const created = await run('python3', ['-m', 'venv', venv]);
    if (created.code !== 0) throw new Error('python3 -m venv failed (Debian: apt-get install python3-venv)');
  }
  log(`installing the pinned Python packages (${what}) into ${venv.slice(ROOT.length + 1)}`);
  const pip = await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirements, '-c', constraints]);
  if (pip.code !== 0) throw new Error(`pip install of ${requirements.slice(ROOT.length + 1)} failed`);
  writeFileSync(stamp, `${digest}\n`);
  log(`Python packages installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return python;
}

/** Creates .tools/python and installs the pinned packages, unless it already holds exactly them. */
export async function ensurePythonTools() {
  await ensureVenv({ venv: VENV, requirements: REQUIREMENTS, constraints: CONSTRAINTS, what: 'MLflow' });
}

/**
 * .tools/evidently, for the drift benchmark only: Evidently 0.7 needs pandas 2, .tools/python pins
 * pandas 3. Resolves to its python.
 */
export async function ensureEvidentlyTools() {
  return ensureVenv({
    venv: join(ROOT, '.tools', 'evidently'),
    requirements: join(ROOT, 'bench', 'evidently-requirements.txt'),
    constraints: join(ROOT, 'bench', 'evidently-constraints.txt'),
    what: 'Evidently',
  });
}

/**
 * Starts `mlflow server` on loopback with a SQLite backend store in a throwaway directory, webhooks
 * allowed to loopback over plain HTTP (MLflow refuses both by default), and resolves once it answers.
 */
/**
 * `detached`: the server gets a process group of its own (the tests stop it by group). The demo
 * keeps it in its launcher's group instead, so whatever kills the launcher's group (Playwright's
 * web server teardown, `npm start` stopping) kills the server with it.
 */
export async function startMlflow({ port: preferred = 0, quiet = true, detached = true } = {}) {
  if (!existsSync(join(VENV, 'bin', 'mlflow'))) throw new Error('MLflow is not installed: node scripts/lib/python.mjs install');
  const dir = mkdtempSync(join(tmpdir(), 'modelrails-mlflow-'));
  const port = await freePort(preferred || 0);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    join(VENV, 'bin', 'mlflow'),
    ['server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1',
      '--backend-store-uri', `sqlite:///${join(dir, 'mlflow.db')}`, '--default-artifact-root', join(dir, 'artifacts')],
    {
      cwd: dir,
      detached,
      stdio: ['ignore', quiet ? 'ignore' : 'inherit', quiet ? 'ignore' : 'inherit'],
      env: {
        ...process.env,
        MLFLOW_WEBHOOK_ALLOWED_SCHEMES: 'http,https',
        MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS: 'true',
        // Fernet key for the webhook secrets MLflow stores (it would make a new one per process otherwise).
        MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64url') + '=',
        MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES: '1',
        // MLflow caches each event's webhook list for 60 s: a webhook a test just made would miss events.
        MLFLOW_WEBHOOK_CACHE_TTL: '1',
      },
    },
  );
  let exited = false;
  const gone = new Promise(resolve => child.on('exit', () => resolve((exited = true))));
  const signal = name => {
    try {
      if (detached) process.kill(-child.pid, name);
      else child.kill(name);
    } catch {
      // already gone
    }
  };
  const stop = async () => {
    signal('SIGTERM');
    // uvicorn's workers stop within a second or two; a stuck one is killed.
    const timer = setTimeout(() => signal('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error('mlflow server exited before answering');
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('mlflow server did not answer within 120 s');
    }
    await new Promise(resolve => setTimeout(resolve, 300));
  }
  return { url, stop };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [command, port] = process.argv.slice(2);
  if (command === 'install') {
    await ensurePythonTools();
  } else if (command === 'mlflow') {
    const server = await startMlflow({ port: Number(port ?? 0) });
    process.stdout.write(`${server.url}\n`);
    const stop = () => server.stop().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('disconnect', stop);
  } else {
    log('usage: node scripts/lib/python.mjs install | mlflow [port]');
    process.exit(2);
  }
}
