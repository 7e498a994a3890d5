import { mockServices } from '@backstage/backend-test-utils';
import { modelPolicySchema } from '@modelrails/plugin-mlops-common';
import { SimulatedTraffic } from '../rollout';
import { RolloutStore } from '../rollout/RolloutStore';
import { TelemetryService } from '../telemetry/TelemetryService';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { DEMO_HISTORY_DAYS, DEMO_HISTORY_EVENTS_PER_MINUTE, DEMO_ROLLOUT_EVENTS_PER_MINUTE, DemoTraffic } from './demoTraffic';

const MODEL = 'model:default/related-items-ranker';

/** A telemetry service that keeps what the demo sends. */
function recordingTelemetry() {
  const predictions: any[] = [];
  const outcomes: any[] = [];
  const telemetry = {
    policy: async () => modelPolicySchema.parse({}),
    putReferenceProfile: async () => undefined,
    ingestPredictions: async (body: any) => {
      predictions.push(...body.events.map((e: any) => ({ ...e, source: e.source ?? body.source })));
      return { accepted: body.events.length };
    },
    ingestOutcomes: async (body: any) => {
      outcomes.push(...body.outcomes);
      return { accepted: body.outcomes.length };
    },
  };
  return { telemetry: telemetry as unknown as TelemetryService, predictions, outcomes };
}

async function oneMinute(split: { weight: number; mirrored: boolean }) {
  const { telemetry, predictions, outcomes } = recordingTelemetry();
  const simulated = new SimulatedTraffic();
  await simulated.router(MODEL).apply({ champion: '3', challenger: '4' }, split);
  // Telemetry up to now already stored: no backfill.
  const store = { readSummaries: async () => [{ bucketStart: Date.now() }] } as unknown as TelemetryStore;
  const rollouts = { list: async () => [{ id: 'r1', modelRef: MODEL, version: '4', champion: '3', scaledDown: false, endedAt: null }] } as unknown as RolloutStore;
  const traffic = new DemoTraffic(telemetry, store, mockServices.logger.mock(), { routerFor: () => simulated.router(MODEL), rollouts });
  const now = Date.now();
  await traffic.start(now - 60_000);
  traffic.stop();
  predictions.length = 0;
  outcomes.length = 0;
  await traffic.tick(now);
  return { predictions: predictions.filter(p => p.model === MODEL), outcomes };
}

describe('demo traffic during a rollout', () => {
  it('sends the challenger its share of requests at the rollout rate, and its CTR drop', async () => {
    const { predictions, outcomes } = await oneMinute({ weight: 25, mirrored: false });
    const byVersion = (v: string) => predictions.filter(p => p.version === v);
    expect(predictions).toHaveLength(DEMO_ROLLOUT_EVENTS_PER_MINUTE);
    expect(byVersion('4')).toHaveLength(DEMO_ROLLOUT_EVENTS_PER_MINUTE / 4);
    expect(byVersion('3')).toHaveLength((3 * DEMO_ROLLOUT_EVENTS_PER_MINUTE) / 4);
    const ctr = (v: string) => outcomes.filter(o => byVersion(v).some(p => p.requestId === o.requestId)).length / byVersion(v).length;
    expect(ctr('4') / ctr('3')).toBeLessThan(0.75);
  });

  it('mirrors every champion request to the challenger in shadow, with the same request ids, numbered by the mirror\'s own source', async () => {
    const { predictions } = await oneMinute({ weight: 0, mirrored: true });
    const champion = predictions.filter(p => p.version === '3');
    const mirror = predictions.filter(p => p.version === '4');
    expect(mirror.map(p => p.requestId)).toEqual(champion.map(p => p.requestId));
    expect(new Set(mirror.map(p => p.source)).size).toBe(1);
    expect(mirror[0].source).not.toBe(champion[0].source);
    const mirrored = new Set(mirror.map(p => `${p.source}:${p.sequence}`));
    expect(mirrored.size).toBe(mirror.length);
  });
});

