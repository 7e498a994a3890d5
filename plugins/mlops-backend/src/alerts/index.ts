import { RolloutStore } from '../rollout/RolloutStore';
import { RouteContext } from '../router/router';
import { RunbookService } from '../runbooks/RunbookService';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { Concern, MlopsContext } from '../wiring';
import { alertRoutes } from './routes';
import { servingMetricsTask } from './servingMetrics';

/** Where the portal serves runbook pages: alert rules and notifications link to them. */
export function portalBaseUrlOf(config: MlopsContext['config']) {
  // A backend that serves the app answers on its own URL.
  return config.getOptionalString('mlops.runbooks.portalBaseUrl') ?? config.getOptionalString('app.baseUrl') ?? config.getOptionalString('backend.baseUrl') ?? '';
}

/** Alerting: the Prometheus metrics endpoint, the gauges the rules read, and the rule files. */
export function createAlerts(
  ctx: MlopsContext,
  deps: { runbooks: RunbookService; rollouts: Pick<RolloutStore, 'list'>; telemetry: Pick<TelemetryStore, 'driftSignals'> },
): Concern {
  return {
    routes: (http: RouteContext) => alertRoutes(http, { metrics: ctx.metrics, policies: ctx.policies, runbooks: deps.runbooks, portalBaseUrl: portalBaseUrlOf(ctx.config), rules: { dataDriftFor: ctx.config.getOptionalString('mlops.alerts.dataDriftFor') } }),
    tasks: [servingMetricsTask({ logger: ctx.logger, metrics: ctx.metrics, rollouts: deps.rollouts, telemetry: deps.telemetry })],
  };
}
