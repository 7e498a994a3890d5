/*
 * The demo's Kubernetes API on 127.0.0.1:5056, so that one demo model splits its canary through a
 * Gateway API HTTPRoute with no cluster around: the stand-in the tests use for faults (it serves
 * the versions the published CRDs serve and answers discovery), holding the HTTPRoute of
 * dynamic-pricing-regressor as the Gateway API's traffic-splitting guide writes one. Started by
 * `npm start` and the browser tests. Run: node -r @backstage/cli/config/nodeTransform.cjs scripts/demo-kubernetes.ts
 */
import { FakeKubernetesApi } from '../plugins/mlops-backend/src/__testUtils__/FakeKubernetesApi';

const PORT = Number(process.env.DEMO_KUBERNETES_PORT ?? 5056);
/** app-config.yaml's mlops.kubernetes.token. */
const TOKEN = 'modelrails-demo-kubernetes-token';

async function main() {
  const api = new FakeKubernetesApi();
  api.token = TOKEN;
  api.namespaces.add('pricing');
  // The champion, v12, takes everything until a rollout moves the weights.
  api.put('gateway.networking.k8s.io', 'httproutes', 'pricing', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'dynamic-pricing', labels: { app: 'dynamic-pricing' } },
    spec: {
      parentRefs: [{ name: 'pricing-gateway' }],
      hostnames: ['pricing.internal.example.com'],
      rules: [{ name: 'quote', backendRefs: [{ group: '', kind: 'Service', name: 'dynamic-pricing-v12', port: 8080, weight: 100 }] }],
    },
  });
  const url = await api.start(PORT);
  process.stdout.write(`demo Kubernetes API listening on ${url}\n`);
  const stop = () => api.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
