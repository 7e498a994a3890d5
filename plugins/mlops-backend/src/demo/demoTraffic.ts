import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { kpiOutcomes } from '../kpi/LabelRollups';
import { DEMO_MODELS } from './demoRegistry';
import { DEMO_CHALLENGER_BEHAVIOUR } from './demoRollouts';
import { RegistryStore } from '../registry/RegistryStore';
import { RolloutStore } from '../rollout';
import { RolloutRecord } from '../rollout/RolloutStore';
import { TrafficRouter } from '../rollout/TrafficRouter';
import { TelemetryService } from '../telemetry/TelemetryService';
import { BUCKET_MS, bucketOf } from '../telemetry/constants';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { LabelModel, mirrorEvents, SimulatedEvent, toWire, trainingProfile, TrafficScenario, TrafficSimulator } from './simulation';
import { evaluationOutcome } from '../evaluation';
import { simulationRandom } from '../stats/random';

/*
 * Traffic for the embedded demo, through the same ingestion path as a serving fleet's. Every live
 * model gets steady traffic, split between champion and challenger as the simulated router says
 * while a rollout runs (see demoRollouts.ts); these carry the field reports' incidents:
 *   home-feed-ranker   user_country re-encoded upstream as ISO numbers (contract violation, pages)
 *                      and the Android client sending session length in ms (Android only)
 *   ad-ctr-predictor   item_price drifting upwards (statistical drift, warns, then critical)
 *   checkout-fraud-detector  more high-value baskets: item_price's share above the reference's
 *                      99th percentile 2.5 times the reference's, the body unchanged (the tail check)
 *   support-assistant  an LLM: its requests carry tokens in and out and the time to first token
 */
const INCIDENTS: Record<string, (minutesAgo: number) => TrafficScenario> = {
  // Retrieval and embedding serve within their tight latency budgets (p99 25 ms, p95 15 ms).
  'candidate-retrieval-two-tower': () => ({ latencyFactor: 0.6 }),
  'item-embedding-encoder': () => ({ latencyFactor: 0.45 }),
  'home-feed-ranker': minutesAgo => ({ countryAsNumber: minutesAgo < 20, androidSessionInMs: minutesAgo < 40 }),
  'ad-ctr-predictor': minutesAgo => ({ priceShift: Math.max(0, 1.2 - minutesAgo / 50) }),
  'checkout-fraud-detector': () => ({ priceTail: 0.015 }),
  // Streamed LLM answers: tokens, time to first token, decode rate (its KPIs and cost per 1M tokens).
  'support-assistant': () => ({ llm: true }),
};

/**
 * The days before today, for the drift backtest to look back on (whole UTC days; raw events are
 * kept seven): ad-ctr-predictor's item_price shifted twice and its upper tail grew once, and only
 * the second shift came with a fall in clicks. Index 0 is six days ago.
 */
const HISTORY: Record<string, TrafficScenario[]> = {
  'ad-ctr-predictor': [{}, { priceShift: 1.5 }, {}, { priceShift: 1.5, clickRateFactor: 0.5 }, {}, { priceTail: 0.03 }],
};
/**
 * The week before the live backfill, at a twentieth of the live rate: every hour of a 7-day
 * sparkline and every day of a backtest has enough requests to judge (600 an hour, 14,400 a day):
 * about 100,000 a model, four times the live backfill's 24,000, sent hour by hour in the background.
 */
export const DEMO_HISTORY_EVENTS_PER_MINUTE = 10;
export const DEMO_HISTORY_DAYS = 7;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const DEMO_EVENTS_PER_MINUTE = 200;
/** While a model's rollout runs: enough for its canary steps to reach their samples in seconds. */
export const DEMO_ROLLOUT_EVENTS_PER_MINUTE = 6000;
const BACKFILL_MS = 2 * 3600_000;
const TICK_MS = 5_000;

/** The outcomes each model's KPIs count, besides the click every demo model's users give. */
function outcomesOf(policy: ModelPolicy | undefined) {
  return [...new Set(['click', ...(policy ? kpiOutcomes(policy) : [])])];
}

/**
 * Which outcomes a simulated request earns besides its click: a share of the clicks (a purchase, a
 * chargeback) or of all requests (a session). Checkout fraud's chargebacks run above its SLO band.
 */
