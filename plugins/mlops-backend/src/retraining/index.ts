import { EvaluationService } from '../evaluation/EvaluationService';
import { RouteContext } from '../router/router';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { TelemetryService } from '../telemetry/TelemetryService';
import { Concern, MlopsContext } from '../wiring';
import { OutboundHosts } from '../outbound/OutboundHosts';
import { ArgoWorkflowSubmitter, RetrainActions, WebhookCaller } from './RetrainActions';
import { DefaultRetrainingTriggers } from './RetrainingTriggers';
import { retrainingRoutes } from './routes';
import { retrainingChecksTask, retrainingRunsTask } from './schedule';

export { RetrainActions } from './RetrainActions';
export type { RetrainingTriggers } from './RetrainingTriggers';

/**
 * Retraining triggers: scheduled, on drift (from the drift monitor's reports) and on matured-label
 * performance, at most one per interval unless critical, carried out by the policy's action.
 */
export function createRetraining(ctx: MlopsContext, deps: { store: TelemetryStore; telemetry: TelemetryService; evaluation: EvaluationService }) {
  const actions = new RetrainActions({ argo: ctx.kubeConfig ? new ArgoWorkflowSubmitter(ctx.kubeConfig) : undefined, webhook: new WebhookCaller(OutboundHosts.fromConfig(ctx.config)) });
  const triggers = new DefaultRetrainingTriggers({ store: deps.store, evaluation: deps.evaluation, actions, metrics: ctx.metrics, logger: ctx.logger });
  return {
    triggers,
    actions,
    routes: (http: RouteContext) => retrainingRoutes(http, triggers),
    tasks: [
      retrainingChecksTask({ store: deps.store, triggers, policyOf: modelRef => deps.telemetry.policy(modelRef) }),
      retrainingRunsTask({ triggers, policyOf: modelRef => deps.telemetry.policy(modelRef) }),
    ],
  } satisfies Concern & Record<string, unknown>;
}
