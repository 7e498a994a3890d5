/*
 * Drift queries of many models at once (issue: production topology, "answers that stay fast under
 * load"): 50 different 50-feature models, 30 days of telemetry each, the Grafana drift panel's
 * 30-day query asked for all 50 at the same moment, so no answer is shared. Against the demo backend
 * on a SQLite file, as `npm start` runs it.
 *
 * 1. The backend starts with the 50 models in its catalog (bench/fixtures/drift-bench-model.yaml
 *    under 50 names); each gets version 1 and its training profile through the API.
 * 2. The backend stops; one model's 30 days of telemetry are ingested in-process through the
 *    telemetry service into the backend's database, compacted, kept as the retention task keeps it
 *    (5-minute rows 48 h, hourly rows 30 days, those older than 48 h deflated), and copied to the other 49 (the same rows under
 *    their names: each model's answer is still computed on its own).
 * 3. The backend starts again. Never judged: the first query of each model, all 50 at once (every
 *    step judged). The backend restarts. Cold: the first query of each model after the restart (its
 *    memory empty; closed steps' verdicts are kept in the database). Warm: ten more rounds of 50,
 *    each after a telemetry batch to every model, so each round recomputes every answer (closed
 *    steps' verdicts kept, the open step judged again).
 *
 * Printed per round kind: p50/p95/p99 and errors (target p95 ≤ 100 ms warm, 0 errors always); the
 * backend's peak resident memory while queried (its bound: the step-verdict cache's entries and one
 * answer per model being computed); and beside it the backend's /health, probed every 20 ms one at a
 * time while the queries run: its p99 and worst are the event-loop delays a request met.
 * Port 7077 must be free. BENCH_LOAD_MODELS (default 50) sets the number of models.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory from 'knex';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { DatabaseTelemetryStore } from '../plugins/mlops-backend/src/telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService } from '../plugins/mlops-backend/src/telemetry/TelemetryService';
import { BASE, call, driftPanelQuery, ROOT, startBackend, stopBackend, TOKENS, waitForModel } from './fixtures/benchBackend';
import { CATEGORICAL, eventAt, NUMERIC, random, thirtyDays, trainingProfile } from './fixtures/driftBenchTraffic';

const MODELS = Number(process.env.BENCH_LOAD_MODELS ?? 50);
const WARM_ROUNDS = 10;
const TARGET_P95_MS = 100;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const BUCKET_MS = 300_000;
const EVENTS_PER_BUCKET = 10;
const name = (i: number) => `drift-load-${String(i).padStart(2, '0')}`;
const ref = (i: number) => `model:default/${name(i)}`;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function catalogFile(dir: string) {
  const spec = readFileSync(join(ROOT, 'bench/fixtures/drift-bench-model.yaml'), 'utf8').replace(/^#.*\n/gm, '');
  const file = join(dir, 'drift-load-models.yaml');
  writeFileSync(
    file,
    Array.from({ length: MODELS }, (_, i) => spec.replace('name: drift-bench', `name: ${name(i)}`).replace('title: Drift benchmark (50 features)', `title: Drift load ${i}`)).join('---\n'),
  );
  return file;
}

/** The drill-down dashboard's drift panel query of the last 30 days, for one model. */
const panelPath = (i: number, now: number) => driftPanelQuery(`/models/default/${name(i)}`, now).path;

