import { ModelPolicy, outcomeOf, parseDuration } from '@modelrails/plugin-mlops-common';
import { CalibratedScores, Estimate, estimateAcrossVersions } from '../stats/cbpe';
import { auc, logLoss, ndcgAtK, precisionRecall } from '../stats/evaluation';
import { TelemetryStore } from '../telemetry/TelemetryStore';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
/** Predictions read per window; beyond this the window's metrics come from its first rows. */
export const EVALUATION_ROWS_PER_DAY = 100_000;
/** Estimates kept for windows already seen (a few hundred bytes each). */
const ESTIMATE_CACHE_ENTRIES = 5000;

/** Performance estimated before labels (CBPE) from the calibrations of the window's versions. */
export type EstimatedPerformance = {
  /** Predictions whose version has a calibration (the others are not estimated). */
  n: number;
  /** Predictions in the window. */
  of: number;
  /** The versions estimated, and those without a calibration (their profile had no labels). */
  versions: string[];
  uncalibrated: string[];
  auc: Estimate | null;
  precision: Estimate | null;
  recall: Estimate | null;
};

export type DailyEvaluation = {
  day: string;
  /** The window's start (ISO 8601): a day, or an hour with `step` = 1h. */
  start: string;
  /** Whether every prediction of the window is older than the label maturity. */
  matured: boolean;
  /** Matured predictions (the realised metrics' rows). */
  n: number;
  positives: number;
  auc: number | null;
  logLoss: number | null;
  precision: number | null;
  recall: number | null;
  ndcg: number | null;
  /** Null when not asked for, or when no version of the window has a calibration. */
  estimated: EstimatedPerformance | null;
};

export type EvaluationReport = {
  modelRef: string;
  outcome: string;
  threshold: number;
  k: number;
  /** Predictions younger than this are not judged yet: their outcome may still arrive. */
  maturity: string;
  /** The windows' length: 1d or 1h. */
  step: '1d' | '1h';
  days: DailyEvaluation[];
};

export type EvaluationOptions = {
  /** Windows to cover (days, or hours with step 1h); default 7. */
  days?: number;
  step?: '1d' | '1h';
  threshold?: number;
  k?: number;
  /** Adds the CBPE estimate to every window, matured or not (draws labels: costs about 1 s per 100,000 predictions). */
  estimate?: boolean;
};

/** The outcome a model is judged by: the numerator of the KPI its rollout watches, else of its first outcome KPI. */
export function evaluationOutcome(policy: ModelPolicy): string | undefined {
  const kpi = policy.kpis.find(k => k.name === policy.rollout.analysis.kpi) ?? policy.kpis.find(k => k.numerator.source === 'outcome');
  return kpi ? outcomeOf(kpi.numerator) : undefined;
}

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

/** Matured-label metrics of a model per day (or hour), and performance estimated before labels. */
export interface EvaluationService {
  daily(modelRef: string, policy: ModelPolicy, options?: EvaluationOptions): Promise<EvaluationReport>;
}

/** Matured-label evaluation on a sliding window of whole days (UTC). */
export class DefaultEvaluationService implements EvaluationService {
  /**
   * CBPE estimates by what decides them: telemetry is append-only and calibrations are immutable,
   * so a window with the same predictions of the same versions gets the same estimate (its draws
   * are seeded by the window). Least recently used first.
   */
  private readonly estimates = new Map<string, EstimatedPerformance | null>();

  constructor(
    private readonly store: TelemetryStore,
    private readonly now: () => number = Date.now,
  ) {}

