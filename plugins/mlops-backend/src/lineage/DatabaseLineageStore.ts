import { DatasetConsumers, LineageGraph, LineageNode, lineageNodeId } from '@modelrails/plugin-mlops-common';
import { Knex } from 'knex';
import {
  DatasetVersionRow,
  DeploymentRow,
  hydrateVersions,
  iso,
  ModelVersionRow,
  nameOf,
  RunRow,
  selectIn,
  toDataset,
  toDeployment,
} from '../registry/rows';
import { LineageStore } from './LineageStore';
import { LineageEdge, walkLineage } from './walk';

type InternalKind = 'dv' | 'run' | 'mv' | 'dep';
const key = (kind: InternalKind, id: string) => `${kind}|${id}`;

/** Lineage read from the registry's tables (dataset versions → runs → model versions → deployments). */
export class DatabaseLineageStore implements LineageStore {
  constructor(private readonly db: Knex) {}

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
    const walk = await walkLineage(root, depth, nodes => this.neighbours(nodes));
    const nodes = await this.describe(walk.nodes);
    const publicId = new Map(nodes.map(n => [n.internal, n.node.id]));
    return {
      root: publicId.get(root)!,
      depth,
      nodes: nodes.map(n => n.node),
      edges: walk.edges.map(e => ({ from: publicId.get(e.from)!, to: publicId.get(e.to)! })),
      truncated: walk.truncated,
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
  private async neighbours(nodes: string[]): Promise<LineageEdge[]> {
    const ids = (kind: InternalKind) => nodes.filter(n => n.startsWith(`${kind}|`)).map(n => n.slice(kind.length + 1));
    const out: LineageEdge[] = [];
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
    const hydrated = await hydrateVersions(this.db, versionRows);
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