/** Phase 2: model 0's 30 days through the telemetry service, then its rows under every other name. */
async function fill(dir: string, now: number) {
  const sqlite = join(dir, 'sqlite');
  const file = readdirSync(sqlite).find(f => f.includes('mlops') && f.endsWith('.sqlite'));
  if (!file) throw new Error(`no ModelRails database in ${sqlite}: ${readdirSync(sqlite).join(', ')}`);
  const knex = knexFactory({ client: 'better-sqlite3', connection: { filename: join(sqlite, file) }, useNullAsDefault: true });
  try {
    const store = new DatabaseTelemetryStore(knex);
    const policy = modelPolicySchema.parse({ drift: { segments: ['platform'] } });
    const telemetry = new DefaultTelemetryService({ store, policies: async () => policy, rawSampleRate: 0 });
    let sent = 0;
    const t0 = performance.now();
    for (const { batch, events } of thirtyDays(now, EVENTS_PER_BUCKET, 'load', ref(0))) {
      await telemetry.ingestPredictions({ batchId: `drift-load-${batch}`, source: 'drift-load', events });
      sent += events.length;
    }
    await store.compactSummaries();
    // What the backend's retention task keeps (its defaults): 5-minute rows 48 h, hourly rows 30 days.
    await store.purge({ rawEvents: now - 31 * DAY, summaries: { [BUCKET_MS]: now - 2 * DAY, [HOUR]: now - 30 * DAY, [DAY]: now - 90 * DAY } });
    // ...and its hourly and daily rows older than that deflated.
    await store.compressSummaries(now - 2 * DAY, Infinity);
    const columns = 'version, layout_version, segment, feature, bucket_ms, bucket_start, summary';
    for (let i = 1; i < MODELS; i++) {
      await knex.raw(`insert into mlops_summaries (model_ref, ${columns}) select ?, ${columns} from mlops_summaries where model_ref = ?`, [ref(i), ref(0)]);
    }
    const [{ n }] = await knex('mlops_summaries').count({ n: '*' });
    return { events: sent, rows: Number(n), seconds: (performance.now() - t0) / 1000 };
  } finally {
    await knex.destroy();
  }
}

/** The backend's node process: the one listening on the port. */
function backendPid(): number {
  const out = execFileSync('ss', ['-ltnpH', 'sport = :7077'], { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(out)?.[1];
  if (!pid) throw new Error(`nothing listens on 7077: ${out}`);
  return Number(pid);
}

function memory(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => 1024 * Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** /health one request at a time every 20 ms, and the backend's resident memory every 100 ms, until stopped. */
function watch(pid: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const health: number[] = [];
  let peakRss = 0;
  let stopped = false;
  const probe = () =>
    new Promise<void>(resolve => {
      const t = performance.now();
      get(`${BASE}/health`, { agent }, res => {
        res.resume();
        res.on('end', () => {
          health.push(performance.now() - t);
          resolve();
        });
      }).on('error', () => resolve());
    });
  const probing = (async () => {
    while (!stopped) {
      await probe();
      await new Promise(r => setTimeout(r, 20));
    }
  })();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, memory(pid).rss)), 100);
  return {
    stop: async () => {
      stopped = true;
      await probing;
      clearInterval(sampler);
      agent.destroy();
      return { health: summarise(health), peakRss };
    },
  };
}

function summarise(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: sorted[sorted.length - 1] ?? NaN, n: sorted.length };
}

/** Every model's query at once, each on its own connection; times and failures. */
async function round(now: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: MODELS });
  const times: number[] = [];
  const errors: string[] = [];
  await Promise.all(
    Array.from(
      { length: MODELS },
      (_, i) =>
        new Promise<void>(resolve => {
          const t = performance.now();
          get(`${BASE}${panelPath(i, now)}`, { agent, headers: { Authorization: `Bearer ${TOKENS.read}`, 'Accept-Encoding': 'gzip' } }, res => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode === 200) times.push(performance.now() - t);
              else errors.push(`${name(i)}: ${res.statusCode}`);
              resolve();
            });
          }).on('error', error => {
            errors.push(`${name(i)}: ${error.message}`);
            resolve();
          });
        }),
    ),
  );
  agent.destroy();
  return { times, errors };
}

/**
 * Until the backend is done starting: the demo backfills its traffic and runs its first tasks for
 * tens of seconds after it answers. Twenty /health answers in a row under 50 ms, 100 ms apart.
 */
async function waitForQuiet() {
  let quiet = 0;
  for (let i = 0; i < 1200 && quiet < 20; i++) {
    const t = performance.now();
    const answered = await fetch(`${BASE}/health`)
      .then(r => r.text())
      .then(() => true)
      .catch(() => false);
    quiet = answered && performance.now() - t < 50 ? quiet + 1 : 0;
    await new Promise(r => setTimeout(r, 100));
  }
}

