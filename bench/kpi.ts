/*
 * KPI query (issue #9 target: median ≤ 20 ms on SQLite and PostgreSQL for 30 days × 10 KPIs × 5
 * segments of one model, flat whatever the number of raw events behind it). Events go in through
 * the ingestion service and labels through the outcome path; the minute job's recount settles them
 * into label rollups (its time is printed too). Reference in the same run, on the same database:
 * one KPI over the same 30 days counted from raw predictions joined with their labels (what a KPI
 * costs without rollups). BENCH_KPI_SIZES=100000,1000000,10000000 (default) sets the event counts.
 */
import { Knex } from 'knex';
import { openSqlite, withPostgres } from './databases';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { performance } from 'node:perf_hooks';
import { migrateDatabase } from '../plugins/mlops-backend/src/migrations';
import { DatabaseTelemetryStore } from '../plugins/mlops-backend/src/telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService, TelemetryService } from '../plugins/mlops-backend/src/telemetry/TelemetryService';
import { DefaultKpiService, DatabaseKpiStore, KpiService, LabelRollups } from '../plugins/mlops-backend/src/kpi';
import { simulationRandom } from '../plugins/mlops-backend/src/stats/random';

const MODEL = 'model:default/home-feed-ranker';
const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / 300_000) * 300_000;
const SIZES = (process.env.BENCH_KPI_SIZES ?? '100000,1000000,10000000').split(',').map(Number);
const PLATFORMS = ['ios', 'android', 'web', 'tv'];
const OUTCOMES = ['click', 'add_to_cart', 'purchase', 'share', 'session'];
/** Share of predictions earning each outcome. */
const RATES = [0.05, 0.02, 0.01, 0.005, 0.03];
const QUERIES = 25;

// 10 KPIs: each outcome over predictions, and five ratios of outcomes; all sliced by platform
// (all traffic + 4 platforms = 5 segments).
const policy = modelPolicySchema.parse({
  drift: { segments: [] },
  cost: { environment: 'production', replicas: [{ kind: 'fixed', count: 4 }] },
  kpis: [
    ...OUTCOMES.map(o => ({ name: `${o}_rate`, numerator: { source: 'outcome', outcome: o }, denominator: { source: 'predictions' }, segments: ['platform'] })),
    ...OUTCOMES.map((o, i) => ({ name: `${o}_per_${OUTCOMES[(i + 1) % 5]}`, numerator: { source: 'outcome', outcome: o }, denominator: { source: 'outcome', outcome: OUTCOMES[(i + 1) % 5] }, segments: ['platform'] })),
  ],
  rollout: { analysis: { kpi: 'click_rate' } },
});

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function fill(knex: Knex, events: number) {
  await migrateDatabase({ getClient: async () => knex } as any);
  const store = new DatabaseTelemetryStore(knex);
  const telemetry = new DefaultTelemetryService({ store, policies: async () => policy, retentionMs: 31 * DAY, rawSampleRate: 0, now: () => NOW });
  const random = simulationRandom(11);
  const batch = 10_000;
  let labelSequence = 0;
  const t0 = performance.now();
  for (let b = 0; b * batch < events; b++) {
    const count = Math.min(batch, events - b * batch);
    const rows = [];
    const labels = [];
    for (let i = 0; i < count; i++) {
      const seq = b * batch + i;
      // Spread evenly over the 30 days, oldest first, as a serving fleet sends them.
      const time = NOW - 30 * DAY + Math.floor((seq / events) * 30 * DAY);
      const requestId = `r${seq}`;
      rows.push({ model: MODEL, version: seq < events / 2 ? '1' : '2', requestId, sequence: seq, time, latencyMs: 5 + 40 * random() * random(), segment: { platform: PLATFORMS[seq % 4] } });
      OUTCOMES.forEach((outcome, k) => {
        if (random() < RATES[k]) labels.push({ requestId, outcome, sequence: labelSequence++, time: time + 1000 });
      });
    }
    await telemetry.ingestPredictions({ batchId: `p${b}`, source: 'bench', events: rows });
    if (labels.length) await telemetry.ingestOutcomes({ batchId: `o${b}`, source: 'bench-labels', outcomes: labels });
  }
  const ingestSeconds = (performance.now() - t0) / 1000;
  const kpiStore = new DatabaseKpiStore(knex);
  const t1 = performance.now();
  await new LabelRollups(kpiStore, 31 * DAY).refresh(MODEL, policy, NOW);
  const recountSeconds = (performance.now() - t1) / 1000;
  return { store, kpiStore, ingestSeconds, recountSeconds };
}

async function measure(name: string, open: () => Promise<{ knex: Knex; dispose: () => Promise<void> }>) {
  for (const events of SIZES) {
    const { knex, dispose } = await open();
    try {
      const { store, kpiStore, ingestSeconds, recountSeconds } = await fill(knex, events);
      const kpis = new DefaultKpiService({ telemetry: store, store: kpiStore, policies: async () => policy, now: () => NOW });
      const query = () => kpis.report(MODEL, policy, { from: NOW - 30 * DAY, to: NOW, segmentTags: ['platform'] });
      const first = await query();
      if (first.metrics.filter(m => m.kind === 'kpi').length !== 10 || first.metrics[0].series.length !== 5) throw new Error('the report does not hold 10 KPIs × 5 segments');
      const times: number[] = [];
      for (let i = 0; i < QUERIES; i++) {
        const t = performance.now();
        await query();
        times.push(performance.now() - t);
      }
      // Reference: one KPI of all traffic counted from raw events (a join of predictions with labels).
      const raw: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await store.labelCounts(MODEL, undefined, 'click', NOW - 30 * DAY, NOW);
        raw.push(performance.now() - t);
      }
      const m = median(times);
      console.log(
        `  ${name.padEnd(10)} ${events.toExponential(0).padStart(5)} events: KPI query median ${m.toFixed(1)} ms (p90 ${[...times].sort((a, b) => a - b)[Math.floor(QUERIES * 0.9)].toFixed(1)} ms; target 20 ms) · ` +
          `one KPI from raw events ${median(raw).toFixed(0)} ms (${(median(raw) / m).toFixed(0)}× the whole report) · ingest ${ingestSeconds.toFixed(0)} s, label recount ${recountSeconds.toFixed(1)} s`,
      );
    } finally {
      await dispose();
    }
  }
}

async function main() {
  console.log(`\nKPI query: 30 days × 10 KPIs × 5 segments of one model, ${QUERIES} queries per size`);
  await measure('SQLite', openSqlite);
  if (!(await withPostgres(open => measure('PostgreSQL', open)))) console.log('  PostgreSQL  skipped (no BENCH_POSTGRES_URL)');
}

main().catch(e => {
  console.error(e);
  process.exitCode = 1;
});
