import {
  Deployment,
  FeatureSetVersion,
  GateSummary,
  ModelAlias,
  ModelVersion,
} from '@modelrails/plugin-mlops-common';

/** A version to register, already validated and with its creator resolved. */
export type NewModelVersion = {
  modelRef: string;
  version: string;
  artifact: { uri: string; digest: string };
  codeCommit?: string;
  hyperparameters: Record<string, string | number | boolean>;
  metrics: Record<string, number>;
  run?: {
    source: 'ci' | 'mlflow' | 'demo';
    id: string;
    url?: string;
    experiment?: string;
    startedAt?: Date;
    finishedAt?: Date;
  };
  datasets: Array<{ ref: string; version: string; digest: string; uri?: string }>;
  featureSets: FeatureSetVersion[];
  creator: string;
  /** False when the creator is not a User in the catalog (default true: the caller's own identity). */
  creatorVerified?: boolean;
  source: ModelVersion['source'];
  createdAt?: Date;
};

/** Model versions, aliases, deployments and gate results. Every write is one transaction with its audit row. */
export interface RegistryStore {
  /** Throws ConflictError when the version exists, or a dataset version exists with another digest. */
  registerVersion(input: NewModelVersion, actorRef: string): Promise<ModelVersion>;
  /** Like registerVersion, but an existing identical version is left as it is (idempotent sync). */
  upsertVersion(input: NewModelVersion, actorRef: string): Promise<{ version: ModelVersion; created: boolean }>;
  listVersions(modelRef: string): Promise<ModelVersion[]>;
  getVersion(modelRef: string, version: string): Promise<ModelVersion | undefined>;
  setAlias(modelRef: string, alias: ModelAlias, version: string, actorRef: string): Promise<void>;
  setDeployment(
    modelRef: string,
    version: string,
    deployment: Omit<Deployment, 'updatedAt'>,
    actorRef: string,
  ): Promise<void>;
  /** Keeps a gate evaluation of a version (with its audit row); the latest one is the version's `gates`. */
  recordGateEvaluation(modelRef: string, version: string, summary: GateSummary, actorRef: string): Promise<void>;
  /** Which version held an alias at a time, since when and set by whom (from the audit trail). */
  aliasAt(modelRef: string, alias: ModelAlias, at: Date): Promise<{ version: string; since: string; setBy: string } | undefined>;
  /** Versions that held the champion alias, most recent first, each once. */
  promotedVersions(modelRef: string, limit: number): Promise<ModelVersion[]>;
}
