import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { RouteContext } from '../router/router';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { Concern } from '../wiring';
import { EvaluationService } from './EvaluationService';
import { evaluationRoutes } from './routes';

export { EvaluationService, evaluationOutcome } from './EvaluationService';

/** Matured-label evaluation: daily AUC, log loss, precision/recall and NDCG@k from joined outcomes. */
export function createEvaluation(deps: { store: TelemetryStore; policyOf(modelRef: string): Promise<ModelPolicy> }) {
  const service = new EvaluationService(deps.store);
  return { service, routes: (http: RouteContext) => evaluationRoutes(http, { evaluation: service, policyOf: deps.policyOf }) } satisfies Concern & Record<string, unknown>;
}
