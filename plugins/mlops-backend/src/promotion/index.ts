import { Promotion } from '@modelrails/plugin-mlops-common';
import { RegistryStore } from '../registry/RegistryStore';
import { RouteContext } from '../router/router';
import { GateService } from '../gates/GateService';
import { Concern, MlopsContext } from '../wiring';
import { DatabasePromotionStore } from './DatabasePromotionStore';
import { promotionExpiryTask } from './expiry';
import { DefaultPromotionService, RolloutStarter } from './PromotionService';
import { PromotionStore } from './PromotionStore';
import { promotionRoutes } from './routes';

export type { PromotionService } from './PromotionService';
export type { RolloutStarter } from './PromotionService';
export type { PromotionStore } from './PromotionStore';
export { DatabasePromotionStore } from './DatabasePromotionStore';

/** The promotion requests' store on the plugin's database. */
export function createPromotionStore(ctx: MlopsContext): PromotionStore {
  return new DatabasePromotionStore(ctx.db, ctx.store);
}

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
    /** The requests' store, when another concern needed it first (rollouts list a model's promotions). */
    store?: PromotionStore;
    /** Runs the gates again when the evidence is stale (another champion or policy since they ran). */
    gates?: Pick<GateService, 'evaluate' | 'refreshStale' | 'stalenessOf'>;
  },
) {
  const store: PromotionStore = deps.store ?? createPromotionStore(ctx);
  const service = new DefaultPromotionService(store, deps.registry, ctx.policyOf, ctx.permissions, ctx.auth, deps.moveExternalAlias, deps.rollouts, deps.gates);
  return {
    service,
    store,
    routes: (http: RouteContext) => promotionRoutes(http, service, deps.onRequested),
    tasks: [promotionExpiryTask({ store, auditor: ctx.auditor })],
  } satisfies Concern & Record<string, unknown>;
}
