import { mockServices } from '@backstage/backend-test-utils';
import { KpiMetric, ModelPolicyInput, modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { FakeKubernetesApi } from '../__testUtils__/FakeKubernetesApi';
import { migrateDatabase } from '../migrations';
import { DatabaseTelemetryStore } from '../telemetry/DatabaseTelemetryStore';
import { DefaultTelemetryService } from '../telemetry/TelemetryService';
import { BUCKET_MS } from '../telemetry/constants';
import { LOG_ACCURACY } from '../stats/summaries';
import { simulationRandom } from '../stats/random';
import { DatabaseKpiStore } from './DatabaseKpiStore';
import { DefaultKpiService, KpiService } from './KpiService';
import { LabelRollups } from './LabelRollups';
import { KubernetesReplicaReader, ReplicaSampler } from './ReplicaSampler';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** A whole UTC day, so day rows exist for the days before it. */
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

const POLICY: ModelPolicyInput = {
  drift: { segments: [] },
  retraining: { labelMaturity: '1h' },
  kpis: [
    { name: 'ctr', numerator: { source: 'outcome', outcome: 'click' }, denominator: { source: 'predictions' }, slo: { min: 0.6 }, segments: ['platform'] },
    { name: 'conversion', numerator: { source: 'outcome', outcome: 'purchase' }, denominator: { source: 'outcome', outcome: 'session' } },
  ],
  cost: { environment: 'production', replicas: [{ kind: 'fixed', count: 2 }], maxPer1k: 100 },
};

type Event = { id: string; version: string; at: number; platform: string; latencyMs?: number; error?: boolean };

describe.each(databases.eachSupportedId())('KPIs on %s', databaseId => {
  async function setup(policyInput: ModelPolicyInput = POLICY) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const telemetryStore = new DatabaseTelemetryStore(knex);
    const policy = modelPolicySchema.parse(policyInput);
    const telemetry = new DefaultTelemetryService({ store: telemetryStore, policies: async () => policy, retentionMs: 40 * DAY, now: () => NOW });
    const store = new DatabaseKpiStore(knex);
    const kpis = new DefaultKpiService({ telemetry: telemetryStore, store, policies: async () => policy, now: () => NOW });
    const labels = new LabelRollups(store, 40 * DAY);
    let batch = 0;
    let sequence = 0;
    let labelSequence = 0;
    const predict = (events: Event[]) =>
      telemetry.ingestPredictions({
        batchId: `p${batch++}`,
        source: 'pod',
        events: events.map(e => ({
          model: MODEL,
          version: e.version,
          requestId: e.id,
          sequence: sequence++,
          time: e.at,
          score: 0.5,
          latencyMs: e.latencyMs ?? 10,
          error: e.error ?? false,
          segment: { platform: e.platform },
        })),
      });
    const label = (items: Array<[requestId: string, outcome: string, value?: number]>, at: number) =>
      telemetry.ingestOutcomes({
        batchId: `o${batch++}`,
        source: 'labels',
        outcomes: items.map(([requestId, outcome, value]) => ({ requestId, outcome, value: value ?? 1, sequence: labelSequence++, time: at })),
      });
    const report = (query: Partial<Parameters<KpiService['report']>[2]> = {}) => kpis.report(MODEL, policy, { from: NOW - 4 * HOUR, to: NOW, ...query });
    return { knex, policy, store, kpis, labels, predict, label, report, telemetryStore };
  }

  const byName = (metrics: KpiMetric[], name: string) => metrics.find(m => m.name === name)!;

  it('computes KPIs per version and segment as counted by hand, a label counted once per prediction', async () => {
    const { predict, label, labels, policy, report } = await setup();
    const a = NOW - 3 * HOUR; // settles (older than the 1 h maturity)
    const b = NOW - 10 * 60_000; // provisional, recounted on each refresh
    await predict([
      { id: 'r1', version: '1', at: a, platform: 'ios' },
      { id: 'r2', version: '1', at: a + 1000, platform: 'ios' },
      { id: 'r3', version: '1', at: a + 2000, platform: 'android' },
      { id: 'r4', version: '1', at: a + 3000, platform: 'android' },
      { id: 'r5', version: '2', at: b, platform: 'ios' },
      { id: 'r6', version: '2', at: b + 1000, platform: 'android' },
    ]);
    await label([['r1', 'click'], ['r1', 'click'], ['r2', 'click', 0], ['r3', 'click'], ['r3', 'purchase'], ['r1', 'session'], ['r3', 'session'], ['r4', 'session'], ['r5', 'click']], a + 60_000);
    await labels.refresh(MODEL, policy, NOW);

    const all = await report({ segmentTags: ['platform'] });
    const ctr = byName(all.metrics, 'ctr');
    // Clicks: r1 (twice, once counted), r3, r5; r2's click has value 0.
    expect(ctr.series.map(s => [s.segment, s.current.numerator, s.current.denominator])).toEqual([
      ['*', 3, 6],
      ['platform=android', 1, 3],
      ['platform=ios', 2, 3],
    ]);
    expect(ctr.series[0].current.value).toBe(0.5);
    expect(ctr.sloStatus).toBe('breach'); // 0.5 < the band's 0.6
    const conversion = byName(all.metrics, 'conversion');
    expect(conversion.series[0].current).toMatchObject({ numerator: 1, denominator: 3, lower: null, upper: null });
    expect(conversion.proportion).toBe(false);
    expect(conversion.definition).toBe('purchase outcomes / session outcomes');

    const v1 = await report({ version: '1' });
    expect(byName(v1.metrics, 'ctr').series[0].current).toMatchObject({ numerator: 2, denominator: 4, value: 0.5 });
    const v2 = await report({ version: '2' });
    expect(byName(v2.metrics, 'ctr').series[0].current).toMatchObject({ numerator: 1, denominator: 2 });
    expect(all.versions.map(v => [v.version, v.predictions])).toEqual([['1', 4], ['2', 2]]);
    expect(all.versionChanges).toEqual([{ at: expect.any(String), from: '1', to: '2' }]);
    expect(Date.parse(all.versionChanges[0].at)).toBeLessThanOrEqual(b);

    // A provisional bucket's late label counts after the next refresh; a settled one's does not.
    await label([['r6', 'click'], ['r4', 'click']], NOW - 60_000);
    await labels.refresh(MODEL, policy, NOW);
    const later = byName((await report()).metrics, 'ctr').series[0].current;
    expect(later).toMatchObject({ numerator: 4, denominator: 6 });
    expect(Date.parse(all.provisionalFrom)).toBe(NOW - HOUR);
  });

  it('reads a month from day rows with the same totals as from 5-minute rows', async () => {
    const { predict, label, labels, policy, kpis } = await setup();
    const random = simulationRandom(5);
    const clicks: Array<[string, string]> = [];
    for (let day = 0; day < 30; day++) {
      const events: Event[] = [];
      for (let i = 0; i < 40; i++) {
        const id = `d${day}-${i}`;
        events.push({ id, version: day >= 10 ? '1' : '2', at: NOW - (day + 1) * DAY + Math.floor(random() * DAY), platform: i % 3 ? 'ios' : 'android' });
        if (random() < 0.3) clicks.push([id, 'click']);
      }
      await predict(events);
    }
    await label(clicks, NOW - 3 * HOUR);
    await labels.refresh(MODEL, policy, NOW);
    const month = await kpis.report(MODEL, policy, { from: NOW - 31 * DAY, to: NOW, segmentTags: ['platform'] });
    expect(month.stepMs).toBe(DAY);
    const fine = await kpis.report(MODEL, policy, { from: NOW - 31 * DAY, to: NOW, stepMs: HOUR, segmentTags: ['platform'] });
    for (const m of ['ctr', 'error_rate']) {
      expect(byName(month.metrics, m).series.map(s => s.current)).toEqual(byName(fine.metrics, m).series.map(s => s.current));
    }
    expect(byName(month.metrics, 'ctr').series[0].current).toMatchObject({ numerator: clicks.length, denominator: 1200 });
    // Points add up to the window.
    const points = byName(month.metrics, 'ctr').series[0].points;
    expect(points.reduce((s, p) => s + p.numerator!, 0)).toBe(clicks.length);
    expect(month.versionChanges.map(c => [c.from, c.to])).toEqual([['1', '2']]);
  });

  it('latency percentiles are within the documented relative error of the sample', async () => {
    const { predict, report } = await setup();
    const random = simulationRandom(9);
    const latencies: number[] = [];
    const events: Event[] = [];
    for (let i = 0; i < 5000; i++) {
      // Log-normal-ish with a long tail, as latencies are.
      const latency = Math.exp(2 + 0.8 * Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random()));
      latencies.push(latency);
      events.push({ id: `l${i}`, version: '1', at: NOW - HOUR + i * 100, platform: 'ios', latencyMs: latency, error: i % 50 === 0 });
    }
    await predict(events);
    const sorted = [...latencies].sort((x, y) => x - y);
    const r = await report();
    for (const [name, q] of [['latency_p50', 0.5], ['latency_p95', 0.95], ['latency_p99', 0.99]] as const) {
      const expected = sorted[Math.floor(q * (sorted.length - 1))];
      const got = byName(r.metrics, name).series[0].current.value!;
      expect(Math.abs(got / expected - 1)).toBeLessThanOrEqual(LOG_ACCURACY + 1e-12);
    }
    const errors = byName(r.metrics, 'error_rate');
    expect(errors.series[0].current).toMatchObject({ numerator: 100, denominator: 5000, value: 0.02 });
    expect(errors.series[0].current.lower).toBeLessThan(0.02);
    expect(errors.slo).toEqual({ min: null, max: 0.005 });
    expect(errors.sloStatus).toBe('breach');
    // Per second of the steps that had traffic, not of the 4-hour window: the 500 s of traffic fall in
    // steps that together last `serving`, and no step without traffic counts.
    const throughput = byName(r.metrics, 'throughput').series[0];
    const served = throughput.points.filter(p => (p.numerator ?? 0) > 0);
    const serving = served.reduce((sum, p) => sum + (Date.parse(p.end) - Date.parse(p.start)), 0) / 1000;
    expect(serving).toBeGreaterThanOrEqual(500);
    expect(serving).toBeLessThan(4 * 3600);
    expect(throughput.current.value).toBeCloseTo(5000 / serving, 9);
    expect(throughput.current.value).toBeGreaterThan(5000 / (4 * 3600));
  });

  it('cost per 1K moves with the replicas read from Kubernetes and with the traffic', async () => {
    const { predict, store, kpis, policy } = await setup({
      ...POLICY,
      cost: { environment: 'production', replicas: [{ kind: 'Deployment', namespace: 'recs', name: 'home-feed' }, { kind: 'InferenceService', namespace: 'recs', name: 'home-feed-kserve' }] },
    });
    const kube = new FakeKubernetesApi();
    kube.namespaces.add('recs');
    await kube.start();
    try {
      kube.put('apps', 'deployments', 'recs', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'home-feed' }, spec: { replicas: 2 }, status: { replicas: 2 } });
      kube.put('serving.kserve.io', 'inferenceservices', 'recs', {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: { name: 'home-feed-kserve' },
        status: { components: { predictor: { latestReadyRevision: 'home-feed-kserve-predictor-00002', previousRolledoutRevision: 'home-feed-kserve-predictor-00001' } } },
      });
      kube.put('apps', 'deployments', 'recs', { metadata: { name: 'home-feed-kserve-predictor-00002-deployment' }, status: { replicas: 1 } });
      // The previous revision's Deployment is gone already: it counts as none.
      const sampler = new ReplicaSampler(store, new KubernetesReplicaReader(kube.kubeConfig()), { currency: 'EUR', replicaHourCost: { production: 0.5 } });
      const first = await sampler.sample(MODEL, policy.cost!, NOW - 4 * HOUR);
      expect(first).toMatchObject({ recorded: true, sample: { replicas: 3, hourlyCost: 1.5 } });
      expect((await sampler.sample(MODEL, policy.cost!, NOW - 3.5 * HOUR)).recorded).toBe(false);
      // Scaled up two hours in: 6 replicas.
      kube.put('apps', 'deployments', 'recs', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'home-feed' }, spec: { replicas: 5 }, status: { replicas: 5 } });
      expect(await sampler.sample(MODEL, policy.cost!, NOW - 2 * HOUR)).toMatchObject({ recorded: true, sample: { replicas: 6, hourlyCost: 3 } });

      // 600 predictions in each of the four hours, then 1,200 more in the last.
      const events: Event[] = [];
      for (let h = 0; h < 4; h++) for (let i = 0; i < 600; i++) events.push({ id: `c${h}-${i}`, version: '1', at: NOW - (4 - h) * HOUR + i * 5000, platform: 'ios' });
      await predict(events);
      const hourly = await kpis.report(MODEL, policy, { from: NOW - 4 * HOUR, to: NOW, stepMs: HOUR });
      const cost = byName(hourly.metrics, 'cost_per_1k');
      // 1.5/h over 600 predictions = 2.5 per 1K; 3/h = 5 per 1K.
      expect(cost.series[0].points.map(p => p.value)).toEqual([2.5, 2.5, 5, 5]);
      expect(cost.series[0].current.value).toBeCloseTo((2 * 1.5 + 2 * 3) / 2.4, 9);
      expect(cost.series).toHaveLength(1);

      await predict(Array.from({ length: 1200 }, (_, i) => ({ id: `x${i}`, version: '1', at: NOW - HOUR + i * 2500, platform: 'ios' })));
      const busier = byName((await kpis.report(MODEL, policy, { from: NOW - 4 * HOUR, to: NOW, stepMs: HOUR })).metrics, 'cost_per_1k');
      expect(busier.series[0].points[3].value).toBeCloseTo(5 / 3, 9);

      // Before the first sample, cost is unknown, not zero.
      const earlier = byName((await kpis.report(MODEL, policy, { from: NOW - 6 * HOUR, to: NOW - 4 * HOUR, stepMs: HOUR })).metrics, 'cost_per_1k');
      expect(earlier.series[0].current.value).toBeNull();
      // A version's cost is not asked of the model's replicas.
      expect(byName((await kpis.report(MODEL, policy, { from: NOW - 4 * HOUR, to: NOW, version: '1' })).metrics, 'cost_per_1k').series[0].current.value).toBeNull();

      kube.down = true;
      await expect(sampler.sample(MODEL, policy.cost!, NOW)).rejects.toThrow();
      await expect(new ReplicaSampler(store, new KubernetesReplicaReader(), { currency: 'EUR', replicaHourCost: {} }).sample(MODEL, policy.cost!, NOW)).rejects.toThrow(
        /environment "production" has no price/,
      );
    } finally {
      await kube.stop();
    }
  });

  it("an LLM's tokens, time to first token, decode rate and cost per 1M tokens, against the raw requests", async () => {
    const { knex, store } = await setup();
    const policy = modelPolicySchema.parse({
      ...POLICY,
      llm: { maxTimeToFirstTokenMs: 400, minOutputTokensPerSecond: 30 },
      cost: { environment: 'production', replicas: [{ kind: 'fixed', count: 2 }], maxPer1MTokens: 5 },
    });
    const telemetryStore = new DatabaseTelemetryStore(knex);
    const telemetry = new DefaultTelemetryService({ store: telemetryStore, policies: async () => policy, retentionMs: 40 * DAY, now: () => NOW });
    const kpis = new DefaultKpiService({ telemetry: telemetryStore, store, policies: async () => policy, now: () => NOW });
    // Two GPU replicas at 4 an hour each, from before the window on.
    await store.addReplicaSample({ modelRef: MODEL, observedAt: NOW - 5 * HOUR, environment: 'production', replicas: 2, hourlyCost: 8 });

    const random = simulationRandom(31);
    const requests = Array.from({ length: 3000 }, (_, i) => {
      const inputTokens = 200 + Math.floor(random() * 1800);
      // Some answers are a single token (no decode rate), some streams have no first-token time.
      const outputTokens = i % 97 === 0 ? 1 : 20 + Math.floor(random() * 600);
      const timeToFirstTokenMs = i % 101 === 0 ? undefined : 80 + 500 * random() * random();
      const decodeMs = ((outputTokens - 1) / (25 + 40 * random())) * 1000;
      return { i, inputTokens, outputTokens, timeToFirstTokenMs, latencyMs: (timeToFirstTokenMs ?? 100) + decodeMs };
    });
    for (let start = 0; start < requests.length; start += 1000) {
      await telemetry.ingestPredictions({
        batchId: `llm-${start}`,
        source: 'vllm',
        events: requests.slice(start, start + 1000).map(r => ({
          model: MODEL,
          version: '3',
          requestId: `g${r.i}`,
          sequence: r.i,
          time: NOW - 2 * HOUR + r.i * 2000,
          latencyMs: r.latencyMs,
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          ...(r.timeToFirstTokenMs === undefined ? {} : { timeToFirstTokenMs: r.timeToFirstTokenMs }),
          segment: { platform: 'web' },
        })),
      });
    }
    const report = await kpis.report(MODEL, policy, { from: NOW - 2 * HOUR, to: NOW, stepMs: HOUR, modelType: 'llm' });
    const value = (name: string) => byName(report.metrics, name).series[0].current;
    const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
    const inputTokens = sum(requests.map(r => r.inputTokens));
    const outputTokens = sum(requests.map(r => r.outputTokens));
    expect(value('input_tokens')).toMatchObject({ numerator: inputTokens, denominator: 3000, value: inputTokens / 3000 });
    expect(value('output_tokens')).toMatchObject({ numerator: outputTokens, denominator: 3000, value: outputTokens / 3000 });
    expect(byName(report.metrics, 'input_tokens').unit).toBe('tokens');

    // Percentiles: within the log summary's relative error of the raw order statistic.
    const orderStatistic = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
    const firstTokens = requests.flatMap(r => (r.timeToFirstTokenMs === undefined ? [] : [r.timeToFirstTokenMs]));
    for (const [name, q] of [['time_to_first_token_p50', 0.5], ['time_to_first_token_p95', 0.95]] as const) {
      expect(value(name).denominator).toBe(firstTokens.length);
      expect(Math.abs(value(name).value! / orderStatistic(firstTokens, q) - 1)).toBeLessThanOrEqual(LOG_ACCURACY + 1e-12);
    }
    const rates = requests.flatMap(r =>
      r.timeToFirstTokenMs === undefined || r.outputTokens < 2 ? [] : [(r.outputTokens - 1) / ((r.latencyMs - r.timeToFirstTokenMs) / 1000)],
    );
    const rate = byName(report.metrics, 'output_tokens_per_second');
    expect(rate.series[0].current.denominator).toBe(rates.length);
    expect(Math.abs(rate.series[0].current.value! / orderStatistic(rates, 0.5) - 1)).toBeLessThanOrEqual(LOG_ACCURACY + 1e-12);
    expect(rate).toMatchObject({ unit: 'tokens-per-second', direction: 'higher-is-better', slo: { min: 30, max: null } });

    // Two hours of two replicas at 8 an hour over every token served, per million.
    const cost = byName(report.metrics, 'cost_per_1m_tokens');
    expect(cost.series[0].current.value).toBeCloseTo((16 / (inputTokens + outputTokens)) * 1e6, 6);
    expect(cost.series).toHaveLength(1);
    expect(cost.slo).toEqual({ min: null, max: 5 });
    expect(cost.series[0].current.value).toBeLessThan(5);
    expect(cost.sloStatus).toBe('ok');
    // The first-token p95 (about 530 ms here) against its 400 ms band.
    const p95 = byName(report.metrics, 'time_to_first_token_p95');
    expect(p95.series[0].current.value).toBeGreaterThan(400);
    expect(p95.sloStatus).toBe('breach');
    expect(byName(report.metrics, 'time_to_first_token_p50').slo).toBeNull();

    // An LLM without token telemetry shows the metrics without data; a model of another type
    // without tokens has none of them.
    const quiet = await kpis.report(MODEL, policy, { from: NOW - 8 * HOUR, to: NOW - 4 * HOUR, modelType: 'llm' });
    expect(byName(quiet.metrics, 'output_tokens_per_second').sloStatus).toBe('no-data');
    const ranker = await kpis.report(MODEL, policy, { from: NOW - 8 * HOUR, to: NOW - 4 * HOUR, modelType: 'ranker' });
    expect(ranker.metrics.map(m => m.name)).not.toContain('input_tokens');
  });

  it('refuses segments the policy does not slice by and steps that are not offered', async () => {
    const { report } = await setup();
    await expect(report({ segmentTags: ['country'] })).rejects.toThrow(/segments: "country" is not among the model's segment tags \(platform\)/);
    await expect(report({ stepMs: 7 * 60_000 })).rejects.toThrow(/step must be one of/);
    await expect(report({ stepMs: 5 * 60_000, from: NOW - 30 * DAY })).rejects.toThrow(/more than 2000 points/);
    await expect(report({ from: NOW, to: NOW })).rejects.toThrow(/from must be before to/);
  });

  it('a recount replaces 5-minute rows and moves hour and day rows by the difference', async () => {
    const { predict, label, store, knex } = await setup();
    const t = NOW - 5 * HOUR;
    await predict([{ id: 'q1', version: '1', at: t, platform: 'ios' }, { id: 'q2', version: '1', at: t + BUCKET_MS, platform: 'ios' }]);
    await label([['q1', 'click']], t + 1000);
    await store.recountLabels(MODEL, ['click'], ['platform'], t - HOUR, t + HOUR, false);
    await store.recountLabels(MODEL, ['click'], ['platform'], t - HOUR, t + HOUR, false);
    await label([['q2', 'click']], t + 2000);
    await store.recountLabels(MODEL, ['click'], ['platform'], t - HOUR, t + HOUR, false);
    const rows = await knex('mlops_label_rollups').where({ segment: '*' }).orderBy(['bucket_ms', 'bucket_start']).select('bucket_ms', 'positives');
    expect(rows.map(r => [Number(r.bucket_ms), Number(r.positives)])).toEqual([
      [BUCKET_MS, 1],
      [BUCKET_MS, 1],
      [HOUR, 2],
      [DAY, 2],
    ]);
  });
});
