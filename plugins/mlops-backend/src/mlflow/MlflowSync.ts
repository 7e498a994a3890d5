import { LoggerService } from '@backstage/backend-plugin-api';
import { MODEL_ALIASES, ModelAlias } from '@modelrails/plugin-mlops-common';
import { createHash } from 'node:crypto';
import { NewModelVersion, RegistryStore } from '../registry/RegistryStore';
import { SyncStatusStore } from './SyncStatusStore';
import {
  int64,
  loggedModelIdOf,
  MlflowClient,
  MlflowDataset,
  MlflowError,
  MlflowLoggedModel,
  MlflowModelVersion,
  MlflowRegisteredModel,
  MlflowRun,
} from './MlflowClient';

/** Which MLflow registered model a Model entity follows: its annotation, or its own name. */
export const MLFLOW_MODEL_ANNOTATION = 'modelrails.io/mlflow-registered-model';
/** A model version tag carrying the artifact's content digest (`sha256:…`), set by the training job. */
export const MLFLOW_DIGEST_TAG = 'modelrails.artifact_digest';

/** A registered model or version the sync could not copy; the rest of the sync went on without it. */
export type SyncProblem = { mlflowModel: string; modelRef?: string; version?: string; message: string };

export type SyncResult = {
  registeredModels: number;
  skippedModels: string[];
  versionsCreated: number;
  versionsUnchanged: number;
  /** Aliases MLflow holds elsewhere than ModelRails: reported, never followed (they change through sign-off). */
  aliasMismatches: string[];
  problems: SyncProblem[];
};

const emptyResult = (): SyncResult => ({
  registeredModels: 0,
  skippedModels: [],
  versionsCreated: 0,
  versionsUnchanged: 0,
  aliasMismatches: [],
  problems: [],
});

const ACTOR = 'plugin:mlops:mlflow-sync';
const SHA256 = /^sha256:[0-9a-f]{64}$/;

function tag(tags: Array<{ key: string; value: string }> | undefined, key: string) {
  return tags?.find(t => t.key === key)?.value;
}

/** MLflow user ids are user names or e-mail addresses; catalog users are named by the local part. */
export function userRefOf(userId?: string): string {
  const local = (userId ?? '').split('@')[0].toLowerCase().replace(/[^a-z0-9._-]/g, '-').replace(/^-+|-+$/g, '');
  return local ? `user:default/${local}` : 'user:default/mlflow';
}

/** A date from an int64 milliseconds field (number or string), or undefined when it is not one. */
function dateOf(value: unknown): Date | undefined {
  const ms = int64(value);
  // 0 is protobuf's default: MLflow sends it for a time it does not know.
  return ms === undefined || ms <= 0 ? undefined : new Date(ms);
}

/**
 * Where a dataset lives: MLflow writes a dataset's `source` as JSON whose field depends on the
 * source type (`{"uri": …}` for S3 and files, `{"url": …}` for HTTP, `{"path": …}` or a table name
 * for Delta and Spark). A source that is not JSON is a URI already.
 */
export function datasetUri(dataset: Pick<MlflowDataset, 'source'>): string | undefined {
  const source = dataset.source?.trim();
  if (!source) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    return source.slice(0, 2048);
  }
  if (typeof parsed === 'string') return parsed.slice(0, 2048);
  if (!parsed || typeof parsed !== 'object') return undefined;
  const fields = parsed as Record<string, unknown>;
  for (const key of ['uri', 'url', 'path', 'delta_table_name', 'table_name', 'volume_path']) {
    const value = fields[key];
    if (typeof value === 'string' && value) return value.slice(0, 2048);
  }
  return undefined;
}

/** What a sync error says, without a stack. */
const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);