describe('the week before the live backfill', () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const AD = 'model:default/ad-ctr-predictor';

  async function sendWeek(filled: (modelRef: string) => number[]) {
    const { telemetry, predictions, outcomes } = recordingTelemetry();
    // The live two hours already stored; the week before holds what `filled` says, as hourly rows.
    const store = {
      readSummaries: async (q: any) => (q.resolution === 'coarsest' ? filled(q.modelRef).map(bucketStart => ({ bucketStart })) : [{ bucketStart: Date.now() }]),
    } as unknown as TelemetryStore;
    const traffic = new DemoTraffic(telemetry, store, mockServices.logger.mock());
    const now = Date.UTC(2026, 11, 3, 15, 20);
    await traffic.start(now);
    traffic.stop();
    const sent = await traffic.sendHistory(now);
    expect(sent.to).toBe(traffic.backfilledFrom);
    return { predictions, outcomes, now, sentFrom: sent.from, liveFrom: traffic.backfilledFrom };
  }

  it('fills every hour of the seven days before the live backfill at the history rate, the backtest model carrying its days', async () => {
    // Every model but the ad CTR predictor already has its week: only that one is sent.
    const { predictions, outcomes, now, sentFrom, liveFrom } = await sendWeek(modelRef => {
      if (modelRef === AD) return [];
      const hours = [];
      for (let t = Date.UTC(2026, 10, 26); t < Date.UTC(2026, 11, 4); t += HOUR) hours.push(t);
      return hours;
    });
    expect(new Set(predictions.map(p => p.model))).toEqual(new Set([AD]));
    expect(sentFrom).toBe(Math.floor((now - DEMO_HISTORY_DAYS * DAY) / HOUR) * HOUR);
    const perHour = new Map<number, number>();
    for (const p of predictions) perHour.set(Math.floor(p.time / HOUR) * HOUR, (perHour.get(Math.floor(p.time / HOUR) * HOUR) ?? 0) + 1);
    // Whole hours up to the live backfill, the last one cut where the live backfill begins.
    const hours = Math.ceil((liveFrom - sentFrom) / HOUR);
    expect(perHour.size).toBe(hours);
    const hourStarts = [...perHour.keys()];
    expect(Math.min(...hourStarts)).toBeGreaterThanOrEqual(sentFrom);
    expect(Math.max(...hourStarts)).toBeLessThan(liveFrom);
    const whole = [...perHour].filter(([hour]) => hour + HOUR <= liveFrom).map(([, n]) => n);
    expect(new Set(whole)).toEqual(new Set([DEMO_HISTORY_EVENTS_PER_MINUTE * 60]));
    expect(Math.max(...predictions.map(p => p.time))).toBeLessThan(liveFrom);
    // Its own sender, numbering from 0 without gaps.
    expect(new Set(predictions.map(p => p.source)).size).toBe(1);
    expect(predictions.map(p => p.sequence)).toEqual(predictions.map((_, i) => i));

    // The days of HISTORY: item_price shifted three days ago (index 3 of six), clicks halved with it.
    const today = Date.UTC(2026, 11, 3);
    const dayOf = (d: number) => predictions.filter(p => p.time >= today - d * DAY && p.time < today - (d - 1) * DAY);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const price = (d: number) => mean(dayOf(d).map(p => p.features.item_price));
    expect(price(5) - price(6)).toBeGreaterThan(15); // the first shift: 1.5 × 15
    expect(Math.abs(price(4) - price(6))).toBeLessThan(2);
    const clickRate = (d: number) => {
      const ids = new Set(dayOf(d).map(p => p.requestId));
      return outcomes.filter(o => o.outcome === 'click' && ids.has(o.requestId)).length / ids.size;
    };
    expect(clickRate(3) / clickRate(4)).toBeLessThan(0.6);
    expect(clickRate(5) / clickRate(4)).toBeGreaterThan(0.85);
  });

  it('sends nothing for hours an earlier start filled', async () => {
    const { predictions, sentFrom } = await sendWeek(() => {
      const hours = [];
      for (let t = Date.UTC(2026, 10, 25); t < Date.UTC(2026, 11, 4); t += HOUR) hours.push(t);
      return hours;
    });
    expect(predictions.filter(p => p.source.endsWith('-history'))).toEqual([]);
    expect(sentFrom).toBeGreaterThan(0);
  });
});
