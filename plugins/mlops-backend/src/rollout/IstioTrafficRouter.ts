import { AppsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { TrafficTarget } from '@modelrails/plugin-mlops-common';
import { forVersion, readModifyUpdate, routerError, TrafficRouter, TrafficRouterError, TrafficSplit, Versions } from './TrafficRouter';

export type IstioTarget = Extract<TrafficTarget, { kind: 'istio' }>;
type Destination = { host: string; subset?: string; port?: unknown };
type RouteDestination = { destination: Destination; weight?: number; [key: string]: unknown };
type HttpRoute = {
  name?: string;
  route?: RouteDestination[];
  mirror?: Destination;
  mirrorPercentage?: { value: number };
  [key: string]: unknown;
};
type VirtualService = { metadata: { resourceVersion?: string; [key: string]: unknown }; spec: { http?: HttpRoute[]; [key: string]: unknown }; [key: string]: unknown };

const GROUP = 'networking.istio.io';
const VERSION = 'v1';
const PLURAL = 'virtualservices';

/**
 * Istio: the champion's and the challenger's subsets share one HTTP route of a VirtualService by
 * weight; shadow mirrors the route's traffic to the challenger (`mirror`, `mirrorPercentage`).
 * After a rollback, the challenger's Deployment (when named) is scaled to zero.
 */
export class IstioTrafficRouter implements TrafficRouter {
  private readonly objects: CustomObjectsApi;
  private readonly apps: AppsV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly target: IstioTarget,
  ) {
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
  }

  describe() {
    return `VirtualService ${this.target.namespace}/${this.target.virtualService}`;
  }

  private async get(): Promise<VirtualService> {
    return (await this.objects.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.target.namespace,
      plural: PLURAL,
      name: this.target.virtualService,
    })) as VirtualService;
  }

  private route(vs: VirtualService): HttpRoute {
    const routes = vs.spec?.http ?? [];
    const route = this.target.route ? routes.find(r => r.name === this.target.route) : routes[0];
    if (!route) {
      throw new TrafficRouterError(`${this.describe()} has no HTTP route${this.target.route ? ` named "${this.target.route}"` : ''}`);
    }
    return route;
  }

  private splitOf(route: HttpRoute, versions: Versions): TrafficSplit {
    const challengerSubset = forVersion(this.target.subset, versions.challenger);
    const destinations = route.route ?? [];
    const total = destinations.reduce((sum, d) => sum + (d.weight ?? (destinations.length === 1 ? 100 : 0)), 0);
    const challenger = destinations.find(d => d.destination.subset === challengerSubset);
    const weight = challenger && total > 0 ? (100 * (challenger.weight ?? (destinations.length === 1 ? 100 : 0))) / total : 0;
    const mirrored = route.mirror?.subset === challengerSubset && (route.mirrorPercentage?.value ?? 100) > 0;
    return { weight, mirrored };
  }

  async read(versions: Versions): Promise<TrafficSplit> {
    try {
      return this.splitOf(this.route(await this.get()), versions);
    } catch (error) {
      throw routerError(`reading ${this.describe()}`, error);
    }
  }

  async apply(versions: Versions, split: TrafficSplit): Promise<TrafficSplit> {
    const challengerSubset = forVersion(this.target.subset, versions.challenger);
    const championSubset = versions.champion ? forVersion(this.target.subset, versions.champion) : undefined;
    return readModifyUpdate(
      `updating ${this.describe()}`,
      () => this.get(),
      vs => {
        const route = this.route(vs);
        const host = this.target.host ?? route.route?.[0]?.destination.host;
        if (!host) throw new TrafficRouterError(`${this.describe()}: the route has no destination to take the host from; set "host"`);
        const others = (route.route ?? []).filter(d => d.destination.subset !== challengerSubset && d.destination.subset !== championSubset);
        if (others.some(d => (d.weight ?? 0) > 0)) {
          throw new TrafficRouterError(`${this.describe()}: the route sends traffic to other subsets than v${versions.champion} and v${versions.challenger}`);
        }
        const find = (subset: string) => route.route?.find(d => d.destination.subset === subset);
        const championWeight = 100 - split.weight;
        const next: RouteDestination[] = [];
        if (championSubset) next.push({ ...(find(championSubset) ?? { destination: { host, subset: championSubset } }), weight: championWeight });
        else if (championWeight > 0) throw new TrafficRouterError(`${this.describe()}: no champion to send ${championWeight} % to`);
        next.push({ ...(find(challengerSubset) ?? { destination: { host, subset: challengerSubset } }), weight: split.weight });
        route.route = [...next, ...others];
        if (split.mirrored) {
          route.mirror = { host, subset: challengerSubset };
          route.mirrorPercentage = { value: 100 };
        } else if (route.mirror?.subset === challengerSubset) {
          delete route.mirror;
          delete route.mirrorPercentage;
        }
      },
      // The body carries the resourceVersion read: a concurrent writer makes this a 409.
      async vs =>
        (await this.objects.replaceNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: this.target.namespace,
          plural: PLURAL,
          name: this.target.virtualService,
          body: vs,
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
