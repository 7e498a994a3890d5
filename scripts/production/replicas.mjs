// Three ModelRails replicas on one PostgreSQL (issue: "three replicas on one PostgreSQL"): the
// portal backend and three replicas of packages/backend-mlops, the replicas started at the same
// moment on an empty database with the demo on. Checked, each as a test:
//   1. all start (migrations and demo seeding are safe under concurrency);
//   2. every replica exports the same drift, contract and rollout gauges;
//   3. global scheduled tasks run once per interval across the replicas, local ones on each;
//   4. a late batch through one replica is seen by another's cached drift answers within seconds;
//   5. the demo canary has one driver at a time, and another replica drives it on after the
//      replica driving it is killed (SIGKILL) mid-rollout.
// Prints a jest-like "Tests: N passed, N failed" line for scripts/mr.mjs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../lib/postgres.mjs';
import { freePort, log, ROOT } from '../lib/process.mjs';
import { ready, splitConfig, startBackend } from './backends.mjs';

const require = createRequire(join(ROOT, 'plugins/mlops-backend/package.json'));
const pg = require('pg');

const READ = { Authorization: 'Bearer modelrails-demo-read-token' };
const SERVING = { Authorization: 'Bearer modelrails-demo-serving-token', 'Content-Type': 'application/json' };
const REPLICAS = 3;
const results = [];
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`✓ ${name} (${Math.round((Date.now() - started) / 1000)} s)`);
  } catch (error) {
    results.push({ name, ok: false });
    log(`✗ ${name}: ${error?.stack ?? error}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function until(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (${last.message})` : ''}`);
    await sleep(1000);
  }
}

async function metrics(url) {
  const res = await fetch(`${url}/api/mlops/metrics`, { headers: READ });
  if (!res.ok) throw new Error(`${url} metrics: ${res.status}`);
  return res.text();
}

/** The exposition's lines of the given metrics, sorted: what the replicas must agree on. */
const linesOf = (text, names) =>
  text
    .split('\n')
    .filter(l => names.some(n => l.startsWith(`${n}{`)))
    .sort()
    .join('\n');

/** Each task's run count on one replica. */
function taskRuns(text) {
  const runs = {};
  for (const [, task, scope, value] of text.matchAll(/^mlops_task_runs_total\{task="([^"]+)",scope="([^"]+)",result="ok"\} (\S+)$/gm)) {
    runs[task] = { scope, count: Number(value) };
  }
  return runs;
}

let postgres;
const backends = [];
try {
  postgres = await startPostgres({ own: true });
  const portal = `http://localhost:${await freePort(7191)}`;
  const replicas = [];
  for (let i = 0; i < REPLICAS; i++) replicas.push(`http://localhost:${await freePort(7192 + i)}`);
  const dir = mkdtempSync(join(tmpdir(), 'modelrails-replicas-'));
  writeFileSync(join(dir, 'portal.yaml'), JSON.stringify(splitConfig({ portal, mlops: replicas[0], database: postgres.url }).portal));
  replicas.forEach((url, i) => {
    const config = splitConfig({ portal, mlops: url, database: postgres.url }).mlops;
    // Not the backtest's days of history: each replica would send its own copy.
    config.mlops = { ...config.mlops, demo: { ...config.mlops?.demo, history: false } };
    writeFileSync(join(dir, `mlops-${i}.yaml`), JSON.stringify(config));
  });
  log(`portal ${portal}; ${REPLICAS} ModelRails replicas ${replicas.join(', ')}; one PostgreSQL`);

  // The portal first (the replicas read its catalog); the replicas at the same moment.
  const portalBackend = startBackend('portal backend', 'backend', join(dir, 'portal.yaml'), { MODELRAILS_PORTAL_ONLY: '1' });
  backends.push(portalBackend);
  const replicaBackends = replicas.map((url, i) => startBackend(`replica ${i}`, 'backend-mlops', join(dir, `mlops-${i}.yaml`), {}));
  backends.push(...replicaBackends);
  await check(`${REPLICAS} replicas started at the same moment on an empty database all come up`, async () => {
    await Promise.all([ready(portalBackend, portal), ...replicaBackends.map((b, i) => ready(b, replicas[i]))]);
  });

  const names = await Promise.all(replicas.map(async url => /mlops_replica_info\{replica="([^"]+)"\} 1/.exec(await metrics(url))?.[1]));
  log(`replica names: ${names.join(', ')}`);
  /** The replicas still running (one is killed mid-rollout). */
  const live = [...replicas];

  // First, while the demo canary runs (it ends a minute or two after the replicas start).
  await check('the demo canary has one driver at a time, and another replica drives it after its driver is killed', async () => {
    const db = new pg.Client({ connectionString: `${postgres.url}/backstage_plugin_mlops` });
    await db.connect();
    try {
      const rolloutOf = async () => (await db.query("select id, status, ended_at from mlops_rollouts where model_ref = 'model:default/related-items-ranker' order by created_at desc limit 1")).rows[0];
      const rollout = await until('the related-items canary', rolloutOf, 120_000);
      assert(rollout.ended_at === null, `the canary ended before the kill (${rollout.status}): nothing to fail over`);
      const driven = await until(
        'a decision by a replica',
        async () => (await db.query('select driver from mlops_rollout_decisions where rollout_id = $1 and driver is not null order by id desc limit 1', [rollout.id])).rows[0],
        120_000,
      );
      const victim = names.indexOf(driven.driver);
      assert(victim >= 0, `unknown driver ${driven.driver}`);
      const killedAt = Date.now();
      replicaBackends[victim].stop('SIGKILL');
      live.splice(live.indexOf(replicas[victim]), 1);
      log(`  killed replica ${victim} (${driven.driver}), which drove the canary`);
      // Taken over: two decisions by surviving replicas after the kill, or the canary's end. (Whether
      // it ends soon depends on the demo's simulated router, whose split lives in each process.)
      const decisionsOf = async () => (await db.query('select id, at, stage, step, action, driver from mlops_rollout_decisions where rollout_id = $1 order by id', [rollout.id])).rows;
      await until(
        'a surviving replica to drive the canary',
        async () => (await rolloutOf()).ended_at !== null || (await decisionsOf()).filter(d => Number(d.at) > killedAt && d.driver !== null && d.driver !== driven.driver).length >= 2,
        240_000,
      );
      const decisions = await decisionsOf();
      log(`  ${decisions.length} decisions, now ${(await rolloutOf()).status}: ${decisions.map(d => `${d.action}@${d.driver === null ? '-' : names.indexOf(d.driver)}`).join(' ')}`);
      const afterKill = decisions.filter(d => Number(d.at) > killedAt);
      assert(afterKill.length > 0, 'no decision after the kill');
      assert(afterKill.every(d => d.driver !== driven.driver), 'the killed replica still decided');
      assert(afterKill.some(d => d.driver !== null && names.includes(d.driver)), 'no surviving replica drove the canary');
      // One driver at a time: each stage and step was entered once, and decisions never go back in time.
      const entered = decisions.filter(d => ['advance', 'complete', 'rollback', 'promote'].includes(d.action)).map(d => `${d.action}:${d.stage}:${d.step}`);
      assert(new Set(entered).size === entered.length, `a transition was decided twice: ${entered}`);
      assert(decisions.every((d, i) => i === 0 || Number(d.at) >= Number(decisions[i - 1].at)), 'decisions out of order');
    } finally {
      await db.end();
    }
  });

  await check('every replica exports the same drift, contract and rollout gauges', async () => {
    const gauges = ['mlops_contract_violations', 'mlops_drift_flagged', 'mlops_rollout_weight_ratio', 'mlops_rollout_rolled_back'];
    await until(
      'the same non-empty gauges on every replica',
      async () => {
        const seen = await Promise.all(live.map(async url => linesOf(await metrics(url), gauges)));
        return seen[0].includes('mlops_contract_violations{') && seen.every(s => s === seen[0]);
      },
      180_000,
    );
  });

  await check('global tasks run once per interval across the replicas, local tasks on each', async () => {
    const before = await Promise.all(live.map(async url => taskRuns(await metrics(url))));
    const started = Date.now();
    await sleep(65_000);
    const after = await Promise.all(live.map(async url => taskRuns(await metrics(url))));
    const seconds = (Date.now() - started) / 1000;
    const ran = task => after.map((a, i) => (a[task]?.count ?? 0) - (before[i][task]?.count ?? 0));
    // [task, its interval in seconds]
    for (const [task, every] of [['mlops-rollouts', 5], ['mlops-summary-compaction', 10], ['mlops-drift-monitor', 60], ['mlops-gates-pending', 60]]) {
      const runs = ran(task);
      const total = runs.reduce((a, b) => a + b, 0);
      log(`  ${task} (global, every ${every} s): ${runs.join(' + ')} = ${total} runs in ${seconds.toFixed(0)} s`);
      assert(total >= 1, `${task} did not run`);
      assert(total <= Math.ceil(seconds / every) + 1, `${task} ran ${total} times in ${seconds} s: more than once per ${every} s`);
    }
    const local = ran('mlops-serving-metrics');
    log(`  mlops-serving-metrics (local, every 15 s): ${local.join(', ')}`);
    assert(local.every(n => n >= 3), `a local task must run on every replica: ${local}`);
  });

  await check("a late batch through one replica is seen by another replica's cached drift answers within seconds", async () => {
    const series = async () => {
      const res = await fetch(`${live[1]}/api/mlops/models/default/home-feed-ranker/drift/series?window=2h&step=5m`, { headers: READ });
      if (!res.ok) throw new Error(`series: ${res.status} ${await res.text()}`);
      return res.json();
    };
    const first = await series();
    await series(); // cached now
    const bucket = Math.floor((Date.now() - 40 * 60_000) / 300_000) * 300_000;
    const events = Array.from({ length: 20 }, (_, i) => ({
      model: 'model:default/home-feed-ranker',
      version: first.version ?? '17',
      requestId: `late-${i}`,
      sequence: i + 1,
      time: bucket + 60_000 + i * 1000,
      score: 0.3,
      latencyMs: 10,
      features: { user_age: 30 },
    }));
    const res = await fetch(`${live[0]}/api/mlops/telemetry/predictions`, { method: 'POST', headers: SERVING, body: JSON.stringify({ batchId: `late-${Date.now()}`, source: 'late-sender', events }) });
    assert(res.ok, `ingest through replica 0: ${res.status} ${await res.text()}`);
    await sleep(4_000);
    // The 5-minute step holding the late bucket counts its 20 events (the cached answer would not).
    const eventsAt = answer => answer.steps.find(step => Date.parse(step.start) === bucket)?.events ?? 0;
    const after = await series();
    assert(eventsAt(after) === eventsAt(first) + events.length, `the other replica counts ${eventsAt(after)} events at the late bucket, ${eventsAt(first)} before and ${events.length} sent`);
  });

} catch (error) {
  log(String(error?.stack ?? error));
  results.push({ name: 'setup', ok: false });
} finally {
  for (const b of backends) b.stop('SIGKILL');
  await postgres?.stop();
}
const failed = results.filter(r => !r.ok).length;
const passed = results.length - failed;
if (failed) for (const b of backends) process.stderr.write(`--- ${b.name} (last output)\n${b.log()}\n`);
process.stdout.write(`Tests:       ${failed ? `${failed} failed, ` : ''}${passed} passed, ${results.length} total\n`);
process.exit(failed ? 1 : 0);
