// Crash test for telemetry ingestion (issue: "kill -9 of the backend mid-ingest and an immediate
// PostgreSQL restart: afterwards every batch that got a 2xx is present exactly once").
//
// The whole Backstage backend (packages/backend, with the demo catalog and its own demo traffic)
// runs on a PostgreSQL cluster of its own. Each round: four senders stream batches through the
// HTTP ingestion API with the demo's serving token; at a random moment the backend's process
// group gets SIGKILL and PostgreSQL an immediate (crash) stop and restart. Then the backend comes
// back, the senders redeliver every batch that did not get a 2xx, and the database is checked:
// every acknowledged batch and each of its events is there exactly once, and the summaries at
// every resolution count each stored event once.
//
// Prints a jest-like "Tests: N passed, N failed" line for scripts/mr.mjs.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../lib/postgres.mjs';
import { backendNodeOptions, freePort, log, ROOT } from '../lib/process.mjs';

const ROUNDS = Number(process.env.MODELRAILS_FAULT_ROUNDS ?? 5);
const SENDERS = 4;
const EVENTS_PER_BATCH = 500;
const MODEL = 'model:default/home-feed-ranker';
const SERVING_TOKEN = 'modelrails-demo-serving-token';
const require = createRequire(join(ROOT, 'plugins/mlops-backend/package.json'));
const pg = require('pg');
// Summaries are stored as bytes: read them with the store's own codec (TypeScript, through Backstage's transform).
require('@backstage/cli/config/nodeTransform.cjs');
const { decodeStored, isPacked, unpackSummaries } = require(join(ROOT, 'plugins/mlops-backend/src/stats/summaryCodec.ts'));

async function startBackend(url, port) {
  const dir = mkdtempSync(join(tmpdir(), 'modelrails-crash-'));
  const config = join(dir, 'app-config.crash.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      app: { baseUrl: `http://localhost:${port}` },
      backend: { baseUrl: `http://localhost:${port}`, listen: { port }, database: { client: 'pg', connection: url } },
    }),
  );
  const child = spawn('yarn', ['workspace', 'backend', 'start', '--config', '../../app-config.yaml', '--config', config], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: backendNodeOptions() },
  });
  let err = '';
  child.stderr.on('data', c => (err = (err + c).slice(-4000)));
  let exited = false;
  child.on('exit', () => (exited = true));
  const backend = { child, port, kill: () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
  // Ready once the catalog knows the model: a probe batch (its own source) gets a 2xx.
  const deadline = Date.now() + 240_000;
  let probe = 0;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`backend exited: ${err}`);
    const body = { batchId: `probe-${Date.now()}-${probe}`, source: 'probe', events: [event('probe', Date.now() * 10 + probe++, Date.now())] };
    if ((await post(port, body)) === 200) {
      log(`backend ready in ${Math.round((Date.now() - (deadline - 240_000)) / 1000)} s`);
      return backend;
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  backend.kill();
  throw new Error(`backend not ready in 240 s: ${err}`);
}

function event(source, sequence, now) {
  return {
    model: MODEL,
    version: '1',
    requestId: `${source}-${sequence}`,
    sequence,
    time: now - (sequence % 600) * 1000,
    score: (sequence % 97) / 97,
    latencyMs: 5 + (sequence % 13),
    segment: { platform: ['android', 'ios', 'web'][sequence % 3] },
    features: { user_age: 20 + (sequence % 50) },
  };
}

function batch(sender, index, now) {
  const source = `sender-${sender}`;
  const events = [];
  for (let i = 0; i < EVENTS_PER_BATCH; i++) events.push(event(source, index * EVENTS_PER_BATCH + i, now));
  return { batchId: `${source}-batch-${index}`, source, events };
}

async function post(port, body) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/mlops/telemetry/predictions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SERVING_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    await res.text();
    return res.status;
  } catch {
    return 0;
  }
}

