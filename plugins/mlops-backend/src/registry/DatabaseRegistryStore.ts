import { DatabaseService } from '@backstage/backend-plugin-api';
import { isUniqueViolation } from '../database/errors';
import { migratedClient, storeMigrations } from '../database/migrations';
import { ConflictError } from '@backstage/errors';
import { Deployment, GateSummary, ModelAlias, ModelVersion } from '@modelrails/plugin-mlops-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { AuditLog } from '../database/ModelRailsStore';
import { NewModelVersion, RegistryStore } from './RegistryStore';
import { DatasetVersionRow, hydrateVersions, iso, ModelVersionRow, RunRow } from './rows';

/** The registry on SQLite or PostgreSQL. */
export class DatabaseRegistryStore implements RegistryStore {
  /** The tables this store owns, migrated by `create()` (or by the plugin, stores in order). */
  static readonly migrations = storeMigrations('registry');

  static async create(options: { database: DatabaseService; audit: AuditLog }): Promise<DatabaseRegistryStore> {
    return new DatabaseRegistryStore(await migratedClient(options.database, [DatabaseRegistryStore.migrations]), options.audit);
  }

  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
  ) {}

  async registerVersion(input: NewModelVersion, actorRef: string): Promise<ModelVersion> {
    const { version, created } = await this.write(input, actorRef, 'fail');
    if (!created) {
      throw new ConflictError(`Version ${input.version} of ${input.modelRef} already exists`);
    }
    return version;
  }

  async upsertVersion(input: NewModelVersion, actorRef: string) {
    return this.write(input, actorRef, 'keep');
  }

  private async write(
    input: NewModelVersion,
    actorRef: string,
    onExisting: 'fail' | 'keep',
  ): Promise<{ version: ModelVersion; created: boolean }> {
    try {
      const created = await this.db.transaction(async tx => {
        const existing = await tx<ModelVersionRow>('mlops_model_versions')
          .where({ model_ref: input.modelRef, version: input.version })
          .first();
        if (existing) {
          if (onExisting === 'fail') {
            throw new ConflictError(`Version ${input.version} of ${input.modelRef} already exists`);
          }
          return false;
        }
        const now = input.createdAt ?? new Date();
        const datasetIds = await this.upsertDatasetVersions(tx, input.datasets, now);
        let runId: string | null = null;
        if (input.run) {
          runId = await this.upsertRun(tx, input.run, now);
          for (const datasetVersionId of datasetIds) {
            const linked = await tx('mlops_run_inputs').where({ run_id: runId, dataset_version_id: datasetVersionId }).first();
            if (!linked) {
              await tx('mlops_run_inputs').insert({ run_id: runId, dataset_version_id: datasetVersionId });
            }
          }
        }
        await tx('mlops_model_versions').insert({
          id: randomUUID(),
          model_ref: input.modelRef,
          version: input.version,
          run_id: runId,
          code_commit: input.codeCommit ?? null,
          hyperparameters: JSON.stringify(input.hyperparameters),
          metrics: JSON.stringify(input.metrics),
          feature_sets: JSON.stringify(input.featureSets),
          artifact_uri: input.artifact.uri,
          artifact_digest: input.artifact.digest,
          creator_ref: input.creator,
          creator_verified: input.creatorVerified ?? true,
          source: input.source,
          created_at: now,
        });
        await this.audit.appendAudit(
          {
            actorRef,
            action: 'version.register',
            entityRef: input.modelRef,
            details: { version: input.version, source: input.source, artifactDigest: input.artifact.digest },
            occurredAt: now,
          },
          tx,
        );
        return true;
      });
      const version = await this.getVersion(input.modelRef, input.version);
      return { version: version!, created };
    } catch (error) {
      if (isUniqueViolation(error)) {
        // Lost a race with a concurrent registration of the same version or dataset version.
        if (onExisting === 'keep') {
          const version = await this.getVersion(input.modelRef, input.version);
          if (version) return { version, created: false };
        }
        throw new ConflictError(`Version ${input.version} of ${input.modelRef} conflicts with one registered at the same time`);
      }
      throw error;
    }
  }

  private async upsertDatasetVersions(tx: Knex.Transaction, datasets: NewModelVersion['datasets'], now: Date) {
    const ids: string[] = [];
    for (const dataset of datasets) {
      const existing = await tx<DatasetVersionRow>('mlops_dataset_versions')
        .where({ dataset_ref: dataset.ref, version: dataset.version })
        .first();
      if (existing) {
        if (existing.digest !== dataset.digest) {
          throw new ConflictError(
            `Dataset ${dataset.ref} version ${dataset.version} is registered with digest ${existing.digest}, not ${dataset.digest}`,
          );
        }
        ids.push(existing.id);
        continue;
      }
      const id = randomUUID();
      await tx('mlops_dataset_versions').insert({
        id,
        dataset_ref: dataset.ref,
        version: dataset.version,
        digest: dataset.digest,
        uri: dataset.uri ?? null,
        created_at: now,
      });
      ids.push(id);
    }
    return [...new Set(ids)];
  }

  private async upsertRun(tx: Knex.Transaction, run: NonNullable<NewModelVersion['run']>, now: Date) {
    const existing = await tx<RunRow>('mlops_training_runs').where({ source: run.source, run_id: run.id }).first();
    if (existing) {
      return existing.id;
    }
    const id = randomUUID();
    await tx('mlops_training_runs').insert({
      id,
      source: run.source,
      run_id: run.id,
      run_url: run.url ?? null,
      experiment: run.experiment ?? null,
      started_at: run.startedAt ?? null,
      finished_at: run.finishedAt ?? null,
      created_at: now,
    });
    return id;
  }

  async listVersions(modelRef: string): Promise<ModelVersion[]> {
    const rows = await this.db<ModelVersionRow>('mlops_model_versions')
      .where({ model_ref: modelRef })
      .orderBy('created_at', 'desc')
      .orderBy('version', 'desc');
    return hydrateVersions(this.db, rows);
  }

  async getVersion(modelRef: string, version: string): Promise<ModelVersion | undefined> {
    const rows = await this.db<ModelVersionRow>('mlops_model_versions').where({ model_ref: modelRef, version });
    return (await hydrateVersions(this.db, rows))[0];
  }

  async recordGateEvaluation(modelRef: string, version: string, summary: GateSummary, actorRef: string) {
    await this.db.transaction(async tx => {
      const row = await this.versionRow(tx, modelRef, version);
      const at = new Date(summary.evaluatedAt);
      await tx('mlops_gate_evaluations').insert({
        id: randomUUID(),
        model_version_id: row.id,
        evaluated_at: at,
        trigger: summary.trigger,
        passed: summary.passed,
        champion: summary.champion,
        policy_digest: summary.policyDigest,
        results: JSON.stringify(summary.results),
      });
      await this.audit.appendAudit(
        {
          actorRef,
          action: 'gates.evaluate',
          entityRef: modelRef,
          details: { version, passed: summary.passed, failed: summary.results.filter(r => r.status === 'fail').map(r => r.name) },
          occurredAt: at,
        },
        tx,
      );
    });
  }

  async aliasAt(modelRef: string, alias: ModelAlias, at: Date) {
    const rows = await this.db('mlops_audit_log')
      .where({ entity_ref: modelRef, action: 'alias.set' })
      .where('occurred_at', '<=', at)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .select('details', 'occurred_at', 'actor_ref');
    for (const row of rows) {
      const details = JSON.parse(row.details);
      if (details.alias === alias) {
        return { version: String(details.version), since: iso(row.occurred_at), setBy: row.actor_ref as string };
      }
    }
    return undefined;
  }

  async promotedVersions(modelRef: string, limit: number): Promise<ModelVersion[]> {
    // The audit trail knows every version that ever held the champion alias, and when.
    const rows = await this.db('mlops_audit_log')
      .where({ entity_ref: modelRef, action: 'alias.set' })
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .select('details');
    const versions: string[] = [];
    for (const row of rows) {
      const details = JSON.parse(row.details);
      if (details.alias === 'champion' && !versions.includes(details.version)) {
        versions.push(details.version);
        if (versions.length >= limit) break;
      }
    }
    if (!versions.length) return [];
    const found = await hydrateVersions(this.db, 
      await this.db<ModelVersionRow>('mlops_model_versions').where({ model_ref: modelRef }).whereIn('version', versions),
    );
    return versions.map(v => found.find(f => f.version === v)).filter((v): v is ModelVersion => !!v);
  }

  async setAlias(modelRef: string, alias: ModelAlias, version: string, actorRef: string): Promise<void> {
    await this.db.transaction(async tx => {
      const row = await this.versionRow(tx, modelRef, version);
      const now = new Date();
      await tx('mlops_aliases').where({ model_ref: modelRef, alias }).delete();
      await tx('mlops_aliases').insert({ model_ref: modelRef, alias, model_version_id: row.id, updated_at: now });
      await this.audit.appendAudit(
        { actorRef, action: 'alias.set', entityRef: modelRef, details: { alias, version }, occurredAt: now },
        tx,
      );
    });
  }

  async setDeployment(
    modelRef: string,
    version: string,
    deployment: Omit<Deployment, 'updatedAt'>,
    actorRef: string,
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const row = await this.versionRow(tx, modelRef, version);
      const now = new Date();
      const target = {
        model_version_id: row.id,
        environment: deployment.environment,
        cluster: deployment.cluster,
        namespace: deployment.namespace,
      };
      const updated = await tx('mlops_deployments')
        .where(target)
        .update({ traffic_weight: deployment.trafficWeight, updated_at: now });
      if (!updated) {
        await tx('mlops_deployments').insert({
          id: randomUUID(),
          ...target,
          traffic_weight: deployment.trafficWeight,
          updated_at: now,
        });
      }
      await this.audit.appendAudit(
        { actorRef, action: 'deployment.set', entityRef: modelRef, details: { version, ...deployment }, occurredAt: now },
        tx,
      );
    });
  }

  private async versionRow(tx: Knex.Transaction, modelRef: string, version: string) {
    const row = await tx<ModelVersionRow>('mlops_model_versions').where({ model_ref: modelRef, version }).first();
    if (!row) {
      throw new ConflictError(`Version ${version} of ${modelRef} does not exist`);
    }
    return row;
  }
}
