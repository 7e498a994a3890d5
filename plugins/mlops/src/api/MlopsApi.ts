import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { CompoundEntityRef } from '@backstage/catalog-model';
import { ModelPolicyView } from '@modelrails/plugin-mlops-common';

/** The portal's view of the ModelRails backend. @public */
export interface MlopsApi {
  getModelPolicy(ref: CompoundEntityRef): Promise<ModelPolicyView>;
}

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
    return this.get(
      `/models/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}/policy`,
    );
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
