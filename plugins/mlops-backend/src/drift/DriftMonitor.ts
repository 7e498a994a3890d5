import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { DriftReport, DriftService } from './DriftService';
import { TelemetryMetrics } from '../metrics/MlopsMetrics';
import { TelemetryStore } from '../telemetry/TelemetryStore';

/**
 * Every minute one replica computes each active model's drift report, publishes it as metrics and
 * hands it to whoever acts on drift (the retraining triggers).
 */
export function driftMonitorTask(options: {
  logger: LoggerService;
  store: TelemetryStore;
  drift: DriftService;
  metrics: TelemetryMetrics;
  onReport?: (report: DriftReport) => Promise<void>;
}): ScheduledTask {
  const { logger, store, drift, metrics, onReport } = options;
  return {
    id: 'mlops-drift-monitor',
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 2 },
    fn: async () => {
      for (const modelRef of await store.activeModels(Date.now() - 2 * 3600_000)) {
        try {
          const report = await drift.report(modelRef);
          publishReport(metrics, report);
          await onReport?.(report);
        } catch (error) {
          logger.warn(`Drift monitor skipped ${modelRef}: ${(error as Error).message}`);
        }
      }
    },
  };
}

/** Replaces a model's drift gauges with the report's values. */
export function publishReport(metrics: TelemetryMetrics, report: DriftReport) {
  metrics.driftScore.reset();
  metrics.driftStatus.reset();
  metrics.contractViolations.reset();
  metrics.remember(report);
  for (const r of metrics.latestReports()) {
    for (const f of r.features) {
      if (f.psi !== null) metrics.driftScore.set({ model: r.modelRef, feature: f.feature, segment: f.segment, statistic: 'psi' }, f.psi);
      if (f.severity === 'warning' || f.severity === 'critical') {
        metrics.driftStatus.set({ model: r.modelRef, feature: f.feature, segment: f.segment, severity: f.severity }, f.flagged ? 1 : 0);
      }
    }
    for (const v of r.violations.filter(x => x.open && x.flagged)) {
      metrics.contractViolations.set({ model: r.modelRef, feature: v.feature, segment: v.segment, check: v.check }, 1);
    }
  }
}
