import { createExtensionPoint, LifecycleService } from '@backstage/backend-plugin-api';
import { KpiService } from './kpi/KpiService';
import { createKpis } from './kpi';
import { OwnerNotifications } from './notifications/OwnerNotifications';
import { PromotionStore } from './promotion/PromotionStore';
import { RegistryStore } from './registry/RegistryStore';
import { RolloutEngine } from './rollout/RolloutEngine';
import { RolloutStore } from './rollout/RolloutStore';
import { TrafficRouters } from './rollout/TrafficRouters';
import { TelemetryService } from './telemetry/TelemetryService';
import { TelemetryStore } from './telemetry/TelemetryStore';
import { MlopsContext } from './wiring';

/**
 * The plugin's own services, handed to modules of this package that run inside it (the embedded
 * demo). Not exported from the package: adopters extend the plugin through
 * `@modelrails/plugin-mlops-node`'s extension points.
 */
export type MlopsInternals = {
  ctx: MlopsContext;
  lifecycle: LifecycleService;
  registry: RegistryStore;
  promotions: PromotionStore;
  telemetry: TelemetryService;
  telemetryStore: TelemetryStore;
  rollouts: RolloutEngine;
  rolloutStore: RolloutStore;
  /** Every traffic router by name; the demo's traffic follows the split a rollout's router holds. */
  trafficRouters: TrafficRouters;
  kpis: ReturnType<typeof createKpis> & { service: KpiService };
  ownerNotifications: OwnerNotifications;
};

export interface MlopsInternalsExtensionPoint {
  /** Runs once the plugin's services exist, before its routes answer. */
  onReady(hook: (internals: MlopsInternals) => Promise<void>): void;
}

export const mlopsInternalsExtensionPoint = createExtensionPoint<MlopsInternalsExtensionPoint>({ id: 'mlops.internals' });
