import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { DEMO_MODELS } from './demoRegistry';
import { BUCKET_MS, bucketOf, TelemetryService } from '../telemetry/TelemetryService';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { toWire, trainingProfile, TrafficScenario, TrafficSimulator } from '../telemetry/simulation';

/*
 * Traffic for the embedded demo, through the same ingestion path as a serving fleet's. Every live
 * model gets steady traffic; three carry the field reports' incidents:
 *   home-feed-ranker   user_country re-encoded upstream as ISO numbers (contract violation, pages)
 *                      and the Android client sending session length in ms (Android only)
 *   ad-ctr-predictor   item_price drifting upwards (statistical drift, warns, then critical)
 */
const INCIDENTS: Record<string, (minutesAgo: number) => TrafficScenario> = {
  'home-feed-ranker': minutesAgo => ({ countryAsNumber: minutesAgo < 20, androidSessionInMs: minutesAgo < 40 }),
  'ad-ctr-predictor': minutesAgo => ({ priceShift: Math.max(0, 1.2 - minutesAgo / 50) }),
};

export const DEMO_EVENTS_PER_MINUTE = 200;
const BACKFILL_MS = 2 * 3600_000;

export function demoLiveModels() {
  return DEMO_MODELS.filter(m => m.champion !== undefined).map(m => ({
    name: m.name,
    modelRef: `model:default/${m.name}`,
    version: String(m.firstVersion + m.champion!),
  }));
}

export class DemoTraffic {
  private readonly simulators = new Map<string, TrafficSimulator>();
  private readonly runId = Date.now().toString(36);
  private timer?: NodeJS.Timeout;
  private lastSent = 0;

  constructor(
    private readonly telemetry: TelemetryService,
    private readonly store: TelemetryStore,
    private readonly logger: LoggerService,
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
  startWhenCatalogReady(intervalMs = 5_000) {
    const attempt = async () => {
      const models = demoLiveModels();
      const known = await Promise.all(models.map(m => this.telemetry.policy(m.modelRef).catch(() => undefined)));
      if (known.some(p => !p)) {
        this.timer = setTimeout(() => attempt().catch(e => this.logger.warn(`Demo traffic: ${(e as Error).message}`)), intervalMs);
        this.timer.unref?.();
        return;
      }
      await this.start();
    };
    attempt().catch(e => this.logger.warn(`Demo traffic could not start: ${(e as Error).message}`));
  }

  /** Uploads training profiles, backfills the last two hours and streams on every 30 s. */
  async start(now = Date.now()) {
    const models = demoLiveModels();
    for (const [i, m] of models.entries()) {
      try {
        await this.telemetry.putReferenceProfile(m.modelRef, m.version, trainingProfile(1000 + i));
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
      }
    }
    const from = bucketOf(now - BACKFILL_MS);
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
    }, 30_000);
    this.timer.unref?.();
    this.logger.info(`Demo traffic streaming for ${models.length} models`);
  }

  async tick(now = Date.now()) {
    const from = this.lastSent;
    this.lastSent = now;
    for (const [i, m] of demoLiveModels().entries()) await this.send(m, i, from, now, now);
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
  }

  private async send(m: { name: string; modelRef: string; version: string }, index: number, from: number, to: number, now: number) {
    const count = Math.round(((to - from) / 60_000) * DEMO_EVENTS_PER_MINUTE);
    if (count <= 0) return;
    const scenario = INCIDENTS[m.name]?.((now - to) / 60_000) ?? {};
    const events = this.simulator(m.modelRef, m.name, 77 + index).events(m.version, count, from, to, scenario);
    for (let i = 0; i < events.length; i += 5000) {
      const chunk = events.slice(i, i + 5000);
      await this.telemetry.ingestPredictions({ batchId: `demo-${this.runId}-${m.name}-${from}-${i}`, source: this.source(m.name), events: toWire(chunk) });
      const clicks = chunk.filter(e => e.clicked);
      if (clicks.length) {
        await this.telemetry.ingestOutcomes({
          batchId: `demo-${this.runId}-${m.name}-${from}-${i}-clicks`,
          source: `${this.source(m.name)}-labels`,
          // The label stream numbers its own records, without gaps (one sequence range per sender).
          outcomes: clicks.map(e => ({ requestId: e.requestId, sequence: this.nextLabelSequence(m.name), outcome: 'click', value: 1, time: e.time + 2000 })),
        });
      }
    }
  }
}
