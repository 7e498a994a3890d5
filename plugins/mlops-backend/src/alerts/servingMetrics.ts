import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { KpiService } from '../kpi/KpiService';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { RolloutStore } from '../rollout';
import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { recentlyRolledBack } from '../runbooks/LiveContextService';

/** The window of the latency gauge: long enough to smooth a burst, short enough to page. */
export const LATENCY_WINDOW_MS = 15 * 60_000;

/**
 * Rebuilds the rollout and latency gauges the alert rules read: rollouts from the store (so every
 * replica agrees, and a restart loses nothing), latency from each active model's summaries.
 */
export async function publishServingMetrics(options: {
  metrics: TelemetryMetrics;
  rollouts: Pick<RolloutStore, 'list'>;
  activeModels: () => Promise<string[]>;
  latencyP99: (modelRef: string, from: number, to: number) => Promise<number | null>;
  logger?: LoggerService;
  now?: number;
}) {
  const { metrics } = options;
  const now = options.now ?? Date.now();
  const rollouts = await options.rollouts.list({ limit: 500 });
  const weights: Array<[Record<string, string>, number]> = [];
  const rolledBack: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  for (const r of rollouts) {
    if (r.endedAt === null && !seen.has(r.modelRef)) weights.push([{ model: r.modelRef, version: r.version, champion: r.champion ?? '', stage: r.stage }, r.weight]);
    seen.add(r.modelRef);
    if (recentlyRolledBack(r, now)) rolledBack.push({ model: r.modelRef, version: r.version });
  }
  const latencies: Array<[string, number]> = [];
  for (const modelRef of await options.activeModels()) {
    try {
      const p99 = await options.latencyP99(modelRef, now - LATENCY_WINDOW_MS, now);
      if (p99 !== null) latencies.push([modelRef, p99]);
    } catch (error) {
      options.logger?.warn(`Latency gauge skipped ${modelRef}: ${(error as Error).message}`);
    }
  }
  // Reset and set together: a scrape between them would see a gap, not a stale value.
  metrics.rolloutWeight.reset();
  metrics.rolloutRolledBack.reset();
  metrics.latencyP99.reset();
  for (const [labels, weight] of weights) metrics.rolloutWeight.set(labels, weight);
  for (const labels of rolledBack) metrics.rolloutRolledBack.set(labels, 1);
  for (const [model, p99] of latencies) metrics.latencyP99.set({ model }, p99);
}

/** Every 30 s on every replica (the gauges come from the database, so replicas agree; rules take the max). */
export function servingMetricsTask(options: {
  logger: LoggerService;
  metrics: TelemetryMetrics;
  rollouts: Pick<RolloutStore, 'list'>;
  telemetry: Pick<TelemetryStore, 'activeModels'>;
  kpis: Pick<KpiService, 'report'>;
  policyOf: (modelRef: string) => Promise<ModelPolicy | undefined>;
}): ScheduledTask {
  const { logger, metrics, rollouts, telemetry, kpis, policyOf } = options;
  return {
    id: 'mlops-serving-metrics',
    scope: 'local',
    frequency: { seconds: 30 },
    timeout: { minutes: 1 },
    initialDelay: { seconds: 5 },
    fn: () =>
      publishServingMetrics({
        metrics,
        rollouts,
        activeModels: () => telemetry.activeModels(Date.now() - 3600_000),
        // The KPI report's own latency_p99 (all traffic), so the gauge and the portal agree.
        latencyP99: async (modelRef, from, to) => {
          const policy = await policyOf(modelRef);
          if (!policy) return null;
          const report = await kpis.report(modelRef, policy, { from, to, stepMs: to - from });
          return report.metrics.find(m => m.name === 'latency_p99')?.series.find(s => s.segment === '*')?.current.value ?? null;
        },
        logger,
      }),
  };
}
