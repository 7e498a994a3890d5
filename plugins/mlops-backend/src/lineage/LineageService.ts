import { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DatasetConsumers, LineageGraph, lineageNodeId } from '@modelrails/plugin-mlops-common';
import { readModelEntity } from '../policy/ModelPolicyService';
import { LineageStore } from './LineageStore';

/** Lineage queries stop here whatever the caller asks: a bound on work per request. */
export const MAX_LINEAGE_DEPTH = 10;
export const DEFAULT_LINEAGE_DEPTH = 4;

type Ref = { namespace: string; name: string };

/** The lineage graph around a model version or a dataset version, and a dataset's consumers. */
export interface LineageService {
  modelLineage(model: Ref, version: string, depth?: number): Promise<LineageGraph>;
  datasetLineage(dataset: Ref, version: string, depth?: number): Promise<LineageGraph>;
  datasetConsumers(dataset: Ref, version: string): Promise<DatasetConsumers>;
}

export class DefaultLineageService implements LineageService {
  constructor(
    private readonly store: LineageStore,
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async modelLineage(model: Ref, version: string, depth = DEFAULT_LINEAGE_DEPTH) {
    const modelRef = stringifyEntityRef({ kind: 'model', ...model });
    // The Model must exist in the catalog; the plugin checks that on its own authority.
    await readModelEntity(this.catalog, modelRef, await this.auth.getOwnServiceCredentials());
    const graph = await this.store.lineage(lineageNodeId.model(modelRef, version), Math.min(depth, MAX_LINEAGE_DEPTH));
    if (!graph) throw new NotFoundError(`No version ${version} of ${modelRef}`);
    return graph;
  }

  async datasetLineage(dataset: Ref, version: string, depth = DEFAULT_LINEAGE_DEPTH) {
    const ref = stringifyEntityRef({ kind: 'resource', ...dataset });
    const graph = await this.store.lineage(lineageNodeId.dataset(ref, version), Math.min(depth, MAX_LINEAGE_DEPTH));
    if (!graph) throw new NotFoundError(`No version ${version} of dataset ${ref}`);
    return graph;
  }

  async datasetConsumers(dataset: Ref, version: string) {
    const ref = stringifyEntityRef({ kind: 'resource', ...dataset });
    const consumers = await this.store.datasetConsumers(ref, version);
    if (!consumers) throw new NotFoundError(`No version ${version} of dataset ${ref}`);
    return consumers;
  }
}
