import { LoggerService } from '@backstage/backend-plugin-api';
import { MODEL_ALIASES, ModelAlias } from '@modelrails/plugin-mlops-common';
import { createHash } from 'node:crypto';
import { NewModelVersion, RegistryStore } from '../registry/RegistryStore';
import { SyncStatusStore } from './SyncStatusStore';
import { MlflowClient, MlflowError, MlflowModelVersion, MlflowRun } from './MlflowClient';

/** Which MLflow registered model a Model entity follows: its annotation, or its own name. */
export const MLFLOW_MODEL_ANNOTATION = 'modelrails.io/mlflow-registered-model';
/** A model version tag carrying the artifact's content digest (`sha256:…`), set by the training job. */
export const MLFLOW_DIGEST_TAG = 'modelrails.artifact_digest';

export type SyncResult = {
  registeredModels: number;
  skippedModels: string[];
  versionsCreated: number;
  versionsUnchanged: number;
  /** Models whose MLflow `champion` alias points elsewhere than ModelRails' (which only sign-off moves). */
  /** Aliases MLflow holds elsewhere than ModelRails: reported, never followed (they change through sign-off). */
  aliasMismatches: string[];
};

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
      await this.status.record('mlflow', { startedAt, finishedAt: new Date(), ok: true, message: 'ok', details: result });
      this.logger.info(
        `MLflow sync: ${result.versionsCreated} new versions, ${result.skippedModels.length} registered models without a Model entity`,
      );
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

  private async sync(): Promise<SyncResult> {
    const models = await this.modelsByMlflowName();
    const result: SyncResult = {
      registeredModels: 0,
      skippedModels: [],
      versionsCreated: 0,
      versionsUnchanged: 0,
      aliasMismatches: [],
    };
    for await (const registered of this.client.registeredModels()) {
      result.registeredModels++;
      const modelRef = models.get(registered.name);
      if (!modelRef) {
        result.skippedModels.push(registered.name);
        continue;
      }
      for await (const mv of this.client.modelVersions(registered.name)) {
        if (mv.status && mv.status !== 'READY') continue;
        const run = mv.run_id ? await this.client.run(mv.run_id) : undefined;
        const version = this.toVersion(modelRef, mv, run);
        version.creatorVerified = (await this.isCatalogUser?.(version.creator)) ?? false;
        const { created } = await this.registry.upsertVersion(version, ACTOR);
        if (created) {
          result.versionsCreated++;
          await this.onVersionCreated?.(modelRef, mv.version);
        } else {
          result.versionsUnchanged++;
        }
      }
      const current = await this.registry.listVersions(modelRef);
      for (const { alias, version } of registered.aliases ?? []) {
        if (!(MODEL_ALIASES as readonly string[]).includes(alias)) continue;
        const holder = current.find(v => v.aliases.includes(alias as ModelAlias));
        if (holder?.version === version || !current.some(v => v.version === version)) continue;
        // What serves and what a rollback returns to change hands only through ModelRails' own
        // decisions (sign-off, rollouts): an alias set in MLflow is reported, not followed.
        result.aliasMismatches.push(`${registered.name}: MLflow ${alias} v${version}, ModelRails ${alias} ${holder ? `v${holder.version}` : 'none'}`);
      }
    }
    return result;
  }

  private toVersion(modelRef: string, mv: MlflowModelVersion, run?: MlflowRun): NewModelVersion {
    const digestTag = tag(mv.tags, MLFLOW_DIGEST_TAG);
    const source = mv.source ?? run?.info.artifact_uri ?? '';
    const training = (run?.inputs?.dataset_inputs ?? []).filter(i => {
      const context = tag(i.tags, 'mlflow.data.context');
      return !context || context === 'training' || context === 'train';
    });
    const metrics: Record<string, number> = {};
    for (const m of run?.data.metrics ?? []) {
      if (Number.isFinite(m.value)) metrics[m.key] = m.value;
    }
    const hyperparameters: Record<string, string | number | boolean> = {};
    for (const p of run?.data.params ?? []) hyperparameters[p.key] = parseParam(p.value);
    return {
      modelRef,
      version: mv.version,
      artifact: {
        uri: source,
        // MLflow keeps no content digest of artifacts; without the training job's tag the version
        // is bound to its source URI, marked as such.
        digest: digestTag && SHA256.test(digestTag) ? digestTag : `unverified:${createHash("sha256").update(source).digest("hex")}`,
      },
      codeCommit: tag(run?.data.tags, 'mlflow.source.git.commit'),
      hyperparameters,
      metrics,
      run: run
        ? {
            source: 'mlflow',
            id: run.info.run_id,
            url: this.mlflowUiUrl ? `${this.mlflowUiUrl}/#/experiments/${run.info.experiment_id}/runs/${run.info.run_id}` : mv.run_link,
            experiment: run.info.experiment_id,
            startedAt: run.info.start_time ? new Date(run.info.start_time) : undefined,
            finishedAt: run.info.end_time ? new Date(run.info.end_time) : undefined,
          }
        : undefined,
      datasets: training.map(i => ({
        ref: `resource:default/${i.dataset.name.toLowerCase().replace(/[^a-z0-9._-]/g, '-')}`,
        version: i.dataset.digest,
        digest: `mlflow:${i.dataset.digest}`,
        ...(i.dataset.source ? { uri: i.dataset.source.slice(0, 2048) } : {}),
      })),
      featureSets: [],
      creator: userRefOf(mv.user_id ?? run?.info.user_id),
      source: 'mlflow',
      createdAt: mv.creation_timestamp ? new Date(mv.creation_timestamp) : undefined,
    };
  }
}
