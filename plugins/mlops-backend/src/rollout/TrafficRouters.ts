import { KubeConfig } from '@kubernetes/client-node';
import { TrafficTarget } from '@modelrails/plugin-mlops-common';
import { TrafficRouterFactory } from '@modelrails/plugin-mlops-node';
import { ApiDiscovery } from '../kubernetes/discovery';
import { GatewayApiTarget, GatewayApiTrafficRouter } from './GatewayApiTrafficRouter';
import { IstioTarget, IstioTrafficRouter } from './IstioTrafficRouter';
import { KServeTarget, KServeTrafficRouter } from './KServeTrafficRouter';
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

/** A router that needs the Kubernetes API, or one that refuses when `mlops.kubernetes` is not configured. */
function throughKubernetes<T>(kubeConfig: KubeConfig | undefined, describe: (target: T) => string, make: (kubeConfig: KubeConfig, target: T) => TrafficRouter): TrafficRouterFactory {
  return ({ config }) => {
    const target = config as T;
    return kubeConfig ? make(kubeConfig, target) : refusing(describe(target), 'mlops.kubernetes is not configured');
  };
}

/**
 * Every traffic router this backend knows, by the name a policy's `rollout.traffic` gives: the
 * built-in ones (`istio`, `kserve` and `gateway-api` through the Kubernetes API, the in-process `simulated` one)
 * are registered exactly as backend modules register theirs through
 * `mlopsTrafficRoutersExtensionPoint`.
 */
export class TrafficRouters {
  private readonly routers = new NamedExtensions<TrafficRouterFactory>('Traffic router');

  constructor(builtIn: { kubeConfig?: KubeConfig; simulated: SimulatedTraffic }) {
    const { kubeConfig, simulated } = builtIn;
    // One discovery cache for every router: the served API versions are asked once per few minutes.
    const discovery = kubeConfig ? new ApiDiscovery(kubeConfig) : undefined;
    this.routers.addBuiltIn('istio', throughKubernetes<IstioTarget>(kubeConfig, t => `VirtualService ${t.namespace}/${t.virtualService}`, (k, t) => new IstioTrafficRouter(k, t, discovery)));
    this.routers.addBuiltIn('kserve', throughKubernetes<KServeTarget>(kubeConfig, t => `InferenceService ${t.namespace}/${t.inferenceService}`, (k, t) => new KServeTrafficRouter(k, t)));
    this.routers.addBuiltIn('gateway-api', throughKubernetes<GatewayApiTarget>(kubeConfig, t => `HTTPRoute ${t.namespace}/${t.httpRoute}`, (k, t) => new GatewayApiTrafficRouter(k, t, discovery)));
    this.routers.addBuiltIn('simulated', ({ modelRef }) => simulated.router(modelRef));
  }

  add(name: string, factory: TrafficRouterFactory) {
    this.routers.add(name, factory);
  }

  /** The router for a rollout's target; one that refuses (and says why) when it cannot be made. */
  routerFor(record: { modelRef: string; traffic: TrafficTarget }): TrafficRouter {
    const t = record.traffic;
    // Built-in targets are written flat in the policy; a module's router gets its `config` block.
    const [name, config] = t.kind === 'plugin' ? [t.name, t.config] : [t.kind, t as Record<string, unknown>];
    const factory = this.routers.get(name);
    if (!factory) return refusing(`traffic router "${name}"`, 'no backend module added a router of that name');
    try {
      return factory({ modelRef: record.modelRef, config });
    } catch (error) {
      return refusing(`traffic router "${name}"`, (error as Error).message);
    }
  }
}
