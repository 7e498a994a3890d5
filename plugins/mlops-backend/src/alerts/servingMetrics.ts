import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { DriftSignals, TelemetryStore } from '../telemetry/TelemetryStore';
import { RolloutStore } from '../rollout';
import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { recentlyRolledBack } from '../runbooks/LiveContextService';

/**
 * Drift signals older than this are not exported: the monitor stores them each minute for every
 * model with traffic in the last 2 hours, so a model that went quiet stops alerting.
 */
export const DRIFT_SIGNALS_FRESH_MS = 10 * 60_000;

/**
 * Rebuilds the gauges the alert rules read from the database, on every replica, so every replica
 * exports the same values whichever one Prometheus scrapes (and a restart loses nothing): rollouts
 * from the rollout store, drift and contract findings from the drift monitor's latest signals.
 */
export async function publishServingMetrics(options: {
  metrics: TelemetryMetrics;
  rollouts: Pick<RolloutStore, 'list'>;
  driftSignals: (since: number) => Promise<Array<{ modelRef: string; signals: DriftSignals }>>;
  now?: number;
}) {
  const { metrics } = options;
  const now = options.now ?? Date.now();
  const rollouts = await options.rollouts.list({ limit: 500 });
  const signals = await options.driftSignals(now - DRIFT_SIGNALS_FRESH_MS);
  const weights: Array<[Record<string, string>, number]> = [];
  const rolledBack: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  for (const r of rollouts) {
    if (r.endedAt === null && !seen.has(r.modelRef)) weights.push([{ model: r.modelRef, version: r.version, champion: r.champion ?? '', stage: r.stage }, r.weight / 100]);
    seen.add(r.modelRef);
    if (recentlyRolledBack(r, now)) rolledBack.push({ model: r.modelRef, version: r.version });
  }
  // Reset and set together (no await in between): a scrape never sees a gap or a stale value.
  metrics.rolloutWeight.reset();
  metrics.rolloutRolledBack.reset();
  metrics.driftScore.reset();
  metrics.driftStatus.reset();
  metrics.contractViolations.reset();
  for (const [labels, weight] of weights) metrics.rolloutWeight.set(labels, weight);
  for (const labels of rolledBack) metrics.rolloutRolledBack.set(labels, 1);
  for (const { modelRef: model, signals: s } of signals) {
    for (const f of s.features) {
      if (f.psi !== null) metrics.driftScore.set({ model, feature: f.feature, segment: f.segment, statistic: 'psi' }, f.psi);
      if (f.severity === 'warning' || f.severity === 'critical') metrics.driftStatus.set({ model, feature: f.feature, segment: f.segment, severity: f.severity }, f.flagged ? 1 : 0);
    }
    for (const v of s.violations) metrics.contractViolations.set({ model, feature: v.feature, segment: v.segment, check: v.check }, 1);
  }
}

/** Every 15 s on every replica (the gauges come from the database, so replicas agree). */
export function servingMetricsTask(options: {
  logger: LoggerService;
  metrics: TelemetryMetrics;
  rollouts: Pick<RolloutStore, 'list'>;
  telemetry: Pick<TelemetryStore, 'driftSignals'>;
}): ScheduledTask {
  const { metrics, rollouts, telemetry } = options;
  return {
    id: 'mlops-serving-metrics',
    scope: 'local',
    frequency: { seconds: 15 },
    timeout: { minutes: 1 },
    initialDelay: { seconds: 5 },
    fn: () => publishServingMetrics({ metrics, rollouts, driftSignals: since => telemetry.driftSignals(since) }),
  };
}
