/*
 * The model registry and lineage as the HTTP API returns them (openapi.yaml in the backend plugin
 * is the contract; these types mirror it for the portal and other TypeScript clients).
 */

/** A dataset version a training run read. @public */
export type DatasetVersion = {
  /** Entity ref of the dataset's catalog Resource, e.g. `resource:default/clickstream-events`. */
  ref: string;
  version: string;
  /** `sha256:<64 hex>` of the dataset's content. */
  digest: string;
  uri?: string;
};

/** A feature set version a model version reads, with the schema it was trained against. @public */
export type FeatureSetVersion = {
  ref: string;
  version: string;
  /** Feature name → type, e.g. `{ "user_country": "string" }`. */
  schema?: Record<string, string>;
};

/** @public */
export type TrainingRun = {
  source: 'ci' | 'mlflow' | 'demo';
  id: string;
  url?: string;
  experiment?: string;
  startedAt?: string;
  finishedAt?: string;
};

/** @public */
export type Deployment = {
  environment: string;
  cluster: string;
  namespace: string;
  /** Percent of the environment's traffic, 0..100. */
  trafficWeight: number;
  updatedAt: string;
};

/** @public */
export const MODEL_ALIASES = ['champion', 'challenger', 'standby'] as const;
/** @public */
export type ModelAlias = (typeof MODEL_ALIASES)[number];

/** A model version and its lineage record. @public */
export type ModelVersion = {
  modelRef: string;
  version: string;
  artifact: { uri: string; digest: string };
  codeCommit?: string;
  hyperparameters: Record<string, string | number | boolean>;
  metrics: Record<string, number>;
  training: { run?: TrainingRun; datasets: DatasetVersion[] };
  featureSets: FeatureSetVersion[];
  /** Entity ref of the person (or service) who created the version. */
  creator: string;
  source: 'ci' | 'mlflow' | 'demo' | 'portal';
  createdAt: string;
  /** False when no dataset version is recorded: the version cannot be reproduced. */
  reproducible: boolean;
  aliases: ModelAlias[];
  deployments: Deployment[];
  /** The latest gate evaluation; absent until the gates have run. */
  gates?: GateSummary;
};

/** POST /models/{namespace}/{name}/versions. @public */
export type RegisterVersionRequest = {
  version: string;
  artifact: { uri: string; digest: string };
  codeCommit?: string;
  hyperparameters?: Record<string, string | number | boolean>;
  metrics?: Record<string, number>;
  training?: {
    run?: { id: string; url?: string; experiment?: string; startedAt?: string; finishedAt?: string };
    datasets?: Array<{ ref: string; version: string; digest: string; uri?: string }>;
  };
  featureSets?: FeatureSetVersion[];
  /** Who triggered the version; only services (CI) may say so, users are taken from their token. */
  createdBy?: string;
};

/** A metric of a version beside the champion's. @public */
export type MetricComparison = { value: number; champion?: number; relative?: number };

/** GET /models/{namespace}/{name}/versions. @public */
export type ModelVersionList = {
  modelRef: string;
  champion?: string;
  items: Array<ModelVersion & { vsChampion: Record<string, MetricComparison> }>;
};

/** @public */
export type LineageNodeKind = 'dataset-version' | 'training-run' | 'model-version' | 'deployment';

/** @public */
export type LineageNode = {
  /** Stable id, e.g. `model:model:default/home-feed-ranker@12` or `dataset:resource:default/orders@2026-11-01`. */
  id: string;
  kind: LineageNodeKind;
  label: string;
  /** Kind-specific details (digest, traffic weight, creator…), as text or numbers. */
  attributes: Record<string, string | number | boolean>;
};

/** @public */
export type LineageGraph = {
  root: string;
  depth: number;
  nodes: LineageNode[];
  /** Edges point downstream: dataset version → run → model version → deployment. */
  edges: Array<{ from: string; to: string }>;
  /** True when nodes beyond `depth` were left out. */
  truncated: boolean;
};

/** GET /datasets/{namespace}/{name}/versions/{version}/models. @public */
export type DatasetConsumers = {
  dataset: DatasetVersion;
  models: Array<{ modelRef: string; version: string; serving: boolean; deployments: Deployment[] }>;
};

/** Lineage node ids: readable, and parseable back into what they name. @public */
export const lineageNodeId = {
  dataset: (ref: string, version: string) => `dataset:${ref}@${version}`,
  run: (source: string, id: string) => `run:${source}:${id}`,
  model: (ref: string, version: string) => `model:${ref}@${version}`,
  deployment: (modelRef: string, version: string, d: { environment: string; cluster: string; namespace: string }) =>
    `deployment:${modelRef}@${version}/${d.environment}/${d.cluster}/${d.namespace}`,
};

/** GET /sync/mlflow: the last MLflow sync, from any backend replica. @public */
export type SyncStatus =
  | { configured: false }
  | {
      configured: true;
      source: string;
      startedAt: string;
      finishedAt: string;
      ok: boolean;
      message: string;
      details: Record<string, unknown>;
    };

/** One gate judged on one version: what was measured, against what, and why it passed or failed. @public */
export type GateResult = {
  kind: string;
  name: string;
  /** The gate in words, e.g. "ndcg@20 ≥ 0.17". */
  rule: string;
  advisory: boolean;
  status: 'pass' | 'fail';
  value?: number;
  threshold?: number;
  reason: string;
};

/** The latest evaluation of a version's gates; `passed` is false when a blocking gate failed. @public */
export type GateSummary = {
  evaluatedAt: string;
  trigger: 'registration' | 'manual' | 'sync';
  passed: boolean;
  results: GateResult[];
};

/** @public */
export type PromotionStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** What an approver saw, frozen at approval: gates, metrics beside the champion, lineage, digest. @public */
export type PromotionEvidence = {
  artifactDigest: string;
  gates?: GateSummary;
  champion?: string;
  vsChampion: Record<string, MetricComparison>;
  lineage: { run?: TrainingRun; datasets: DatasetVersion[] };
};

/** A request to promote a model version to an environment, and its one decision. @public */
export type Promotion = {
  id: string;
  modelRef: string;
  version: string;
  environment: string;
  status: PromotionStatus;
  requestedBy: string;
  requestedAt: string;
  requestReason?: string;
  /** The artifact digest the request (and any approval) is bound to. */
  artifactDigest: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionReason?: string;
  /** Set when an approver overrode failing gates (break glass), with their written reason. */
  override?: { reason: string };
  evidence?: PromotionEvidence;
  expiresAt?: string;
};
