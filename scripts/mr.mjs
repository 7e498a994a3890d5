// The commands behind `npm start` and `npm test`, run by scripts/mr.sh once Node 22+, yarn and the
// Debian packages are in place.
//
//   node scripts/mr.mjs start [backstage-cli repo start options]
//   node scripts/mr.mjs test  [--only step,step] [--skip step,step]
//
// `test` runs every check in order and keeps going after a failure so one run shows everything; it
// ends with a plain "N passed, N failed" line and a non-zero exit code if anything failed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { backendNodeOptions, log, ROOT, run } from './lib/process.mjs';
import { startPostgres } from './lib/postgres.mjs';
import { ensurePythonTools, startMlflow } from './lib/python.mjs';
import { ensureKubernetesTools, startKubernetes } from './lib/kubernetes.mjs';


const [command = 'start', ...rest] = process.argv.slice(2);

// --- Counting tests ------------------------------------------------------------------------------

/** Jest's summary: "Tests:       1 failed, 2 skipped, 10 passed, 13 total". */
function jestCounts(output) {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = clean.split('\n').filter(l => /^Tests:\s/.test(l));
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const line of lines) {
    for (const [, n, kind] of line.matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
      counts[kind === 'todo' ? 'skipped' : kind] += Number(n);
    }
  }
  return lines.length ? counts : undefined;
}

/** Playwright's list reporter: "  3 passed (12.3s)", "  1 failed", "  1 flaky", "  2 skipped". */
function playwrightCounts(output) {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
  const counts = { passed: 0, failed: 0, skipped: 0 };
  let found = false;
  for (const [, n, kind] of clean.matchAll(/^\s+(\d+) (passed|failed|flaky|skipped|did not run)\b/gm)) {
    found = true;
    if (kind === 'passed') counts.passed += Number(n);
    else if (kind === 'skipped' || kind === 'did not run') counts.skipped += Number(n);
    else counts.failed += Number(n);
  }
  return found ? counts : undefined;
}

/** pytest's closing line: "3 failed, 40 passed, 1 skipped in 12.34s" (errors count as failures). */
function pytestCounts(output) {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
  const line = clean.split('\n').reverse().find(l => /\d+ (passed|failed|errors?)\b.* in [\d.]+s/.test(l) || /^=+ .*\d+ failed/.test(l));
  if (!line) return undefined;
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for (const [, n, kind] of line.matchAll(/(\d+) (passed|failed|skipped|errors?|xfailed|xpassed)/g)) {
    if (kind === 'passed' || kind === 'xpassed') counts.passed += Number(n);
    else if (kind === 'skipped' || kind === 'xfailed') counts.skipped += Number(n);
    else counts.failed += Number(n);
  }
  return counts;
}

// --- Commands ------------------------------------------------------------------------------------

const GRAFANA = '@modelrails/grafana-mlops-app';
/** The packages an adopter installs: their public API is reviewed through committed API reports. */
const PUBLISHED = ['plugins/mlops', 'plugins/mlops-backend', 'plugins/mlops-common', 'plugins/mlops-node', 'plugins/catalog-backend-module-mlops'];

