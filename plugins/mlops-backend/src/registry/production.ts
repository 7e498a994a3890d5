import { RegistryStore } from './RegistryStore';
import { ModelVersion, ProductionStory } from '@modelrails/plugin-mlops-common';

/**
 * What production is, told once: the champion alias (what was approved) beside the production
 * deployments that receive traffic (what actually serves), and whether the champion still awaits
 * its deployment (it gets no production traffic while another version does).
 */
export function productionStory(versions: ModelVersion[]): ProductionStory {
  const champion = versions.find(v => v.aliases.includes('champion'))?.version ?? null;
  const serving = versions
    .flatMap(v =>
      v.deployments
        .filter(d => d.environment === 'production' && d.trafficWeight > 0)
        .map(d => ({ version: v.version, cluster: d.cluster, namespace: d.namespace, trafficWeight: d.trafficWeight })),
    )
    .sort((a, b) => b.trafficWeight - a.trafficWeight || a.cluster.localeCompare(b.cluster));
  const awaitingDeployment = champion !== null && serving.length > 0 && !serving.some(s => s.version === champion);
  const traffic = new Map<string, number>();
  for (const s of serving) traffic.set(s.version, (traffic.get(s.version) ?? 0) + s.trafficWeight);
  const servingVersion = [...traffic.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return { champion, servingVersion, serving, awaitingDeployment };
}

/**
 * A rollout moved production traffic from one version to another through its router: the
 * deployments say so too. Each production deployment of `from` that had traffic now carries `to`
 * at the same weight, and `from` none there. Idempotent (a repeated hand-over moves nothing more).
 */
export async function handOverProductionTraffic(registry: Pick<RegistryStore, 'getVersion' | 'setDeployment'>, modelRef: string, from: string, to: string, actorRef: string) {
  const previous = await registry.getVersion(modelRef, from);
  for (const d of previous?.deployments ?? []) {
    if (d.environment !== 'production' || d.trafficWeight <= 0) continue;
    const target = { environment: d.environment, cluster: d.cluster, namespace: d.namespace };
    await registry.setDeployment(modelRef, to, { ...target, trafficWeight: d.trafficWeight }, actorRef);
    await registry.setDeployment(modelRef, from, { ...target, trafficWeight: 0 }, actorRef);
  }
}
