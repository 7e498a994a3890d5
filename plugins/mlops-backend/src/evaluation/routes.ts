import { ModelPolicy } from '@modelrails/plugin-mlops-common';
import { modelRefOf, RouteContext } from '../router/router';
import { EvaluationService } from './EvaluationService';

/** Matured-label metrics per day or hour (AUC, log loss, precision/recall, NDCG@k) and CBPE estimates beside them. */
export function evaluationRoutes(
  { router, reader }: RouteContext,
  deps: { evaluation: EvaluationService; /** NotFoundError for a Model the catalog does not know. */ policyOf(modelRef: string): Promise<ModelPolicy> },
) {
  const { evaluation, policyOf } = deps;
  router.get('/models/:namespace/:name/evaluation', async (req, res) => {
    await reader(req);
    const modelRef = modelRefOf(req.params);
    const num = (v: unknown) => (v === undefined ? undefined : Number(v));
    res.json(
      await evaluation.daily(modelRef, await policyOf(modelRef), {
        days: num(req.query.days),
        step: req.query.step === '1h' ? '1h' : '1d',
        threshold: num(req.query.threshold),
        k: num(req.query.k),
        // Performance before labels, unless the caller only wants what labels say.
        estimate: req.query.estimate !== 'false',
      }),
    );
  });
}
