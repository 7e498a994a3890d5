import { AppsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { TrafficTarget } from '@modelrails/plugin-mlops-common';
import { ApiDiscovery } from '../kubernetes/discovery';
import { described, forVersion, readModifyUpdate, TrafficRouter, TrafficRouterError, TrafficSplit, Versions } from './TrafficRouter';

export type IstioTarget = Extract<TrafficTarget, { kind: 'istio' }>;
type Destination = { host: string; subset?: string; port?: unknown };
type RouteDestination = { destination: Destination; weight?: number; [key: string]: unknown };
type HttpRoute = {
  name?: string;
  route?: RouteDestination[];
  mirror?: Destination;
  mirrorPercentage?: { value: number };
  mirrors?: Array<{ destination: Destination; percentage?: { value: number } }>;
  [key: string]: unknown;
};
type VirtualService = { metadata: { resourceVersion?: string; [key: string]: unknown }; spec: { http?: HttpRoute[]; [key: string]: unknown }; [key: string]: unknown };

const GROUP = 'networking.istio.io';
/** The versions Istio's CRD serves, newest first: v1 from Istio 1.22, v1beta1 and v1alpha3 before. */
const VERSIONS = ['v1', 'v1beta1', 'v1alpha3'] as const;
const PLURAL = 'virtualservices';

/** Hosts name the same Service when equal, or when one is the short name of the other (`ranker` / `ranker.ml.svc.cluster.local`). */
function sameHost(a: string | undefined, b: string | undefined) {
  if (!a || !b) return false;
  if (a === b) return true;
  const short = (h: string) => h.split('.')[0];
  return (!a.includes('.') || !b.includes('.')) && short(a) === short(b);
}

/**
 * Istio: the champion's and the challenger's destinations share one HTTP route of a VirtualService
 * by weight. They are told apart by subset (`subset: v{version}` of one host, the DestinationRule
 * way) or by host (`hosts`: a Service per version, or Argo Rollouts' stable and canary Services).
 * Shadow mirrors the route's traffic to the challenger. The API version is found by discovery.
 * After a rollback, the challenger's Deployment (when named) is scaled to zero.
 */
export class IstioTrafficRouter implements TrafficRouter {
  private readonly objects: CustomObjectsApi;
  private readonly apps: AppsV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly target: IstioTarget,
    private readonly discovery: ApiDiscovery = new ApiDiscovery(kubeConfig),
  ) {
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
  }

  describe() {
    return `VirtualService ${this.target.namespace}/${this.target.virtualService}`;
  }

  private async version(): Promise<string> {
    const version = await this.discovery.servedVersion(GROUP, VERSIONS);
    if (!version) throw new TrafficRouterError(`${this.describe()}: the cluster serves no ${GROUP} API (${VERSIONS.join(', ')}): is Istio installed?`);
    return version;
  }

  private async get(version: string): Promise<VirtualService> {
    return (await this.objects.getNamespacedCustomObject({
      group: GROUP,
      version,
      namespace: this.target.namespace,
      plural: PLURAL,
      name: this.target.virtualService,
    })) as VirtualService;
  }

  /** The named HTTP route; without a name only a lone route, never a guess among several. */
  private route(vs: VirtualService): HttpRoute {
    const routes = vs.spec?.http ?? [];
    if (this.target.route) {
      const named = routes.find(r => r.name === this.target.route);
      if (!named) throw new TrafficRouterError(`${this.describe()} has no HTTP route named "${this.target.route}" (it has: ${routes.map(r => r.name ?? '(unnamed)').join(', ') || 'none'})`);
      return named;
    }
    if (routes.length === 1) return routes[0];
    throw new TrafficRouterError(
      routes.length
        ? `${this.describe()} has ${routes.length} HTTP routes and the policy names none: set rollout.traffic.route to the one to split`
        : `${this.describe()} has no HTTP route`,
    );
  }

  /** The destination a version's traffic goes to. */
  private destinationOf(role: 'champion' | 'challenger', version: string, route: HttpRoute): Destination {
    const hosts = this.target.hosts;
    if (hosts) return { host: forVersion(hosts[role], version) };
    const host = this.target.host ?? route.route?.[0]?.destination.host;
    if (!host) throw new TrafficRouterError(`${this.describe()}: the route has no destination to take the host from; set "host"`);
    return { host, subset: forVersion(this.target.subset, version) };
  }

  private matches(destination: Destination | undefined, wanted: Destination): boolean {
    if (!destination) return false;
    if (this.target.hosts) return sameHost(destination.host, wanted.host);
    return destination.subset === wanted.subset && (!this.target.host || sameHost(destination.host, wanted.host));
  }

  private splitOf(route: HttpRoute, versions: Versions): TrafficSplit {
    const challenger = this.destinationOf('challenger', versions.challenger, route);
    const destinations = route.route ?? [];
    // Istio: a lone destination without a weight takes everything; several must carry weights.
    const weightOf = (d: RouteDestination) => d.weight ?? (destinations.length === 1 ? 100 : 0);
    const total = destinations.reduce((sum, d) => sum + weightOf(d), 0);
    const toChallenger = destinations.filter(d => this.matches(d.destination, challenger)).reduce((sum, d) => sum + weightOf(d), 0);
    const weight = total > 0 ? (100 * toChallenger) / total : 0;
    const mirrored =
      (this.matches(route.mirror, challenger) && (route.mirrorPercentage?.value ?? 100) > 0) ||
      (route.mirrors ?? []).some(m => this.matches(m.destination, challenger) && (m.percentage?.value ?? 100) > 0);
    return { weight, mirrored };
  }

  async read(versions: Versions): Promise<TrafficSplit> {
    return described(`reading ${this.describe()}`, async () => this.splitOf(this.route(await this.get(await this.version())), versions));
  }

  async apply(versions: Versions, split: TrafficSplit): Promise<TrafficSplit> {
    const version = await described(`updating ${this.describe()}`, () => this.version());
    return readModifyUpdate(
      `updating ${this.describe()}`,
      () => this.get(version),
      vs => {
        const route = this.route(vs);
        const challenger = this.destinationOf('challenger', versions.challenger, route);
        const champion = versions.champion ? this.destinationOf('champion', versions.champion, route) : undefined;
        const isOurs = (d: RouteDestination) => this.matches(d.destination, challenger) || (champion !== undefined && this.matches(d.destination, champion));
        const others = (route.route ?? []).filter(d => !isOurs(d));
        if (others.some(d => (d.weight ?? (route.route!.length === 1 ? 100 : 0)) > 0)) {
          throw new TrafficRouterError(
            `${this.describe()}: the route sends traffic to ${others.map(d => d.destination.subset ?? d.destination.host).join(', ')}, not only to v${versions.champion} and v${versions.challenger}`,
          );
        }
        const existing = (wanted: Destination) => route.route?.find(d => this.matches(d.destination, wanted));
        const championWeight = 100 - split.weight;
        const next: RouteDestination[] = [];
        if (champion) next.push({ ...(existing(champion) ?? { destination: champion }), weight: championWeight });
        else if (championWeight > 0) throw new TrafficRouterError(`${this.describe()}: no champion to send ${championWeight} % to`);
        next.push({ ...(existing(challenger) ?? { destination: challenger }), weight: split.weight });
        route.route = [...next, ...others];
        if (route.mirrors) {
          // Istio ≥ 1.22's list form: ours is one entry beside the others (istiod refuses both fields at once).
          route.mirrors = route.mirrors.filter(m => !this.matches(m.destination, challenger));
          if (split.mirrored) route.mirrors.push({ destination: challenger, percentage: { value: 100 } });
        } else if (route.mirror && !this.matches(route.mirror, challenger)) {
          if (split.mirrored) {
            throw new TrafficRouterError(
              `${this.describe()}: the route already mirrors to ${route.mirror.subset ?? route.mirror.host}; list both under "mirrors" (Istio ≥ 1.22) for a shadow beside it`,
            );
          }
        } else if (split.mirrored) {
          route.mirror = challenger;
          route.mirrorPercentage = { value: 100 };
        } else if (route.mirror) {
          delete route.mirror;
          delete route.mirrorPercentage;
        }
      },
      // The body carries the resourceVersion read: a concurrent writer makes this a 409.
      async vs =>
        (await this.objects.replaceNamespacedCustomObject({
          group: GROUP,
          version,
          namespace: this.target.namespace,
          plural: PLURAL,
          name: this.target.virtualService,
          body: { ...vs, apiVersion: `${GROUP}/${version}` },
        })) as VirtualService,
      stored => this.splitOf(this.route(stored), versions),
    );
  }

  async scaleDown(versions: Versions): Promise<boolean> {
    if (!this.target.deployment) return false;
    const name = forVersion(this.target.deployment, versions.challenger);
    const namespace = this.target.namespace;
    return readModifyUpdate(
      `scaling down Deployment ${namespace}/${name}`,
      () => this.apps.readNamespacedDeployment({ name, namespace }),
      deployment => {
        deployment.spec = { ...deployment.spec!, replicas: 0 };
      },
      deployment => this.apps.replaceNamespacedDeployment({ name, namespace, body: deployment }),
      stored => {
        if (stored.spec?.replicas !== 0) throw new TrafficRouterError(`Deployment ${namespace}/${name} still asks for ${stored.spec?.replicas} replicas`);
        return true;
      },
    );
  }
}