/** Parameters arrive as strings; numbers and booleans are kept as such when they read as one. */
function parseParam(value: string): string | number | boolean {
  if (value === 'True' || value === 'true') return true;
  if (value === 'False' || value === 'false') return false;
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

/**
 * Copies MLflow's registry into ModelRails: registered models followed by a Model entity, their
 * READY versions with run parameters, metrics and training dataset inputs, and their aliases.
 * Idempotent: what is already here is left as it is.
 */
export class MlflowSync {
  constructor(
    private readonly client: MlflowClient,
    private readonly registry: RegistryStore,
    private readonly status: SyncStatusStore,
    private readonly logger: LoggerService,
    /** MLflow registered model name → Model entity ref, read from the catalog at each run. */
    private readonly modelsByMlflowName: () => Promise<Map<string, string>>,
    private readonly mlflowUiUrl?: string,
    /** Called for each version the sync created (the gates run on it). */
    private readonly onVersionCreated?: (modelRef: string, version: string) => Promise<void>,
    /** Whether the catalog holds a User; without it every MLflow creator is unverified. */
    private readonly isCatalogUser?: (userRef: string) => Promise<boolean>,
  ) {}

  /** Runs one sync; never throws: failures are logged and recorded for the portal to show. */
  async run(): Promise<SyncResult | undefined> {
    const startedAt = new Date();
    try {
      const result = await this.sync();
      const message = result.problems.length
        ? `synced, but ${result.problems.length} registered model${result.problems.length === 1 ? '' : 's'} or version${result.problems.length === 1 ? '' : 's'} could not be copied`
        : 'ok';
      await this.status.record('mlflow', { startedAt, finishedAt: new Date(), ok: true, message, details: result });
      this.logger.info(
        `MLflow sync: ${result.versionsCreated} new versions, ${result.skippedModels.length} registered models without a Model entity, ${result.problems.length} problems`,
      );
      for (const problem of result.problems) {
        this.logger.warn(`MLflow sync skipped ${problem.mlflowModel}${problem.version ? ` v${problem.version}` : ''}: ${problem.message}`);
      }
      for (const mismatch of result.aliasMismatches) {
        this.logger.warn(`MLflow sync did not follow an alias (aliases change through ModelRails' sign-off and rollouts): ${mismatch}`);
      }
      return result;
    } catch (e) {
      const message = e instanceof MlflowError ? e.message : `MLflow sync failed: ${(e as Error).message}`;
      this.logger.warn(message);
      await this.status.record('mlflow', { startedAt, finishedAt: new Date(), ok: false, message, details: {} });
      return undefined;
    }
  }

  /**
   * Syncs one registered model at once (an MLflow webhook said it changed). Undefined when no Model
   * entity follows it; the periodic sync stays the safety net for anything a webhook misses.
   */
  async syncModel(mlflowName: string): Promise<SyncResult | undefined> {
    const modelRef = (await this.modelsByMlflowName()).get(mlflowName);
    if (!modelRef) return undefined;
    const registered = await this.client.registeredModel(mlflowName);
    const result = emptyResult();
    if (!registered) return result;
    result.registeredModels = 1;
    await this.syncRegisteredModel(registered, modelRef, result);
    for (const problem of result.problems) {
      this.logger.warn(`MLflow webhook sync skipped ${problem.mlflowModel}${problem.version ? ` v${problem.version}` : ''}: ${problem.message}`);
    }
    return result;
  }

  private async sync(): Promise<SyncResult> {
    const models = await this.modelsByMlflowName();
    const result = emptyResult();
    // Listing registered models failing is the whole sync failing (MLflow unreachable, refused):
    // that throws. Anything one model or version does wrong is that model's problem only.
    for await (const registered of this.client.registeredModels()) {
      result.registeredModels++;
      const name = typeof registered?.name === 'string' ? registered.name : undefined;
      if (!name) {
        result.problems.push({ mlflowModel: '(unnamed)', message: 'MLflow listed a registered model without a name' });
        continue;
      }
      const modelRef = models.get(name);
      if (!modelRef) {
        result.skippedModels.push(name);
        continue;
      }
      await this.syncRegisteredModel(registered, modelRef, result);
    }
    return result;
  }

  private async syncRegisteredModel(registered: MlflowRegisteredModel, modelRef: string, result: SyncResult) {
    const mlflowModel = registered.name;
    try {
      for await (const mv of this.client.modelVersions(mlflowModel)) {
        if (mv.status && mv.status !== 'READY') continue;
        try {
          await this.syncVersion(modelRef, mv, result);
        } catch (e) {
          if (e instanceof MlflowError && e.fatal) throw e;
          result.problems.push({ mlflowModel, modelRef, version: String(mv?.version ?? '?'), message: messageOf(e) });
        }
      }
      const current = await this.registry.listVersions(modelRef);
      for (const { alias, version } of registered.aliases ?? []) {
        if (!(MODEL_ALIASES as readonly string[]).includes(alias)) continue;
        const holder = current.find(v => v.aliases.includes(alias as ModelAlias));
        if (holder?.version === version || !current.some(v => v.version === version)) continue;
        // What serves and what a rollback returns to change hands only through ModelRails' own
        // decisions (sign-off, rollouts): an alias set in MLflow is reported, not followed.
        result.aliasMismatches.push(`${mlflowModel}: MLflow ${alias} v${version}, ModelRails ${alias} ${holder ? `v${holder.version}` : 'none'}`);
      }
    } catch (e) {
      // MLflow unreachable mid-sync fails the sync; a model MLflow answers badly for is skipped.
      if (e instanceof MlflowError && e.fatal) throw e;
      result.problems.push({ mlflowModel, modelRef, message: messageOf(e) });
    }
  }

  private async syncVersion(modelRef: string, mv: MlflowModelVersion, result: SyncResult) {
    if (typeof mv.version !== 'string' && typeof mv.version !== 'number') throw new Error('the version has no version number');
    const loggedModelId = loggedModelIdOf(mv);
    const loggedModel = loggedModelId ? await this.client.loggedModel(loggedModelId) : undefined;
    const runId = mv.run_id || loggedModel?.info.source_run_id;
    const run = runId ? await this.client.run(runId) : undefined;
    const version = this.toVersion(modelRef, { ...mv, version: String(mv.version) }, run, loggedModel);
    version.creatorVerified = (await this.isCatalogUser?.(version.creator)) ?? false;
    const { created } = await this.registry.upsertVersion(version, ACTOR);
    if (created) {
      result.versionsCreated++;
      await this.onVersionCreated?.(modelRef, version.version);
    } else {
      result.versionsUnchanged++;
    }
  }

  private toVersion(modelRef: string, mv: MlflowModelVersion, run?: MlflowRun, loggedModel?: MlflowLoggedModel): NewModelVersion {
    const digestTag = tag(mv.tags, MLFLOW_DIGEST_TAG);
    const source = mv.source || loggedModel?.info.artifact_uri || run?.info?.artifact_uri || '';
    const training = (run?.inputs?.dataset_inputs ?? []).filter(i => {
      if (typeof i?.dataset?.name !== 'string' || typeof i.dataset.digest !== 'string') return false;
      const context = tag(i.tags, 'mlflow.data.context');
      return !context || context === 'training' || context === 'train';
    });
    const metricsOf = (list: Array<{ key: string; value: number | string }> | undefined) => {
      const out: Record<string, number> = {};
      for (const m of list ?? []) {
        // Doubles arrive as numbers, or as strings ("NaN", "Infinity") through protobuf's JSON mapping.
        const value = typeof m?.value === 'string' ? Number(m.value) : m?.value;
        if (typeof m?.key === 'string' && typeof value === 'number' && Number.isFinite(value)) out[m.key] = value;
      }
      return out;
    };
    // MLflow 3 keeps a model's evaluation against its logged model: used when the run has none.
    const runMetrics = metricsOf(run?.data?.metrics);
    const metrics = Object.keys(runMetrics).length ? runMetrics : metricsOf(loggedModel?.data?.metrics);
    const hyperparameters: Record<string, string | number | boolean> = {};
    for (const p of [...(loggedModel?.data?.params ?? []), ...(run?.data?.params ?? [])]) {
      if (typeof p?.key === 'string' && typeof p.value === 'string') hyperparameters[p.key] = parseParam(p.value);
    }
    return {
      modelRef,
      version: mv.version,
      artifact: {
        uri: source,
        // MLflow keeps no content digest of artifacts; without the training job's tag the version
        // is bound to its source URI, marked as such.
        digest: digestTag && SHA256.test(digestTag) ? digestTag : `unverified:${createHash("sha256").update(source).digest("hex")}`,
      },
      codeCommit: tag(run?.data?.tags, 'mlflow.source.git.commit'),
      hyperparameters,
      metrics,
      run: run
        ? {
            source: 'mlflow',
            id: run.info.run_id,
            url: this.mlflowUiUrl ? `${this.mlflowUiUrl}/#/experiments/${run.info.experiment_id}/runs/${run.info.run_id}` : mv.run_link || undefined,
            experiment: run.info.experiment_id,
            startedAt: dateOf(run.info.start_time),
            finishedAt: dateOf(run.info.end_time),
          }
        : undefined,
      datasets: training.map(i => ({
        ref: `resource:default/${i.dataset.name.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`,
        version: i.dataset.digest,
        digest: `mlflow:${i.dataset.digest}`,
        ...(datasetUri(i.dataset) ? { uri: datasetUri(i.dataset) } : {}),
      })),
      featureSets: [],
      creator: userRefOf(mv.user_id || run?.info?.user_id),
      source: 'mlflow',
      createdAt: dateOf(mv.creation_timestamp),
    };
  }
}
