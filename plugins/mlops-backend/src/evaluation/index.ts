import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { RouteContext } from '../router/router';
import { TelemetryStore } from '../telemetry/TelemetryStore';
import { Concern } from '../wiring';
import { DefaultEvaluationService } from './EvaluationService';
import { evaluationRoutes } from './routes';

export { evaluationOutcome } from './EvaluationService';
export type { EvaluationService } from './EvaluationService';

/** Matured-label evaluation: daily AUC, log loss, precision/recall and NDCG@k from joined outcomes. */
export function createEvaluation(deps: { store: TelemetryStore; policyOf(modelRef: string): Promise<ModelPolicy> }) {
  const service = new DefaultEvaluationService(deps.store);
  return { service, routes: (http: RouteContext) => evaluationRoutes(http, { evaluation: service, policyOf: deps.policyOf }) } satisfies Concern & Record<string, unknown>;
}
