import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { RetrainAction } from './retraining';
import { TrafficRouterFactory } from './traffic';

/**
 * Adds traffic routers to the ModelRails backend (Linkerd, a service mesh of your own, a gateway).
 * The built-in ones are `istio`, `kserve` and `simulated`.
 * @public
 */
export interface MlopsTrafficRoutersExtensionPoint {
  /** `name` is what policies write as `rollout.traffic.name`; each name once. */
  addTrafficRouter(name: string, factory: TrafficRouterFactory): void;
}

/** @public */
export const mlopsTrafficRoutersExtensionPoint = createExtensionPoint<MlopsTrafficRoutersExtensionPoint>({
  id: 'mlops.traffic-routers',
});

/**
 * Adds retraining actions to the ModelRails backend (a CI pipeline, a Kubeflow run, a ticket). The
 * built-in ones are `argo-workflow` and `webhook`.
 * @public
 */
export interface MlopsRetrainActionsExtensionPoint {
  /** `name` is what policies write as `retraining.target.name`; each name once. */
  addRetrainAction(name: string, action: RetrainAction): void;
}

/** @public */
export const mlopsRetrainActionsExtensionPoint = createExtensionPoint<MlopsRetrainActionsExtensionPoint>({
  id: 'mlops.retrain-actions',
});