  async daily(modelRef: string, policy: ModelPolicy, options: EvaluationOptions = {}): Promise<EvaluationReport> {
    const windows = options.days ?? 7;
    const step = options.step ?? '1d';
    const stepMs = step === '1h' ? HOUR_MS : DAY_MS;
    const threshold = options.threshold ?? 0.5;
    const k = options.k ?? 10;
    const outcome = evaluationOutcome(policy) ?? 'click';
    const now = this.now();
    const matured = now - parseDuration(policy.retraining.labelMaturity);
    const current = Math.floor(now / stepMs) * stepMs;
    const calibrations = new Map<string, Awaited<ReturnType<TelemetryStore['scoreCalibration']>>>();
    const calibrationOf = async (version: string) => {
      if (!calibrations.has(version)) {
        const calibration = await this.store.scoreCalibration(modelRef, version);
        // A calibration of another outcome says nothing about this one.
        calibrations.set(version, calibration?.outcome === outcome ? calibration : undefined);
      }
      return calibrations.get(version);
    };
    const out: DailyEvaluation[] = [];
    for (let w = windows - 1; w >= 0; w--) {
      const from = current - w * stepMs;
      const to = options.estimate ? Math.min(from + stepMs, now) : Math.min(from + stepMs, matured);
      if (to <= from) continue;
      const all = await this.store.labelledPredictions(modelRef, outcome, from, to, EVALUATION_ROWS_PER_DAY);
      const rows = all.filter(r => r.occurredAt < matured);
      const estimated = options.estimate ? await this.cachedEstimate(`${modelRef}\u0000${outcome}\u0000${threshold}\u0000${from}\u0000${stepMs}`, all, threshold, from, calibrationOf) : null;
      if (!rows.length && !estimated) continue;
      const scores = rows.map(r => r.score);
      const labels = rows.map(r => (r.label > 0 ? 1 : 0));
      const pr = precisionRecall(scores, labels, threshold);
      const withQueries = rows.filter(r => r.queryId !== null);
      const realised = rows.length > 0;
      out.push({
        day: new Date(from).toISOString().slice(0, 10),
        start: new Date(from).toISOString(),
        matured: from + stepMs <= matured,
        n: rows.length,
        positives: labels.reduce<number>((sum, l) => sum + l, 0),
        auc: realised ? finiteOrNull(auc(scores, labels)) : null,
        logLoss: realised ? finiteOrNull(logLoss(scores, labels)) : null,
        precision: realised ? finiteOrNull(pr.precision) : null,
        recall: realised ? finiteOrNull(pr.recall) : null,
        ndcg: withQueries.length
          ? finiteOrNull(ndcgAtK(withQueries.map(r => r.queryId!), withQueries.map(r => r.score), withQueries.map(r => r.label), k))
          : null,
        estimated,
      });
    }
    return { modelRef, outcome, threshold, k, maturity: policy.retraining.labelMaturity, step, days: out };
  }

  private async cachedEstimate(window: string, rows: Array<{ version: string; score: number }>, ...rest: [number, number, (version: string) => Promise<CalibratedScores['calibration'] | undefined>]) {
    const perVersion = new Map<string, number>();
    for (const r of rows) perVersion.set(r.version, (perVersion.get(r.version) ?? 0) + 1);
    const key = `${window}\u0000${[...perVersion].sort().join(',')}`;
    if (this.estimates.has(key)) {
      const hit = this.estimates.get(key)!;
      this.estimates.delete(key);
      this.estimates.set(key, hit);
      return hit;
    }
    const estimate = await this.estimate(rows, ...rest);
    this.estimates.set(key, estimate);
    while (this.estimates.size > ESTIMATE_CACHE_ENTRIES) this.estimates.delete(this.estimates.keys().next().value!);
    return estimate;
  }

  private async estimate(
    rows: Array<{ version: string; score: number }>,
    threshold: number,
    windowStart: number,
    calibrationOf: (version: string) => Promise<CalibratedScores['calibration'] | undefined>,
  ): Promise<EstimatedPerformance | null> {
    const byVersion = new Map<string, number[]>();
    for (const r of rows) {
      const list = byVersion.get(r.version) ?? [];
      list.push(r.score);
      byVersion.set(r.version, list);
    }
    const parts: CalibratedScores[] = [];
    const versions: string[] = [];
    const uncalibrated: string[] = [];
    for (const [version, scores] of byVersion) {
      const calibration = await calibrationOf(version);
      if (calibration) {
        parts.push({ calibration, scores });
        versions.push(version);
      } else uncalibrated.push(version);
    }
    if (!parts.length) return null;
    // Seeded by the window: the same window gets the same interval on every request and replica.
    const e = estimateAcrossVersions(parts, threshold, Math.floor(windowStart / 1000) ^ rows.length);
    return { n: e.n, of: rows.length, versions: versions.sort(), uncalibrated: uncalibrated.sort(), auc: e.auc, precision: e.precision, recall: e.recall };
  }
}
