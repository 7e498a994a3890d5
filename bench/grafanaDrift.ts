/*
 * The Grafana data source's heaviest query (issue #7 target: p95 ≤ 50 ms at 50 concurrent clients
 * against the demo backend on SQLite): 30 days of drift of one 50-feature model, as the shipped
 * drill-down dashboard's drift panel asks for it (Grafana's own interval for the panel's
 * maxDataPoints, then the data source's window alignment and step choice).
 *
 * The demo backend runs as `npm start` runs it (demo traffic included), on a SQLite file. The
 * benchmark's model comes from bench/fixtures; its version and training profile go in with the
 * demo CI token, 30 days of its telemetry with the demo serving token, and the query is asked with
 * the demo read-only token Grafana's data proxy sends. Printed: p50/p95/p99 of the query, and of
 * the backend's health endpoint at the same concurrency (the HTTP floor, measured in the same run).
 * BENCH_GRAFANA_REQUESTS (default 30,000, some 15 s, after 2,000 to warm up) sets how many queries the 50 clients send in all;
 * BENCH_GRAFANA_DIR keeps the backend's database there, filled once, for runs after the first.
 */
import { Agent, get } from 'node:http';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CATEGORICAL, eventAt, MODEL, NUMERIC, random, thirtyDays, trainingProfile } from './fixtures/driftBenchTraffic';
import { BASE, call, driftPanelQuery, ROOT, startBackend as startDemoBackend, stopBackend, TOKENS, waitForModel as waitForPolicy } from './fixtures/benchBackend';

const MODEL_PATH = '/models/default/drift-bench';
const CLIENTS = 50;
const REQUESTS = Number(process.env.BENCH_GRAFANA_REQUESTS ?? 30_000);
const WARM_UP = 2_000;
const TARGET_P95_MS = 50;
const DAY = 86_400_000;
const BUCKET_MS = 300_000;
/** Events per 5-minute bucket: each 12-hour step of the panel then holds about 1,400 (a KS verdict). */
const EVENTS_PER_BUCKET = 10;

async function waitForModel() {
  await waitForPolicy(MODEL_PATH);
}

/** Version 1 with its training profile, then 30 days of its telemetry, oldest first. */
async function fill(now: number) {
  const version = { version: '1', artifact: { uri: 's3://models/drift-bench/1/model.bin', digest: `sha256:${'b'.repeat(64)}` } };
  const registered = await fetch(`${BASE}${MODEL_PATH}/versions`, { method: 'POST', headers: { Authorization: `Bearer ${TOKENS.ci}`, 'Content-Type': 'application/json' }, body: JSON.stringify(version) });
  // A kept database (BENCH_GRAFANA_DIR) already holds the 30 days.
  if (registered.status === 409) return undefined;
  if (registered.status !== 201) throw new Error(`registering version 1 answered ${registered.status}: ${await registered.text()}`);
  await call('PUT', `${MODEL_PATH}/versions/1/profile`, TOKENS.ci, trainingProfile());
  let sent = 0;
  const t0 = performance.now();
  for (const { batch, events } of thirtyDays(now, EVENTS_PER_BUCKET, 'bench')) {
    const answer = await call('POST', '/telemetry/predictions', TOKENS.serving, { batchId: `drift-bench-${batch}`, source: 'drift-bench', events });
    if (answer.dropped) throw new Error(`the backend dropped ${answer.dropped} events (older than its raw retention?)`);
    sent += events.length;
  }
  return { events: sent, seconds: (performance.now() - t0) / 1000 };
}

