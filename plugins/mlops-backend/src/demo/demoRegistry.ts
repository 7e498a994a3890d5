import { LoggerService } from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { compareToChampion } from '../registry/RegistryService';
import { RegistryStore, NewModelVersion } from '../registry/RegistryStore';
import { PromotionStore } from '../promotion/PromotionStore';

/*
 * The embedded demo's registry: versions, lineage, aliases and deployments for every Model in
 * catalog/models.yaml, generated deterministically so every start shows the same story.
 */

type DemoModel = {
  name: string;
  creators: string[];
  datasets: string[];
  featureSets: string[];
  /** Metric values per version, oldest first; the length is the number of versions. */
  metrics: Array<Record<string, number>>;
  firstVersion: number;
  /** Index (into metrics) of the champion, serving production; none for models that never shipped. */
  champion?: number;
  /** Versions (by index) registered without dataset lineage: not reproducible. */
  withoutLineage?: number[];
  /** Where the champion serves; more than one environment for the platform's main models. */
  environments?: Array<{ environment: string; cluster: string; namespace: string }>;
  /** What the training job also reports for the gates (latency, slices, data quality, parity). */
  evidence?: (i: number) => Record<string, number>;
  /** An LLM's training run: its base model and fine-tuning settings instead of a tabular model's. */
  hyperparameters?: Record<string, string | number>;
  /** How its live traffic looks: an LLM's requests carry tokens and times to first token. */
  serving?: 'llm';
};

const prod = (cluster: string, namespace: string) => ({ environment: 'production', cluster, namespace });
const staging = (namespace: string) => ({ environment: 'staging', cluster: 'staging-eu-1', namespace });

/** Weekly values from `from` to `to`, straight-line: the seed's slow decay is one of them. */
function series(metric: string, from: number, to: number, n: number, extra: Record<string, number> = {}) {
  return Array.from({ length: n }, (_, i) => ({
    [metric]: Number((from + ((to - from) * i) / Math.max(n - 1, 1)).toFixed(4)),
    ...extra,
  }));
}

