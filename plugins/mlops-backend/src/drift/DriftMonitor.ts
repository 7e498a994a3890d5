import { LoggerService } from '@backstage/backend-plugin-api';
import { ScheduledTask } from '../wiring';
import { DriftReport, DriftService } from './DriftService';
import { DriftSignals, TelemetryStore } from '../telemetry/TelemetryStore';

/**
 * Every minute one replica computes each active model's drift report, stores the signals its alert
 * gauges show (every replica exports them, see alerts/servingMetrics) and hands the report to
 * whoever acts on drift (the retraining triggers).
 */
export function driftMonitorTask(options: {
  logger: LoggerService;
  store: TelemetryStore;
  drift: DriftService;
  onReport?: (report: DriftReport) => Promise<void>;
}): ScheduledTask {
  const { logger, store, drift, onReport } = options;
  return {
    id: 'mlops-drift-monitor',
    scope: 'global',
    frequency: { minutes: 1 },
    timeout: { minutes: 2 },
    fn: async () => {
      for (const modelRef of await store.activeModels(Date.now() - 2 * 3600_000)) {
        try {
          const report = await drift.report(modelRef);
          await store.putDriftSignals(modelRef, driftSignalsOf(report), Date.now());
          await onReport?.(report);
        } catch (error) {
          logger.warn(`Drift monitor skipped ${modelRef}: ${(error as Error).message}`);
        }
      }
    },
  };
}

/** What a report says in the alert gauges: PSI and verdicts, and the violations that are open. */
export function driftSignalsOf(report: DriftReport): DriftSignals {
  return {
    features: report.features.map(f => ({ feature: f.feature, segment: f.segment, psi: f.psi, severity: f.severity, flagged: f.flagged })),
    violations: report.violations.filter(v => v.open && v.flagged).map(v => ({ feature: v.feature, segment: v.segment, check: v.check })),
  };
}
