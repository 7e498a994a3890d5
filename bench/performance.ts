/*
 * Performance before labels (CBPE, issue #26). Two measurements, each beside a reference from the
 * same run:
 * 1. The estimate of one window (isotonic calibration of 20,000 labelled training scores, 200 draws
 *    for the interval) at 1,000 to 100,000 predictions, each size on fresh scores, against the
 *    realised ROC AUC, precision and recall of the same predictions (what labels would cost).
 * 2. GET …/evaluation through the service on SQLite for a day of 100,000 predictions in 24 hourly
 *    windows: the first request (every window estimated), the next (estimates from the cache), and
 *    one without estimates (reading the predictions and the realised metrics only).
 */
import { performance } from 'node:perf_hooks';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { openSqlite } from './databases';
import { migrateDatabase } from '../plugins/mlops-backend/src/migrations';
import { DatabaseTelemetryStore } from '../plugins/mlops-backend/src/telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService } from '../plugins/mlops-backend/src/telemetry/TelemetryService';
import { DefaultEvaluationService } from '../plugins/mlops-backend/src/evaluation/EvaluationService';
import { estimatePerformance, fitCalibration } from '../plugins/mlops-backend/src/stats/cbpe';
import { auc, precisionRecall } from '../plugins/mlops-backend/src/stats/evaluation';
import { simulationRandom } from '../plugins/mlops-backend/src/stats/random';
import { toWire, trainingProfile, TrafficSimulator } from '../plugins/mlops-backend/src/demo/simulation';

const MODEL = 'model:default/ad-ctr';
const HOUR = 3_600_000;
const ms = (t: number) => `${t.toFixed(1)} ms`;

function scores(n: number, seed: number) {
  const random = simulationRandom(seed);
  return Array.from({ length: n }, () => random());
}

async function estimateCost() {
  const random = simulationRandom(1);
  const reference = scores(20_000, 2);
  const calibration = fitCalibration(reference, reference.map(s => (random() < s * s ? 1 : 0)), 'click');
  // Warm-up on other scores, so the first size does not pay for compilation.
  estimatePerformance(calibration, scores(5_000, 3), 0.5, 1);
  console.log('CBPE estimate of one window (fresh scores per size) vs the realised metrics of the same predictions');
  for (const n of [1_000, 10_000, 100_000]) {
    const window = scores(n, 10 + n);
    const labels = window.map(s => (random() < s * s ? 1 : 0));
    let t = performance.now();
    estimatePerformance(calibration, window, 0.5, n);
    const estimate = performance.now() - t;
    t = performance.now();
    auc(window, labels);
    precisionRecall(window, labels, 0.5);
    const realised = performance.now() - t;
    console.log(`  n = ${n.toLocaleString('en-US')}: estimate ${ms(estimate)}, realised ${ms(realised)}, ratio ${(estimate / realised).toFixed(0)}×`);
  }
}

async function serviceCost() {
  const { knex, dispose } = await openSqlite();
  try {
    await migrateDatabase({ getClient: async () => knex } as any);
    const now = Math.floor(Date.now() / HOUR) * HOUR;
    const policy = modelPolicySchema.parse({ retraining: { labelMaturity: '30d' }, kpis: [{ name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' } }] });
    const store = new DatabaseTelemetryStore(knex);
    const telemetry = new DefaultTelemetryService({ store, policies: async () => policy, retentionMs: 7 * 24 * HOUR, rawSampleRate: 0, now: () => now });
    await telemetry.putReferenceProfile(MODEL, '1', trainingProfile(1, 20_000));
    const simulator = new TrafficSimulator(MODEL, 'pod-1', 3);
    for (let h = 24; h >= 1; h--) {
      const events = toWire(simulator.events('1', 100_000 / 24, now - h * HOUR, now - (h - 1) * HOUR));
      for (let i = 0; i < events.length; i += 5000) await telemetry.ingestPredictions({ batchId: `b-${h}-${i}`, source: 'pod-1', events: events.slice(i, i + 5000) });
    }
    const evaluation = new DefaultEvaluationService(store, () => now);
    const time = async (estimate: boolean) => {
      const start = performance.now();
      await evaluation.daily(MODEL, policy, { step: '1h', days: 25, estimate });
      return performance.now() - start;
    };
    const cold = await time(true);
    const cached = await time(true);
    // Reference: reading the same windows' predictions, which every request does.
    let t = performance.now();
    for (let h = 24; h >= 1; h--) await store.labelledPredictions(MODEL, 'click', now - h * HOUR, now - (h - 1) * HOUR, 100_000);
    const reading = performance.now() - t;
    console.log('GET …/evaluation, 24 hourly windows, 100,000 predictions, SQLite');
    console.log(`  first request ${ms(cold)} (${(cold / reading).toFixed(1)}× reading the predictions, ${ms(reading)})`);
    console.log(`  estimates from the cache ${ms(cached)} (${(cached / reading).toFixed(2)}× reading the predictions)`);
  } finally {
    await dispose();
  }
}

(async () => {
  await estimateCost();
  await serviceCost();
})().catch(error => {
  console.error(error);
  process.exit(1);
});
