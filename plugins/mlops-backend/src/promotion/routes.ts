import { Promotion, PromotionStatus } from '@modelrails/plugin-mlops-common';
import { parseTimestamp } from '../timestamps';
import { RouteContext } from '../router/router';
import { PromotionService } from './PromotionService';

/** Promotion requests and sign-off decisions, and which version held production when. */
export function promotionRoutes(
  { router, reader, credentials, audited }: RouteContext,
  promotions: PromotionService,
  /** Told of every new request (owners are notified); never delays the answer. */
  onRequested?: (promotion: Promotion) => Promise<void>,
) {
  router.post('/models/:namespace/:name/versions/:version/promotions', async (req, res) => {
    const caller = await credentials(req);
    const { namespace, name, version } = req.params;
    const created = await audited(req, 'promotion-request', { namespace, name, version, environment: req.body.environment }, () =>
      promotions.request({ namespace, name }, version, req.body, caller),
    );
    void onRequested?.(created);
    res.status(201).json({ ...created, canDecide: await promotions.canDecide(created, caller) });
  });

  router.get('/models/:namespace/:name/production', async (req, res) => {
    await reader(req);
    const at = req.query.at ? new Date(parseTimestamp(req.query.at, 'query.at')) : new Date();
    res.json(await promotions.productionAt(req.params, at));
  });

  router.get('/promotions', async (req, res) => {
    await reader(req);
    res.json({
      items: await promotions.list({
        status: req.query.status as PromotionStatus | undefined,
        modelRef: req.query.model ? String(req.query.model) : undefined,
      }),
    });
  });

  router.get('/promotions/:id', async (req, res) => {
    const caller = await reader(req);
    const promotion = await promotions.get(req.params.id);
    res.json({ ...promotion, canDecide: await promotions.canDecide(promotion, caller) });
  });

  for (const [path, outcome] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    router.post(`/promotions/:id/${path}`, async (req, res) => {
      // Only people decide: a service or external token is refused here with 403.
      const caller = await credentials(req, ['user']);
      const decided = await audited(req, `promotion-${path}`, { promotion: req.params.id }, () => promotions.decide(req.params.id, outcome, req.body, caller));
      res.json({ ...decided, canDecide: await promotions.canDecide(decided, caller) });
    });
  }
}
