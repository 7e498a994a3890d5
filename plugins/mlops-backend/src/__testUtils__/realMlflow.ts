import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * A real MLflow tracking server for the integration tests, from the pinned virtual environment
 * under .tools/python (scripts/lib/python.mjs). `npm test` starts one for the whole unit step and
 * passes its URL in MODELRAILS_TEST_MLFLOW_URL; a test file run on its own starts its own. There is
 * no skipping: without MLflow installed the tests fail and say how to install it.
 */

const ROOT = resolve(__dirname, '../../../..');
const PYTHON = join(ROOT, '.tools/python/bin/python');
const POPULATE = join(__dirname, '../mlflow/__fixtures__/populate_mlflow.py');

export type RealMlflow = { url: string; stop(): Promise<void> };

export async function startRealMlflow(): Promise<RealMlflow> {
  const given = process.env.MODELRAILS_TEST_MLFLOW_URL;
  if (given) return { url: given.replace(/\/+$/, ''), stop: async () => {} };
  if (!existsSync(PYTHON)) {
    throw new Error('MLflow is not installed for the tests: run `node scripts/lib/python.mjs install` (npm test does)');
  }
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'scripts/lib/python.mjs'), 'mlflow'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      const line = out.split('\n').find(l => l.startsWith('http'));
      if (line) done(line.trim());
    });
    child.on('exit', code => fail(new Error(`mlflow server exited (${code}) before answering`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise(done => (child.exitCode !== null ? done(undefined) : child.once('exit', done)));
    },
  };
}

/** A registered model name no other test on the shared server uses. */
export const uniqueName = (base: string) => `${base}_${randomBytes(4).toString('hex')}`;

export type Scenario = {
  experiment?: string;
  models?: Array<{
    name: string;
    tags?: Record<string, string>;
    description?: string;
    versions: Array<{
      run?: {
        user?: string;
        params?: Record<string, string | number>;
        metrics?: Record<string, number>;
        gitCommit?: string;
        datasets?: Array<{ name: string; source: string; context?: string }>;
      } | null;
      loggedModel?: { name?: string; params?: Record<string, string | number>; metrics?: Record<string, number> } | null;
      tags?: Record<string, string>;
      source?: string;
    }>;
    aliases?: Record<string, number>;
  }>;
  webhooks?: Array<{ name: string; url: string; events: string[]; secret?: string }>;
};

export type Populated = {
  experimentId: string;
  models: Record<string, Array<{ version: string; runId: string | null; modelId: string | null }>>;
  webhooks: string[];
};

/** Writes the scenario into the server through MLflow's own Python client (populate_mlflow.py). */
export async function populateMlflow(url: string, scenario: Scenario): Promise<Populated> {
  const child = spawn(PYTHON, [POPULATE], {
    env: { ...process.env, MLFLOW_TRACKING_URI: url, PYTHONWARNINGS: 'ignore', GIT_PYTHON_REFRESH: 'quiet' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', chunk => (stdout += chunk));
  child.stderr.on('data', chunk => (stderr += chunk));
  child.stdin.end(JSON.stringify(scenario));
  const code = await new Promise<number | null>(done => child.on('close', done));
  if (code !== 0) throw new Error(`populate_mlflow.py failed (${code}): ${stderr.slice(-2000)}`);
  // MLflow's client prints run links to stdout; the answer is the last line.
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last);
}
