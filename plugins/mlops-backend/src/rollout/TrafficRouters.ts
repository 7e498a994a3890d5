import { KubeConfig } from '@kubernetes/client-node';
import { TrafficTarget } from '@modelrails/plugin-mlops-common';
import { TrafficRouterFactory } from '@modelrails/plugin-mlops-node';
import { IstioTrafficRouter } from './IstioTrafficRouter';
import { KServeTrafficRouter } from './KServeTrafficRouter';
import { SimulatedTraffic } from './SimulatedTrafficRouter';
import { TrafficRouter, TrafficRouterError } from './TrafficRouter';
import { NamedExtensions } from '../wiring';

/** A router that cannot act: every call fails with the reason, so the rollout stays pending and says why. */
function refusing(what: string, reason: string): TrafficRouter {
  const fail = async (): Promise<never> => {
    throw new TrafficRouterError(`${what}: ${reason}`);
  };
  return { describe: () => what, read: fail, apply: fail, scaleDown: fail };
}

const BUILT_IN = ['istio', 'kserve', 'simulated'] as const;

/**
 * Every traffic router this backend knows: the built-in ones (Istio and KServe through the
 * Kubernetes API, the in-process simulated one) and those backend modules added through
 * `mlopsTrafficRoutersExtensionPoint`, found by a policy's `rollout.traffic`.
 */
export class TrafficRouters {
  private readonly added = new NamedExtensions<TrafficRouterFactory>('Traffic router', BUILT_IN);

  constructor(private readonly builtIn: { kubeConfig?: KubeConfig; simulated: SimulatedTraffic }) {}

  add(name: string, factory: TrafficRouterFactory) {
    this.added.add(name, factory);
  }

  /** The router for a rollout's target; one that refuses (and says why) when it cannot be made. */
  routerFor(record: { modelRef: string; traffic: TrafficTarget }): TrafficRouter {
    const t = record.traffic;
    const { kubeConfig, simulated } = this.builtIn;
    if (t.kind === 'simulated') return simulated.router(record.modelRef);
    if (t.kind === 'istio') {
      return kubeConfig ? new IstioTrafficRouter(kubeConfig, t) : refusing(`VirtualService ${t.namespace}/${t.virtualService}`, 'mlops.kubernetes is not configured');
    }
    if (t.kind === 'kserve') {
      return kubeConfig ? new KServeTrafficRouter(kubeConfig, t) : refusing(`InferenceService ${t.namespace}/${t.inferenceService}`, 'mlops.kubernetes is not configured');
    }
    const factory = this.added.get(t.name);
    if (!factory) return refusing(`traffic router "${t.name}"`, 'no backend module added a router of that name');
    try {
      return factory({ modelRef: record.modelRef, config: t.config });
    } catch (error) {
      return refusing(`traffic router "${t.name}"`, (error as Error).message);
    }
  }
}
