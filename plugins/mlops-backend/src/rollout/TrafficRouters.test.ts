import { KubeConfig } from '@kubernetes/client-node';
import { SimulatedTraffic } from './SimulatedTrafficRouter';
import { TrafficRouters } from './TrafficRouters';
import { TrafficRouterError } from './TrafficRouter';

const versions = { champion: '17', challenger: '18' };
const kubeConfig = () => {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
};

describe('TrafficRouters', () => {
  it('makes the built-in routers from the flat targets policies write', () => {
    const routers = new TrafficRouters({ kubeConfig: kubeConfig(), simulated: new SimulatedTraffic() });
    expect(routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'istio', namespace: 'ml', virtualService: 'feed' } as any }).describe()).toBe('VirtualService ml/feed');
    expect(routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'kserve', namespace: 'ml', inferenceService: 'feed' } as any }).describe()).toBe('InferenceService ml/feed');
    expect(routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'simulated' } }).describe()).toBe('simulated traffic of model:default/a');
  });

  it('gives Kubernetes targets a router that refuses, saying why, when no cluster is configured', async () => {
    const routers = new TrafficRouters({ simulated: new SimulatedTraffic() });
    const router = routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'istio', namespace: 'ml', virtualService: 'feed' } as any });
    expect(router.describe()).toBe('VirtualService ml/feed');
    await expect(router.read(versions)).rejects.toThrow(new TrafficRouterError('VirtualService ml/feed: mlops.kubernetes is not configured'));
  });

  it('hands a module its config block, refuses unknown names and factories that throw, and never lets a module replace a built-in router', async () => {
    const routers = new TrafficRouters({ simulated: new SimulatedTraffic() });
    const factory = jest.fn(({ config }: { config: Record<string, unknown> }) => {
      if (!config.service) throw new TrafficRouterError('config.service is required');
      return new SimulatedTraffic().router(String(config.service));
    });
    routers.add('acme', factory);
    expect(routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'plugin', name: 'acme', config: { service: 'feed' } } }).describe()).toBe('simulated traffic of feed');
    expect(factory).toHaveBeenCalledWith({ modelRef: 'model:default/a', config: { service: 'feed' } });
    await expect(routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'plugin', name: 'acme', config: {} } }).read(versions)).rejects.toThrow('traffic router "acme": config.service is required');
    await expect(routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'plugin', name: 'nobody', config: {} } }).read(versions)).rejects.toThrow('no backend module added a router of that name');
    expect(() => routers.add('istio', factory)).toThrow('Traffic router "istio" is built in; add yours under another name');
    expect(() => routers.add('acme', factory)).toThrow('Traffic router "acme" was already added');
  });
});
