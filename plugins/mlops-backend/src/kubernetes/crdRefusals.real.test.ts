import { FakeKubernetesApi } from '../__testUtils__/FakeKubernetesApi';
import { RealKubernetes, startRealKubernetes, uniqueNamespace } from '../__testUtils__/realKubernetes';
import { IstioTrafficRouter } from '../rollout/IstioTrafficRouter';

/*
 * For every kind of object ModelRails writes, the published CRD's schema decides what is valid:
 * the real API server accepts the object as the project documents it and refuses a broken copy
 * with 422 and the field, and the fake (used for faults) refuses it exactly as the real one does.
 */

jest.setTimeout(120_000);

let kube: RealKubernetes;
let fake: FakeKubernetesApi;
beforeAll(async () => {
  kube = await startRealKubernetes();
  fake = new FakeKubernetesApi();
  fake.validateWith = kube.request;
  await fake.start();
});
afterAll(async () => {
  await fake?.stop();
  await kube?.stop();
});

const KINDS = [
  {
    kind: 'VirtualService',
    path: 'networking.istio.io/v1/namespaces/{ns}/virtualservices',
    valid: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] },
    },
    broken: (o: any) => {
      o.spec.http[0].route[1].weight = '10';
      return o;
    },
    field: 'spec.http[0].route[1].weight',
  },
  {
    kind: 'InferenceService',
    path: 'serving.kserve.io/v1beta1/namespaces/{ns}/inferenceservices',
    valid: {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'sklearn-iris' },
      spec: { predictor: { canaryTrafficPercent: 10, model: { modelFormat: { name: 'sklearn' }, storageUri: 'gs://kfserving-examples/models/sklearn/1.0/model' } } },
    },
    broken: (o: any) => {
      o.spec.predictor.canaryTrafficPercent = 'ten';
      return o;
    },
    field: 'spec.predictor.canaryTrafficPercent',
  },
  {
    kind: 'HTTPRoute',
    path: 'gateway.networking.k8s.io/v1/namespaces/{ns}/httproutes',
    valid: {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: 'foo-route' },
      spec: { parentRefs: [{ name: 'prod-web' }], hostnames: ['foo.example.com'], rules: [{ backendRefs: [{ name: 'foo-v1', port: 8080, weight: 90 }, { name: 'foo-v2', port: 8080, weight: 10 }] }] },
    },
    broken: (o: any) => {
      o.spec.rules[0].backendRefs[1].weight = -1;
      return o;
    },
    field: 'spec.rules[0].backendRefs[1].weight',
  },
  {
    kind: 'Workflow',
    path: 'argoproj.io/v1alpha1/namespaces/{ns}/workflows',
    valid: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { generateName: 'retrain-' },
      spec: { workflowTemplateRef: { name: 'retrain-ranker' }, arguments: { parameters: [{ name: 'model', value: 'model:default/home-feed-ranker' }] } },
    },
    broken: (o: any) => {
      o.spec.arguments.parameters = [{ value: 'no name' }];
      return o;
    },
    field: 'spec.arguments.parameters[0].name',
  },
];

describe.each(KINDS)('$kind: the published CRD decides', ({ path, valid, broken, field }) => {
  it('the real server accepts the documented object and refuses a broken one with 422 naming the field; the fake answers the same', async () => {
    const ns = uniqueNamespace('crd');
    const url = `/apis/${path.replace('{ns}', ns)}`;
    expect((await kube.request('POST', url, valid)).status).toBe(201);

    const real = await kube.request('POST', url, broken(structuredClone(valid)));
    expect(real.status).toBe(422);
    expect(real.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    expect(real.body.details.causes.map((c: any) => c.field)).toContain(field);

    fake.namespaces.add(ns);
    const viaFake = await fetch(`${fake.url}${url}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(broken(structuredClone(valid))),
    });
    expect(viaFake.status).toBe(422);
    // generateName gives each attempt its own name; everything else is the same answer.
    const generated = (body: unknown) => JSON.parse(JSON.stringify(body).replace(/retrain-[a-z0-9]{5}/g, 'retrain-xxxxx'));
    expect(generated(await viaFake.json())).toEqual(generated(real.body));
    const accepted = await fetch(`${fake.url}${url}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(valid),
    });
    expect(accepted.status).toBe(201);
  });
});

it('the fake serves only the versions the CRDs serve (404 otherwise) and answers discovery as the real server', async () => {
  const ns = uniqueNamespace('versions');
  fake.namespaces.add(ns);
  for (const [group, version] of [['networking.istio.io', 'v2'], ['serving.kserve.io', 'v1alpha1'], ['argoproj.io', 'v1']]) {
    const path = `/apis/${group}/${version}/namespaces/${ns}/things`;
    expect((await kube.request('GET', path)).status).toBe(404);
    expect((await fetch(`${fake.url}${path}`, { headers: { Authorization: `Bearer ${fake.token}` } })).status).toBe(404);
  }
  for (const group of ['networking.istio.io', 'serving.kserve.io', 'gateway.networking.k8s.io', 'argoproj.io']) {
    const real = (await kube.request('GET', `/apis/${group}`)).body;
    const fromFake = await (await fetch(`${fake.url}/apis/${group}`, { headers: { Authorization: `Bearer ${fake.token}` } })).json();
    expect(fromFake).toEqual(real);
  }
});

it("a router's write the CRD refuses is a rollout error naming the field, never a crash", async () => {
  const ns = uniqueNamespace('refused');
  fake.namespaces.add(ns);
  // A VirtualService someone else left invalid (the API server had no schema then): every write of it is refused now.
  fake.put('networking.istio.io', 'virtualservices', ns, {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews' },
    spec: { hosts: ['reviews'], http: [{ timeout: 'soon', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] },
  });
  const router = new IstioTrafficRouter(fake.kubeConfig(), { kind: 'istio', namespace: ns, virtualService: 'reviews', subset: 'v{version}' });
  await expect(router.apply({ champion: '1', challenger: '2' }, { weight: 10, mirrored: false })).rejects.toThrow(
    /updating VirtualService .*\/reviews: Kubernetes answered 422 Invalid: .*spec\.http\[0\]\.timeout/,
  );
});
