import { ModelPolicy, parseDuration } from '@modelrails/plugin-mlops-common';
import { DriftService } from '../drift/DriftService';
import { KpiService } from '../kpi/KpiService';
import { Backtest, backtest } from './backtest';

const DAY = 86_400_000;

/** Drift alarms backtested against the KPIs: the Drift tab's and Grafana's "did it matter?". */
export interface BacktestService {
  backtest(modelRef: string, policy: ModelPolicy, options?: { windowMs?: number; to?: number }): Promise<Backtest>;
}

/** Reads the drift series and the KPI report of the window in daily steps, and sets them side by side. */
export class DefaultBacktestService implements BacktestService {
  constructor(private readonly deps: { drift: DriftService; kpi: KpiService; now?: () => number }) {}

  async backtest(modelRef: string, policy: ModelPolicy, options: { windowMs?: number; to?: number } = {}): Promise<Backtest> {
    // Whole UTC days up to today's (whose labels have not come in): the drift series and the KPI
    // report then share their steps.
    const to = Math.floor((options.to ?? (this.deps.now ?? Date.now)()) / DAY) * DAY;
    const from = to - Math.ceil((options.windowMs ?? parseDuration(policy.drift.backtest.window)) / DAY) * DAY;
    const [series, kpis] = await Promise.all([
      this.deps.drift.series(modelRef, { from, to, stepMs: DAY }),
      this.deps.kpi.report(modelRef, policy, { from, to, stepMs: DAY }),
    ]);
    return backtest(series, kpis, policy, parseDuration(policy.drift.backtest.horizon));
  }
}
