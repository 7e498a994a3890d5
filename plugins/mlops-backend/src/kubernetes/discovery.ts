import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';

/** How long a discovered API version is trusted before asking again (an upgrade changes it). */
const TTL_MS = 5 * 60_000;

type APIGroup = { name?: string; versions?: Array<{ version: string }>; preferredVersion?: { version: string } };

/**
 * Which version of an API group the cluster serves, found by discovery (`GET /apis/{group}`, which
 * every API server answers, aggregated or not) rather than assumed: Istio serves
 * `networking.istio.io/v1` only from 1.22, `v1beta1` and `v1alpha3` before. One answer per cluster
 * and group is kept for five minutes.
 */
export class ApiDiscovery {
  private readonly cache = new Map<string, { version: string | undefined; at: number }>();

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** The first of `wanted` (most preferred first) that the cluster serves, or undefined. */
  async servedVersion(group: string, wanted: readonly string[]): Promise<string | undefined> {
    const server = this.kubeConfig.getCurrentCluster()?.server ?? '';
    const key = `${server}|${group}|${wanted.join(',')}`;
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < TTL_MS) return cached.version;
    const apiGroup = await this.get<APIGroup>(`${server.replace(/\/+$/, '')}/apis/${encodeURIComponent(group)}`);
    const served = new Set((apiGroup?.versions ?? []).map(v => v.version));
    const version = wanted.find(v => served.has(v));
    this.cache.set(key, { version, at: this.now() });
    return version;
  }

  /** The JSON at a URL with the kubeconfig's credentials; undefined for 404 (the group is not served). */
  private async get<T>(url: string): Promise<T | undefined> {
    const options: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.kubeConfig.applyToHTTPSOptions(options);
    const client = url.startsWith('https:') ? https : http;
    return new Promise<T | undefined>((resolve, reject) => {
      const req = client.request(url, options, res => {
        let text = '';
        res.on('data', chunk => (text += chunk));
        res.on('end', () => {
          if (res.statusCode === 404) return resolve(undefined);
          if (!res.statusCode || res.statusCode >= 300) return reject(new Error(`discovery of ${url} answered ${res.statusCode}: ${text.slice(0, 200)}`));
          try {
            return resolve(JSON.parse(text));
          } catch {
            return reject(new Error(`discovery of ${url} answered with a body that is not JSON`));
          }
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error(`discovery of ${url} timed out`)));
      req.on('error', reject);
      req.end();
    });
  }
}
