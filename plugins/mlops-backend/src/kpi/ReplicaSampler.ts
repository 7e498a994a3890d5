import { AppsV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { CostPolicy } from '@modelrails/plugin-mlops-common';
import { KpiStore } from './KpiStore';

type Workload = CostPolicy['replicas'][number];

/** Prices per replica-hour by environment (app-config `mlops.cost.environments`). */
export type CostModel = { currency: string; replicaHourCost: Record<string, number> };

const statusCode = (e: unknown) => (e as { code?: number })?.code;

/**
 * Replicas running now, per workload. A Deployment's `status.replicas` (pods that exist, ready or
 * not: they are paid for). A KServe InferenceService's predictor Deployment(s): Knative revisions
 * (`status.components.predictor.latestReadyRevision`, and `previousRolledoutRevision` during a
 * canary) run as `<revision>-deployment`; in RawDeployment mode the Deployment is
 * `<name>-predictor`.
 */
export class KubernetesReplicaReader {
  private readonly apps?: AppsV1Api;
  private readonly objects?: CustomObjectsApi;

  constructor(kubeConfig?: KubeConfig) {
    this.apps = kubeConfig?.makeApiClient(AppsV1Api);
    this.objects = kubeConfig?.makeApiClient(CustomObjectsApi);
  }

  private async deploymentReplicas(namespace: string, name: string, missingIsZero: boolean): Promise<number> {
    try {
      const deployment = await this.apps!.readNamespacedDeployment({ namespace, name });
      return deployment.status?.replicas ?? 0;
    } catch (e) {
      if (missingIsZero && statusCode(e) === 404) return 0;
      throw e;
    }
  }

  async replicas(workload: Workload): Promise<number> {
    if (workload.kind === 'fixed') return workload.count;
    if (!this.apps || !this.objects) throw new Error(`no Kubernetes cluster configured (mlops.kubernetes) to read ${workload.kind} ${workload.namespace}/${workload.name}`);
    if (workload.kind === 'Deployment') return this.deploymentReplicas(workload.namespace, workload.name, false);
    const isvc = (await this.objects.getNamespacedCustomObject({
      group: 'serving.kserve.io',
      version: 'v1beta1',
      namespace: workload.namespace,
      plural: 'inferenceservices',
      name: workload.name,
    })) as { status?: { components?: { predictor?: { latestReadyRevision?: string; previousRolledoutRevision?: string } } } };
    const predictor = isvc.status?.components?.predictor;
    const revisions = [...new Set([predictor?.latestReadyRevision, predictor?.previousRolledoutRevision].filter((r): r is string => !!r))];
    if (!revisions.length) return this.deploymentReplicas(workload.namespace, `${workload.name}-predictor`, true);
    let total = 0;
    for (const revision of revisions) total += await this.deploymentReplicas(workload.namespace, `${revision}-deployment`, true);
    return total;
  }
}

/** Records what each model's serving costs per hour now, when it changed since the last sample. */
export class ReplicaSampler {
  constructor(
    private readonly store: KpiStore,
    private readonly reader: KubernetesReplicaReader,
    private readonly costModel: CostModel,
  ) {}

  /** The sample taken (and whether it was new); throws when a workload cannot be read or priced. */
  async sample(modelRef: string, cost: CostPolicy, now = Date.now()) {
    const price = this.costModel.replicaHourCost[cost.environment];
    if (price === undefined) {
      throw new Error(`environment "${cost.environment}" has no price: set mlops.cost.environments.${cost.environment}.replicaHourCost`);
    }
    let replicas = 0;
    for (const workload of cost.replicas) replicas += await this.reader.replicas(workload);
    const sample = { modelRef, observedAt: now, environment: cost.environment, replicas, hourlyCost: replicas * price };
    return { sample, recorded: await this.store.addReplicaSample(sample) };
  }
}
