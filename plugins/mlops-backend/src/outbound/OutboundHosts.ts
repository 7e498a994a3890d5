import { RootConfigService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';

/**
 * The hosts the backend may call. URLs written in catalog entities (retraining webhooks) are
 * untrusted: a catalog author must not make the backend call an internal address. Allowed are
 * the hosts listed in `mlops.outbound.allowedHosts` (`ci.example.com`, `*.example.com`,
 * `ci.example.com:8443`) and the hosts of URLs the operator configured (MLflow, Kubernetes).
 */
export class OutboundHosts {
  static fromConfig(config: RootConfigService): OutboundHosts {
    const listed = config.getOptionalStringArray('mlops.outbound.allowedHosts') ?? [];
    const configured = ['mlops.mlflow.baseUrl', 'mlops.kubernetes.url']
      .map(key => config.getOptionalString(key))
      .filter((url): url is string => Boolean(url))
      .map(url => new URL(url).host);
    return new OutboundHosts([...listed, ...configured]);
  }

  private readonly patterns: Array<{ host: string; port?: string; subdomains: boolean }>;

  constructor(allowed: string[]) {
    this.patterns = allowed.map(entry => {
      const subdomains = entry.startsWith('*.');
      const [host, port] = (subdomains ? entry.slice(2) : entry).toLowerCase().split(':');
      return { host, port, subdomains };
    });
  }

  /** The URL when it is http(s) to an allowed host; otherwise a NotAllowedError saying what to configure. */
  check(url: string, what: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new NotAllowedError(`${what}: "${url}" is not a URL`);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new NotAllowedError(`${what}: only http and https URLs are called, not ${parsed.protocol}`);
    const host = parsed.hostname.toLowerCase();
    const port = parsed.port || (parsed.protocol === 'https:' ? '443' : '80');
    const allowed = this.patterns.some(
      p => (p.subdomains ? host.endsWith(`.${p.host}`) : host === p.host) && (p.port === undefined || p.port === port),
    );
    if (!allowed) throw new NotAllowedError(`${what}: host ${parsed.host} is not in mlops.outbound.allowedHosts`);
    return parsed;
  }
}
