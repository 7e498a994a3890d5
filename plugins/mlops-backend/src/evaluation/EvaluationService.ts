import { ModelPolicy, outcomeOf, parseDuration } from '@modelrails/plugin-mlops-common';
import { auc, logLoss, ndcgAtK, precisionRecall } from '../stats/evaluation';
import { TelemetryStore } from '../telemetry/TelemetryStore';

export const DAY_MS = 86_400_000;
/** Matured predictions read per day; beyond this the day's metrics come from its first rows. */
export const EVALUATION_ROWS_PER_DAY = 100_000;

export type DailyEvaluation = {
  day: string;
  n: number;
  positives: number;
  auc: number | null;
  logLoss: number | null;
  precision: number | null;
  recall: number | null;
  ndcg: number | null;
};

export type EvaluationReport = {
  modelRef: string;
  outcome: string;
  threshold: number;
  k: number;
  /** Predictions younger than this are not judged yet: their outcome may still arrive. */
  maturity: string;
  days: DailyEvaluation[];
};

/** The outcome a model is judged by: the numerator of the KPI its rollout watches, else of its first outcome KPI. */
export function evaluationOutcome(policy: ModelPolicy): string | undefined {
  const kpi = policy.kpis.find(k => k.name === policy.rollout.analysis.kpi) ?? policy.kpis.find(k => k.numerator.source === 'outcome');
  return kpi ? outcomeOf(kpi.numerator) : undefined;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** Matured-label metrics of a model per day. */
export interface EvaluationService {
  daily(modelRef: string, policy: ModelPolicy, options?: { days?: number; threshold?: number; k?: number }): Promise<EvaluationReport>;
}

/** Matured-label evaluation on a sliding window of whole days (UTC). */
export class DefaultEvaluationService implements EvaluationService {
  constructor(
    private readonly store: TelemetryStore,
    private readonly now: () => number = Date.now,
  ) {}

  async daily(modelRef: string, policy: ModelPolicy, options: { days?: number; threshold?: number; k?: number } = {}): Promise<EvaluationReport> {
    const days = options.days ?? 7;
    const threshold = options.threshold ?? 0.5;
    const k = options.k ?? 10;
    const outcome = evaluationOutcome(policy) ?? 'click';
    const matured = this.now() - parseDuration(policy.retraining.labelMaturity);
    const today = Math.floor(this.now() / DAY_MS) * DAY_MS;
    const out: DailyEvaluation[] = [];
    for (let d = days - 1; d >= 0; d--) {
      const from = today - d * DAY_MS;
      const to = Math.min(from + DAY_MS, matured);
      if (to <= from) continue;
      const rows = await this.store.labelledPredictions(modelRef, outcome, from, to, EVALUATION_ROWS_PER_DAY);
      if (!rows.length) continue;
      const scores = rows.map(r => r.score);
      const labels = rows.map(r => (r.label > 0 ? 1 : 0));
      const pr = precisionRecall(scores, labels, threshold);
      const withQueries = rows.filter(r => r.queryId !== null);
      out.push({
        day: new Date(from).toISOString().slice(0, 10),
        n: rows.length,
        positives: labels.reduce<number>((s, l) => s + l, 0),
        auc: finiteOrNull(auc(scores, labels)),
        logLoss: finiteOrNull(logLoss(scores, labels)),
        precision: finiteOrNull(pr.precision),
        recall: finiteOrNull(pr.recall),
        ndcg: withQueries.length
          ? finiteOrNull(ndcgAtK(withQueries.map(r => r.queryId!), withQueries.map(r => r.score), withQueries.map(r => r.label), k))
          : null,
      });
    }
    return { modelRef, outcome, threshold, k, maturity: policy.retraining.labelMaturity, days: out };
  }
}