/** Live telemetry of the model, a batch of 50 events every 5 s, until stopped. */
function live() {
  const r = random(3);
  let batches = 0;
  let stopped = false;
  const sending = (async () => {
    while (!stopped) {
      const now = Date.now();
      const events = Array.from({ length: 50 }, (_, k) => eventAt(r, `live-${now}-${k}`, now * 100 + k, now, 0));
      await call('POST', '/telemetry/predictions', TOKENS.serving, { batchId: `drift-bench-live-${now}`, source: 'drift-bench-live', events });
      batches++;
      for (let waited = 0; waited < 5_000 && !stopped; waited += 100) await new Promise(res => setTimeout(res, 100));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await sending;
      return batches;
    },
  };
}

/**
 * `clients` loops sending `total` requests in all over kept-alive connections; each request's
 * time from send to last byte. Answers are read as they come, compressed (Grafana's data proxy
 * passes them on to the browser so): the load generator shares this machine's two cores.
 */
async function load(url: string, clients: number, total: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const times: number[] = [];
  let sent = 0;
  let bytes = 0;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const t = performance.now();
      get(url, { agent, headers: { Authorization: `Bearer ${TOKENS.read}`, 'Accept-Encoding': 'gzip' } }, res => {
        let size = 0;
        res.on('data', (chunk: Buffer) => (size += chunk.length));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
          bytes = size;
          resolve(performance.now() - t);
        });
      }).on('error', reject);
    });
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (sent < total) {
        sent++;
        times.push(await once());
      }
    }),
  );
  agent.destroy();
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), bytes };
}

/** The query the drill-down dashboard's drift panel makes over the last 30 days. */
const panelQuery = (now: number) => driftPanelQuery(MODEL_PATH, now);

function startBackend(dir: string, logFile: number) {
  // 30 days of telemetry sent now: events are accepted as old as the raw retention.
  return startDemoBackend(dir, logFile, { locations: [join(ROOT, 'bench/fixtures/drift-bench-model.yaml')], mlops: { telemetry: { rawRetention: '31d' } } });
}

async function main() {
  const keep = process.env.BENCH_GRAFANA_DIR;
  if (keep) mkdirSync(keep, { recursive: true });
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'modelrails-bench-grafana-'));
  const logPath = join(dir, 'backend.log');
  const backend = startBackend(dir, openSync(logPath, 'w'));
  try {
    await waitForModel();
    const now = Date.now();
    const filled = await fill(now);
    if (filled) console.log(`grafana drift: sent ${filled.events} events × ${NUMERIC + CATEGORICAL} features over 30 days in ${filled.seconds.toFixed(1)} s`);
    const { path, step } = panelQuery(Date.now());
    const series = await call('GET', path, TOKENS.read);
    if (series.features.length < NUMERIC + CATEGORICAL) throw new Error(`the series holds ${series.features.length} features`);
    const flagged = series.features.filter((f: { cells: { severity: string }[] }) => f.cells.some(c => c.severity === 'warning' || c.severity === 'critical')).length;
    console.log(`grafana drift: the panel asks step=${step}: ${series.features.length} features × ${series.steps.length} steps, ${flagged} features flagged, ${series.violations.length} contract violations`);

    // A first round of each warms the backend's code up (JIT); the second is measured.
    const single = await load(`${BASE}${path}`, 1, 20);
    await load(`${BASE}${path}`, CLIENTS, WARM_UP);
    // The model keeps serving while it is watched: a batch every 5 s (the demo traffic's tick)
    // makes the backend compute the answer again after each.
    const serving = live();
    const query = await load(`${BASE}${path}`, CLIENTS, REQUESTS);
    const batches = await serving.stop();
    await load(`${BASE}/health`, CLIENTS, WARM_UP);
    const health = await load(`${BASE}/health`, CLIENTS, REQUESTS);
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`grafana drift: one client p50=${ms(single.p50)} (${(single.bytes / 1024).toFixed(0)} KiB per answer, gzip)`);
    console.log(
      `grafana drift: ${CLIENTS} clients × ${REQUESTS} queries (${batches} telemetry batches meanwhile) p50=${ms(query.p50)} p95=${ms(query.p95)} p99=${ms(query.p99)}  target p95 ≤ ${TARGET_P95_MS} ms  p95/target=${(query.p95 / TARGET_P95_MS).toFixed(2)}`,
    );
    console.log(
      `grafana drift: reference /health at ${CLIENTS} clients p50=${ms(health.p50)} p95=${ms(health.p95)} p99=${ms(health.p99)}  query p95 / health p95=${(query.p95 / health.p95).toFixed(1)}`,
    );
  } catch (error) {
    console.error(`backend log (last lines):\n${readFileSync(logPath, 'utf8').split('\n').slice(-40).join('\n')}`);
    throw error;
  } finally {
    await stopBackend(backend);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
