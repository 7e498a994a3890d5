import { ConflictError } from '@backstage/errors';
import {
  DatasetConsumers,
  DatasetVersion,
  Deployment,
  GateSummary,
  LineageGraph,
  LineageNode,
  lineageNodeId,
  ModelAlias,
  ModelVersion,
  TrainingRun,
} from '@modelrails/plugin-mlops-common';
import { randomUUID } from 'node:crypto';
import { Knex } from 'knex';
import { AuditLog } from '../database/ModelRailsStore';
import { NewModelVersion, RegistryStore } from './RegistryStore';

type ModelVersionRow = {
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
  source: ModelVersion['source'];
  created_at: Date | string | number;
};
type RunRow = {
  id: string;
  source: TrainingRun['source'];
  run_id: string;
  run_url: string | null;
  experiment: string | null;
  started_at: Date | string | number | null;
  finished_at: Date | string | number | null;
};
type DatasetVersionRow = {
  id: string;
  dataset_ref: string;
  version: string;
  digest: string;
  uri: string | null;
};
type DeploymentRow = {
  id: string;
  model_version_id: string;
  environment: string;
  cluster: string;
  namespace: string;
  traffic_weight: number;
  updated_at: Date | string | number;
};

/** SQLite's default limit on bound variables is generous, but stay well inside every engine's. */
const CHUNK = 500;

const iso = (value: Date | string | number) => new Date(value).toISOString();
const isoOrUndefined = (value: Date | string | number | null) => (value === null ? undefined : iso(value));

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || /UNIQUE constraint failed|SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)/.test(String(e?.code ?? e?.message ?? ''));
}