const DEMO_OUTCOMES: Record<string, { of: 'clicks' | 'requests'; share: number }> = {
  purchase: { of: 'clicks', share: 0.2 },
  session: { of: 'requests', share: 0.6 },
  chargeback: { of: 'clicks', share: 0.05 },
  challenged: { of: 'clicks', share: 0.1 },
  // Support agents send most of the assistant's drafts, the better grounded the likelier (an LLM's
  // simulated "click" follows its groundedness score).
  draft_accepted: { of: 'clicks', share: 0.9 },
};

/** A fixed pseudo-random fraction per request and outcome, so a redelivered label stays the same. */
function fraction(sequence: number, outcome: string) {
  let h = Math.imul(sequence ^ 0x9e3779b9, 0x85ebca6b);
  for (let i = 0; i < outcome.length; i++) h = Math.imul(h ^ outcome.charCodeAt(i), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** The training labels of the outcome a model is judged by, as the simulated users earn it. */
function labelModelOf(policy: ModelPolicy | undefined): LabelModel {
  const outcome = (policy && evaluationOutcome(policy)) ?? 'click';
  if (outcome === 'click') return { outcome, probability: score => score };
  const rule = DEMO_OUTCOMES[outcome] ?? { of: 'clicks', share: 0.25 };
  return { outcome, probability: score => (rule.of === 'requests' ? rule.share : score * rule.share) };
}

const earns = (outcome: string, e: SimulatedEvent) => {
  if (outcome === 'click') return e.clicked;
  const rule = DEMO_OUTCOMES[outcome] ?? { of: 'clicks', share: 0.25 };
  return (rule.of === 'requests' || e.clicked) && fraction(e.sequence, outcome) < rule.share;
};

type DemoTrafficOptions = {
  /** Where the champion alias points now (a rollout moves it). */
  registry?: RegistryStore;
  /** The router of a rollout: its split (simulated, or an HTTPRoute's weights) is followed request by request. */
  routerFor?: (rollout: RolloutRecord) => Pick<TrafficRouter, 'read'>;
  rollouts?: RolloutStore;
};

export function demoLiveModels() {
  return DEMO_MODELS.filter(m => m.champion !== undefined).map(m => ({
    name: m.name,
    modelRef: `model:default/${m.name}`,
    version: String(m.firstVersion + m.champion!),
    serving: m.serving,
  }));
}

export class DemoTraffic {
  private readonly simulators = new Map<string, TrafficSimulator>();
  private readonly runId = Date.now().toString(36);
  private timer?: NodeJS.Timeout;
  private lastSent = 0;
  /** Where the backfill of the last start() began. */
  backfilledFrom = 0;

  private readonly outcomes = new Map<string, string[]>();
  private readonly mirrorSequences = new Map<string, number>();
  private readonly mirrorRandom = simulationRandom(4242);

  constructor(
    private readonly telemetry: TelemetryService,
    private readonly store: TelemetryStore,
    private readonly logger: LoggerService,
    private readonly options: DemoTrafficOptions = {},
  ) {}

  /** Sources are per model and process start: sequences restart at 0 and must not collide. */
  private readonly labelSequences = new Map<string, number>();

  private nextLabelSequence(name: string) {
    const next = this.labelSequences.get(name) ?? 0;
    this.labelSequences.set(name, next + 1);
    return next;
  }

  private source(name: string) {
    return `demo-${this.runId}-${name}`;
  }

  private simulator(modelRef: string, name: string, seed: number) {
    let sim = this.simulators.get(modelRef);
    if (!sim) {
      sim = new TrafficSimulator(modelRef, this.source(name), seed);
      this.simulators.set(modelRef, sim);
    }
    return sim;
  }

  /**
   * Waits in the background until the catalog knows the demo models (it ingests catalog/*.yaml
   * after startup), then starts; never fails the backend's startup.
   */
  startWhenCatalogReady(intervalMs = 5_000, onReady?: () => Promise<void>) {
    const attempt = async () => {
      const models = demoLiveModels();
      const known = await Promise.all(models.map(m => this.telemetry.policy(m.modelRef).catch(() => undefined)));
      if (known.some(p => !p)) {
        this.timer = setTimeout(() => attempt().catch(e => this.logger.warn(`Demo traffic: ${(e as Error).message}`)), intervalMs);
        this.timer.unref?.();
        return;
      }
      await this.start();
      await onReady?.();
    };
    attempt().catch(e => this.logger.warn(`Demo traffic could not start: ${(e as Error).message}`));
  }

  /** Uploads training profiles, backfills the last two hours and streams on every few seconds. */
  async start(now = Date.now()) {
    const models = demoLiveModels();
    for (const [i, m] of models.entries()) {
      const policy = await this.telemetry.policy(m.modelRef);
      this.outcomes.set(m.modelRef, outcomesOf(policy));
      const challengers = Object.keys(DEMO_CHALLENGER_BEHAVIOUR[m.name] ?? {});
      for (const version of [m.version, ...challengers]) {
        try {
          await this.telemetry.putReferenceProfile(m.modelRef, version, trainingProfile(1000 + i, 20_000, labelModelOf(policy), m.serving));
        } catch (e) {
          if (!(e instanceof ConflictError)) throw e;
        }
      }
    }
    const from = bucketOf(now - BACKFILL_MS);
    this.backfilledFrom = from;
    for (const [i, m] of models.entries()) {
      const existing = await this.store.readSummaries({ modelRef: m.modelRef, features: ['__events'], segments: ['*'], from, to: now + BUCKET_MS });
      const resumeAt = existing.length ? Math.max(...existing.map(s => s.bucketStart)) + BUCKET_MS : from;
      for (let t = resumeAt; t + 60_000 <= now; t += 5 * 60_000) {
        await this.send(m, i, t, Math.min(t + 5 * 60_000, now), now);
      }
    }
    this.lastSent = now;
    this.timer = setInterval(() => {
      this.tick().catch(e => this.logger.warn(`Demo traffic tick failed: ${(e as Error).message}`));
    }, TICK_MS);
    this.timer.unref?.();
    this.logger.info(`Demo traffic streaming for ${models.length} models`);
  }

  /**
   * The week before the live backfill, hour by hour (an hour's batch touches 12 buckets, not a
   * week's), at DEMO_HISTORY_EVENTS_PER_MINUTE, skipping hours an earlier start already filled. Each
   * model keeps its steady incidents; HISTORY's models carry their day's scenario all day. Sent
   * once live traffic flows (after start()), from a sender of its own: it never delays the live
   * stream. Returns the time it covers.
   */
  async sendHistory(now = Date.now()): Promise<{ from: number; to: number }> {
    const models = demoLiveModels();
    const liveFrom = this.backfilledFrom;
    const from = Math.floor((now - DEMO_HISTORY_DAYS * DAY_MS) / HOUR_MS) * HOUR_MS;
    const today = Math.floor(now / DAY_MS) * DAY_MS;
    const perHour = DEMO_HISTORY_EVENTS_PER_MINUTE * 60;
    // The backtest's model first: its story is in its history.
    const ordered = [...models.entries()].sort(([, a], [, b]) => Number(!HISTORY[a.name]) - Number(!HISTORY[b.name]));
    for (const [i, m] of ordered) {
      const existing = await this.store.readSummaries({ modelRef: m.modelRef, features: ['__events'], segments: ['*'], from, to: liveFrom, resolution: 'coarsest', maxBucketMs: HOUR_MS });
      const filled = new Set(existing.map(s => Math.floor(s.bucketStart / HOUR_MS) * HOUR_MS));
      const source = `${this.source(m.name)}-history`;
      const simulator = new TrafficSimulator(m.modelRef, source, 177 + i);
      const days = HISTORY[m.name] ?? [];
      for (let hour = from; hour < liveFrom; hour += HOUR_MS) {
        if (filled.has(hour)) continue;
        const end = Math.min(hour + HOUR_MS, liveFrom);
        const day = (Math.floor(hour / DAY_MS) * DAY_MS - (today - days.length * DAY_MS)) / DAY_MS;
        const scenario = { ...INCIDENTS[m.name]?.((now - end) / 60_000), ...days[day] };
        const events = simulator.events(m.version, Math.round((perHour * (end - hour)) / HOUR_MS), hour, end, scenario);
        if (events.length) await this.ingest(m, events, `history-${hour}`, source);
      }
    }
    this.logger.info(`Demo history: the ${DEMO_HISTORY_DAYS} days before ${new Date(liveFrom).toISOString()} sent`);
    return { from, to: liveFrom };
  }

  async tick(now = Date.now()) {
    const from = this.lastSent;
    this.lastSent = now;
    for (const [i, m] of demoLiveModels().entries()) await this.send(m, i, from, now, now);
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * Who answers this model's requests now: the champion, or champion and challenger in the split
   * the rollout last set (the challenger's share, or a mirror of everything in shadow).
   */
  private async serving(m: { modelRef: string; version: string }) {
    const [latest] = (await this.options.rollouts?.list({ modelRef: m.modelRef, limit: 1 })) ?? [];
    if (latest && !latest.scaledDown && this.options.routerFor) {
      // What the router holds now, read as the engine reads it: where a request goes.
      const split = await this.options.routerFor(latest).read({ champion: latest.champion, challenger: latest.version }).catch(() => undefined);
      if (split) {
        const busy = !latest.endedAt;
        return { champion: latest.champion ?? latest.version, challenger: latest.version, weight: split.weight, mirrored: split.mirrored, busy };
      }
    }
    const versions = (await this.options.registry?.listVersions(m.modelRef)) ?? [];
    const champion = versions.find(v => v.aliases.includes('champion'))?.version ?? m.version;
    return { champion, challenger: champion, weight: 0, mirrored: false, busy: false };
  }

  private async send(m: { name: string; modelRef: string; version: string }, index: number, from: number, to: number, now: number) {
    const serving = await this.serving(m);
    const perMinute = serving.busy ? DEMO_ROLLOUT_EVENTS_PER_MINUTE : DEMO_EVENTS_PER_MINUTE;
    const count = Math.round(((to - from) / 60_000) * perMinute);
    if (count <= 0) return;
    const incident = INCIDENTS[m.name]?.((now - to) / 60_000) ?? {};
    const scenarioOf = (version: string): TrafficScenario => ({ ...incident, ...DEMO_CHALLENGER_BEHAVIOUR[m.name]?.[version] });
    const simulator = this.simulator(m.modelRef, m.name, 77 + index);
    const toChallenger = Math.round((count * serving.weight) / 100);
    const championEvents = simulator.events(serving.champion, count - toChallenger, from, to, scenarioOf(serving.champion));
    const events = [...championEvents, ...simulator.events(serving.challenger, toChallenger, from, to, scenarioOf(serving.challenger))];
    if (serving.mirrored && serving.challenger !== serving.champion) {
      const first = this.mirrorSequences.get(m.modelRef) ?? 0;
      this.mirrorSequences.set(m.modelRef, first + championEvents.length);
      events.push(...mirrorEvents(championEvents, serving.challenger, `${this.source(m.name)}-shadow`, first, this.mirrorRandom, scenarioOf(serving.challenger)));
    }
    await this.ingest(m, events, String(from));
  }

  /** Events and the labels their simulated users earn, through the ingestion API's service. */
  private async ingest(m: { name: string; modelRef: string }, events: SimulatedEvent[], key: string, source = this.source(m.name)) {
    const outcomes = this.outcomes.get(m.modelRef) ?? ['click'];
    for (let i = 0; i < events.length; i += 5000) {
      const chunk = events.slice(i, i + 5000);
      await this.telemetry.ingestPredictions({ batchId: `demo-${this.runId}-${m.name}-${key}-${i}`, source, events: toWire(chunk) });
      const labels = chunk.flatMap(e => outcomes.filter(o => earns(o, e)).map(outcome => ({ e, outcome })));
      if (labels.length) {
        await this.telemetry.ingestOutcomes({
          batchId: `demo-${this.runId}-${m.name}-${key}-${i}-labels`,
          source: `${source}-labels`,
          // The label stream numbers its own records, without gaps (one sequence range per sender).
          outcomes: labels.map(({ e, outcome }) => ({ requestId: e.requestId, sequence: this.nextLabelSequence(source), outcome, value: 1, time: e.time + 2000 })),
        });
      }
    }
  }
}
