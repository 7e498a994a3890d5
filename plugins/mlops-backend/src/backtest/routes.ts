import { ModelPolicyService } from '../policy/ModelPolicyService';
import { seriesWindow } from '../router/queries';
import { RouteContext } from '../router/router';
import { BacktestService } from './BacktestService';

/** GET …/drift/backtest: each feature's drift alarms against the KPI changes after them. */
export function backtestRoutes({ router, reader }: RouteContext, deps: { backtest: BacktestService; policies: ModelPolicyService }) {
  router.get('/models/:namespace/:name/drift/backtest', async (req, res) => {
    const caller = await reader(req);
    const model = await deps.policies.getPolicy(req.params, caller);
    const asked = req.query.window === undefined ? undefined : seriesWindow({ window: req.query.window }, '30d');
    res.json(await deps.backtest.backtest(model.entityRef, model.policy, asked && { windowMs: asked.to - asked.from, to: asked.to }));
  });
}
