import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { TrafficTarget } from '@modelrails/plugin-mlops-common';
import { described, readModifyUpdate, TrafficRouter, TrafficRouterError, TrafficSplit, Versions } from './TrafficRouter';

export type KServeTarget = Extract<TrafficTarget, { kind: 'kserve' }>;
/** A route of `status.components.predictor.traffic` (Knative's TrafficTarget). */
type ServedRoute = { revisionName?: string; percent?: number; latestRevision?: boolean; tag?: string };
type InferenceService = {
  metadata: { resourceVersion?: string; generation?: number; annotations?: Record<string, string>; [key: string]: unknown };
  spec: { predictor?: { canaryTrafficPercent?: number; [key: string]: unknown }; [key: string]: unknown };
  status?: {
    observedGeneration?: number;
    components?: { predictor?: { traffic?: ServedRoute[]; latestReadyRevision?: string; latestCreatedRevision?: string } };
  };
  [key: string]: unknown;
};

const GROUP = 'serving.kserve.io';
const VERSION = 'v1beta1';
const PLURAL = 'inferenceservices';
/** Which version the InferenceService's latest revision serves, as written by the serving pipeline. */
export const CHALLENGER_ANNOTATION = 'modelrails.io/challenger-version';

/**
 * KServe: the InferenceService's latest revision (the challenger) gets
 * `spec.predictor.canaryTrafficPercent`, the previous one (the champion) the rest. What is asked
 * (spec) and what is served (`status.components.predictor.traffic`, the latest revision's percent)
 * differ until KServe has rolled the revision out: the split says so (`settling`) and no step is
 * judged meanwhile. KServe cannot mirror traffic, so shadow is not available. After a rollback
 * the canary revision keeps 0 % and Knative scales it to zero by itself: nothing to scale here.
 */
export class KServeTrafficRouter implements TrafficRouter {
  private readonly objects: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly target: KServeTarget,
  ) {
    this.objects = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  describe() {
    return `InferenceService ${this.target.namespace}/${this.target.inferenceService}`;
  }

  private async get(): Promise<InferenceService> {
    return (await this.objects.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.target.namespace,
      plural: PLURAL,
      name: this.target.inferenceService,
    })) as InferenceService;
  }

  private splitOf(isvc: InferenceService, versions: Versions): TrafficSplit {
    const serving = isvc.metadata.annotations?.[CHALLENGER_ANNOTATION];
    if (serving !== undefined && serving !== versions.challenger) {
      throw new TrafficRouterError(`${this.describe()}: its latest revision serves v${serving}, not the challenger v${versions.challenger}`);
    }
    // Without canaryTrafficPercent KServe sends everything to the latest revision.
    const requested = isvc.spec?.predictor?.canaryTrafficPercent ?? 100;
    const settling = this.settling(isvc, requested);
    return { weight: requested, mirrored: false, ...(settling ? { settling } : {}) };
  }

  /** Why KServe does not serve the requested split yet; undefined once it does. */
  private settling(isvc: InferenceService, requested: number): string | undefined {
    const generation = isvc.metadata.generation;
    const observed = isvc.status?.observedGeneration;
    if (generation !== undefined && observed !== undefined && observed < generation) {
      return `${this.describe()}: KServe has not reconciled generation ${generation} yet (observed ${observed})`;
    }
    const traffic = isvc.status?.components?.predictor?.traffic;
    if (!traffic?.length) return `${this.describe()}: KServe reports no served traffic yet (status.components.predictor.traffic)`;
    const served = traffic.filter(t => t.latestRevision).reduce((sum, t) => sum + (t.percent ?? 0), 0);
    if (served !== requested) return `${this.describe()}: KServe serves ${served} % on the latest revision, ${requested} % is asked`;
    return undefined;
  }

  async read(versions: Versions): Promise<TrafficSplit> {
    return described(`reading ${this.describe()}`, async () => this.splitOf(await this.get(), versions));
  }

  async apply(versions: Versions, split: TrafficSplit): Promise<TrafficSplit> {
    if (split.mirrored) throw new TrafficRouterError(`${this.describe()}: KServe cannot mirror traffic to a shadow`);
    return readModifyUpdate(
      `updating ${this.describe()}`,
      () => this.get(),
      isvc => {
        this.splitOf(isvc, versions);
        isvc.spec = { ...isvc.spec, predictor: { ...isvc.spec?.predictor, canaryTrafficPercent: split.weight } };
      },
      async isvc =>
        (await this.objects.replaceNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: this.target.namespace,
          plural: PLURAL,
          name: this.target.inferenceService,
          body: isvc,
        })) as InferenceService,
      stored => this.splitOf(stored, versions),
    );
  }

  async scaleDown(): Promise<boolean> {
    return false;
  }
}