function testSteps() {
  const y = (...args) => ['yarn', args];
  return [
    { id: 'openapi', title: 'OpenAPI: server types, router and client are generated from the spec (regenerated and compared)', cmd: ['node', ['scripts/check-openapi.mjs']] },
    { id: 'structure', title: 'Structure: no import cycle between files or concerns, routes per concern, plugin.ts only wires', cmd: ['node', ['scripts/check-structure.mjs']] },
    { id: 'tsc', title: 'Type check (Backstage packages)', cmd: y('tsc') },
    { id: 'lint', title: 'Lint (Backstage packages)', cmd: y('lint') },
    { id: 'api-reports', title: 'API reports (report.api.md) of the published packages are current', cmd: ['node_modules/.bin/backstage-repo-tools', ['api-reports', '--ci', '--tsc', '--allow-all-warnings', '-o', 'ae-wrong-input-file-type', ...PUBLISHED]] },
    { id: 'python', title: 'Python tools: the pinned virtual environment under .tools/python (MLflow)', fn: ensurePythonTools },
    { id: 'kubernetes', title: "Kubernetes test server: apiextensions-apiserver built from Kubernetes' Go module, the projects' published CRDs", fn: ensureKubernetesTools },
    { id: 'unit', title: 'Unit and integration tests (SQLite and PostgreSQL, a real MLflow server, a real Kubernetes API server)', cmd: y('test:unit'), counts: jestCounts, needsPostgres: true, needsMlflow: true, needsKubernetes: true },
    { id: 'python-client', title: 'Python client: pip install, ruff, pytest (binning vectors shared with the backend, a real backend and MLflow, the BentoML example end to end, SIGKILL mid-stream)', cmd: ['node', ['scripts/python/client-tests.mjs']], counts: pytestCounts },
    { id: 'faults', title: 'Crash test: kill -9 of the backend mid-ingest and a PostgreSQL crash restart', cmd: ['node', ['scripts/faults/ingest-crash.mjs']], counts: jestCounts },
    { id: 'grafana-typecheck', title: 'Grafana app: type check', cmd: y('workspace', GRAFANA, 'typecheck') },
    { id: 'grafana-lint', title: 'Grafana app: lint', cmd: y('workspace', GRAFANA, 'lint') },
    { id: 'grafana-test', title: 'Grafana app: tests', cmd: y('workspace', GRAFANA, 'test'), counts: jestCounts },
    { id: 'grafana-build', title: 'Grafana app: build', cmd: y('workspace', GRAFANA, 'build') },
    { id: 'app-build', title: 'Portal frontend: production build', cmd: y('workspace', 'app', 'build') },
    { id: 'e2e', title: 'Browser tests (playwright-core, /usr/bin/chromium)', cmd: y('test:e2e'), counts: playwrightCounts },
    { id: 'replicas', title: 'Three ModelRails replicas on one PostgreSQL: concurrent start, same gauges, once-per-interval tasks, shared cache invalidation, a driver killed mid-rollout', cmd: ['node', ['scripts/production/replicas.mjs']], counts: jestCounts },
    { id: 'split', title: "Split deployment: the portal backend and ModelRails' own backend on one PostgreSQL, walked in Chromium", cmd: ['node', ['scripts/production/split.mjs']], counts: playwrightCounts },
    { id: 'adopter', title: "Adopter test: the packed packages installed into a fresh create-app Backstage app by their READMEs, walked in Chromium", cmd: ['node', ['scripts/adopter/adopter.mjs']], counts: playwrightCounts },
  ];
}

/**
 * The names of the tests a runner reported failed, one short line each: Playwright's
 * "  1) [chromium] › file.test.ts:12:3 › title", Jest's "● Suite › title", pytest's "FAILED path::name".
 */
function failedTestNames(output) {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');
  const names = new Set();
  for (const [, name] of clean.matchAll(/^\s+\d+\) (?:\[[^\]]+\] › )?(\S+\.(?:test|spec)\.\w+:\d+:\d+ › .+?)[\s─]*$/gm)) names.add(name.replace(/^.*\//, ''));
  for (const [, name] of clean.matchAll(/^\s*● (?!Console)(.+?)\s*$/gm)) names.add(name);
  for (const [, name] of clean.matchAll(/^FAILED (\S+)/gm)) names.add(name);
  return [...names].map(n => (n.length > 150 ? `${n.slice(0, 147)}...` : n));
}

/**
 * The lines of a failed step's output that say why: test runners' failure headings and errors with
 * a few lines after each, without access-log noise; at most 60 lines.
 */
function failureExcerpt(output) {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter(l => !l.includes('type="incomingRequest"'));
  const keep = new Set();
  lines.forEach((line, i) => {
    if (/^\s*(✘|●(?! Console)|\d+\) )|Error:|FAIL |failed|not ready|exited/.test(line)) for (let j = i; j < Math.min(i + 12, lines.length); j++) keep.add(j);
  });
  const picked = [...keep].sort((a, b) => a - b).map(i => lines[i]);
  return (picked.length ? picked : lines.slice(-30)).slice(0, 60).join('\n');
}

/** A step done in this process (an install): its exit code and what it threw. */
async function runFunction(fn) {
  try {
    await fn();
    return { code: 0, output: '' };
  } catch (error) {
    log(String(error.message ?? error));
    return { code: 1, output: String(error) };
  }
}

