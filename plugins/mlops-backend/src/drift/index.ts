import { DriftReport } from '@modelrails/plugin-mlops-common';
import { RouteContext } from '../router/router';
import { TelemetryService } from '../telemetry/TelemetryService';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { Concern, MlopsContext } from '../wiring';
import { driftMonitorTask } from './DriftMonitor';
import { DefaultDriftService, LoweredSignals } from './DriftService';
import { driftRoutes } from './routes';

export type { DriftService, LoweredSignals } from './DriftService';
export { driftSignalsOf } from './DriftMonitor';

/**
 * Drift: per-feature statistical drift, prediction and target drift, contract violations, their
 * series over time, and the monitor that reports every active model each minute.
 */
export function createDrift(
  ctx: MlopsContext,
  deps: {
    telemetry: TelemetryService;
    store: TelemetryStore;
    /** Told of each monitored report. */
    onReport?: (report: DriftReport) => Promise<void>;
    /** The backtest's signals whose alarms never mattered, for the policy's lowering rule. */
    loweredSignals?: LoweredSignals;
  },
) {
  const service = new DefaultDriftService(deps.store, deps.telemetry, Date.now, deps.loweredSignals);
  return {
    service,
    routes: (http: RouteContext) => driftRoutes(http, { drift: service, policies: ctx.policies, generation: modelRef => deps.telemetry.changes.generation(modelRef) }),
    tasks: [driftMonitorTask({ logger: ctx.logger, store: deps.store, drift: service, onReport: deps.onReport })],
  } satisfies Concern & Record<string, unknown>;
}
