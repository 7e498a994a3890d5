// Ingest throughput with 1 and with 3 ModelRails replicas (packages/backend-mlops) on one PostgreSQL,
// behind a round-robin on loopback: the same pre-serialised batches (distinct senders, 2,000 events
// of the demo ranker's features and segments each) sent by 6 concurrent clients. Prints events/s
// for each and the ratio. Nothing fails on time.
//
// The machine matters: 3 replicas, the portal, PostgreSQL and the client share its cores, so the
// ratio is bounded by the cores there are (printed beside it), not by ModelRails.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres } from '../scripts/lib/postgres.mjs';
import { freePort, log } from '../scripts/lib/process.mjs';
import { ready, splitConfig, startBackend } from '../scripts/production/backends.mjs';

const SERVING = { Authorization: 'Bearer modelrails-demo-serving-token', 'Content-Type': 'application/json' };
const BATCHES = Number(process.env.BENCH_REPLICA_BATCHES ?? 90);
const EVENTS = 2000;
const CLIENTS = 6;
const COUNTRIES = ['US', 'DE', 'FR', 'GB', 'JP', 'BR', 'IN'];
const PLATFORMS = ['android', 'ios', 'web'];

/** Batches as a serving fleet sends them: one sender each, events over the last 10 minutes. */
function bodies(run) {
  const now = Date.now();
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: BATCHES }, (_, b) => {
    const source = `bench-${run}-${b}`;
    const events = Array.from({ length: EVENTS }, (_, i) => ({
      model: 'model:default/home-feed-ranker',
      version: '17',
      requestId: `${source}-${i}`,
      sequence: i + 1,
      time: now - 600_000 + Math.floor(random() * 590_000),
      score: random(),
      latencyMs: 5 + random() * 40,
      segment: { platform: PLATFORMS[i % 3] },
      features: { user_age: 18 + Math.floor(random() * 60), session_length_s: random() * 900, item_price: random() * 200, user_country: COUNTRIES[i % COUNTRIES.length] },
    }));
    return JSON.stringify({ batchId: source, source, events });
  });
}

async function send(urls, batches) {
  let next = 0;
  let turn = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < batches.length) {
        const body = batches[next++];
        const url = urls[turn++ % urls.length];
        const res = await fetch(`${url}/api/mlops/telemetry/predictions`, { method: 'POST', headers: SERVING, body });
        if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      }
    }),
  );
  return (batches.length * EVENTS) / ((performance.now() - t0) / 1000);
}

async function measure(replicaCount) {
  const postgres = await startPostgres({ own: true });
  const backends = [];
  try {
    const portal = `http://localhost:${await freePort(7201)}`;
    const replicas = [];
    for (let i = 0; i < replicaCount; i++) replicas.push(`http://localhost:${await freePort(7202 + i)}`);
    const dir = mkdtempSync(join(tmpdir(), 'modelrails-bench-replicas-'));
    writeFileSync(join(dir, 'portal.yaml'), JSON.stringify(splitConfig({ portal, mlops: replicas[0], database: postgres.url }).portal));
    backends.push(startBackend('portal backend', 'backend', join(dir, 'portal.yaml'), { MODELRAILS_PORTAL_ONLY: '1' }));
    replicas.forEach((url, i) => {
      writeFileSync(join(dir, `mlops-${i}.yaml`), JSON.stringify(splitConfig({ portal, mlops: url, database: postgres.url }).mlops));
      backends.push(startBackend(`replica ${i}`, 'backend-mlops', join(dir, `mlops-${i}.yaml`), {}));
    });
    await Promise.all([ready(backends[0], portal), ...replicas.map((url, i) => ready(backends[i + 1], url))]);
    // Ready once every replica knows the model's layout (the demo seeds version 17's profile).
    const warm = JSON.parse(bodies('warm')[0]);
    for (const url of replicas) {
      for (let attempt = 0; ; attempt++) {
        const res = await fetch(`${url}/api/mlops/telemetry/predictions`, { method: 'POST', headers: SERVING, body: JSON.stringify({ ...warm, batchId: `warm-${url}`, source: `warm-${url}`, events: warm.events.slice(0, 200) }) });
        if (res.ok) break;
        if (attempt > 120) throw new Error(`${url} never accepted a batch: ${res.status} ${await res.text()}`);
        await new Promise(r => setTimeout(r, 1000));
      }
    }
    // A first pass warms the JIT and the caches; the second is measured.
    await send(replicas, bodies(`warmup-${replicaCount}`).slice(0, 12));
    return await send(replicas, bodies(`run-${replicaCount}`));
  } finally {
    for (const b of backends) b.stop('SIGKILL');
    await postgres.stop();
  }
}

log(`replicas: ${BATCHES} batches of ${EVENTS} events, ${CLIENTS} clients, round-robin`);
const one = await measure(1);
const three = await measure(3);
const rate = x => Math.round(x).toLocaleString();
console.log(`\nIngest through replicas on one PostgreSQL (${BATCHES} × ${EVENTS.toLocaleString()} events, ${CLIENTS} clients, round-robin on loopback)`);
console.log(`  1 replica   ${rate(one).padStart(9)} events/s`);
console.log(`  3 replicas  ${rate(three).padStart(9)} events/s   ${(three / one).toFixed(2)}× of one   target ≥ 2.5× with a core per replica; this machine has ${availableParallelism()} for 3 replicas, the portal, PostgreSQL and the client`);
