import { mockServices } from '@backstage/backend-test-utils';
import { InputError, NotFoundError } from '@backstage/errors';
import { DriftSeries, modelPolicySchema, ModelPolicyInput } from '@modelrails/plugin-mlops-common';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { migrateDatabase } from '../migrations';
import { DatabaseTelemetryStore } from '../telemetry/DatabaseTelemetryStore';
import { DefaultDriftService, distributionBins, DriftService } from './DriftService';
import { DefaultTelemetryService, TelemetryService } from '../telemetry/TelemetryService';
import { ALL_TRAFFIC, BUCKET_MS } from '../telemetry/constants';
import { SimulatedEvent, toWire, trainingProfile, TrafficScenario, TrafficSimulator } from '../demo/simulation';
import { decodeSummary, NumericSummary } from '../stats/summaries';

jest.setTimeout(120_000);

const databases = createTestDatabases();
const MODEL = 'model:default/home-feed-ranker';
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

describe.each(databases.eachSupportedId())('drift series and distributions on %s', databaseId => {
  async function setup(policy: ModelPolicyInput) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(mockServices.database({ knex, migrations: { skip: false } }));
    const store = new DatabaseTelemetryStore(knex);
    const parsed = modelPolicySchema.parse(policy);
    const telemetry = new DefaultTelemetryService({ store, policies: async ref => (ref === MODEL ? parsed : undefined), rawSampleRate: 0, now: () => NOW });
    const drift = new DefaultDriftService(store, telemetry, () => NOW);
    await telemetry.putReferenceProfile(MODEL, '17', trainingProfile(1));
    return { knex, store, telemetry, drift };
  }

  /** `hours` hours of traffic before NOW, 5-minute batches; `scenario(hour, bucket)` shapes each batch. */
  async function stream(telemetry: TelemetryService, hours: number, perBucket: number, scenario: (hour: number, bucket: number) => TrafficScenario) {
    const sim = new TrafficSimulator(MODEL, 'pod-a', 3);
    const sent: SimulatedEvent[] = [];
    const start = NOW - hours * HOUR;
    for (let h = 0; h < hours; h++) {
      for (let b = 0; b < 12; b++) {
        const at = start + h * HOUR + b * BUCKET_MS;
        const events = sim.events('17', perBucket, at, at + BUCKET_MS, scenario(h, b));
        sent.push(...events);
        await telemetry.ingestPredictions({ batchId: `h${h}b${b}`, source: 'pod-a', events: toWire(events) });
      }
    }
    return sent;
  }

  /** Every cell is what a drift report of its step says of that feature on that segment. */
  async function expectCellsMatchReports(drift: DriftService, series: DriftSeries) {
    for (const [i, step] of series.steps.entries()) {
      const report = await drift.report(MODEL, { version: '17', from: Date.parse(step.start), to: Date.parse(step.end) });
      if (i === 0) expect(report.reference).toEqual(series.reference);
      for (const { feature, cells } of series.features) {
        const f = report.features.find(x => x.feature === feature && x.segment === series.segment);
        const cell = cells[i];
        if (!f) {
          expect(cell).toMatchObject({ n: 0, severity: 'insufficient' });
          continue;
        }
        expect({ feature, step: i, n: cell.n, test: cell.test, severity: cell.severity }).toEqual({ feature, step: i, n: f.n, test: f.test, severity: f.severity });
        for (const key of ['psi', 'pValue', 'jensenShannon'] as const) {
          if (f[key] === null) expect(cell[key]).toBeNull();
          else expect(cell[key]).toBeCloseTo(f[key]!, 9);
        }
      }
    }
  }

  it('gives each step the verdict a drift report of that step gives, and marks contract violations in their step', async () => {
    const { telemetry, drift } = await setup({ drift: { segments: ['platform'] } });
    await stream(telemetry, 6, 300, (h, b) => ({ priceShift: h >= 3 ? 0.8 : 0, countryAsNumber: h === 4 && b === 5 }));
    const series = await drift.series(MODEL, { from: NOW - 6 * HOUR, to: NOW, stepMs: HOUR });
    expect(series).toMatchObject({ version: '17', segment: ALL_TRAFFIC, stepMs: HOUR, reference: { kind: 'training' } });
    expect(series.steps.map(s => s.events)).toEqual(new Array(6).fill(3600));
    expect(series.features.map(f => f.feature)).toEqual(expect.arrayContaining(['item_price', 'user_age', 'user_country']));
    const price = series.features.find(f => f.feature === 'item_price')!;
    expect(price.cells.map(c => c.severity !== 'none')).toEqual([false, false, false, true, true, true]);
    const country = series.features.find(f => f.feature === 'user_country')!;
    expect(country.cells.map(c => c.violations)).toEqual([[], [], [], [], ['type-change'], []]);
    expect(series.violations).toEqual([
      expect.objectContaining({ feature: 'user_country', check: 'type-change', firstBucket: new Date(NOW - 2 * HOUR).toISOString(), open: false }),
    ]);
    await expectCellsMatchReports(drift, series);
  });

  it('widens the window to whole steps, slices by a segment value and refuses other segments', async () => {
    const { telemetry, drift } = await setup({ drift: { segments: ['platform'] } });
    const sent = await stream(telemetry, 2, 200, () => ({}));
    const series = await drift.series(MODEL, { from: NOW - 2 * HOUR + 7 * 60_000, to: NOW - 3 * 60_000, stepMs: HOUR, segment: 'platform=android' });
    expect([series.from, series.to]).toEqual([new Date(NOW - 2 * HOUR).toISOString(), new Date(NOW).toISOString()]);
    const android = sent.filter(e => e.segment.platform === 'android');
    expect(series.steps.reduce((n, s) => n + s.events, 0)).toBe(android.length);
    await expectCellsMatchReports(drift, series);
    for (const segment of ['country=US', 'platform=', 'platform']) {
      await expect(drift.series(MODEL, { from: NOW - HOUR, to: NOW, segment })).rejects.toThrow(InputError);
    }
    await expect(drift.series(MODEL, { from: NOW - HOUR, to: NOW, stepMs: 7 * 60_000 })).rejects.toThrow(/step must be one of/);
    await expect(drift.series(MODEL, { from: NOW - 90 * 24 * HOUR, to: NOW, stepMs: BUCKET_MS })).rejects.toThrow(/more than 500 points/);
  });

  it('compares each step with the rolling window before it when the policy says so', async () => {
    const { telemetry, drift } = await setup({ drift: { segments: [], reference: { rollingWindow: '2h' } } });
    await stream(telemetry, 5, 150, h => ({ priceShift: h >= 3 ? 0.8 : 0 }));
    const series = await drift.series(MODEL, { from: NOW - 3 * HOUR, to: NOW, stepMs: HOUR });
    expect(series.reference).toEqual({ kind: 'rolling', from: new Date(NOW - 5 * HOUR).toISOString(), to: new Date(NOW - 3 * HOUR).toISOString() });
    await expectCellsMatchReports(drift, series);
    // The shift is news against the hours before it, and old news an hour later.
    const price = series.features.find(f => f.feature === 'item_price')!;
    expect(price.cells[1].psi!).toBeGreaterThan(price.cells[2].psi!);
  });

  it('keeps closed steps: asked again it reads only the open step, and telemetry arriving late for an old bucket is seen', async () => {
    const { store, telemetry, drift } = await setup({ drift: { segments: [], reference: { rollingWindow: '2h' } } });
    await stream(telemetry, 5, 150, h => ({ priceShift: h >= 3 ? 0.8 : 0 }));
    // The last step, [NOW, NOW + 1 h), is still open.
    const window = { from: NOW - 3 * HOUR, to: NOW + HOUR, stepMs: HOUR };
    const first = await drift.series(MODEL, window);
    const reads = jest.spyOn(store, 'readSummaries');
    const featureReads = () => reads.mock.calls.map(([q]) => q).filter(q => !q.features).map(q => (q.from - NOW) / HOUR);
    expect(await drift.series(MODEL, window)).toEqual(first);
    // The open step and its rolling reference only.
    expect(featureReads()).toEqual([-2]);

    // A fleet's late batch for a bucket in the first step's reference window.
    reads.mockClear();
    const at = NOW - 4 * HOUR;
    const late = new TrafficSimulator(MODEL, 'pod-late', 9).events('17', 300, at, at + BUCKET_MS, { priceShift: 2 });
    await telemetry.ingestPredictions({ batchId: 'late', source: 'pod-late', events: toWire(late) });
    const again = await drift.series(MODEL, window);
    expect(featureReads()).toEqual([-5]);
    expect(again).not.toEqual(first);
    expect(again).toEqual(await new DefaultDriftService(store, telemetry, () => NOW).series(MODEL, window));
    await expectCellsMatchReports(drift, { ...again, steps: again.steps.slice(0, 3), features: again.features.map(f => ({ ...f, cells: f.cells.slice(0, 3) })) });
  });

  it('keeps closed steps in the database: after a restart only the open step is read, and a late commit drops the verdicts it makes stale', async () => {
    const { knex, store, telemetry, drift } = await setup({ drift: { segments: [], reference: { rollingWindow: '2h' } } });
    await stream(telemetry, 5, 150, h => ({ priceShift: h >= 3 ? 0.8 : 0 }));
    const window = { from: NOW - 3 * HOUR, to: NOW + HOUR, stepMs: HOUR };
    const first = await drift.series(MODEL, window);
    const kept = async () => Number((await knex('mlops_step_verdicts').count({ n: '*' }))[0].n);
    expect(await kept()).toBe(3);
    const reads = jest.spyOn(store, 'readSummaries');
    const featureReads = () => reads.mock.calls.map(([q]) => q).filter(q => !q.features).map(q => (q.from - NOW) / HOUR);
    // A restarted backend (nothing in memory) judges the open step only.
    expect(await new DefaultDriftService(store, telemetry, () => NOW).series(MODEL, window)).toEqual(first);
    expect(featureReads()).toEqual([-2]);

    // Late telemetry for the first step's reference window: its commit forgets the kept verdicts.
    const at = NOW - 4 * HOUR;
    const late = new TrafficSimulator(MODEL, 'pod-late', 9).events('17', 300, at, at + BUCKET_MS, { priceShift: 2 });
    await telemetry.ingestPredictions({ batchId: 'late', source: 'pod-late', events: toWire(late) });
    expect(await kept()).toBe(0);
    reads.mockClear();
    const fresh = await new DefaultDriftService(store, telemetry, () => NOW).series(MODEL, window);
    expect(featureReads()).toEqual([-5]);
    expect(fresh).not.toEqual(first);
    await expectCellsMatchReports(drift, { ...fresh, steps: fresh.steps.slice(0, 3), features: fresh.features.map(f => ({ ...f, cells: f.cells.slice(0, 3) })) });

    // Another replica's commit announced while verdicts were being kept, its deletion not yet run:
    // the series sees the announcement and does not keep them.
    await knex('mlops_step_verdicts').delete();
    const racing = Object.create(store) as DatabaseTelemetryStore;
    racing.putStepVerdicts = async (...args) => {
      await store.putStepVerdicts(...args);
      await store.recordSummaryChanges([{ modelRef: MODEL, oldestBucket: NOW - 4 * HOUR }], 'replica-b', NOW);
    };
    expect(await new DefaultDriftService(racing, telemetry, () => NOW).series(MODEL, window)).toEqual(fresh);
    expect(await kept()).toBe(0);
  });

  it("keeps a busy model's closed steps: live traffic into the open step while they are judged leaves them, a late batch drops only the steps it reaches", async () => {
    const { knex, store, telemetry } = await setup({ drift: { segments: [], reference: { rollingWindow: '2h' } } });
    await stream(telemetry, 5, 150, h => ({ priceShift: h >= 3 ? 0.8 : 0 }));
    const window = { from: NOW - 3 * HOUR, to: NOW + HOUR, stepMs: HOUR };
    const keptSteps = async () => (await knex('mlops_step_verdicts').orderBy('step_start').pluck('step_start')).map(start => (Number(start) - NOW) / HOUR);
    // A batch committed right after the series has read its rows, as serving sends while a cold 30-day series is judged.
    let batchAt = NOW;
    let batches = 0;
    const busy = Object.create(store) as DatabaseTelemetryStore;
    busy.readSummaries = async query => {
      const rows = await store.readSummaries(query);
      if (!query.features) {
        const events = new TrafficSimulator(MODEL, `pod-live-${batches}`, 11 + batches).events('17', 40, batchAt, batchAt + 60_000, {});
        await telemetry.ingestPredictions({ batchId: `live-${batches}`, source: `pod-live-${batches++}`, events: toWire(events) });
      }
      return rows;
    };
    const drift = new DefaultDriftService(busy, telemetry, () => NOW);
    const first = await drift.series(MODEL, window);
    expect(batches).toBe(1);
    expect(await keptSteps()).toEqual([-3, -2, -1]);
    // Kept in memory too: asked again, only the open step is read.
    const reads = jest.spyOn(busy, 'readSummaries');
    const featureReads = () => reads.mock.calls.map(([q]) => q).filter(q => !q.features).map(q => (q.from - NOW) / HOUR);
    const again = await drift.series(MODEL, window);
    expect(featureReads()).toEqual([-2]);
    // The closed steps are what a backend judging from scratch says; the open step has the live batches since.
    const fromScratch = await new DefaultDriftService(store, telemetry, () => NOW).series(MODEL, window);
    const closedSteps = (series: DriftSeries) => series.features.map(f => ({ feature: f.feature, cells: f.cells.slice(0, 3) }));
    expect(closedSteps(first)).toEqual(closedSteps(fromScratch));
    expect(closedSteps(again)).toEqual(closedSteps(fromScratch));
    expect(again.steps[3].events).toBe(fromScratch.steps[3].events - 40);

    // A late batch for the step before last, committed while a restarted backend judges: that
    // step and the last one (whose rolling reference holds it) are dropped, the first is kept.
    await knex('mlops_step_verdicts').delete();
    batchAt = NOW - 90 * 60_000;
    const restarted = new DefaultDriftService(busy, telemetry, () => NOW);
    await restarted.series(MODEL, window);
    expect(await keptSteps()).toEqual([-3]);
    reads.mockClear();
    batchAt = NOW;
    const after = await restarted.series(MODEL, window);
    // Judged again from the step the late batch reached (its rolling reference from an hour before).
    expect(featureReads()).toEqual([-4]);
    expect(closedSteps(after)).toEqual(closedSteps(await new DefaultDriftService(store, telemetry, () => NOW).series(MODEL, window)));
  });

  it('keeps a contract violation open while the bucket just begun holds too few values to decide', async () => {
    const { store, telemetry } = await setup({ drift: { segments: [] } });
    await stream(telemetry, 1, 100, () => ({ countryAsNumber: true }));
    // One minute into the next bucket: three clean events so far.
    const later = NOW + 60_000;
    const policy = modelPolicySchema.parse({ drift: { segments: [] } });
    const laterTelemetry = new DefaultTelemetryService({ store, policies: async ref => (ref === MODEL ? policy : undefined), rawSampleRate: 0, now: () => later });
    const drift = new DefaultDriftService(store, laterTelemetry, () => later);
    const clean = new TrafficSimulator(MODEL, 'pod-b', 5).events('17', 3, NOW, later, {});
    await laterTelemetry.ingestPredictions({ batchId: 'new-bucket', source: 'pod-b', events: toWire(clean) });
    const typeChange = (violations: Array<{ feature: string; check: string; open: boolean }>) => violations.find(v => v.feature === 'user_country' && v.check === 'type-change');
    expect(typeChange((await drift.report(MODEL)).violations)).toMatchObject({ open: true });
    expect(typeChange((await drift.series(MODEL, { from: NOW - HOUR, to: later, stepMs: BUCKET_MS })).violations)).toMatchObject({ open: true });
  });

  it("shows a feature's reference and current distributions as shares per bin, with the report's verdict", async () => {
    const { store, telemetry, drift } = await setup({ drift: { segments: ['platform'] } });
    const sent = await stream(telemetry, 1, 300, () => ({ priceShift: 0.8 }));
    const price = await drift.distribution(MODEL, { feature: 'item_price' });
    const report = await drift.report(MODEL);
    expect(price.drift).toEqual(report.features.find(f => f.feature === 'item_price' && f.segment === ALL_TRAFFIC));
    // Hand count: each sent price into the profile's bins (a value sits in the first bin whose upper edge is ≥ it).
    const profile = (await store.getReferenceProfile(MODEL, '17'))!.features.find(f => f.feature === 'item_price')!;
    const edges = profile.layout!.edges;
    const counts = new Array(edges.length + 1).fill(0);
    const inWindow = sent.filter(e => e.time >= Date.parse(price.window.from) && e.time < Date.parse(price.window.to));
    const prices = inWindow.map(e => e.features.item_price).filter((v): v is number => typeof v === 'number');
    for (const v of prices) {
      let bin = 0;
      while (bin < edges.length && edges[bin] < v) bin++;
      counts[bin]++;
    }
    // The profile's bins (a thousand quantiles) are joined into at most 30 bars on its edges: each bar
    // holds the hand count of every bin between its edges.
    expect(price.bins.length).toBeLessThanOrEqual(30);
    const reference = decodeSummary(profile.summary, edges.length + 1) as NumericSummary;
    const binsOf = (bar: { lower: number | null; upper: number | null }) =>
      counts.map((_, i) => i).filter(i => (bar.lower === null || (i > 0 && edges[i - 1] >= bar.lower)) && (bar.upper === null || (i < edges.length && edges[i] <= bar.upper)));
    let covered = 0;
    const barEdges = price.bins.flatMap(bar => [bar.lower, bar.upper]).filter((e): e is number => e !== null);
    expect(barEdges.filter(e => !edges.includes(e))).toEqual([]);
    for (const bar of price.bins) {
      const inBar = binsOf(bar);
      covered += inBar.length;
      expect(bar.current).toBeCloseTo(inBar.reduce((t, i) => t + counts[i], 0) / prices.length, 12);
      expect(bar.reference).toBeCloseTo(inBar.reduce((t, i) => t + reference.counts[i], 0) / reference.n, 12);
    }
    expect(covered).toBe(edges.length + 1);
    expect(price.bins[0]).toMatchObject({ lower: null });
    expect(price.bins[price.bins.length - 1]).toMatchObject({ upper: null });

    const country = await drift.distribution(MODEL, { feature: 'user_country', segment: 'platform=ios' });
    expect(country.bins.reduce((t, b) => t + b.current, 0)).toBeCloseTo(1, 9);
    expect(country.bins.map(b => b.label)).toEqual(expect.arrayContaining(['US', 'DE']));
    await expect(drift.distribution(MODEL, { feature: 'no_such_feature' })).rejects.toThrow(NotFoundError);
    await expect(drift.distribution(MODEL, { feature: 'item_price', segment: 'os=ios' })).rejects.toThrow(InputError);
  });
});