function parseList(flag) {
  const i = rest.indexOf(flag);
  return i >= 0 && rest[i + 1] ? rest[i + 1].split(',') : undefined;
}

async function test() {
  const only = parseList('--only');
  const skip = parseList('--skip') ?? [];
  const steps = testSteps().filter(s => (!only || only.includes(s.id)) && !skip.includes(s.id));
  // The pinned Python tools on every step's PATH: TechDocs' generator runs `mkdocs` (model cards).
  const env = { CI: 'true', PATH: `${join(ROOT, '.tools', 'python', 'bin')}:${process.env.PATH}` };
  let postgres;
  let mlflow;
  let kubernetes;
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const report = [];
  const started = Date.now();
  // Ctrl-C or a CI timeout: the servers run in process groups of their own and would outlive us.
  for (const name of ['SIGINT', 'SIGTERM']) {
    process.once(name, async () => {
      await Promise.allSettled([postgres?.stop(), mlflow?.stop(), kubernetes?.stop()]);
      process.exit(130);
    });
  }
  try {
    for (const step of steps) {
      if (step.needsPostgres && !postgres) {
        try {
          postgres = await startPostgres();
          Object.assign(env, postgres.env);
        } catch (error) {
          log(String(error.message ?? error));
          report.push({ step, ok: false, seconds: 0 });
          totals.failed += 1;
          continue;
        }
      }
      if (step.needsMlflow && !mlflow) {
        try {
          mlflow = await startMlflow();
          env.MODELRAILS_TEST_MLFLOW_URL = mlflow.url;
          log(`MLflow server for the tests on ${mlflow.url}`);
        } catch (error) {
          // No skipping: the MLflow integration tests fail without their server, and say why.
          log(`could not start the MLflow server: ${error.message ?? error}`);
        }
      }
      if (step.needsKubernetes && !kubernetes) {
        try {
          kubernetes = await startKubernetes();
          const { stop: _stop, ...where } = kubernetes;
          env.MODELRAILS_TEST_KUBERNETES = JSON.stringify(where);
          log(`Kubernetes API server for the tests on ${kubernetes.url}`);
        } catch (error) {
          log(`could not start the Kubernetes test server: ${error.message ?? error}`);
        }
      }
      log(`── ${step.title} (${step.id})`);
      const t0 = Date.now();
      const { code, output } = step.fn ? await runFunction(step.fn) : await run(step.cmd[0], step.cmd[1], { env });
      const seconds = Math.round((Date.now() - t0) / 1000);
      const counts = step.counts?.(output);
      if (counts) {
        totals.passed += counts.passed;
        totals.failed += counts.failed;
        totals.skipped += counts.skipped;
      }
      const ok = code === 0;
      // A failing step that is not a test runner (or whose runner crashed before counting) is a failure too.
      if (!ok && (!counts || counts.failed === 0)) totals.failed += 1;
      report.push({ step, ok, seconds, counts, failure: ok ? undefined : failureExcerpt(output), failedTests: ok ? [] : failedTestNames(output) });
      // The test servers hold ports the demo's own (e2e) need: gone once no later step needs them.
      const later = steps.slice(steps.indexOf(step) + 1);
      if (mlflow && !later.some(s => s.needsMlflow)) {
        await mlflow.stop();
        mlflow = undefined;
      }
      if (kubernetes && !later.some(s => s.needsKubernetes)) {
        await kubernetes.stop();
        kubernetes = undefined;
      }
    }
  } finally {
    await postgres?.stop();
    await mlflow?.stop();
    await kubernetes?.stop();
  }
  // A CI log's tail is often all anyone sees: each failed step's own words come again before the summary.
  for (const { step, failure } of report.filter(r => r.failure)) log(`── why ${step.id} failed\n${failure}`);
  log(`── summary (${Math.round((Date.now() - started) / 1000)} s)`);
  for (const { step, ok, seconds, counts } of report) {
    const c = counts ? ` — ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped` : '';
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${step.id.padEnd(18)} ${String(seconds).padStart(4)} s${c}\n`);
  }
  // The last lines of a CI log name what failed, so a tail of twenty lines is enough to start from.
  for (const { step, failedTests } of report) for (const name of (failedTests ?? []).slice(0, 8)) process.stdout.write(`failed in ${step.id}: ${name}\n`);
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
  process.exit(report.every(r => r.ok) ? 0 : 1);
}

/** What answers on a loopback port: 'free', 'modelrails' (our backend's health), or 'other'. */
async function probePort(port, path) {
  const { createConnection } = await import('node:net');
  const open = await new Promise(resolve => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
  if (!open) return 'free';
  if (!path) return 'other';
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
    return response.ok ? 'modelrails' : 'other';
  } catch {
    return 'other';
  }
}

async function start() {
  // A second `npm start` says where the first one is instead of failing on taken ports.
  const backend = await probePort(7007, '/api/mlops/health');
  const frontend = await probePort(3000);
  if (backend === 'modelrails') {
    log('ModelRails is already running: the portal is on http://localhost:3000 (backend on :7007). Stop that one first (Ctrl-C in its terminal) to start again.');
    process.exit(0);
  }
  const taken = [
    ...(backend === 'other' ? [7007] : []),
    ...(frontend !== 'free' ? [3000] : []),
    ...((await probePort(5055)) !== 'free' ? [5055] : []),
    ...((await probePort(5056)) !== 'free' ? [5056] : []),
    ...((await probePort(3001)) !== 'free' ? [3001] : []),
    ...((await probePort(5057)) !== 'free' ? [5057] : []),
  ];
  if (taken.length) {
    log(`cannot start: port${taken.length > 1 ? 's' : ''} ${taken.join(', ')} ${taken.length > 1 ? 'are' : 'is'} taken by another program (the demo needs 3000, 3001, 5055, 5056, 5057 and 7007).`);
    process.exit(1);
  }
  // Both children get their own process group, so stopping the portal stops everything they started.
  // A real MLflow server (installed into .tools/python on first start), or the stand-in without PyPI.
  log('starting the demo MLflow on 127.0.0.1:5055');
  const mlflow = spawn('node', ['scripts/demo-mlflow.mjs', '--backend', 'http://localhost:7007'], {
    cwd: ROOT,
    stdio: 'inherit',
    detached: true,
  });
  log('starting the demo Kubernetes API on 127.0.0.1:5056 (the HTTPRoute of a Gateway API canary)');
  const kubernetes = spawn('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'scripts/demo-kubernetes.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
    detached: true,
  });
  log('starting the demo BentoML service on 127.0.0.1:5057 (examples/bentoml-ranker, instrumented with the Python client)');
  const bentoml = spawn('node', ['scripts/demo-bentoml.mjs', '--backend', 'http://localhost:7007'], {
    cwd: ROOT,
    stdio: 'inherit',
    detached: true,
  });
  log('starting the portal with the embedded demo: http://localhost:3000 (backend on :7007)');
  const portal = spawn('yarn', ['dev', ...rest], {
    cwd: ROOT,
    stdio: 'inherit',
    detached: true,
    // TechDocs builds model cards with the pinned mkdocs in .tools/python (techdocs.generator.runIn: local).
    env: { ...process.env, NODE_OPTIONS: backendNodeOptions(), PATH: `${join(ROOT, '.tools', 'python', 'bin')}:${process.env.PATH}` },
  });
  log('starting the Grafana panels (real @grafana/ui, the data source\'s query path) on http://127.0.0.1:3001');
  const grafana = spawn('yarn', ['--cwd', 'plugins/grafana-mlops-app', 'harness', '--port', '3001'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
    env: { ...process.env, MODELRAILS_BACKEND_URL: 'http://localhost:7007' },
  });
  const killGroup = (child, signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  const stop = signal => {
    killGroup(portal, signal);
    killGroup(mlflow, signal);
    killGroup(kubernetes, signal);
    killGroup(grafana, signal);
    killGroup(bentoml, signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  portal.on('close', code => {
    killGroup(mlflow, 'SIGTERM');
    killGroup(kubernetes, 'SIGTERM');
    killGroup(grafana, 'SIGTERM');
    killGroup(bentoml, 'SIGTERM');
    process.exit(code ?? 0);
  });
}

if (command === 'test') {
  await test();
} else if (command === 'start') {
  await start();
} else {
  log(`unknown command ${command}`);
  process.exit(2);
}
