import { DatasetVersion, Deployment, GateSummary, ModelAlias, ModelVersion, TrainingRun } from '@modelrails/plugin-mlops-common';
import { Knex } from 'knex';

/*
 * The registry's tables as rows, and how a model version is read back from them. Shared by the
 * registry store (which writes them) and the lineage store (which walks them).
 */

export type ModelVersionRow = {
  id: string;
  model_ref: string;
  version: string;
  run_id: string | null;
  code_commit: string | null;
  hyperparameters: string;
  metrics: string;
  feature_sets: string;
  artifact_uri: string;
  artifact_digest: string;
  creator_ref: string;
  creator_verified: boolean | number;
  source: ModelVersion['source'];
  created_at: Date | string | number;
};
export type RunRow = {
  id: string;
  source: TrainingRun['source'];
  run_id: string;
  run_url: string | null;
  experiment: string | null;
  started_at: Date | string | number | null;
  finished_at: Date | string | number | null;
};
export type DatasetVersionRow = {
  id: string;
  dataset_ref: string;
  version: string;
  digest: string;
  uri: string | null;
};
export type DeploymentRow = {
  id: string;
  model_version_id: string;
  environment: string;
  cluster: string;
  namespace: string;
  traffic_weight: number;
  updated_at: Date | string | number;
};

/** SQLite's default limit on bound variables is generous, but stay well inside every engine's. */
export const CHUNK = 500;

export const iso = (value: Date | string | number) => new Date(value).toISOString();
const isoOrUndefined = (value: Date | string | number | null) => (value === null ? undefined : iso(value));

export async function selectIn<T>(
  db: Knex | Knex.Transaction,
  table: string,
  column: string,
  values: string[],
  columns: string[] = ['*'],
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += CHUNK) {
    out.push(...((await db(table).whereIn(column, values.slice(i, i + CHUNK)).select(columns)) as T[]));
  }
  return out;
}

/** Model version rows with their run, datasets, aliases and deployments, in few queries. */
export async function hydrateVersions(db: Knex | Knex.Transaction, rows: ModelVersionRow[]): Promise<ModelVersion[]> {
  if (!rows.length) return [];
  const runIds = [...new Set(rows.map(r => r.run_id).filter((id): id is string => !!id))];
  const versionIds = rows.map(r => r.id);
  const runs = new Map((await selectIn<RunRow>(db, 'mlops_training_runs', 'id', runIds)).map(r => [r.id, r]));
  const inputs: Array<DatasetVersionRow & { run_id: string }> = [];
  for (let i = 0; i < runIds.length; i += CHUNK) {
    inputs.push(
      ...(await db('mlops_run_inputs')
        .join('mlops_dataset_versions', 'mlops_dataset_versions.id', 'mlops_run_inputs.dataset_version_id')
        .whereIn('mlops_run_inputs.run_id', runIds.slice(i, i + CHUNK))
        .orderBy('mlops_dataset_versions.dataset_ref')
        .select('mlops_run_inputs.run_id', 'mlops_dataset_versions.*')),
    );
  }
  const aliases = await selectIn<{ model_version_id: string; alias: ModelAlias }>(
    db,
    'mlops_aliases',
    'model_version_id',
    versionIds,
    ['model_version_id', 'alias'],
  );
  const deployments = await selectIn<DeploymentRow>(db, 'mlops_deployments', 'model_version_id', versionIds);
  const evaluations = await selectIn<{
    model_version_id: string;
    evaluated_at: Date | string | number;
    trigger: GateSummary['trigger'];
    passed: boolean | number;
    champion: string | null;
    policy_digest: string | null;
    results: string;
  }>(db, 'mlops_gate_evaluations', 'model_version_id', versionIds);
  const latestGates = new Map<string, GateSummary>();
  for (const e of evaluations) {
    const current = latestGates.get(e.model_version_id);
    const at = iso(e.evaluated_at);
    if (!current || at >= current.evaluatedAt) {
      latestGates.set(e.model_version_id, {
        evaluatedAt: at,
        trigger: e.trigger,
        passed: Boolean(e.passed),
        champion: e.champion ?? null,
        policyDigest: e.policy_digest ?? null,
        results: JSON.parse(e.results),
      });
    }
  }

  return rows.map(row => {
    const run = row.run_id ? runs.get(row.run_id) : undefined;
    const datasets: DatasetVersion[] = inputs
      .filter(i => i.run_id === row.run_id)
      .map(i => ({ ref: i.dataset_ref, version: i.version, digest: i.digest, ...(i.uri ? { uri: i.uri } : {}) }));
    return {
      modelRef: row.model_ref,
      version: row.version,
      artifact: { uri: row.artifact_uri, digest: row.artifact_digest },
      ...(row.code_commit ? { codeCommit: row.code_commit } : {}),
      hyperparameters: JSON.parse(row.hyperparameters),
      metrics: JSON.parse(row.metrics),
      training: { ...(run ? { run: toRun(run) } : {}), datasets },
      featureSets: JSON.parse(row.feature_sets),
      creator: row.creator_ref,
      creatorVerified: Boolean(row.creator_verified),
      source: row.source,
      createdAt: iso(row.created_at),
      reproducible: datasets.length > 0,
      aliases: aliases
        .filter(a => a.model_version_id === row.id)
        .map(a => a.alias)
        .sort(),
      deployments: deployments
        .filter(d => d.model_version_id === row.id)
        .map(toDeployment)
        .sort((a, b) => a.environment.localeCompare(b.environment) || a.cluster.localeCompare(b.cluster)),
      ...(latestGates.has(row.id) ? { gates: latestGates.get(row.id) } : {}),
    };
  });
}


export function nameOf(ref: string) {
  return ref.slice(ref.indexOf('/') + 1);
}

export function toRun(r: RunRow): TrainingRun {
  return {
    source: r.source,
    id: r.run_id,
    ...(r.run_url ? { url: r.run_url } : {}),
    ...(r.experiment ? { experiment: r.experiment } : {}),
    ...(r.started_at !== null ? { startedAt: isoOrUndefined(r.started_at) } : {}),
    ...(r.finished_at !== null ? { finishedAt: isoOrUndefined(r.finished_at) } : {}),
  };
}

export function toDataset(d: DatasetVersionRow): DatasetVersion {
  return { ref: d.dataset_ref, version: d.version, digest: d.digest, ...(d.uri ? { uri: d.uri } : {}) };
}

export function toDeployment(d: DeploymentRow): Deployment {
  return {
    environment: d.environment,
    cluster: d.cluster,
    namespace: d.namespace,
    trafficWeight: Number(d.traffic_weight),
    updatedAt: iso(d.updated_at),
  };
}