describe('distribution bins', () => {
  it('joins a hundred quantile bins into at most 30 bars on bin edges, shares kept', () => {
    const edges = Array.from({ length: 99 }, (_, i) => i + 1);
    const counts = Array.from({ length: 100 }, (_, i) => 10 + (i % 7));
    const shifted = Array.from({ length: 100 }, (_, i) => (i > 80 ? 40 : 5));
    const n = (c: number[]) => c.reduce((a, b) => a + b, 0);
    const summary = (c: number[]) => ({ kind: 'numeric' as const, n: n(c), nulls: 0, missing: 0, typeMismatches: 0, counts: c }) as unknown as NumericSummary;
    const bars = distributionBins(summary(counts), summary(shifted), { edges } as never);
    expect(bars.length).toBeLessThanOrEqual(30);
    expect(bars.length).toBe(Math.ceil(100 / Math.ceil(100 / 30)));
    // Each bar is whole bins: its edges are layout edges, and its share is the sum of its bins'.
    expect(bars[0]).toMatchObject({ lower: null, upper: 4, label: '≤ 4' });
    expect(bars[1]).toMatchObject({ lower: 4, upper: 8 });
    expect(bars[bars.length - 1]).toMatchObject({ lower: 96, upper: null });
    expect(bars[1].reference).toBeCloseTo(n(counts.slice(4, 8)) / n(counts), 12);
    expect(bars[bars.length - 1].current).toBeCloseTo(n(shifted.slice(96)) / n(shifted), 12);
    expect(bars.reduce((t, b) => t + b.reference, 0)).toBeCloseTo(1, 12);
    expect(bars.reduce((t, b) => t + b.current, 0)).toBeCloseTo(1, 12);
  });


  it('keeps the 29 largest categories and folds the rest into "other"', () => {
    const counts = new Map(Array.from({ length: 40 }, (_, i) => [`c${i}`, 40 - i]));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const summary = { kind: 'categorical' as const, n: total, nulls: 0, missing: 0, typeMismatches: 0, counts };
    const bins = distributionBins(summary, summary, null);
    expect(bins).toHaveLength(30);
    expect(bins[0]).toMatchObject({ label: 'c0', reference: 40 / total, current: 40 / total });
    expect(bins[29].label).toBe('other (11)');
    expect(bins.reduce((t, b) => t + b.reference, 0)).toBeCloseTo(1, 12);
  });
});