export const DEMO_MODELS: DemoModel[] = [
  {
    name: 'home-feed-ranker',
    creators: ['user:default/alice', 'user:default/bob'],
    datasets: ['clickstream-events', 'impressions-log', 'orders'],
    featureSets: ['user-features', 'item-features', 'user-item-cross-features', 'session-features'],
    // The field report's slow decay: NDCG@20 0.186 → 0.171 over six weekly versions.
    metrics: series('ndcg@20', 0.186, 0.171, 6, { auc: 0.812 }),
    firstVersion: 14,
    champion: 3,
    environments: [prod('prod-eu-1', 'ranking'), prod('prod-us-1', 'ranking'), staging('ranking')],
    evidence: i => ({
      latency_p99_ms: 44 + i,
      'ndcg@20[platform=ios]': 0.188 - 0.003 * i,
      'ndcg@20[platform=android]': 0.181 - 0.003 * i,
      'ndcg@20[platform=web]': 0.184 - 0.003 * i,
      parity_max_abs_diff: 0,
    }),
  },
  {
    name: 'related-items-ranker',
    creators: ['user:default/alice'],
    datasets: ['clickstream-events', 'impressions-log'],
    featureSets: ['item-features', 'user-item-cross-features'],
    metrics: series('ndcg@10', 0.205, 0.224, 4),
    firstVersion: 1,
    champion: 2,
    environments: [staging('ranking')],
    evidence: i => ({ latency_p99_ms: 31 + 2 * i }),
  },
  {
    name: 'candidate-retrieval-two-tower',
    creators: ['user:default/hana'],
    datasets: ['clickstream-events', 'item-catalog-snapshot'],
    featureSets: ['user-features', 'item-features'],
    metrics: series('recall@500', 0.41, 0.44, 5),
    firstVersion: 7,
    champion: 4,
    environments: [prod('prod-eu-1', 'retrieval'), prod('prod-us-1', 'retrieval')],
    evidence: () => ({ latency_p99_ms: 19 }),
  },
  {
    name: 'candidate-retrieval-ann-v2',
    creators: ['user:default/hana'],
    datasets: ['clickstream-events', 'item-catalog-snapshot'],
    featureSets: ['user-features', 'item-features'],
    metrics: series('recall@500', 0.43, 0.45, 2),
    firstVersion: 1,
    withoutLineage: [0],
  },
  {
    name: 'ad-ctr-predictor',
    creators: ['user:default/ivan'],
    datasets: ['ad-click-log'],
    featureSets: ['ad-features', 'user-features'],
    metrics: [
      { auc: 0.771, logloss: 0.418 },
      { auc: 0.774, logloss: 0.415 },
      { auc: 0.779, logloss: 0.411 },
      { auc: 0.781, logloss: 0.409 },
    ],
    firstVersion: 30,
    champion: 2,
    environments: [prod('prod-eu-1', 'ads'), staging('ads')],
    // The newest version was trained while an upstream change nulled bid prices.
    evidence: i => ({ 'null_rate:bid_price': i === 3 ? 0.034 : 0.0002, 'min:bid_price': 0.01 }),
  },
  {
    name: 'ad-ctr-deepfm',
    creators: ['user:default/ivan'],
    datasets: ['ad-click-log'],
    featureSets: ['ad-features', 'user-features'],
    metrics: [{ auc: 0.779, logloss: 0.414 }, { auc: 0.785, logloss: 0.407 }],
    firstVersion: 1,
    // Trained from a notebook on a local extract: nothing records which data.
    withoutLineage: [0, 1],
  },
  {
    name: 'checkout-fraud-detector',
    creators: ['user:default/erin'],
    datasets: ['payment-transactions'],
    featureSets: ['transaction-features', 'user-features'],
    metrics: series('precision@recall0.8', 0.36, 0.41, 4, { fpr: 0.004 }),
    firstVersion: 3,
    champion: 3,
    environments: [prod('prod-eu-1', 'trust'), prod('prod-us-1', 'trust')],
    evidence: () => ({ 'fpr[country=DE]': 0.004, 'fpr[country=FR]': 0.005, 'fpr[country=US]': 0.006 }),
  },
  {
    name: 'account-takeover-detector',
    creators: ['user:default/erin'],
    datasets: ['login-events'],
    featureSets: ['session-features'],
    metrics: series('auc', 0.88, 0.9, 3),
    firstVersion: 1,
    champion: 1,
    environments: [staging('trust')],
  },
  {
    name: 'dynamic-pricing-regressor',
    creators: ['user:default/frank'],
    datasets: ['pricing-history', 'orders'],
    featureSets: ['pricing-features', 'item-features'],
    // v13, the newest, is the demo's self-promoting canary (demoRollouts.ts).
    metrics: [...series('mape', 0.118, 0.104, 4), { mape: 0.101 }],
    firstVersion: 9,
    champion: 3,
    environments: [prod('prod-eu-1', 'pricing')],
  },
  {
    name: 'demand-forecaster',
    creators: ['user:default/frank'],
    datasets: ['orders'],
    featureSets: [],
    metrics: series('mape', 0.21, 0.19, 3),
    firstVersion: 1,
    champion: 2,
    // Deprecated: still serving the nightly batch, trained before lineage was recorded.
    withoutLineage: [0, 1, 2],
    environments: [prod('batch-eu-1', 'forecasting')],
  },
  {
    name: 'item-embedding-encoder',
    creators: ['user:default/dan'],
    datasets: ['item-catalog-snapshot'],
    featureSets: ['item-features'],
    metrics: series('recall_at_100', 0.61, 0.66, 3),
    firstVersion: 4,
    champion: 2,
    environments: [prod('prod-eu-1', 'embeddings'), prod('prod-us-1', 'embeddings')],
    evidence: i => ({ latency_p95_ms: 11 + i }),
  },
  {
    // An LLM fine-tuned on resolved tickets (catalog/ai-assets.yaml): its KPIs are tokens, time to
    // first token, decode rate and cost per million tokens beside draft acceptance.
    name: 'support-assistant',
    creators: ['user:default/hana'],
    datasets: ['support-tickets', 'help-center-articles'],
    featureSets: [],
    metrics: [
      { rouge_l: 0.412, judge_helpfulness: 0.74 },
      { rouge_l: 0.428, judge_helpfulness: 0.78 },
      { rouge_l: 0.431, judge_helpfulness: 0.81 },
    ],
    firstVersion: 1,
    champion: 2,
    environments: [prod('prod-eu-1', 'genai')],
    evidence: i => ({ latency_p95_ms: 9400 - 300 * i }),
    hyperparameters: { base_model: 'granite-3.1-8b-instruct', method: 'lora', lora_rank: 16, learning_rate: 0.0002, epochs: 3 },
    serving: 'llm',
  },
  {
    name: 'search-ranker-legacy',
    creators: ['user:default/alice'],
    datasets: ['search-logs'],
    featureSets: [],
    metrics: series('ndcg@10', 0.31, 0.32, 2),
    firstVersion: 1,
    withoutLineage: [0],
  },
  {
    name: 'push-notification-ranker',
    creators: ['user:default/bob'],
    datasets: ['clickstream-events'],
    featureSets: ['user-features', 'session-features'],
    metrics: series('auc', 0.69, 0.71, 2),
    firstVersion: 1,
  },
];

