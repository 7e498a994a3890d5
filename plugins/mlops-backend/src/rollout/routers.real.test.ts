import { publishedCrds, RealKubernetes, startRealKubernetes, uniqueNamespace } from '../__testUtils__/realKubernetes';
import { ApiDiscovery } from '../kubernetes/discovery';
import { GatewayApiTrafficRouter } from './GatewayApiTrafficRouter';
import { IstioTrafficRouter } from './IstioTrafficRouter';
import { KServeTrafficRouter } from './KServeTrafficRouter';

/*
 * The traffic routers against a real Kubernetes API server with Istio's, KServe's and the Gateway
 * API's published CRDs: every object starts as the project's own documentation writes it, and
 * every write must pass the real CRD schema (a 422 fails the test).
 */

jest.setTimeout(120_000);

let kube: RealKubernetes;
beforeAll(async () => {
  kube = await startRealKubernetes();
});
afterAll(() => kube?.stop());

async function create(path: string, object: object) {
  const created = await kube.request('POST', path, object);
  if (created.status !== 201) throw new Error(`creating ${path}: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

describe('Istio', () => {
  const vsPath = (ns: string, version = 'v1') => `/apis/networking.istio.io/${version}/namespaces/${ns}/virtualservices`;

  it("splits by subset: Istio's traffic-shifting task (reviews v1 / v3)", async () => {
    const ns = uniqueNamespace('istio-subsets');
    // istio.io, Tasks › Traffic Management › Traffic Shifting: virtual-service-reviews-50-v3.yaml
    await create(vsPath(ns), {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews'],
        http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 50 }, { destination: { host: 'reviews', subset: 'v3' }, weight: 50 }] }],
      },
    });
    const router = new IstioTrafficRouter(kube.kubeConfig(), { kind: 'istio', namespace: ns, virtualService: 'reviews', subset: 'v{version}' });
    const versions = { champion: '1', challenger: '3' };
    expect(await router.read(versions)).toEqual({ weight: 50, mirrored: false });
    expect(await router.apply(versions, { weight: 80, mirrored: false })).toEqual({ weight: 80, mirrored: false });
    const stored = (await kube.request('GET', `${vsPath(ns)}/reviews`)).body;
    expect(stored.spec.http[0].route).toEqual([
      { destination: { host: 'reviews', subset: 'v1' }, weight: 20 },
      { destination: { host: 'reviews', subset: 'v3' }, weight: 80 },
    ]);
    // Shadow: the route's traffic mirrored to the challenger.
    expect(await router.apply(versions, { weight: 0, mirrored: true })).toEqual({ weight: 0, mirrored: true });
    expect((await kube.request('GET', `${vsPath(ns)}/reviews`)).body.spec.http[0]).toMatchObject({ mirror: { host: 'reviews', subset: 'v3' }, mirrorPercentage: { value: 100 } });
  });

  it("splits by host: Argo Rollouts' Istio host-level traffic splitting (stable and canary Services)", async () => {
    const ns = uniqueNamespace('istio-hosts');
    // argo-rollouts docs, Traffic Management › Istio › Host-level Traffic Splitting
    await create(vsPath(ns, 'v1alpha3'), {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: { name: 'rollout-vsvc' },
      spec: {
        gateways: ['istio-rollout-gateway'],
        hosts: ['istio-rollout.dev.argoproj.io'],
        http: [
          {
            name: 'primary',
            route: [
              { destination: { host: 'rollout-stable', port: { number: 15372 } }, weight: 95 },
              { destination: { host: 'rollout-canary', port: { number: 15372 } }, weight: 5 },
            ],
          },
        ],
      },
    });
    const router = new IstioTrafficRouter(kube.kubeConfig(), {
      kind: 'istio',
      namespace: ns,
      virtualService: 'rollout-vsvc',
      route: 'primary',
      subset: 'v{version}',
      hosts: { champion: 'rollout-stable', challenger: 'rollout-canary' },
    });
    const versions = { champion: '4', challenger: '5' };
    // Wave 1 read this as 0 % (it matched subsets only) and refused every change.
    expect(await router.read(versions)).toEqual({ weight: 5, mirrored: false });
    expect(await router.apply(versions, { weight: 25, mirrored: false })).toEqual({ weight: 25, mirrored: false });
    expect((await kube.request('GET', `${vsPath(ns)}/rollout-vsvc`)).body.spec.http[0].route).toEqual([
      { destination: { host: 'rollout-stable', port: { number: 15372 } }, weight: 75 },
      { destination: { host: 'rollout-canary', port: { number: 15372 } }, weight: 25 },
    ]);
  });

  it("takes the named route, and refuses to guess among several: Istio's request-routing task (a header match first)", async () => {
    const ns = uniqueNamespace('istio-routes');
    // istio.io, Tasks › Traffic Management › Request Routing: virtual-service-reviews-test-v2.yaml
    await create(vsPath(ns), {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews'],
        http: [
          { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
          { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
        ],
      },
    });
    const versions = { champion: '1', challenger: '2' };
    const unnamed = new IstioTrafficRouter(kube.kubeConfig(), { kind: 'istio', namespace: ns, virtualService: 'reviews', subset: 'v{version}' });
    // Wave 1 took http[0], the header match, and read 100 % canary.
    await expect(unnamed.read(versions)).rejects.toThrow(/has 2 HTTP routes and the policy names none/);
    await expect(unnamed.apply(versions, { weight: 10, mirrored: false })).rejects.toThrow(/has 2 HTTP routes/);

    const vs = (await kube.request('GET', `${vsPath(ns)}/reviews`)).body;
    vs.spec.http[1].name = 'everyone';
    expect((await kube.request('PUT', `${vsPath(ns)}/reviews`, vs)).status).toBe(200);
    const named = new IstioTrafficRouter(kube.kubeConfig(), { kind: 'istio', namespace: ns, virtualService: 'reviews', route: 'everyone', subset: 'v{version}' });
    expect(await named.read(versions)).toEqual({ weight: 0, mirrored: false });
    expect(await named.apply(versions, { weight: 10, mirrored: false })).toEqual({ weight: 10, mirrored: false });
    const after = (await kube.request('GET', `${vsPath(ns)}/reviews`)).body.spec.http;
    // The header-match route is left as it was.
    expect(after[0]).toEqual(vs.spec.http[0]);
    expect(after[1].route).toEqual([{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }]);
  });

  it("shadows beside a route's own mirrors (istiod refuses mirror and mirrors together), and refuses to replace another mirror", async () => {
    const ns = uniqueNamespace('istio-mirrors');
    await create(vsPath(ns), {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews'],
        http: [
          { name: 'audited', route: [{ destination: { host: 'reviews', subset: 'v1' } }], mirrors: [{ destination: { host: 'audit-sink' }, percentage: { value: 5 } }] },
          { name: 'legacy', route: [{ destination: { host: 'reviews', subset: 'v1' } }], mirror: { host: 'audit-sink' } },
        ],
      },
    });
    const versions = { champion: '1', challenger: '2' };
    const audited = new IstioTrafficRouter(kube.kubeConfig(), { kind: 'istio', namespace: ns, virtualService: 'reviews', route: 'audited', subset: 'v{version}' });
    expect(await audited.apply(versions, { weight: 0, mirrored: true })).toEqual({ weight: 0, mirrored: true });
    const stored = (await kube.request('GET', `${vsPath(ns)}/reviews`)).body.spec.http[0];
    expect(stored.mirror).toBeUndefined();
    expect(stored.mirrors).toEqual([
      { destination: { host: 'audit-sink' }, percentage: { value: 5 } },
      { destination: { host: 'reviews', subset: 'v2' }, percentage: { value: 100 } },
    ]);
    expect(await audited.apply(versions, { weight: 10, mirrored: false })).toEqual({ weight: 10, mirrored: false });
    expect((await kube.request('GET', `${vsPath(ns)}/reviews`)).body.spec.http[0].mirrors).toEqual([{ destination: { host: 'audit-sink' }, percentage: { value: 5 } }]);

    const legacy = new IstioTrafficRouter(kube.kubeConfig(), { kind: 'istio', namespace: ns, virtualService: 'reviews', route: 'legacy', subset: 'v{version}' });
    await expect(legacy.apply(versions, { weight: 0, mirrored: true })).rejects.toThrow(/already mirrors to audit-sink; list both under "mirrors"/);
  });

  it('finds the API version by discovery: an Istio before 1.22 serves no networking.istio.io/v1', async () => {
    const older = publishedCrds()
      .filter(crd => crd.spec.names.kind === 'VirtualService')
      .map(crd => ({ ...crd, spec: { ...crd.spec, versions: crd.spec.versions.map((v: any) => ({ ...v, served: v.name !== 'v1', storage: v.name === 'v1beta1' })) } }));
    const istio121 = await startRealKubernetes({ crds: older });
    try {
      const ns = uniqueNamespace('istio-121');
      expect((await istio121.request('GET', `/apis/networking.istio.io/v1/namespaces/${ns}/virtualservices`)).status).toBe(404);
      const created = await istio121.request('POST', `/apis/networking.istio.io/v1beta1/namespaces/${ns}/virtualservices`, {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'VirtualService',
        metadata: { name: 'reviews' },
        spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] },
      });
      expect(created.status).toBe(201);
      const router = new IstioTrafficRouter(istio121.kubeConfig(), { kind: 'istio', namespace: ns, virtualService: 'reviews', subset: 'v{version}' });
      expect(await router.apply({ champion: '1', challenger: '2' }, { weight: 5, mirrored: false })).toEqual({ weight: 5, mirrored: false });
      expect(await new ApiDiscovery(istio121.kubeConfig()).servedVersion('networking.istio.io', ['v1', 'v1beta1', 'v1alpha3'])).toBe('v1beta1');
    } finally {
      await istio121.stop();
    }
  });
});

describe('KServe', () => {
  const path = (ns: string) => `/apis/serving.kserve.io/v1beta1/namespaces/${ns}/inferenceservices`;

  it("reports the requested split from spec and the served one from status, and holds the step until they agree (KServe's canary rollout example)", async () => {
    const ns = uniqueNamespace('kserve');
    // kserve docs, Model Serving › Rollout strategies › Canary
    const created = await create(path(ns), {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'sklearn-iris' },
      spec: { predictor: { model: { modelFormat: { name: 'sklearn' }, storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model' } } },
    });
    const router = new KServeTrafficRouter(kube.kubeConfig(), { kind: 'kserve', namespace: ns, inferenceService: 'sklearn-iris' });
    const versions = { champion: '1', challenger: '2' };
    expect(await router.read(versions)).toEqual({ weight: 100, mirrored: false, settling: expect.stringMatching(/reports no served traffic yet/) });

    const asked = await router.apply(versions, { weight: 10, mirrored: false });
    expect(asked).toMatchObject({ weight: 10, settling: expect.any(String) });
    // KServe's controller writes the served traffic to the status subresource, as in the docs' `kubectl get isvc` output.
    const status = async (percentLatest: number) => {
      const isvc = (await kube.request('GET', `${path(ns)}/sklearn-iris`)).body;
      isvc.status = {
        observedGeneration: isvc.metadata.generation,
        components: {
          predictor: {
            latestCreatedRevision: 'sklearn-iris-predictor-00002',
            latestReadyRevision: 'sklearn-iris-predictor-00002',
            traffic: [
              { latestRevision: true, percent: percentLatest, revisionName: 'sklearn-iris-predictor-00002', tag: 'latest' },
              { latestRevision: false, percent: 100 - percentLatest, revisionName: 'sklearn-iris-predictor-00001', tag: 'prev' },
            ],
          },
        },
      };
      const written = await kube.request('PUT', `${path(ns)}/sklearn-iris/status`, isvc);
      expect(written.status).toBe(200);
    };
    await status(0);
    expect(await router.read(versions)).toEqual({ weight: 10, mirrored: false, settling: expect.stringMatching(/serves 0 % on the latest revision, 10 % is asked/) });
    await status(10);
    expect(await router.read(versions)).toEqual({ weight: 10, mirrored: false });
    expect(created.spec.predictor.canaryTrafficPercent).toBeUndefined();
  });
});

describe('Gateway API', () => {
  const path = (ns: string) => `/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes`;
  // gateway-api.sigs.k8s.io, Guides › HTTP traffic splitting: the canary route.
  const fooRoute = (rules: object[]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'foo-route', labels: { gateway: 'prod-web-gw' } },
    spec: { parentRefs: [{ name: 'prod-web' }], hostnames: ['foo.example.com'], rules },
  });

  it("moves the weights of the backendRefs and mirrors for shadow (the Gateway API's traffic-splitting guide)", async () => {
    const ns = uniqueNamespace('gateway');
    await create(path(ns), fooRoute([{ backendRefs: [{ name: 'foo-v1', port: 8080, weight: 90 }, { name: 'foo-v2', port: 8080, weight: 10 }] }]));
    const router = new GatewayApiTrafficRouter(kube.kubeConfig(), { kind: 'gateway-api', namespace: ns, httpRoute: 'foo-route', backend: 'foo-v{version}' });
    const versions = { champion: '1', challenger: '2' };
    expect(await router.read(versions)).toEqual({ weight: 10, mirrored: false });
    expect(await router.apply(versions, { weight: 50, mirrored: false })).toEqual({ weight: 50, mirrored: false });
    expect((await kube.request('GET', `${path(ns)}/foo-route`)).body.spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'foo-v1', port: 8080, weight: 50 },
      { group: '', kind: 'Service', name: 'foo-v2', port: 8080, weight: 50 },
    ]);
    expect(await router.apply(versions, { weight: 0, mirrored: true })).toEqual({ weight: 0, mirrored: true });
    expect((await kube.request('GET', `${path(ns)}/foo-route`)).body.spec.rules[0].filters).toEqual([
      { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'foo-v2', port: 8080 } } },
    ]);
    expect(await router.apply(versions, { weight: 100, mirrored: false })).toEqual({ weight: 100, mirrored: false });
    expect((await kube.request('GET', `${path(ns)}/foo-route`)).body.spec.rules[0].filters).toBeUndefined();
  });

  it('reads weights as proportions (default 1), takes the named rule and refuses to guess among several', async () => {
    const ns = uniqueNamespace('gateway-rules');
    await create(path(ns), fooRoute([
      { name: 'beta', matches: [{ headers: [{ name: 'traffic', value: 'test' }] }], backendRefs: [{ name: 'foo-v2', port: 8080 }] },
      { name: 'everyone', backendRefs: [{ name: 'foo-v1', port: 8080, weight: 3 }, { name: 'foo-v2', port: 8080 }] },
    ]));
    const versions = { champion: '1', challenger: '2' };
    const unnamed = new GatewayApiTrafficRouter(kube.kubeConfig(), { kind: 'gateway-api', namespace: ns, httpRoute: 'foo-route', backend: 'foo-v{version}' });
    await expect(unnamed.read(versions)).rejects.toThrow(/has 2 rules and the policy names none/);
    const named = new GatewayApiTrafficRouter(kube.kubeConfig(), { kind: 'gateway-api', namespace: ns, httpRoute: 'foo-route', rule: 'everyone', backend: 'foo-v{version}' });
    expect(await named.read(versions)).toEqual({ weight: 25, mirrored: false });
  });
});
