import { Promotion } from '@modelrails/plugin-mlops-common';
import { RegistryStore } from '../registry/RegistryStore';
import { RouteContext } from '../router/router';
import { Concern, MlopsContext } from '../wiring';
import { DatabasePromotionStore } from './DatabasePromotionStore';
import { promotionExpiryTask } from './expiry';
import { PromotionService, RolloutStarter } from './PromotionService';
import { PromotionStore } from './PromotionStore';
import { promotionRoutes } from './routes';

export { PromotionService } from './PromotionService';
export type { RolloutStarter } from './PromotionService';
export type { PromotionStore } from './PromotionStore';
export { DatabasePromotionStore } from './DatabasePromotionStore';

/**
 * Promotion sign-off: requests, decisions by a second person (separation of duties in code),
 * approvals that expire, and the champion alias handed over (or a rollout started) on approval.
 */
export function createPromotion(
  ctx: MlopsContext,
  deps: {
    registry: RegistryStore;
    moveExternalAlias?: (modelRef: string, alias: string, version: string) => Promise<void>;
    rollouts?: RolloutStarter;
    /** Told of every new request (owners are notified). */
    onRequested?: (promotion: Promotion) => Promise<void>;
  },
) {
  const store: PromotionStore = new DatabasePromotionStore(ctx.db, ctx.store);
  const service = new PromotionService(store, deps.registry, ctx.policyOf, ctx.permissions, ctx.auth, deps.moveExternalAlias, deps.rollouts);
  return {
    service,
    store,
    routes: (http: RouteContext) => promotionRoutes(http, service, deps.onRequested),
    tasks: [promotionExpiryTask({ store, auditor: ctx.auditor })],
  } satisfies Concern & Record<string, unknown>;
}
