import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CompoundEntityRef } from '@backstage/catalog-model';
import {
  DatasetConsumers,
  LineageGraph,
  ModelPolicyView,
  ModelVersion,
  ModelVersionList,
  SyncStatus,
} from '@modelrails/plugin-mlops-common';

/** The portal's view of the ModelRails backend. @public */
export interface MlopsApi {
  getModelPolicy(ref: CompoundEntityRef): Promise<ModelPolicyView>;
  listVersions(ref: CompoundEntityRef): Promise<ModelVersionList>;
  getVersion(ref: CompoundEntityRef, version: string): Promise<ModelVersion>;
  getModelLineage(ref: CompoundEntityRef, version: string, depth?: number): Promise<LineageGraph>;
  getDatasetLineage(ref: CompoundEntityRef, version: string, depth?: number): Promise<LineageGraph>;
  getDatasetConsumers(ref: CompoundEntityRef, version: string): Promise<DatasetConsumers>;
  getMlflowSyncStatus(): Promise<SyncStatus>;
}

const seg = (value: string) => encodeURIComponent(value);
const entityPath = (ref: CompoundEntityRef) => `${seg(ref.namespace)}/${seg(ref.name)}`;
const depthQuery = (depth?: number) => (depth ? `?depth=${depth}` : '');

/** @public */
export const mlopsApiRef = createApiRef<MlopsApi>().with({
  id: 'plugin.mlops.api',
  pluginId: 'mlops',
});

/** Talks to the `mlops` backend plugin through Backstage's discovery and fetch APIs. @public */
export class MlopsClient implements MlopsApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  async getModelPolicy(ref: CompoundEntityRef): Promise<ModelPolicyView> {
    return this.get(`/models/${entityPath(ref)}/policy`);
  }

  async listVersions(ref: CompoundEntityRef): Promise<ModelVersionList> {
    return this.get(`/models/${entityPath(ref)}/versions`);
  }

  async getVersion(ref: CompoundEntityRef, version: string): Promise<ModelVersion> {
    return this.get(`/models/${entityPath(ref)}/versions/${seg(version)}`);
  }

  async getModelLineage(ref: CompoundEntityRef, version: string, depth?: number): Promise<LineageGraph> {
    return this.get(`/models/${entityPath(ref)}/versions/${seg(version)}/lineage${depthQuery(depth)}`);
  }

  async getDatasetLineage(ref: CompoundEntityRef, version: string, depth?: number): Promise<LineageGraph> {
    return this.get(`/datasets/${entityPath(ref)}/versions/${seg(version)}/lineage${depthQuery(depth)}`);
  }

  async getDatasetConsumers(ref: CompoundEntityRef, version: string): Promise<DatasetConsumers> {
    return this.get(`/datasets/${entityPath(ref)}/versions/${seg(version)}/models`);
  }

  async getMlflowSyncStatus(): Promise<SyncStatus> {
    return this.get('/sync/mlflow');
  }

  private async get<T>(path: string): Promise<T> {
    const baseUrl = await this.deps.discoveryApi.getBaseUrl('mlops');
    const response = await this.deps.fetchApi.fetch(`${baseUrl}${path}`);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
