import { Backtest, ModelPolicy, parseDuration } from '@modelrails/plugin-mlops-common';
import { DriftService } from '../drift/DriftService';
import { EvaluationService } from '../evaluation/EvaluationService';
import { KpiService } from '../kpi/KpiService';
import { backtest } from './backtest';

const DAY = 86_400_000;

/** Drift alarms backtested against the KPIs: the Drift tab's and Grafana's "did it matter?". */
export interface BacktestService {
  backtest(modelRef: string, policy: ModelPolicy, options?: { windowMs?: number; to?: number }): Promise<Backtest>;
  /** The signals the policy's rule lowers, as `${feature}\u0000${check}` (what the drift report asks). */
  lowered(modelRef: string, policy: ModelPolicy): Promise<Set<string>>;
}

/** Reads the drift series and the KPI report of the window in daily steps, and sets them side by side. */
export class DefaultBacktestService implements BacktestService {
  /** Per model, the lowered signals and the UTC day and rule they were computed for: days change slowly. */
  private readonly loweredCache = new Map<string, { key: string; signals: Promise<Set<string>> }>();

  constructor(private readonly deps: { drift: DriftService; kpi: KpiService; evaluation?: EvaluationService; now?: () => number }) {}

  lowered(modelRef: string, policy: ModelPolicy): Promise<Set<string>> {
    const key = JSON.stringify([Math.floor((this.deps.now ?? Date.now)() / DAY), policy.drift.backtest, policy.kpis]);
    const cached = this.loweredCache.get(modelRef);
    if (cached?.key === key) return cached.signals;
    const signals = this.backtest(modelRef, policy).then(result => new Set(result.signals.filter(s => s.lowered).map(s => `${s.feature}\u0000${s.check}`)));
    // A failed backtest is not kept: the next report asks again.
    signals.catch(() => this.loweredCache.delete(modelRef));
    this.loweredCache.set(modelRef, { key, signals });
    return signals;
  }

  async backtest(modelRef: string, policy: ModelPolicy, options: { windowMs?: number; to?: number } = {}): Promise<Backtest> {
    // Whole UTC days up to today's (whose labels have not come in): the drift series and the KPI
    // report then share their steps.
    const to = Math.floor((options.to ?? (this.deps.now ?? Date.now)()) / DAY) * DAY;
    const from = to - Math.ceil((options.windowMs ?? parseDuration(policy.drift.backtest.window)) / DAY) * DAY;
    const [series, kpis, evaluation] = await Promise.all([
      this.deps.drift.series(modelRef, { from, to, stepMs: DAY }),
      this.deps.kpi.report(modelRef, policy, { from, to, stepMs: DAY }),
      // Daily ROC AUC on matured labels, of the days the window and the raw events' retention share
      // (its days run up to today's, which the window leaves out).
      this.deps.evaluation?.daily(modelRef, policy, { days: Math.round((to - from) / DAY) + 1, step: '1d', estimate: false }),
    ]);
    const days = evaluation && { days: evaluation.days.filter(d => Date.parse(d.start) >= from && Date.parse(d.start) < to) };
    return backtest(series, kpis, policy, parseDuration(policy.drift.backtest.horizon), days);
  }
}