async function selectIn<T>(
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

type InternalKind = 'dv' | 'run' | 'mv' | 'dep';
const key = (kind: InternalKind, id: string) => `${kind}|${id}`;

/** The registry on SQLite or PostgreSQL. */
export class DatabaseRegistryStore implements RegistryStore {
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
    return this.hydrate(rows);
  }

  async getVersion(modelRef: string, version: string): Promise<ModelVersion | undefined> {
    const rows = await this.db<ModelVersionRow>('mlops_model_versions').where({ model_ref: modelRef, version });
    return (await this.hydrate(rows))[0];
  }

  /** Model version rows with their run, datasets, aliases and deployments, in few queries. */
  private async hydrate(rows: ModelVersionRow[]): Promise<ModelVersion[]> {
    if (!rows.length) return [];
    const runIds = [...new Set(rows.map(r => r.run_id).filter((id): id is string => !!id))];
    const versionIds = rows.map(r => r.id);
    const runs = new Map((await selectIn<RunRow>(this.db, 'mlops_training_runs', 'id', runIds)).map(r => [r.id, r]));
    const inputs: Array<DatasetVersionRow & { run_id: string }> = [];
    for (let i = 0; i < runIds.length; i += CHUNK) {
      inputs.push(
        ...(await this.db('mlops_run_inputs')
          .join('mlops_dataset_versions', 'mlops_dataset_versions.id', 'mlops_run_inputs.dataset_version_id')
          .whereIn('mlops_run_inputs.run_id', runIds.slice(i, i + CHUNK))
          .orderBy('mlops_dataset_versions.dataset_ref')
          .select('mlops_run_inputs.run_id', 'mlops_dataset_versions.*')),
      );
    }
    const aliases = await selectIn<{ model_version_id: string; alias: ModelAlias }>(
      this.db,
      'mlops_aliases',
      'model_version_id',
      versionIds,
      ['model_version_id', 'alias'],
    );
    const deployments = await selectIn<DeploymentRow>(this.db, 'mlops_deployments', 'model_version_id', versionIds);
    const evaluations = await selectIn<{
      model_version_id: string;
      evaluated_at: Date | string | number;
      trigger: GateSummary['trigger'];
      passed: boolean | number;
      results: string;
    }>(this.db, 'mlops_gate_evaluations', 'model_version_id', versionIds);
    const latestGates = new Map<string, GateSummary>();
    for (const e of evaluations) {
      const current = latestGates.get(e.model_version_id);
      const at = iso(e.evaluated_at);
      if (!current || at >= current.evaluatedAt) {
        latestGates.set(e.model_version_id, { evaluatedAt: at, trigger: e.trigger, passed: Boolean(e.passed), results: JSON.parse(e.results) });
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
    const found = await this.hydrate(
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

  async datasetConsumers(datasetRef: string, version: string): Promise<DatasetConsumers | undefined> {
    const dataset = await this.db<DatasetVersionRow>('mlops_dataset_versions')
      .where({ dataset_ref: datasetRef, version })
      .first();
    if (!dataset) return undefined;
    const rows: ModelVersionRow[] = await this.db('mlops_model_versions')
      .join('mlops_run_inputs', 'mlops_run_inputs.run_id', 'mlops_model_versions.run_id')
      .where('mlops_run_inputs.dataset_version_id', dataset.id)
      .orderBy('mlops_model_versions.model_ref')
      .orderBy('mlops_model_versions.created_at', 'desc')
      .select('mlops_model_versions.*');
    const deployments = await selectIn<DeploymentRow>(
      this.db,
      'mlops_deployments',
      'model_version_id',
      rows.map(r => r.id),
    );
    return {
      dataset: toDataset(dataset),
      models: rows.map(row => {
        const mine = deployments.filter(d => d.model_version_id === row.id).map(toDeployment);
        return {
          modelRef: row.model_ref,
          version: row.version,
          serving: mine.some(d => d.trafficWeight > 0),
          deployments: mine,
        };
      }),
    };
  }

  async lineage(rootId: string, depth: number): Promise<LineageGraph | undefined> {
    const root = await this.resolveNode(rootId);
    if (!root) return undefined;

    const visited = new Set<string>([root]);
    const edges = new Map<string, { from: string; to: string }>();
    let frontier = [root];
    let truncated = false;
    for (let level = 0; level <= depth && frontier.length; level++) {
      const found = await this.neighbours(frontier);
      const next: string[] = [];
      for (const edge of found) {
        const fresh = [edge.from, edge.to].filter(n => !visited.has(n));
        if (level === depth) {
          // One look past the bound, only to tell whether anything was left out.
          if (fresh.length) truncated = true;
          continue;
        }
        edges.set(`${edge.from}>${edge.to}`, edge);
        for (const n of fresh) {
          visited.add(n);
          next.push(n);
        }
      }
      frontier = next;
    }

    const nodes = await this.describe([...visited]);
    const publicId = new Map(nodes.map(n => [n.internal, n.node.id]));
    return {
      root: publicId.get(root)!,
      depth,
      nodes: nodes.map(n => n.node),
      edges: [...edges.values()].map(e => ({ from: publicId.get(e.from)!, to: publicId.get(e.to)! })),
      truncated,
    };
  }

  /** Internal key of a public node id, or undefined when nothing has that id. */
  private async resolveNode(id: string): Promise<string | undefined> {
    const [, kind, rest] = /^(dataset|run|model|deployment):(.+)$/.exec(id) ?? [];
    if (!kind) return undefined;
    if (kind === 'dataset' || kind === 'model') {
      const at = rest.lastIndexOf('@');
      if (at <= 0) return undefined;
      const ref = rest.slice(0, at);
      const version = rest.slice(at + 1);
      const row =
        kind === 'dataset'
          ? await this.db('mlops_dataset_versions').where({ dataset_ref: ref, version }).first('id')
          : await this.db('mlops_model_versions').where({ model_ref: ref, version }).first('id');
      return row ? key(kind === 'dataset' ? 'dv' : 'mv', row.id) : undefined;
    }
    if (kind === 'run') {
      const colon = rest.indexOf(':');
      if (colon <= 0) return undefined;
      const row = await this.db('mlops_training_runs')
        .where({ source: rest.slice(0, colon), run_id: rest.slice(colon + 1) })
        .first('id');
      return row ? key('run', row.id) : undefined;
    }
    const match = /^(.+)@([^/@]+)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(rest);
    if (!match) return undefined;
    const [, modelRef, version, environment, cluster, namespace] = match;
    const row = await this.db('mlops_deployments')
      .join('mlops_model_versions', 'mlops_model_versions.id', 'mlops_deployments.model_version_id')
      .where({ 'mlops_model_versions.model_ref': modelRef, 'mlops_model_versions.version': version, environment, cluster, namespace })
      .first('mlops_deployments.id');
    return row ? key('dep', row.id) : undefined;
  }

  /** All edges touching the given nodes, as downstream-pointing pairs of internal keys. */
  private async neighbours(nodes: string[]): Promise<Array<{ from: string; to: string }>> {
    const ids = (kind: InternalKind) => nodes.filter(n => n.startsWith(`${kind}|`)).map(n => n.slice(kind.length + 1));
    const out: Array<{ from: string; to: string }> = [];
    const dv = ids('dv');
    const run = ids('run');
    const mv = ids('mv');
    const dep = ids('dep');
    const inputs = [
      ...(await selectIn<{ run_id: string; dataset_version_id: string }>(this.db, 'mlops_run_inputs', 'dataset_version_id', dv)),
      ...(await selectIn<{ run_id: string; dataset_version_id: string }>(this.db, 'mlops_run_inputs', 'run_id', run)),
    ];
    for (const i of inputs) out.push({ from: key('dv', i.dataset_version_id), to: key('run', i.run_id) });
    const versions = [
      ...(await selectIn<{ id: string; run_id: string | null }>(this.db, 'mlops_model_versions', 'run_id', run, ['id', 'run_id'])),
      ...(await selectIn<{ id: string; run_id: string | null }>(this.db, 'mlops_model_versions', 'id', mv, ['id', 'run_id'])),
    ];
    for (const v of versions) if (v.run_id) out.push({ from: key('run', v.run_id), to: key('mv', v.id) });
    const deployments = [
      ...(await selectIn<{ id: string; model_version_id: string }>(this.db, 'mlops_deployments', 'model_version_id', mv, ['id', 'model_version_id'])),
      ...(await selectIn<{ id: string; model_version_id: string }>(this.db, 'mlops_deployments', 'id', dep, ['id', 'model_version_id'])),
    ];
    for (const d of deployments) out.push({ from: key('mv', d.model_version_id), to: key('dep', d.id) });
    return out;
  }

  private async describe(nodes: string[]): Promise<Array<{ internal: string; node: LineageNode }>> {
    const ids = (kind: InternalKind) => nodes.filter(n => n.startsWith(`${kind}|`)).map(n => n.slice(kind.length + 1));
    const out: Array<{ internal: string; node: LineageNode }> = [];
    for (const d of await selectIn<DatasetVersionRow>(this.db, 'mlops_dataset_versions', 'id', ids('dv'))) {
      out.push({
        internal: key('dv', d.id),
        node: {
          id: lineageNodeId.dataset(d.dataset_ref, d.version),
          kind: 'dataset-version',
          label: `${nameOf(d.dataset_ref)} @ ${d.version}`,
          attributes: { dataset: d.dataset_ref, version: d.version, digest: d.digest, ...(d.uri ? { uri: d.uri } : {}) },
        },
      });
    }
    for (const r of await selectIn<RunRow>(this.db, 'mlops_training_runs', 'id', ids('run'))) {
      out.push({
        internal: key('run', r.id),
        node: {
          id: lineageNodeId.run(r.source, r.run_id),
          kind: 'training-run',
          label: `run ${r.run_id.length > 28 ? `${r.run_id.slice(0, 27)}…` : r.run_id}`,
          attributes: {
            source: r.source,
            runId: r.run_id,
            ...(r.run_url ? { url: r.run_url } : {}),
            ...(r.experiment ? { experiment: r.experiment } : {}),
            ...(r.started_at !== null ? { startedAt: iso(r.started_at) } : {}),
          },
        },
      });
    }
    const versionRows = await selectIn<ModelVersionRow>(this.db, 'mlops_model_versions', 'id', ids('mv'));
    const hydrated = await this.hydrate(versionRows);
    versionRows.forEach((row, i) => {
      const v = hydrated[i];
      out.push({
        internal: key('mv', row.id),
        node: {
          id: lineageNodeId.model(v.modelRef, v.version),
          kind: 'model-version',
          label: `${nameOf(v.modelRef)} v${v.version}`,
          attributes: {
            model: v.modelRef,
            version: v.version,
            creator: v.creator,
            createdAt: v.createdAt,
            reproducible: v.reproducible,
            artifactDigest: v.artifact.digest,
            ...(v.aliases.length ? { aliases: v.aliases.join(', ') } : {}),
          },
        },
      });
    });
    const depRows = await selectIn<DeploymentRow>(this.db, 'mlops_deployments', 'id', ids('dep'));
    const depVersions = new Map(
      (await selectIn<ModelVersionRow>(this.db, 'mlops_model_versions', 'id', [...new Set(depRows.map(d => d.model_version_id))])).map(
        v => [v.id, v],
      ),
    );
    for (const d of depRows) {
      const v = depVersions.get(d.model_version_id)!;
      out.push({
        internal: key('dep', d.id),
        node: {
          id: lineageNodeId.deployment(v.model_ref, v.version, d),
          kind: 'deployment',
          label: `${d.environment} · ${d.cluster} · ${d.traffic_weight} %`,
          attributes: {
            environment: d.environment,
            cluster: d.cluster,
            namespace: d.namespace,
            trafficWeight: d.traffic_weight,
            updatedAt: iso(d.updated_at),
          },
        },
      });
    }
    return out;
  }
}

function nameOf(ref: string) {
  return ref.slice(ref.indexOf('/') + 1);
}

function toRun(r: RunRow): TrainingRun {
  return {
    source: r.source,
    id: r.run_id,
    ...(r.run_url ? { url: r.run_url } : {}),
    ...(r.experiment ? { experiment: r.experiment } : {}),
    ...(r.started_at !== null ? { startedAt: isoOrUndefined(r.started_at) } : {}),
    ...(r.finished_at !== null ? { finishedAt: isoOrUndefined(r.finished_at) } : {}),
  };
}

function toDataset(d: DatasetVersionRow): DatasetVersion {
  return { ref: d.dataset_ref, version: d.version, digest: d.digest, ...(d.uri ? { uri: d.uri } : {}) };
}

function toDeployment(d: DeploymentRow): Deployment {
  return {
    environment: d.environment,
    cluster: d.cluster,
    namespace: d.namespace,
    trafficWeight: Number(d.traffic_weight),
    updatedAt: iso(d.updated_at),
  };
}