const WEEK = 7 * 86_400_000;
const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const day = (d: Date) => d.toISOString().slice(0, 10);

/** The versions of one demo model, oldest first, ending a week before `now`. */
export function demoVersions(model: DemoModel, now: Date): NewModelVersion[] {
  const modelRef = `model:default/${model.name}`;
  const n = model.metrics.length;
  return model.metrics.map((metrics, i) => {
    const version = String(model.firstVersion + i);
    const createdAt = new Date(now.getTime() - (n - i) * WEEK);
    const snapshot = day(new Date(createdAt.getTime() - 86_400_000));
    const withLineage = !model.withoutLineage?.includes(i);
    const commit = createHash('sha1').update(`${model.name}:${version}`).digest('hex').slice(0, 12);
    return {
      modelRef,
      version,
      artifact: { uri: `s3://modelrails-demo/${model.name}/${version}/model.bin`, digest: sha256(`${modelRef}@${version}`) },
      codeCommit: commit,
      hyperparameters: model.hyperparameters ?? { learning_rate: 0.05, num_leaves: 31 + 16 * (i % 3), seed: 42 },
      metrics: { ...metrics, ...model.evidence?.(i) },
      run: withLineage
        ? {
            source: 'demo',
            id: `${model.name}-${version}`,
            url: `https://ci.example.com/ml/${model.name}/runs/${version}`,
            experiment: model.name,
            startedAt: new Date(createdAt.getTime() - 3_600_000),
            finishedAt: createdAt,
          }
        : undefined,
      datasets: withLineage
        ? model.datasets.map(d => ({
            ref: `resource:default/${d}`,
            version: snapshot,
            digest: sha256(`${d}@${snapshot}`),
            uri: `s3://modelrails-demo-data/${d}/${snapshot}/`,
          }))
        : [],
      featureSets: model.featureSets.map(f => ({
        ref: `resource:default/${f}`,
        version: `v${3 + (i % 4)}`,
        schema: f === 'user-features' ? { user_country: 'string', user_age_days: 'int', sessions_7d: 'int' } : undefined,
      })),
      creator: model.creators[i % model.creators.length],
      source: 'demo',
      createdAt,
    };
  });
}

/**
 * Seeds the registry once: a model that already has versions is left alone, so restarts keep
 * whatever the demo user has done since.
 */