async function main() {
  const postgres = await startPostgres({ own: true });
  let passed = 0;
  let failed = 0;
  const now = Date.now();
  const acked = new Map(); // batchId -> event count
  const pending = new Map(); // batchId -> body (sent, not acknowledged)
  const next = new Array(SENDERS).fill(0);
  const port = await freePort(7088);
  log('starting the backend on its own PostgreSQL cluster (the demo catalog must load first)');
  let server = await startBackend(postgres.url, port);
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      let stop = false;
      const senders = Array.from({ length: SENDERS }, async (_, s) => {
        while (!stop) {
          const body = batch(s, next[s]++, now);
          pending.set(body.batchId, body);
          const status = await post(server.port, body);
          if (status === 200) {
            acked.set(body.batchId, body.events.length);
            pending.delete(body.batchId);
          } else if (status === 0 || status >= 500) {
            await new Promise(r => setTimeout(r, 50));
          } else {
            throw new Error(`batch ${body.batchId} refused with ${status}`);
          }
        }
      });
      await new Promise(r => setTimeout(r, 800 + Math.random() * 2500));
      server.kill();
      await postgres.crashAndRestart();
      stop = true;
      await Promise.all(senders);
      server = await startBackend(postgres.url, port);
      // Redeliver whatever was not acknowledged: a 2xx batch must never count twice.
      for (const [id, body] of [...pending]) {
        for (let attempt = 0; attempt < 20; attempt++) {
          const status = await post(server.port, body);
          if (status === 200) {
            acked.set(id, body.events.length);
            pending.delete(id);
            break;
          }
          await new Promise(r => setTimeout(r, 200));
        }
      }
      // Backstage gives each plugin a database of its own.
      const client = new pg.Client({ connectionString: `${postgres.url}/backstage_plugin_mlops` });
      client.on('error', e => log(`check connection: ${e.message}`));
      await client.connect();
      // One snapshot for every count: the backend's demo traffic keeps committing meanwhile.
      await client.query('begin isolation level repeatable read');
      const problems = [];
      const batches = new Set((await client.query('select batch_id from mlops_telemetry_batches')).rows.map(r => r.batch_id));
      for (const id of acked.keys()) if (!batches.has(id)) problems.push(`acknowledged batch ${id} is missing`);
      // Our senders' events; the backend's own demo traffic and probes go to the same tables.
      const perSource = (
        await client.query(`select source, count(*)::int as n, count(distinct sequence)::int as d from mlops_prediction_events group by source`)
      ).rows;
      for (const r of perSource) if (r.n !== r.d) problems.push(`${r.source}: ${r.n - r.d} events stored twice`);
      const ours = perSource.filter(r => r.source.startsWith('sender-')).reduce((s, r) => s + r.n, 0);
      const expected = [...acked.values()].reduce((s, n) => s + n, 0);
      if (ours !== expected) problems.push(`${ours} events stored, ${expected} acknowledged`);
      // Every resolution (5 minutes, hour, day) must count each stored event once.
      const stored = perSource.reduce((s, r) => s + r.n, 0);
      // Folded rows and those appended since the last compaction, read together as the backend does.
      const summary = (
        await client.query(
          `select bucket_ms, summary from mlops_summaries where feature = '__events' and segment = '*'
           union all select bucket_ms, summary from mlops_summary_deltas where feature in ('__events', '__packed') and segment = '*'`,
        )
      ).rows.map(r => (isPacked(r.summary) ? { ...r, summary: unpackSummaries(r.summary, f => f === '__events')[0].summary } : { ...r, summary: decodeStored(r.summary) }));
      for (const bucketMs of [300000, 3600000, 86400000]) {
        const summarised = summary.filter(r => Number(r.bucket_ms) === bucketMs).reduce((s, r) => s + r.summary.n, 0);
        if (summarised !== stored) problems.push(`${bucketMs / 60000}-minute summaries count ${summarised} events, ${stored} are stored`);
      }
      await client.query('commit');
      await client.end();
      if (problems.length) {
        failed++;
        log(`round ${round}: FAILED\n  ${problems.join('\n  ')}`);
      } else {
        passed++;
        log(`round ${round}: ${acked.size} acknowledged batches, ${ours} events, each exactly once (kill -9 of the backend, PostgreSQL crash restart)`);
      }
    }
  } finally {
    server.kill();
    await postgres.stop();
  }
  process.stdout.write(`Tests:       ${failed ? `${failed} failed, ` : ''}${passed} passed, ${passed + failed} total\n`);
  process.exit(failed ? 1 : 0);
}

main().catch(error => {
  log(String(error.stack ?? error));
  process.stdout.write('Tests:       1 failed, 1 total\n');
  process.exit(1);
});
