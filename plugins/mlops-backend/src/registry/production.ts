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