export async function seedDemoRegistry(registry: RegistryStore, logger: LoggerService, now = new Date()) {
  const actor = 'plugin:mlops:demo';
  let seeded = 0;
  for (const model of DEMO_MODELS) {
    const modelRef = `model:default/${model.name}`;
    if ((await registry.listVersions(modelRef)).length) {
      continue;
    }
    const versions = demoVersions(model, now);
    for (const v of versions) {
      await registry.upsertVersion(v, actor);
    }
    if (model.champion !== undefined) {
      const champion = versions[model.champion].version;
      await registry.setAlias(modelRef, 'champion', champion, actor);
      if (model.champion > 0) {
        await registry.setAlias(modelRef, 'standby', versions[model.champion - 1].version, actor);
      }
      if (model.champion < versions.length - 1) {
        await registry.setAlias(modelRef, 'challenger', versions[versions.length - 1].version, actor);
      }
      for (const target of model.environments ?? []) {
        await registry.setDeployment(modelRef, champion, { ...target, trafficWeight: 100 }, actor);
      }
    }
    seeded++;
  }
  if (seeded) {
    logger.info(`Seeded the demo registry for ${seeded} models`);
  }
}

/** People who approve in the demo's history: the first who neither requested nor made the version. */
const DEMO_APPROVERS = ['user:default/carol', 'user:default/erin', 'user:default/frank'];
const DAY = 86_400_000;

/**
 * The demo's sign-off history, as real use would have left it: every version that held production
 * (the champion, and the standby before it) was requested by its creator a day after it was
 * trained and approved by someone else the day after, with the evidence of the time. Those
 * approvals have long expired, as real ones do.
 */
async function seedDemoHistory(promotions: PromotionStore, registry: RegistryStore) {
  for (const model of DEMO_MODELS) {
    if (model.champion === undefined) continue;
    const modelRef = `model:default/${model.name}`;
    const versions = [...(await registry.listVersions(modelRef))].reverse(); // oldest first
    const promoted = versions.slice(Math.max(0, model.champion - 1), model.champion + 1);
    for (const version of promoted) {
      const previous = versions[versions.indexOf(version) - 1];
      const requestedAt = new Date(Date.parse(version.createdAt) + DAY);
      const decidedAt = new Date(requestedAt.getTime() + DAY);
      const approver = DEMO_APPROVERS.find(a => a !== version.creator)!;
      const request = await promotions.request({
        modelRef,
        version: version.version,
        environment: 'production',
        requestedBy: version.creator,
        reason: 'Weekly retrain',
        now: requestedAt,
      });
      await promotions.decide(
        request.id,
        {
          outcome: 'approved',
          by: approver,
          reason: previous ? `Metrics hold against v${previous.version}` : 'First production version',
          evidence: {
            artifactDigest: version.artifact.digest,
            ...(previous ? { champion: previous.version } : {}),
            vsChampion: compareToChampion(version.metrics, previous),
            lineage: { ...(version.training.run ? { run: version.training.run } : {}), datasets: version.training.datasets },
          },
          expiresAt: new Date(decidedAt.getTime() + 3 * DAY),
        },
        decidedAt,
      );
    }
  }
}

/**
 * The demo's sign-off history, then pending requests for its queue: one that passes its gates, one
 * that fails a gate, and one requested by the demo's own guest user (who therefore cannot approve it).
 */
export async function seedDemoPromotions(promotions: PromotionStore, registry: RegistryStore) {
  if ((await promotions.list({ limit: 1 })).length) return;
  await seedDemoHistory(promotions, registry);
  const requests = [
    { model: 'home-feed-ranker', version: '18', by: 'user:default/alice', reason: 'Weekly refresh: NDCG@20 within 2 % of the champion' },
    { model: 'home-feed-ranker', version: '19', by: 'user:default/bob', reason: 'Latest weekly retrain' },
    { model: 'ad-ctr-predictor', version: '33', by: 'user:default/guest', reason: 'Retrained on last week’s auctions' },
  ];
  for (const r of requests) {
    await promotions.request({
      modelRef: `model:default/${r.model}`,
      version: r.version,
      environment: 'production',
      requestedBy: r.by,
      reason: r.reason,
    });
  }
}