/** A small telemetry batch to every model: each one's next answer must be computed again. */
async function touchAll(now: number, roundIndex: number) {
  const r = random(100 + roundIndex);
  for (let i = 0; i < MODELS; i++) {
    const events = Array.from({ length: 5 }, (_, k) => eventAt(r, `touch-${roundIndex}-${i}-${k}`, 1e9 + roundIndex * 1000 + k, now - 1000 * k, 0, ref(i)));
    await call('POST', '/telemetry/predictions', TOKENS.serving, { batchId: `drift-load-touch-${roundIndex}-${i}`, source: 'drift-load-touch', events });
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'modelrails-bench-drift-load-'));
  const logPath = join(dir, 'backend.log');
  const config = { locations: [catalogFile(dir)], mlops: { telemetry: { rawRetention: '31d' } } };
  let backend = startBackend(dir, openSync(logPath, 'w'), config);
  try {
    for (let i = 0; i < MODELS; i++) await waitForModel(`/models/default/${name(i)}`);
    const profile = trainingProfile();
    for (let i = 0; i < MODELS; i++) {
      await call('POST', `/models/default/${name(i)}/versions`, TOKENS.ci, { version: '1', artifact: { uri: `s3://models/${name(i)}/1/model.bin`, digest: `sha256:${'b'.repeat(64)}` } });
      await call('PUT', `/models/default/${name(i)}/versions/1/profile`, TOKENS.ci, profile);
    }
    await stopBackend(backend);

    const now = Date.now();
    const filled = await fill(dir, now);
    console.log(
      `drift load: ${MODELS} models × ${NUMERIC + CATEGORICAL} features × 30 days: ${filled.events.toLocaleString('en-US')} events of one model ingested and copied to the others in ${filled.seconds.toFixed(0)} s (${filled.rows.toLocaleString('en-US')} summary rows)`,
    );

    // Never judged: every step of every model computed (and its verdicts kept).
    backend = startBackend(dir, openSync(logPath, 'a'), config);
    await waitForModel(`/models/default/${name(MODELS - 1)}`);
    await waitForQuiet();
    let watching = watch(backendPid());
    const first = await round(Date.now());
    const firstWatch = await watching.stop();
    await stopBackend(backend);

    // Restarted: nothing in memory.
    backend = startBackend(dir, openSync(logPath, 'a'), config);
    await waitForModel(`/models/default/${name(MODELS - 1)}`);
    await waitForQuiet();
    const pid = backendPid();
    const idle = memory(pid).rss;
    watching = watch(pid);
    const cold = await round(Date.now());
    const coldWatch = await watching.stop();

    watching = watch(pid);
    const warm = { times: [] as number[], errors: [] as string[] };
    for (let k = 0; k < WARM_ROUNDS; k++) {
      await touchAll(Date.now(), k);
      const r = await round(Date.now());
      warm.times.push(...r.times);
      warm.errors.push(...r.errors);
    }
    const warmWatch = await watching.stop();

    const line = (label: string, r: { times: number[]; errors: string[] }, w: { health: ReturnType<typeof summarise>; peakRss: number }, target?: number) => {
      const s = summarise(r.times);
      console.log(
        `  ${label.padEnd(44)} p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  max ${ms(s.max)}  errors ${r.errors.length}${target ? `  target p95 ≤ ${target} ms (${s.p95 <= target ? 'meets' : 'MISSES'})` : ''}`,
      );
      console.log(`  ${''.padEnd(44)} /health every 20 ms meanwhile: p50 ${ms(w.health.p50)}  p99 ${ms(w.health.p99)}  worst ${ms(w.health.max)} (${w.health.n} probes); peak RSS ${mib(w.peakRss)}`);
      if (r.errors.length) console.log(`  errors: ${r.errors.slice(0, 5).join('; ')}`);
      return s;
    };
    console.log(`drift load: the 30-day drift panel query of ${MODELS} different models at once (no answer shared), SQLite, RSS idle ${mib(idle)}`);
    line('never judged: the first query of each', first, firstWatch);
    const c = line('cold: the first query of each after a restart', cold, coldWatch);
    const w = line(`warm: ${WARM_ROUNDS} rounds, each after new telemetry`, warm, warmWatch, TARGET_P95_MS);
    console.log(`  cold p95 / warm p95 = ${(c.p95 / w.p95).toFixed(1)}×; backend peak RSS since start ${mib(memory(pid).peak)}`);
    if (cold.errors.length || warm.errors.length) process.exitCode = 1;
  } catch (error) {
    console.error(`backend log (last lines):\n${readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n')}`);
    throw error;
  } finally {
    await stopBackend(backend);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
