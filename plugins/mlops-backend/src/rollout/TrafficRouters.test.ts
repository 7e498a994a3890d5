import { KubeConfig } from '@kubernetes/client-node';
import { FakeKubernetesApi } from '../__testUtils__/FakeKubernetesApi';
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
    expect(routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'gateway-api', namespace: 'ml', httpRoute: 'feed', backend: 'feed-v{version}' } as any }).describe()).toBe('HTTPRoute ml/feed');
    expect(routers.routerFor({ modelRef: 'model:default/a', traffic: { kind: 'simulated' } }).describe()).toBe('simulated traffic of model:default/a');
  });

  it('says so when the cluster serves no Istio or Gateway API, and when the object is missing', async () => {
    const cluster = new FakeKubernetesApi();
    cluster.namespaces.add('ml');
    cluster.served['networking.istio.io'] = [];
    cluster.served['gateway.networking.k8s.io'] = [];
    await cluster.start();
    try {
      const routers = new TrafficRouters({ kubeConfig: cluster.kubeConfig(), simulated: new SimulatedTraffic() });
      const router = (traffic: any) => routers.routerFor({ modelRef: 'model:default/a', traffic });
      await expect(router({ kind: 'istio', namespace: 'ml', virtualService: 'feed', subset: 'v{version}' }).read(versions)).rejects.toThrow(
        /VirtualService ml\/feed: the cluster serves no networking\.istio\.io API \(v1, v1beta1, v1alpha3\): is Istio installed\?/,
      );
      await expect(router({ kind: 'gateway-api', namespace: 'ml', httpRoute: 'feed', backend: 'feed-v{version}' }).apply(versions, { weight: 10, mirrored: false })).rejects.toThrow(
        /are the Gateway API CRDs installed\?/,
      );
      await expect(router({ kind: 'kserve', namespace: 'ml', inferenceService: 'feed' }).read(versions)).rejects.toThrow(
        'reading InferenceService ml/feed: Kubernetes answered 404 NotFound: inferenceservices.serving.kserve.io "feed" not found',
      );
    } finally {
      await cluster.stop();
    }
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
