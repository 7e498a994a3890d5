import { RootConfigService } from '@backstage/backend-plugin-api';
import { ApiException, KubeConfig } from '@kubernetes/client-node';

/**
 * The Kubernetes API the backend talks to: `mlops.kubernetes` with a URL and a service-account
 * token, or `inCluster: true` for the pod's own service account. Undefined when not configured.
 */
export function kubeConfigFrom(config: RootConfigService): KubeConfig | undefined {
  const k8s = config.getOptionalConfig('mlops.kubernetes');
  if (!k8s) return undefined;
  const kc = new KubeConfig();
  if (k8s.getOptionalBoolean('inCluster')) {
    kc.loadFromCluster();
    return kc;
  }
  kc.loadFromOptions({
    clusters: [
      {
        name: 'modelrails',
        server: k8s.getString('url'),
        caData: k8s.getOptionalString('caData'),
        skipTLSVerify: k8s.getOptionalBoolean('skipTLSVerify') ?? false,
      },
    ],
    users: [{ name: 'modelrails', token: k8s.getString('token') }],
    contexts: [{ name: 'modelrails', cluster: 'modelrails', user: 'modelrails' }],
    currentContext: 'modelrails',
  });
  return kc;
}

/** A Kubernetes API error as "409 Conflict: <the server's message>", from its `Status` body. */
export function describeKubernetesError(error: ApiException<unknown>): string {
  try {
    const body = typeof error.body === 'string' ? JSON.parse(error.body) : (error.body as any);
    const detail = [body?.reason, body?.message].filter(Boolean).join(': ');
    return detail ? `${error.code} ${detail}` : `${error.code}`;
  } catch {
    return `${error.code} ${String(error.body ?? '').slice(0, 200)}`.trim();
  }
}
