import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { TrafficTarget } from '@modelrails/plugin-mlops-common';
import { ApiDiscovery } from '../kubernetes/discovery';
import { described, forVersion, readModifyUpdate, TrafficRouter, TrafficRouterError, TrafficSplit, Versions } from './TrafficRouter';

export type GatewayApiTarget = Extract<TrafficTarget, { kind: 'gateway-api' }>;
type BackendRef = { group?: string; kind?: string; name: string; namespace?: string; port?: number; weight?: number; [key: string]: unknown };
type Filter = { type: string; requestMirror?: { backendRef: BackendRef; percent?: number; fraction?: unknown }; [key: string]: unknown };
type Rule = { name?: string; backendRefs?: BackendRef[]; filters?: Filter[]; [key: string]: unknown };
type HTTPRoute = { metadata: { resourceVersion?: string; [key: string]: unknown }; spec: { rules?: Rule[]; [key: string]: unknown }; [key: string]: unknown };

const GROUP = 'gateway.networking.k8s.io';
const VERSIONS = ['v1', 'v1beta1'] as const;
const PLURAL = 'httproutes';

/** A backendRef to a core Service (the default when group and kind are left out). */
const isService = (ref: BackendRef) => (ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service';

/**
 * Gateway API: the champion's and the challenger's Services share one rule of an HTTPRoute by the
 * `weight` of their `backendRefs` (the vendor-neutral split Istio, Envoy Gateway, Cilium and others
 * implement). Shadow adds a `RequestMirror` filter to the challenger. The API version is found by
 * discovery. Scaling the challenger down is the serving platform's business: nothing to scale here.
 */
export class GatewayApiTrafficRouter implements TrafficRouter {
  private readonly objects: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly target: GatewayApiTarget,
    private readonly discovery: ApiDiscovery = new ApiDiscovery(kubeConfig),
  ) {
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  describe() {
    return `HTTPRoute ${this.target.namespace}/${this.target.httpRoute}`;
  }

  private async version(): Promise<string> {
    const version = await this.discovery.servedVersion(GROUP, VERSIONS);
    if (!version) throw new TrafficRouterError(`${this.describe()}: the cluster serves no ${GROUP} API: are the Gateway API CRDs installed?`);
    return version;
  }

  private async get(version: string): Promise<HTTPRoute> {
    return (await this.objects.getNamespacedCustomObject({ group: GROUP, version, namespace: this.target.namespace, plural: PLURAL, name: this.target.httpRoute })) as HTTPRoute;
  }

  /** The named rule; without a name only a lone rule, never a guess among several. */
  private rule(route: HTTPRoute): Rule {
    const rules = route.spec?.rules ?? [];
    if (this.target.rule) {
      const named = rules.find(r => r.name === this.target.rule);
      if (!named) throw new TrafficRouterError(`${this.describe()} has no rule named "${this.target.rule}" (it has: ${rules.map(r => r.name ?? '(unnamed)').join(', ') || 'none'})`);
      return named;
    }
    if (rules.length === 1) return rules[0];
    throw new TrafficRouterError(
      rules.length ? `${this.describe()} has ${rules.length} rules and the policy names none: set rollout.traffic.rule to the one to split` : `${this.describe()} has no rules`,
    );
  }

  private isVersion(ref: BackendRef | undefined, version: string) {
    return !!ref && isService(ref) && ref.name === forVersion(this.target.backend, version) && (ref.namespace ?? this.target.namespace) === this.target.namespace;
  }

  private splitOf(rule: Rule, versions: Versions): TrafficSplit {
    const refs = rule.backendRefs ?? [];
    // Gateway API: weight defaults to 1; a rule's traffic is shared in proportion to the weights.
    const weightOf = (ref: BackendRef) => ref.weight ?? 1;
    const total = refs.reduce((sum, ref) => sum + weightOf(ref), 0);
    const toChallenger = refs.filter(ref => this.isVersion(ref, versions.challenger)).reduce((sum, ref) => sum + weightOf(ref), 0);
    const mirrored = (rule.filters ?? []).some(f => f.type === 'RequestMirror' && this.isVersion(f.requestMirror?.backendRef, versions.challenger) && (f.requestMirror?.percent ?? 100) > 0);
    return { weight: total > 0 ? (100 * toChallenger) / total : 0, mirrored };
  }

  async read(versions: Versions): Promise<TrafficSplit> {
    return described(`reading ${this.describe()}`, async () => this.splitOf(this.rule(await this.get(await this.version())), versions));
  }

  async apply(versions: Versions, split: TrafficSplit): Promise<TrafficSplit> {
    const version = await described(`updating ${this.describe()}`, () => this.version());
    return readModifyUpdate(
      `updating ${this.describe()}`,
      () => this.get(version),
      route => {
        const rule = this.rule(route);
        const refs = rule.backendRefs ?? [];
        const ours = (ref: BackendRef) => this.isVersion(ref, versions.challenger) || (versions.champion !== null && this.isVersion(ref, versions.champion));
        const others = refs.filter(ref => !ours(ref));
        if (others.some(ref => (ref.weight ?? 1) > 0)) {
          throw new TrafficRouterError(`${this.describe()}: the rule sends traffic to ${others.map(r => r.name).join(', ')}, not only to v${versions.champion} and v${versions.challenger}`);
        }
        const port = this.target.port ?? refs.find(ours)?.port ?? refs[0]?.port;
        if (port === undefined) throw new TrafficRouterError(`${this.describe()}: no backendRef to take the Service port from; set "port"`);
        const refFor = (v: string, weight: number): BackendRef => ({
          ...(refs.find(ref => this.isVersion(ref, v)) ?? { name: forVersion(this.target.backend, v), port }),
          weight,
        });
        const championWeight = 100 - split.weight;
        if (versions.champion === null && championWeight > 0) throw new TrafficRouterError(`${this.describe()}: no champion to send ${championWeight} % to`);
        rule.backendRefs = [...(versions.champion !== null ? [refFor(versions.champion, championWeight)] : []), refFor(versions.challenger, split.weight), ...others];
        const filters = (rule.filters ?? []).filter(f => !(f.type === 'RequestMirror' && this.isVersion(f.requestMirror?.backendRef, versions.challenger)));
        if (split.mirrored) {
          filters.push({ type: 'RequestMirror', requestMirror: { backendRef: { name: forVersion(this.target.backend, versions.challenger), port } } });
        }
        if (filters.length) rule.filters = filters;
        else delete rule.filters;
      },
      async route =>
        (await this.objects.replaceNamespacedCustomObject({
          group: GROUP,
          version,
          namespace: this.target.namespace,
          plural: PLURAL,
          name: this.target.httpRoute,
          body: { ...route, apiVersion: `${GROUP}/${version}` },
        })) as HTTPRoute,
      stored => this.splitOf(this.rule(stored), versions),
    );
  }

  async scaleDown(): Promise<boolean> {
    return false;
  }
}
