import { KpiDefinition, outcomeOf } from '@modelrails/plugin-mlops-common';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { ALL_TRAFFIC, BUCKET_MS, EVENTS, LATENCY, SCORE } from '../telemetry/constants';
import { decodeSummary, emptyLog, EventCounts, LogSummary, logQuantile, mergeInto } from '../stats/summaries';
import { logDrift } from '../stats/fromSummaries';
import { agreementRate, spearman } from './canaryStats';
import { ArmMetrics, ShadowMetrics } from './analysis';

export type Versions = { champion: string; challenger: string };

/** Where the analysis gets champion and challenger numbers from. */
export interface CanaryMetricsSource {
  arms(modelRef: string, versions: Versions, kpi: KpiDefinition, from: number, to: number): Promise<{ champion: ArmMetrics; challenger: ArmMetrics }>;
  shadow(modelRef: string, versions: Versions, from: number, to: number): Promise<ShadowMetrics>;
}

/** Paired predictions read per shadow analysis at most. */
const MAX_PAIRS = 50_000;

/**
 * From the telemetry the serving fleet sends: counts, errors and latency from the 5-minute
 * summaries (the buckets overlapping the window), the KPI from the label counts kept as predictions
 * and their outcome labels arrive (the same buckets, so a tick reads a few rows per version at any
 * traffic), shadow agreement from the scores both versions gave the same requests.
 */
export class TelemetryCanaryMetrics implements CanaryMetricsSource {
  constructor(private readonly store: TelemetryStore) {}

  private async summaries(modelRef: string, version: string, from: number, to: number) {
    const rows = await this.store.readSummaries({
      modelRef,
      version,
      segments: [ALL_TRAFFIC],
      features: [EVENTS, LATENCY, SCORE],
      from: Math.floor(from / BUCKET_MS) * BUCKET_MS,
      to,
    });
    const events: EventCounts = { kind: 'events', n: 0, errors: 0 };
    const latency = emptyLog();
    const score = emptyLog();
    for (const r of rows) {
      if (r.feature === EVENTS) {
        const e = r.summary as EventCounts;
        events.n += e.n;
        events.errors += e.errors;
      } else mergeInto(r.feature === LATENCY ? latency : score, decodeSummary(r.summary) as LogSummary);
    }
    return { events, latency, score };
  }

  async arms(modelRef: string, versions: Versions, kpi: KpiDefinition, from: number, to: number) {
    const arm = async (version: string): Promise<ArmMetrics> => {
      const { events, latency } = await this.summaries(modelRef, version, from, to);
      const labels = await this.store.labelCounts(modelRef, version, outcomeOf(kpi.numerator)!, from, to);
      return {
        n: events.n,
        errors: events.errors,
        p99LatencyMs: latency.n ? logQuantile(latency, 0.99) : null,
        kpiPositives: labels.positives,
        kpiN: labels.n,
      };
    };
    return { champion: await arm(versions.champion), challenger: await arm(versions.challenger) };
  }

  async shadow(modelRef: string, versions: Versions, from: number, to: number): Promise<ShadowMetrics> {
    const pairs = await this.store.pairedScores(modelRef, versions.champion, versions.challenger, from, to, MAX_PAIRS);
    const champion = await this.summaries(modelRef, versions.champion, from, to);
    const challenger = await this.summaries(modelRef, versions.challenger, from, to);
    const paired = pairs.first.length;
    const rho = paired > 2 ? spearman(pairs.first, pairs.second) : Number.NaN;
    return {
      pairs: paired,
      agreement: paired ? agreementRate(pairs.first, pairs.second) : null,
      // NaN when either side gave one score to every request: no ranking to compare.
      rankCorrelation: Number.isFinite(rho) ? rho : null,
      predictionPsi: champion.score.n && challenger.score.n ? logDrift(champion.score, challenger.score).psi : null,
      championN: champion.events.n,
      challengerN: challenger.events.n,
    };
  }
}
