import { DriftService } from '../drift/DriftService';
import { EvaluationService } from '../evaluation/EvaluationService';
import { KpiService } from '../kpi/KpiService';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext } from '../wiring';
import { DefaultBacktestService } from './BacktestService';
import { backtestRoutes } from './routes';

export type { BacktestService } from './BacktestService';

/** Backtesting drift alarms: each feature's alarms set against the KPI changes that followed. */
export function createBacktest(ctx: MlopsContext, deps: { drift: DriftService; kpi: KpiService; evaluation: EvaluationService }) {
  const service = new DefaultBacktestService(deps);
  return {
    service,
    routes: (http: RouteContext) => backtestRoutes(http, { backtest: service, policies: ctx.policies }),
  } satisfies Concern & Record<string, unknown>;
}
