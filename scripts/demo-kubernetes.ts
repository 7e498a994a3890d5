/*
 * The demo's Kubernetes API on 127.0.0.1:5056, with no cluster around: the stand-in the tests use
 * for faults (it serves the versions the published CRDs serve and answers discovery), holding the
 * HTTPRoute of dynamic-pricing-regressor as the Gateway API's traffic-splitting guide writes one,
 * and taking ad-ctr-predictor's retraining Workflows, which a stand-in for Argo's controller runs
 * (Pending, then Running, then Succeeded) so the portal can follow them. Started by `npm start` and
 * the browser tests. Run: node -r @backstage/cli/config/nodeTransform.cjs scripts/demo-kubernetes.ts
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
  api.namespaces.add('ads-training');
  // Argo's controller, as far as the portal can see it: a Workflow runs 20 s after it is submitted
  // and succeeds a minute later.
  const ARGO = ['argoproj.io', 'workflows', 'ads-training'] as const;
  setInterval(() => {
    for (const workflow of api.list(...ARGO)) {
      const age = Date.now() - Date.parse(String(workflow.metadata.creationTimestamp));
      const status = (workflow.status ?? {}) as { phase?: string };
      let next: Record<string, string> | undefined;
      if (!status.phase && age > 20_000) next = { phase: 'Running', startedAt: new Date().toISOString() };
      else if (status.phase === 'Running' && age > 80_000) next = { ...status, phase: 'Succeeded', finishedAt: new Date().toISOString(), message: 'registered a new version' };
      if (next) api.put(...ARGO, { ...workflow, status: next });
    }
  }, 5_000).unref();
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
