// Benchmarks of ModelRails (`yarn bench`): each prints its measurement beside its target and a
// reference measured in the same run. Nothing here is a test; nothing fails on time.
import { createRequire } from 'node:module';
import { startPostgres } from '../scripts/lib/postgres.mjs';
import { backendNodeOptions, log, ROOT, run } from '../scripts/lib/process.mjs';
import { benchLineagePage } from './lineagePage.mjs';

const require = createRequire(import.meta.url);
const only = process.argv[2];

if (!only || only === 'drift') {
  const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/drift.ts'], { cwd: ROOT });
  if (code !== 0) process.exitCode = 1;
}

if (!only || only === 'performance') {
  const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/performance.ts'], { cwd: ROOT, env: { NODE_OPTIONS: backendNodeOptions() } });
  if (code !== 0) process.exitCode = 1;
}

if (!only || only === 'rollback') {
  const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/rollback.ts'], { cwd: ROOT });
  if (code !== 0) process.exitCode = 1;
}

if (!only || only === 'ingest') {
  let pg;
  try {
    pg = await startPostgres({ own: true });
    const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/ingest.ts'], {
      cwd: ROOT,
      // With the V8 flags the backend runs with (`npm start`, README), as ingestion is measured in it.
      env: { BENCH_POSTGRES_URL: pg.url, NODE_OPTIONS: backendNodeOptions() },
    });
    if (code !== 0) process.exitCode = 1;
  } finally {
    await pg?.stop();
  }
}

if (!only || only === 'ingest-spread') {
  let pg;
  try {
    pg = await startPostgres({ own: true });
    const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/ingestSpread.ts'], {
      cwd: ROOT,
      env: { BENCH_POSTGRES_URL: pg.url, NODE_OPTIONS: backendNodeOptions() },
    });
    if (code !== 0) process.exitCode = 1;
  } finally {
    await pg?.stop();
  }
}

if (!only || only === 'kpi') {
  let pg;
  try {
    pg = await startPostgres({ own: true });
    const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/kpi.ts'], {
      cwd: ROOT,
      env: { BENCH_POSTGRES_URL: pg.url, NODE_OPTIONS: backendNodeOptions() },
    });
    if (code !== 0) process.exitCode = 1;
  } finally {
    await pg?.stop();
  }
}

if (!only || only === 'grafana') {
  // Starts the demo backend itself (port 7077, which must be free), with the backend's V8 flags.
  const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/grafanaDrift.ts'], {
    cwd: ROOT,
    env: { NODE_OPTIONS: backendNodeOptions() },
  });
  if (code !== 0) process.exitCode = 1;
}

if (!only || only === 'drift-load') {
  // 50 models' 30-day drift at once against the demo backend (port 7077, which must be free).
  const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/driftLoad.ts'], {
    cwd: ROOT,
    env: { NODE_OPTIONS: backendNodeOptions() },
  });
  if (code !== 0) process.exitCode = 1;
}

if (!only || only === 'storage') {
  let pg;
  try {
    pg = await startPostgres({ own: true });
    const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/storage.ts'], { cwd: ROOT, env: { BENCH_POSTGRES_URL: pg.url } });
    if (code !== 0) process.exitCode = 1;
  } finally {
    await pg?.stop();
  }
}

if (!only || only === 'replicas') {
  // Starts the portal backend and 1, then 3, ModelRails replicas on a PostgreSQL of their own.
  const { code } = await run('node', ['bench/replicas.mjs'], { cwd: ROOT });
  if (code !== 0) process.exitCode = 1;
}

if (!only || only === 'lineage') {
  let pg;
  try {
    pg = await startPostgres();
    const url = Object.entries(pg.env).find(([k]) => k.endsWith('_CONNECTION_STRING'))?.[1] ?? process.env.BENCH_POSTGRES_URL;
    const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/lineageStore.ts'], {
      cwd: ROOT,
      env: url ? { BENCH_POSTGRES_URL: url } : {},
    });
    if (code !== 0) process.exitCode = 1;
  } finally {
    await pg?.stop();
  }

  require('@backstage/cli/config/nodeTransform.cjs');
  const { benchVersions, asRequestBody, datasetOf } = require('./lineageGraph.ts');
  const versions = benchVersions().map(v => ({ modelRef: v.modelRef, body: asRequestBody(v) }));
  const d = datasetOf(0);
  log('lineage page: starting the portal backend with the demo');
  await benchLineagePage({ versions, rootId: `dataset:${d.ref}@${d.version}`, expectedNodes: 2000 });
}

if (only === 'evidently') {
  // Evidently in .tools/evidently (pandas 2); not part of the default run: at 10⁶ rows it takes minutes.
  const { ensureEvidentlyTools } = await import('../scripts/lib/python.mjs');
  const python = await ensureEvidentlyTools();
  const { code } = await run('node', ['-r', '@backstage/cli/config/nodeTransform.cjs', 'bench/evidently.ts', ...process.argv.slice(3)], {
    cwd: ROOT,
    env: { EVIDENTLY_PYTHON: python, NODE_OPTIONS: '--max-old-space-size=8192' },
  });
  if (code !== 0) process.exitCode = 1;
}

if (!only || only === 'python') {
  // The Python client (clients/python), installed into .tools/python as `npm test` does.
  const { ensurePythonTools, PYTHON } = await import('../scripts/lib/python.mjs');
  await ensurePythonTools();
  const install = await run(PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--force-reinstall', './clients/python'], { cwd: ROOT });
  const { code } = install.code === 0 ? await run(PYTHON, ['bench/python-client.py'], { cwd: ROOT }) : install;
  if (code !== 0) process.exitCode = 1;
}
