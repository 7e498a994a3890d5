import { LoggerService } from '@backstage/backend-plugin-api';
import { ModelPolicy, parseDuration } from '@modelrails/plugin-mlops-common';
import { PromotionStore } from '../promotion/PromotionStore';
import { RegistryStore } from '../registry/RegistryStore';
import { compareToChampion } from '../registry/RegistryService';
import { RolloutEngine, RolloutStore } from '../rollout';
import { TrafficScenario } from './simulation';

/*
 * The demo's two rollouts, approved by a second person as any promotion to production is, and
 * driven by the real engine through the simulated router:
 *   dynamic-pricing-regressor v13   converts better than v12: promotes itself through every step
 *   related-items-ranker v4         its CTR drops by 45 %: rolled back at the first canary step
 */
export const DEMO_ROLLOUTS = [
  {
    model: 'related-items-ranker',
    version: '4',
    requestedBy: 'user:default/alice',
    approvedBy: 'user:default/bob',
    reason: 'NDCG@10 +3 % offline; canary to confirm on live traffic',
  },
  {
    model: 'dynamic-pricing-regressor',
    version: '13',
    requestedBy: 'user:default/frank',
    approvedBy: 'user:default/alice',
    reason: 'MAPE 0.101 (−4 %); elasticity features from the new orders snapshot',
  },
];

/** How each challenger behaves on live traffic (the champion behaves as trained). */
export const DEMO_CHALLENGER_BEHAVIOUR: Record<string, Record<string, TrafficScenario>> = {
  'related-items-ranker': { '4': { clickRateFactor: 0.55 } },
  'dynamic-pricing-regressor': { '13': { clickRateFactor: 1.3, errorRate: 0.0005 } },
};

/** Starts the demo's rollouts once: a model that has had a rollout is left alone, so restarts resume it. */
export async function seedDemoRollouts(options: {
  engine: RolloutEngine;
  rollouts: RolloutStore;
  registry: RegistryStore;
  promotions: PromotionStore;
  policyOf(modelRef: string): Promise<ModelPolicy | undefined>;
  logger: LoggerService;
}) {
  for (const demo of DEMO_ROLLOUTS) {
    const modelRef = `model:default/${demo.model}`;
    if ((await options.rollouts.list({ modelRef, limit: 1 })).length) continue;
    const policy = await options.policyOf(modelRef);
    const versions = await options.registry.listVersions(modelRef);
    const challenger = versions.find(v => v.version === demo.version);
    const champion = versions.find(v => v.aliases.includes('champion'));
    if (!policy?.rollout.traffic || !challenger || !champion) {
      options.logger.info(`Demo rollout of ${modelRef} v${demo.version} skipped: the model, its traffic target or the version is missing`);
      continue;
    }
    const now = new Date();
    const requested = await options.promotions.request({ modelRef, version: demo.version, environment: 'production', requestedBy: demo.requestedBy, reason: demo.reason, now });
    await options.promotions.decide(requested.id, {
      outcome: 'approved',
      by: demo.approvedBy,
      reason: 'Offline metrics hold up; let the canary decide',
      evidence: {
        artifactDigest: challenger.artifact.digest,
        ...(challenger.gates ? { gates: challenger.gates } : {}),
        champion: champion.version,
        vsChampion: compareToChampion(challenger.metrics, champion),
        lineage: { ...(challenger.training.run ? { run: challenger.training.run } : {}), datasets: challenger.training.datasets },
      },
      expiresAt: new Date(now.getTime() + parseDuration(policy.approvals.expiresAfter)),
    });
    await options.engine.start({ modelRef, version: demo.version, champion: champion.version, promotionId: requested.id, policy, actor: demo.approvedBy });
    options.logger.info(`Demo rollout of ${modelRef} v${demo.version} against v${champion.version} started`);
  }
}
