// Crash test for telemetry ingestion (issue: "kill -9 of the backend mid-ingest and an immediate
// PostgreSQL restart: afterwards every batch that got a 2xx is present exactly once").
//
// Each round: four senders stream batches into the ingest path on a PostgreSQL cluster of its own;
// at a random moment the server gets SIGKILL and PostgreSQL an immediate (crash) stop and restart.
// Then the server comes back, the senders redeliver every batch that did not get a 2xx, and the
// database is checked: every acknowledged batch and each of its events is there exactly once, and
// the per-bucket summaries count each stored event once.
//
// Prints a jest-like "Tests: N passed, N failed" line for scripts/mr.mjs.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startPostgres } from '../lib/postgres.mjs';
import { log, ROOT } from '../lib/process.mjs';

const ROUNDS = Number(process.env.MODELRAILS_FAULT_ROUNDS ?? 5);
const SENDERS = 4;
const EVENTS_PER_BATCH = 500;
const require = createRequire(join(ROOT, 'plugins/mlops-backend/package.json'));
const pg = require('pg');

function startServer(url) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@backstage/cli/config/nodeTransform.cjs', 'plugins/mlops-backend/src/testing/ingestServer.ts'], {
      cwd: ROOT,
      env: { ...process.env, MODELRAILS_FAULT_DATABASE_URL: url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', c => (err += c));
    child.stdout.on('data', chunk => {
      const m = /listening (\d+)/.exec(String(chunk));
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', code => reject(new Error(`ingest server exited (${code}): ${err}`)));
  });
}

function batch(sender, index, now) {
  const source = `sender-${sender}`;
  const events = [];
  for (let i = 0; i < EVENTS_PER_BATCH; i++) {
    const sequence = index * EVENTS_PER_BATCH + i;
    events.push({
      model: 'model:default/crash-test',
      version: '1',
      requestId: `${source}-${sequence}`,
      sequence,
      time: now - (sequence % 600) * 1000,
      score: (sequence % 97) / 97,
      latencyMs: 5 + (sequence % 13),
      segment: { platform: ['android', 'ios', 'web'][sequence % 3] },
      features: { x: sequence % 101 },
    });
  }
  return { batchId: `${source}-batch-${index}`, source, events };
}

async function post(port, body) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
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
  let server = await startServer(postgres.url);
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
      server.child.kill('SIGKILL');
      await postgres.crashAndRestart();
      stop = true;
      await Promise.all(senders);
      server = await startServer(postgres.url);
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
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      const problems = [];
      const batches = new Set((await client.query('select batch_id from mlops_telemetry_batches')).rows.map(r => r.batch_id));
      for (const id of acked.keys()) if (!batches.has(id)) problems.push(`acknowledged batch ${id} is missing`);
      const perSource = (await client.query('select source, count(*)::int as n, count(distinct sequence)::int as d from mlops_prediction_events group by source')).rows;
      const stored = perSource.reduce((s, r) => s + r.n, 0);
      const expected = [...acked.values()].reduce((s, n) => s + n, 0);
      for (const r of perSource) if (r.n !== r.d) problems.push(`${r.source}: ${r.n - r.d} events stored twice`);
      if (stored !== expected) problems.push(`${stored} events stored, ${expected} acknowledged`);
      // Every resolution (5 minutes, hour, day) must count each stored event once.
      const summary = (await client.query(`select bucket_ms, summary from mlops_summaries where feature = '__events' and segment = '*'`)).rows;
      for (const bucketMs of [300000, 3600000, 86400000]) {
        const summarised = summary.filter(r => Number(r.bucket_ms) === bucketMs).reduce((s, r) => s + JSON.parse(r.summary).n, 0);
        if (summarised !== stored) problems.push(`${bucketMs / 60000}-minute summaries count ${summarised} events, ${stored} are stored`);
      }
      await client.end();
      if (problems.length) {
        failed++;
        log(`round ${round}: FAILED\n  ${problems.join('\n  ')}`);
      } else {
        passed++;
        log(`round ${round}: ${acked.size} acknowledged batches, ${stored} events, each exactly once (kill -9 and PostgreSQL crash restart)`);
      }
    }
  } finally {
    server.child.kill('SIGKILL');
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
