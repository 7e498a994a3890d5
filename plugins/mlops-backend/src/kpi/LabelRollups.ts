import { ModelPolicy, outcomeOf, parseDuration, segmentDimensions } from '@modelrails/plugin-mlops-common';
import { BUCKET_MS, bucketOf } from '../telemetry/constants';
import { KpiStore } from './KpiStore';

/** Unsettled buckets younger than this are recounted on every refresh (mlops.kpis.recountWindow). */
export const DEFAULT_RECOUNT_WINDOW_MS = 3600_000;

/** The outcomes a model's KPIs count (numerators and denominators). */
export function kpiOutcomes(policy: ModelPolicy): string[] {
  return [...new Set(policy.kpis.flatMap(k => [outcomeOf(k.numerator), outcomeOf(k.denominator)]).filter((o): o is string => !!o))];
}

/**
 * Keeps a model's label rollups current. Buckets older than the policy's labelMaturity are counted
 * once more and settled (labels arriving later are not counted: the maturity says when labels are
 * complete); younger buckets within the recount window are recounted on every refresh, so a KPI
 * moves within a refresh of its labels arriving. Each refresh costs a join of the recount window's
 * predictions with their labels: high-traffic deployments shorten the window (buckets older than
 * it keep their last count until they settle). An outcome seen for the first time is counted back
 * to the start of the raw retention.
 */
export class LabelRollups {
  constructor(
    private readonly store: KpiStore,
    private readonly rawRetentionMs: number,
    private readonly recountWindowMs = DEFAULT_RECOUNT_WINDOW_MS,
  ) {}

  async refresh(modelRef: string, policy: ModelPolicy, now = Date.now()) {
    const outcomes = kpiOutcomes(policy);
    if (!outcomes.length) return;
    const dimensions = segmentDimensions(policy);
    const settleTo = bucketOf(now - parseDuration(policy.retraining.labelMaturity));
    const oldest = bucketOf(now - this.rawRetentionMs) + BUCKET_MS;
    const settled = await this.store.settledUntil(modelRef);
    const bySince = new Map<number, string[]>();
    for (const outcome of outcomes) {
      const since = Math.max(oldest, settled.get(outcome) ?? oldest);
      bySince.set(since, [...(bySince.get(since) ?? []), outcome]);
    }
    for (const [since, group] of bySince) {
      if (since < settleTo) await this.store.recountLabels(modelRef, group, dimensions, since, settleTo, true);
    }
    const provisionalFrom = Math.max(settleTo, bucketOf(now - this.recountWindowMs));
    await this.store.recountLabels(modelRef, outcomes, dimensions, provisionalFrom, bucketOf(now) + BUCKET_MS, false);
  }

  /** Recounts [from, to) without settling anything: for telemetry known to have arrived late. */
  async recount(modelRef: string, policy: ModelPolicy, from: number, to: number) {
    await this.store.recountLabels(modelRef, kpiOutcomes(policy), segmentDimensions(policy), bucketOf(from), bucketOf(to - 1) + BUCKET_MS, false);
  }
}
